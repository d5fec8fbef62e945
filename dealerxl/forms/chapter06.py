"""Chapter 6 市場推廣 marketing: brand and advertising plan, spend against budget, promotions and
their claims, and digital campaign results.
"""
from .model import Column as C, DateOrder, Enum, Form, NotAbove, Setting

ENUMS = [
    Enum("campaign_type", ("brand", "advertising", "promotion", "digital", "event", "public_relations")),
    Enum("marketing_channel", ("tv", "radio", "print", "outdoor", "search", "social", "video", "email",
                               "event", "in_store")),
    Enum("campaign_status", ("planned", "approved", "running", "completed", "cancelled")),
    Enum("promotion_type", ("price_discount", "volume_rebate", "gift", "bundle", "display_support")),
    Enum("claim_status", ("submitted", "approved", "partly_approved", "rejected", "paid")),
]

FORMS = [
    Form(
        id="marketing_plan", chapter=6, section="6.1",
        columns=(
            C("campaign_id", key=True, required=True, width=12),
            C("campaign_name", required=True, width=28),
            C("campaign_type", "enum", required=True, enum="campaign_type", width=14),
            C("objective", width=30),
            C("target_audience", width=20),
            C("region", "enum", enum="region"),
            C("start_date", "date", required=True),
            C("end_date", "date", required=True),
            C("budget", "money", required=True, min=0, unit="currency"),
            C("owner", required=True, width=12),
            C("campaign_status", "enum", required=True, enum="campaign_status"),
        ),
        rules=(DateOrder("start_date", "end_date"),),
    ),
    Form(
        id="marketing_spend", chapter=6, section="6.2",
        columns=(
            C("campaign_id", key=True, required=True, width=12),
            C("marketing_channel", "enum", key=True, required=True, enum="marketing_channel"),
            C("month", "date", key=True, required=True, unit="month"),
            C("budget", "money", required=True, min=0, unit="currency"),
            C("actual_spend", "money", min=0, unit="currency"),
            C("vendor", width=20),
            C("note", width=30),
        ),
    ),
    Form(
        id="promotion_plan", chapter=6, section="6.3",
        columns=(
            C("promotion_id", key=True, required=True, width=12),
            C("promotion_name", required=True, width=28),
            C("promotion_type", "enum", required=True, enum="promotion_type", width=14),
            C("campaign_id", width=12),
            C("product_group", width=14),
            C("sku", width=12),
            C("dealer_id", width=12),
            C("region", "enum", enum="region"),
            C("start_date", "date", required=True),
            C("end_date", "date", required=True),
            C("discount_rate", "percent", min=0, max=1),
            C("budget", "money", min=0, unit="currency"),
            C("expected_uplift", "percent", min=0),
            C("campaign_status", "enum", required=True, enum="campaign_status"),
        ),
        rules=(DateOrder("start_date", "end_date"),),
    ),
    Form(
        id="promotion_claims", chapter=6, section="6.3",
        columns=(
            C("claim_id", key=True, required=True, width=14),
            C("promotion_id", required=True, width=12),
            C("dealer_id", required=True, width=12),
            C("claim_date", "date", required=True),
            C("sku", width=12),
            C("quantity", "number", min=0, unit="units"),
            C("claim_amount", "money", required=True, min=0, unit="currency"),
            C("approved_amount", "money", min=0, unit="currency"),
            C("claim_status", "enum", required=True, enum="claim_status"),
            C("paid_date", "date"),
            C("note", width=30),
        ),
        rules=(NotAbove("approved_amount", "claim_amount"), DateOrder("claim_date", "paid_date")),
    ),
    Form(
        id="digital_campaigns", chapter=6, section="6.4",
        columns=(
            C("campaign_id", key=True, required=True, width=12),
            C("marketing_channel", "enum", key=True, required=True, enum="marketing_channel"),
            C("month", "date", key=True, required=True, unit="month"),
            C("impressions", "int", required=True, min=0),
            C("clicks", "int", required=True, min=0),
            C("leads", "int", min=0),
            C("conversions", "int", min=0),
            C("cost", "money", required=True, min=0, unit="currency"),
            C("attributed_revenue", "money", min=0, unit="currency"),
        ),
        rules=(NotAbove("clicks", "impressions"), NotAbove("leads", "clicks"),
               NotAbove("conversions", "leads")),
    ),
]

SETTINGS = [
    Setting("marketing_overspend_warning", "marketing", 0.05, unit="ratio", min=0, max=1),
    Setting("promotion_baseline_weeks", "marketing", 8, unit="weeks", min=1, max=52),
    Setting("promotion_margin_rate", "marketing", 0.25, unit="ratio", min=0, max=1),
    Setting("promotion_min_roi", "marketing", 1.0, unit="ratio", min=0, max=100),
    Setting("digital_min_impressions", "marketing", 1000, unit="count", min=0, max=10_000_000),
]
