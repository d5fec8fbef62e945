"""Chapter 2 團隊建設 team building: recruitment, training, KPI appraisal and staff bonus, with
the grade bands and forced-distribution shares the appraisal uses.
"""
from .model import Column as C, DateOrder, Enum, Form, NotAbove, Setting

ENUMS = [
    Enum("recruit_channel", ("job_board", "referral", "campus", "headhunter", "internal", "social_media")),
    # Pipeline stages in order; rejected and withdrawn end a candidacy at any stage.
    Enum("recruit_stage", ("applied", "screened", "interview_1", "interview_2", "offer", "hired",
                           "rejected", "withdrawn")),
    Enum("training_topic", ("product", "sales_skills", "channel_management", "marketing", "service",
                            "compliance", "leadership")),
    Enum("training_delivery", ("internal", "external", "online")),
    Enum("kpi_direction", ("higher_better", "lower_better")),
    Enum("appraisal_grade", ("A", "B", "C", "D", "E")),
    Enum("approval_status", ("draft", "submitted", "approved", "paid")),
]

FORMS = [
    Form(
        id="job_descriptions", chapter=2, section="2.1",
        columns=(
            C("position_id", key=True, required=True, width=12),
            C("position_title", required=True, width=24),
            C("team", "enum", enum="team", width=16),  # blank for the head of department
            C("role", "enum", required=True, enum="role", width=16),
            C("reports_to", width=12),
            C("headcount_plan", "int", min=0),
            C("duties", width=40),
            C("requirements", width=40),
            C("kpi_focus", width=30),
            C("salary_min", "money", min=0, unit="currency"),
            C("salary_max", "money", min=0, unit="currency"),
        ),
        rules=(NotAbove("salary_min", "salary_max"),),
    ),
    Form(
        id="recruitment_pipeline", chapter=2, section="2.1",
        columns=(
            C("candidate_id", key=True, required=True, width=12),
            C("candidate_name", required=True, width=14),
            C("position_id", required=True, width=12),
            C("recruit_channel", "enum", required=True, enum="recruit_channel", width=14),
            C("applied_date", "date", required=True),
            C("stage", "enum", required=True, enum="recruit_stage", width=14),
            C("stage_date", "date"),
            C("screening_score", "number", min=0, max=100, unit="score"),
            C("interview_score_1", "number", min=0, max=100, unit="score"),
            C("interview_score_2", "number", min=0, max=100, unit="score"),
            C("interviewer_id", width=12),
            C("offer_date", "date"),
            C("hire_date", "date"),
            C("note", width=30),
        ),
        rules=(DateOrder("applied_date", "stage_date"), DateOrder("applied_date", "offer_date"),
               DateOrder("offer_date", "hire_date")),
    ),
    Form(
        id="training_sessions", chapter=2, section="2.2",
        columns=(
            C("session_id", key=True, required=True, width=12),
            C("course_title", required=True, width=30),
            C("training_topic", "enum", required=True, enum="training_topic", width=16),
            C("training_delivery", "enum", required=True, enum="training_delivery"),
            C("trainer", width=16),
            C("session_date", "date", required=True),
            C("duration_hours", "number", required=True, min=0, max=200, unit="hours"),
            C("capacity", "int", min=0),
            C("cost", "money", min=0, unit="currency"),
        ),
    ),
    Form(
        id="training_attendance", chapter=2, section="2.2",
        columns=(
            C("session_id", key=True, required=True, width=12),
            C("staff_id", key=True, required=True, width=12),
            C("attended", "enum", required=True, enum="yes_no"),
            C("hours_attended", "number", min=0, max=200, unit="hours"),
            C("test_score", "number", min=0, max=100, unit="score"),
            C("completed", "enum", enum="yes_no"),
            C("feedback_score", "int", min=1, max=5, unit="score"),
        ),
    ),
    Form(
        id="kpi_appraisal", chapter=2, section="2.3",
        columns=(
            C("staff_id", key=True, required=True, width=12),
            C("year", "int", key=True, required=True, min=2000, max=2100, unit="year"),
            C("quarter", "int", key=True, required=True, min=1, max=4),
            C("kpi_code", key=True, required=True, width=14),
            C("kpi_name", required=True, width=26),
            C("kpi_direction", "enum", required=True, enum="kpi_direction", width=14),
            C("weight", "percent", required=True, min=0, max=1),
            C("target", "number", required=True),
            C("actual", "number"),
            C("appraiser_id", width=12),
            C("comment", width=30),
        ),
    ),
    Form(
        id="staff_bonus", chapter=2, section="2.4",
        columns=(
            C("staff_id", key=True, required=True, width=12),
            C("year", "int", key=True, required=True, min=2000, max=2100, unit="year"),
            C("quarter", "int", key=True, required=True, min=1, max=4),
            C("kpi_score", "number", min=0, unit="score"),
            C("grade", "enum", enum="appraisal_grade"),
            C("bonus_base", "money", min=0, unit="currency"),
            C("bonus_multiple", "number", min=0),
            C("bonus_adjustment", "money", unit="currency"),
            C("bonus_amount", "money", unit="currency",
              formula="{bonus_base}*{bonus_multiple}+{bonus_adjustment}"),
            C("promotion_recommended", "enum", enum="yes_no"),
            C("recognition", width=24),
            C("approval_status", "enum", required=True, enum="approval_status"),
        ),
    ),
    Form(
        id="kpi_grade_bands", chapter=2, section="2.3", kind="settings",
        columns=(
            C("grade", "enum", key=True, required=True, enum="appraisal_grade"),
            C("min_score", "number", required=True, min=0, unit="score"),
            C("bonus_multiple", "number", required=True, min=0),
        ),
    ),
    Form(
        id="forced_distribution", chapter=2, section="2.3", kind="settings",
        columns=(
            C("grade", "enum", key=True, required=True, enum="appraisal_grade"),
            C("distribution_share", "percent", required=True, min=0, max=1),
        ),
    ),
]

