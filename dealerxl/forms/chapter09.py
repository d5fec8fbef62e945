"""Chapter 9 信息化建設 IT: process-improvement log, IT support requests, and the audit log every
job appends one row to (when, who, what it read and wrote).
"""
from .model import Column as C, DateOrder, Enum, Form, Setting

ENUMS = [
    Enum("improvement_status", ("proposed", "approved", "in_progress", "implemented", "rejected")),
    Enum("it_system", ("crm", "erp", "dealer_portal", "bi_tools", "dealer_workbook", "office_email",
                       "hardware", "network", "other")),
    Enum("it_request_type", ("incident", "service_request", "access", "change")),
    Enum("run_trigger", ("ribbon", "command_line", "scheduled")),
    Enum("run_result", ("success", "warnings", "failed", "cancelled")),
]

FORMS = [
    Form(
        id="process_improvements", chapter=9, section="9.3",
        columns=(
            C("improvement_id", key=True, required=True, width=12),
            C("title", required=True, width=30),
            C("step", "enum", enum="workflow_step", width=16),
            C("team", "enum", enum="team", width=16),
            C("proposed_by", required=True, width=12),
            C("proposed_date", "date", required=True),
            C("problem", width=36),
            C("proposal", width=36),
            C("owner", width=12),
            C("due_date", "date"),
            C("improvement_status", "enum", required=True, enum="improvement_status", width=14),
            C("implemented_date", "date"),
            C("expected_hours_saved", "number", min=0, unit="hours"),
            C("actual_hours_saved", "number", min=0, unit="hours"),
        ),
        rules=(DateOrder("proposed_date", "due_date"), DateOrder("proposed_date", "implemented_date")),
    ),
    Form(
        id="it_requests", chapter=9, section="9.4",
        columns=(
            C("request_id", key=True, required=True, width=12),
            C("requested_by", required=True, width=12),
            C("team", "enum", enum="team", width=16),
            C("it_system", "enum", required=True, enum="it_system", width=14),
            C("it_request_type", "enum", required=True, enum="it_request_type", width=14),
            C("priority", "enum", required=True, enum="severity"),
            C("description", required=True, width=40),
            C("opened_at", "datetime", required=True, width=17),
            C("resolved_at", "datetime", width=17),
            C("assignee", width=14),
            C("case_status", "enum", required=True, enum="case_status", width=14),
            C("resolution", width=30),
        ),
        rules=(DateOrder("opened_at", "resolved_at"),),
    ),
    Form(
        id="audit_log", chapter=9, section="9.4", kind="output",
        columns=(
            C("run_id", key=True, required=True, width=20),
            C("started_at", "datetime", required=True, width=19),
            C("finished_at", "datetime", width=19),
            C("user", required=True, width=14),
            C("host", width=14),
            C("job", required=True, width=14),
            C("run_trigger", "enum", enum="run_trigger"),
            C("arguments", width=30),
            C("input_checksums", width=40),
            C("outputs", width=40),
            C("rows_changed", "int", min=0),
            C("warning_count", "int", min=0),
            C("warnings", width=40),
            C("run_result", "enum", required=True, enum="run_result"),
            C("app_version", width=10),
        ),
        rules=(DateOrder("started_at", "finished_at"),),
    ),
]

SETTINGS = [
    Setting("it_request_sla_hours", "it", 16, unit="hours", min=1, max=1000),
    Setting("it_urgent_sla_hours", "it", 4, unit="hours", min=1, max=1000),
    Setting("audit_log_sheet_rows", "it", 5000, unit="rows", min=100, max=1_000_000),
]
