"""Chapter 10 部門協同 collaboration: one tracker of cross-department requests and tasks, also
sent to colleagues as the task-update template.
"""
from .model import Column as C, DateOrder, Enum, Form, Setting

ENUMS = [
    # Departments the dealer management department works with, itself included.
    Enum("department", ("dealer_management", "finance", "logistics", "procurement", "production",
                        "quality", "research_development", "human_resources", "it", "legal",
                        "general_management")),
]

FORMS = [
    Form(
        # Sent to each task's owner: the key includes the owner, and a later month's update of
        # an open task updates it (its earlier versions are kept in the store).
        id="task_tracker", chapter=10, section="10.3", shared=True, open_items=True,
        columns=(
            C("task_id", key=True, required=True, width=12),
            C("title", required=True, width=30),
            C("requesting_department", "enum", required=True, enum="department", width=16),
            C("requested_by", width=12),
            C("requested_date", "date", required=True),
            C("department", "enum", required=True, enum="department", width=16),
            C("owner", key=True, required=True, width=12),
            C("priority", "enum", required=True, enum="severity"),
            C("due_date", "date", required=True),
            C("status", "enum", required=True, enum="task_status"),
            C("progress", "percent", min=0, max=1),
            C("done_date", "date"),
            C("last_updated", "date"),
            C("update_note", width=36),
        ),
        rules=(DateOrder("requested_date", "due_date"), DateOrder("requested_date", "done_date"),
               DateOrder("requested_date", "last_updated")),
    ),
]

SETTINGS = [
    Setting("task_due_soon_days", "collaboration", 3, unit="days", min=0, max=60),
    Setting("task_stale_update_days", "collaboration", 7, unit="days", min=1, max=90),
]
