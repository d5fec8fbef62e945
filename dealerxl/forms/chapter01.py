"""Chapter 1 部門概述 department overview: who is on which team, the monthly workflow, and the
department's working calendar (holidays and daily working hours) used by every SLA clock.
"""
from .model import Column as C, DateOrder, Enum, Form, NotAbove, Setting

ENUMS = [
    # The five teams of the manual's organisation chart (1.2).
    Enum("team", ("dealer_development", "sales", "inventory", "marketing", "customer_service")),
    Enum("role", ("department_head", "team_lead", "senior_specialist", "specialist", "assistant")),
    Enum("employment_status", ("probation", "active", "on_leave", "left")),
    # The manual's workflow (1.3), in its order.
    Enum("workflow_step", ("market_research", "channel_strategy", "dealer_recruitment", "sales_plan",
                           "stock_control", "promotion", "customer_service")),
    Enum("weekday", ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")),
    # A make-up workday (補班) is a weekend day worked in exchange for a bridged holiday.
    Enum("day_type", ("holiday", "makeup_workday")),
]

FORMS = [
    Form(
        id="team_roster", chapter=1, section="1.2",
        columns=(
            C("staff_id", key=True, required=True, width=12),
            C("staff_name", required=True, width=14),
            # Blank for the head of department, who leads all five teams.
            C("team", "enum", enum="team", width=16),
            C("role", "enum", required=True, enum="role", width=16),
            C("position_id", width=12),
            C("manager_id", width=12),
            C("region", "enum", enum="region"),
            C("email", width=26),
            C("phone", width=14),
            C("hire_date", "date", required=True),
            C("leave_date", "date"),
            C("status", "enum", required=True, enum="employment_status"),
        ),
        rules=(DateOrder("hire_date", "leave_date"),),
    ),
    Form(
        id="work_calendar", chapter=1, section="1.3",
        columns=(
            C("month", "date", key=True, required=True, unit="month"),
            C("step", "enum", key=True, required=True, enum="workflow_step", width=16),
            C("activity", required=True, width=36),
            C("team", "enum", enum="team", width=16),
            C("owner", required=True, width=12),
            C("due_date", "date", required=True),
            C("status", "enum", required=True, enum="task_status"),
            C("done_date", "date"),
            C("note", width=30),
        ),
        rules=(DateOrder("month", "due_date"),),
    ),
    Form(
        id="work_holidays", chapter=1, section="1.3", kind="settings",
        columns=(
            C("holiday_date", "date", key=True, required=True),
            C("holiday_name", required=True, width=24),
            C("day_type", "enum", required=True, enum="day_type"),
        ),
    ),
    Form(
        id="work_hours", chapter=1, section="1.3", kind="settings",
        columns=(
            C("weekday", "enum", key=True, required=True, enum="weekday"),
            C("working_day", "enum", required=True, enum="yes_no"),
            C("work_start_hour", "number", min=0, max=24, unit="hours"),
            C("work_end_hour", "number", min=0, max=24, unit="hours"),
        ),
        rules=(NotAbove("work_start_hour", "work_end_hour"),),
    ),
]

# Rows a new workbook's working-hours table starts with: Monday to Friday 09:00–18:00, weekends
# off. Start and end are decimal hours (8.5 = 08:30); SLA clocks run between them.
DEFAULT_ROWS = {
    "work_hours": [
        {"weekday": day, "working_day": "yes" if day not in ("saturday", "sunday") else "no",
         "work_start_hour": 9.0 if day not in ("saturday", "sunday") else None,
         "work_end_hour": 18.0 if day not in ("saturday", "sunday") else None}
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    ],
}

SETTINGS = [
    Setting("workflow_due_soon_days", "workflow", 3, unit="days", min=0, max=60),
]
