"""Chapter 3 渠道拓展 channel expansion: market research, channel policy, prospects, dealers, contracts."""
from .model import Column as C, DateOrder, Form

FORMS = [
    Form(
        id="dealer_master", chapter=3, section="3.4",
        columns=(
            C("dealer_id", key=True, required=True, width=12),
            C("dealer_name", required=True, width=24),
            C("region", "enum", required=True, enum="region"),
            C("channel_type", "enum", required=True, enum="channel_type"),
            C("tier", "enum", enum="tier"),
            C("status", "enum", required=True, enum="dealer_status"),
            C("join_date", "date", required=True),
            C("credit_limit", "money", min=0, unit="currency"),
            C("payment_terms_days", "int", min=0, unit="days"),
            C("sales_rep_id"),
            C("contact_person"),
            C("phone"),
            C("email", width=24),
            C("language", "enum", enum="language"),
        ),
    ),
]
