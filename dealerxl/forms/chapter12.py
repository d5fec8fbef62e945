"""Chapter 12 自我提升 self-development: individual development plans and a learning log, along
the manual's four capabilities (learning, professional knowledge, leadership, team building).
"""
from .model import Column as C, DateOrder, Enum, Form, Setting

ENUMS = [
    Enum("capability", ("learning", "professional_knowledge", "leadership", "team_building")),
    Enum("learning_type", ("course", "book", "seminar", "online", "mentoring", "project", "certification")),
]

FORMS = [
    Form(
        id="development_plan", chapter=12, section="12.1",
        columns=(
            C("staff_id", key=True, required=True, width=12),
            C("goal_id", key=True, required=True, width=10),
            C("capability", "enum", required=True, enum="capability", width=16),
            C("goal", required=True, width=30),
            C("action", required=True, width=30),
            C("support_needed", width=24),
            C("start_date", "date", required=True),
            C("due_date", "date", required=True),
            C("progress", "percent", min=0, max=1),
            C("status", "enum", required=True, enum="task_status"),
            C("reviewer_id", width=12),
            C("review_date", "date"),
        ),
        rules=(DateOrder("start_date", "due_date"), DateOrder("start_date", "review_date")),
    ),
    Form(
        id="learning_log", chapter=12, section="12.2",
        columns=(
            C("entry_id", key=True, required=True, width=12),
            C("staff_id", required=True, width=12),
            C("learning_date", "date", required=True),
            C("capability", "enum", required=True, enum="capability", width=16),
            C("learning_type", "enum", required=True, enum="learning_type"),
            C("title", required=True, width=30),
            C("provider", width=18),
            C("duration_hours", "number", min=0, max=500, unit="hours"),
            C("cost", "money", min=0, unit="currency"),
            C("certificate", "enum", enum="yes_no"),
            C("takeaway", width=36),
        ),
    ),
]

SETTINGS = [
    Setting("learning_hours_target", "development", 24, unit="hours", min=0, max=500),
    Setting("plan_behind_gap", "development", 0.2, unit="ratio", min=0, max=1),
]