# Rows a new workbook starts with. A score at or above a band's minimum earns that grade; the
# multiple scales the staff member's bonus base. The forced distribution (shares of head-count
# per grade, summing to 100 %) follows the common 10-20-40-20-10 bell curve.
DEFAULT_ROWS = {
    "kpi_grade_bands": [
        {"grade": "A", "min_score": 90.0, "bonus_multiple": 1.5},
        {"grade": "B", "min_score": 80.0, "bonus_multiple": 1.2},
        {"grade": "C", "min_score": 70.0, "bonus_multiple": 1.0},
        {"grade": "D", "min_score": 60.0, "bonus_multiple": 0.5},
        {"grade": "E", "min_score": 0.0, "bonus_multiple": 0.0},
    ],
    "forced_distribution": [
        {"grade": "A", "distribution_share": 0.10},
        {"grade": "B", "distribution_share": 0.20},
        {"grade": "C", "distribution_share": 0.40},
        {"grade": "D", "distribution_share": 0.20},
        {"grade": "E", "distribution_share": 0.10},
    ],
}

SETTINGS = [
    Setting("kpi_attainment_cap", "appraisal", 1.2, unit="ratio", min=1, max=3),
    Setting("kpi_weight_tolerance", "appraisal", 0.001, unit="ratio", min=0, max=0.05),
    Setting("forced_distribution_on", "appraisal", 0, unit="switch", min=0, max=1),
    Setting("forced_distribution_min_group", "appraisal", 10, unit="people", min=1, max=1000),
    Setting("training_hours_target", "training", 40, unit="hours", min=0, max=500),
    Setting("training_pass_score", "training", 60, unit="score", min=0, max=100),
    Setting("recruitment_stale_days", "recruitment", 14, unit="days", min=1, max=180),
]
