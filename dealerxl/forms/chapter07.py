"""Chapter 7 客戶服務 customer service: customer records, after-sales tickets, complaints and
satisfaction surveys, with the service-level hours per severity.

Complaint and survey forms are shared templates that dealers fill in and send back.
"""
from .model import Column as C, DateOrder, Enum, Form, NotAbove, Setting

ENUMS = [
    Enum("customer_type", ("consumer", "business")),
    Enum("contact_channel", ("phone", "email", "messaging", "web", "visit", "social_media", "dealer")),
    Enum("ticket_type", ("repair", "installation", "maintenance", "return", "spare_parts", "inquiry")),
    Enum("case_status", ("open", "in_progress", "waiting_customer", "resolved", "closed")),
    Enum("complaint_cause", ("product_quality", "delivery", "service_attitude", "billing", "after_sales",
                             "stock_availability", "other")),
    Enum("survey_type", ("post_purchase", "post_service", "periodic")),
]

FORMS = [
    Form(
        id="customer_contacts", chapter=7, section="7.1",
        columns=(
            C("customer_id", key=True, required=True, width=12),
            C("customer_name", required=True, width=18),
            C("customer_type", "enum", required=True, enum="customer_type"),
            C("dealer_id", required=True, width=12),
            C("region", "enum", enum="region"),
            C("phone", width=14),
            C("email", width=26),
            C("first_purchase_date", "date"),
            C("last_contact_date", "date"),
            C("contact_channel", "enum", enum="contact_channel"),
            C("marketing_consent", "enum", enum="yes_no"),
            C("note", width=30),
        ),
        rules=(DateOrder("first_purchase_date", "last_contact_date"),),
    ),
    Form(
        id="service_tickets", chapter=7, section="7.2",
        columns=(
            C("ticket_id", key=True, required=True, width=14),
            C("dealer_id", required=True, width=12),
            C("customer_id", width=12),
            C("sku", width=12),
            C("ticket_type", "enum", required=True, enum="ticket_type", width=14),
            C("severity", "enum", required=True, enum="severity"),
            C("opened_at", "datetime", required=True, width=17),
            C("first_response_at", "datetime", width=17),
            C("resolved_at", "datetime", width=17),
            C("case_status", "enum", required=True, enum="case_status", width=14),
            C("owner", width=12),
            C("under_warranty", "enum", enum="yes_no"),
            C("service_cost", "money", min=0, unit="currency"),
        ),
        rules=(DateOrder("opened_at", "first_response_at"), DateOrder("first_response_at", "resolved_at"),
               DateOrder("opened_at", "resolved_at")),
    ),
    Form(
        # The dealer's own complaint numbers: the key includes the dealer. A later month's
        # file updates the complaints it sent before (open ones get resolved).
        id="complaint_log", chapter=7, section="7.3", shared=True, open_items=True,
        columns=(
            C("complaint_id", key=True, required=True, width=14),
            C("dealer_id", key=True, required=True, width=12),
            C("customer_id", width=12),
            C("received_at", "datetime", required=True, width=17),
            C("contact_channel", "enum", required=True, enum="contact_channel"),
            C("severity", "enum", required=True, enum="severity"),
            C("complaint_cause", "enum", required=True, enum="complaint_cause", width=16),
            C("sku", width=12),
            C("description", required=True, width=40),
            C("owner", width=12),
            C("first_response_at", "datetime", width=17),
            C("resolved_at", "datetime", width=17),
            C("case_status", "enum", required=True, enum="case_status", width=14),
            C("corrective_action", width=30),
            C("compensation", "money", min=0, unit="currency"),
        ),
        rules=(DateOrder("received_at", "first_response_at"), DateOrder("first_response_at", "resolved_at"),
               DateOrder("received_at", "resolved_at")),
    ),
    Form(
        id="survey_responses", chapter=7, section="7.4", shared=True,
        columns=(
            C("response_id", key=True, required=True, width=14),
            C("dealer_id", key=True, required=True, width=12),
            C("survey_date", "date", required=True),
            C("survey_type", "enum", required=True, enum="survey_type", width=14),
            C("customer_id", width=12),
            C("csat_score", "int", required=True, min=1, max=5, unit="score"),
            C("nps_score", "int", min=0, max=10, unit="score"),
            C("comment", width=40),
        ),
    ),
    Form(
        id="sla_hours", chapter=7, section="7.3", kind="settings",
        columns=(
            C("severity", "enum", key=True, required=True, enum="severity"),
            C("first_response_hours", "number", required=True, min=0, unit="hours"),
            C("resolution_hours", "number", required=True, min=0, unit="hours"),
        ),
        rules=(NotAbove("first_response_hours", "resolution_hours"),),
    ),
]

# Service-level targets in working hours (see the working calendar of chapter 1).
DEFAULT_ROWS = {
    "sla_hours": [
        {"severity": "critical", "first_response_hours": 2.0, "resolution_hours": 16.0},
        {"severity": "high", "first_response_hours": 4.0, "resolution_hours": 32.0},
        {"severity": "medium", "first_response_hours": 8.0, "resolution_hours": 56.0},
        {"severity": "low", "first_response_hours": 16.0, "resolution_hours": 96.0},
    ],
}

SETTINGS = [
    Setting("survey_min_sample", "service", 30, unit="responses", min=1, max=10_000),
    Setting("csat_satisfied_min", "service", 4, unit="score", min=1, max=5),
    Setting("nps_promoter_min", "service", 9, unit="score", min=0, max=10),
    Setting("nps_detractor_max", "service", 6, unit="score", min=0, max=10),
    Setting("sla_warning_share", "service", 0.8, unit="ratio", min=0, max=1),
    Setting("open_case_ageing_days", "service", 14, unit="days", min=1, max=365),
]
