"""Chapter 3 渠道拓展 channel expansion: market research, channel policy, dealer recruitment
(prospects and their criterion scores), the dealer master, contracts, training and support
given to dealers, the dealers' self-evaluation, and the monthly dealer appraisal.

Prospect scores are kept one row per prospect and criterion (not one column per criterion)
so that a criterion added to the settings table ``prospect_criteria`` needs no new column.
The appraisal works the same way: its metrics and weights live in ``appraisal_weights``, its
grade bands in ``dealer_grade_bands`` and its tier rules (with the months a dealer must stay
above or below a threshold before its tier moves: hysteresis) in ``tier_rules``.
"""
from .model import Column as C, DateOrder, Enum, Form, NotAbove, Setting

ENUMS = [
    Enum("demand_trend", ("rising", "stable", "declining")),
    Enum("research_source", ("field_survey", "industry_report", "dealer_feedback", "government_statistics",
                             "third_party_data")),
    Enum("prospect_source", ("exhibition", "referral", "inbound", "cold_visit", "online", "competitor_dealer")),
    Enum("prospect_stage", ("lead", "evaluating", "negotiating", "site_inspected", "signed", "rejected", "withdrawn")),
    # The criteria of the prospect scorecard (3.3); the settings decide which count and how much.
    Enum("prospect_criterion", ("capability", "credit", "market_influence", "willingness", "financial_strength",
                                "logistics", "industry_experience", "reputation")),
    Enum("normalisation", ("target", "minmax")),
    Enum("prospect_recommendation", ("sign", "sign_with_conditions", "hold", "reject")),
    Enum("contract_type", ("distribution", "exclusive_distribution", "agency", "consignment")),
    Enum("renewal_status", ("not_due", "under_review", "renewing", "renewed", "not_renewing", "expired",
                            "terminated")),
    Enum("support_type", ("training", "store_visit", "marketing_support", "display_material", "technical_support",
                          "system_setup", "joint_sales_call")),
    Enum("self_eval_item", ("sales_growth", "stock_management", "payment_discipline", "store_image",
                            "staff_training", "customer_service", "marketing_execution", "cooperation")),
    # The metrics of the monthly dealer appraisal (3.4); each is a column of dealer_appraisal.
    Enum("appraisal_metric", ("sales_achievement", "sales_growth", "payment_discipline", "stock_health",
                              "complaint_rate", "training_attendance")),
    Enum("tier_change", ("new", "promoted", "unchanged", "demoted")),
]

FORMS = [
    Form(
        id="market_research", chapter=3, section="3.1",
        columns=(
            C("month", "date", key=True, required=True, unit="month"),
            C("region", "enum", key=True, required=True, enum="region"),
            C("city", key=True, required=True, width=10),
            C("product_group", key=True, required=True, width=14),
            C("market_size", "money", required=True, min=0, unit="currency"),
            C("prior_market_size", "money", min=0, unit="currency"),
            C("our_sales", "money", min=0, unit="currency"),
            C("market_share", "percent", formula='IF({market_size}>0,{our_sales}/{market_size},"")'),
            C("outlets_total", "int", min=0),
            C("outlets_covered", "int", min=0),
            C("outlet_coverage", "percent", formula='IF({outlets_total}>0,{outlets_covered}/{outlets_total},"")'),
            C("competitor_count", "int", min=0),
            C("main_competitor", width=16),
            C("competitor_share", "percent", min=0, max=1),
            C("demand_trend", "enum", required=True, enum="demand_trend"),
            C("research_source", "enum", required=True, enum="research_source", width=16),
            C("owner", width=12),
            C("note", width=30),
        ),
        rules=(NotAbove("outlets_covered", "outlets_total"), NotAbove("our_sales", "market_size")),
    ),
    Form(
        id="channel_policies", chapter=3, section="3.2",
        columns=(
            C("policy_id", key=True, required=True, width=10),
            C("policy_name", required=True, width=24),
            C("channel_type", "enum", required=True, enum="channel_type"),
            C("tier", "enum", enum="tier"),
            C("effective_date", "date", required=True),
            C("end_date", "date"),
            C("min_annual_purchase", "money", min=0, unit="currency"),
            C("deposit", "money", min=0, unit="currency"),
            C("discount_rate", "percent", min=0, max=1),
            C("rebate_rate", "percent", min=0, max=1),
            C("payment_terms_days", "int", min=0, unit="days"),
            C("credit_limit", "money", min=0, unit="currency"),
            C("exclusive_territory", "enum", enum="yes_no"),
            C("min_stock_months", "number", min=0, unit="months"),
            C("description", width=40),
            C("approved_by", width=12),
        ),
        rules=(DateOrder("effective_date", "end_date"),),
    ),
    Form(
        id="dealer_prospects", chapter=3, section="3.3",
        columns=(
            C("prospect_id", key=True, required=True, width=12),
            C("dealer_name", required=True, width=24),
            C("region", "enum", required=True, enum="region"),
            C("city", width=10),
            C("channel_type", "enum", required=True, enum="channel_type"),
            C("prospect_source", "enum", required=True, enum="prospect_source", width=14),
            C("contact_person", width=12),
            C("phone", width=14),
            C("first_contact_date", "date", required=True),
            C("site_visit_date", "date"),
            C("evaluation_date", "date"),
            C("evaluator_id", width=12),
            C("years_in_business", "number", min=0, unit="years"),
            C("registered_capital", "money", min=0, unit="currency"),
            C("annual_revenue", "money", min=0, unit="currency"),
            C("employee_count", "int", min=0, unit="people"),
            C("outlet_count", "int", min=0),
            C("warehouse_sqm", "number", min=0, unit="sqm"),
            C("prospect_stage", "enum", required=True, enum="prospect_stage", width=14),
            C("dealer_id", width=12),  # filled when the prospect signs and gets a dealer number
            C("note", width=30),
        ),
        rules=(DateOrder("first_contact_date", "site_visit_date"), DateOrder("first_contact_date", "evaluation_date")),
    ),
    Form(
        id="prospect_scores", chapter=3, section="3.3", shared=True,
        columns=(
            C("prospect_id", key=True, required=True, width=12),
            C("prospect_criterion", "enum", key=True, required=True, enum="prospect_criterion", width=18),
            # The criterion's raw value in its own scale (a 0-100 credit rating, a 1-5 rating…);
            # prospect_criteria says how it is normalised.
            C("criterion_value", "number", required=True),
            # Several colleagues may score one prospect: each scores under their own key.
            C("evaluator_id", key=True, required=True, width=12),
            C("evidence", width=36),
        ),
    ),
    Form(
        id="prospect_results", chapter=3, section="3.3", kind="output",
        columns=(
            C("prospect_id", key=True, required=True, width=12),
            C("dealer_name", width=24),
            C("region", "enum", enum="region"),
            C("evaluation_date", "date"),
            C("weighted_score", "number", min=0, max=100, unit="score"),
            C("gates_passed", "enum", enum="yes_no"),
            C("failed_gates", width=30),
            C("grade", "enum", enum="appraisal_grade"),
            C("prospect_recommendation", "enum", enum="prospect_recommendation", width=16),
        ),
    ),
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
            C("sales_rep_id", width=12),
            C("contact_person"),
            C("phone"),
            C("email", width=24),
            C("language", "enum", enum="language"),
            C("city", width=10),
            C("address", width=32),
            C("tax_id", width=10),
            C("opening_date", "date"),  # the dealer's own business or first store opened
            C("outlet_count", "int", min=0),
            C("policy_id", width=10),
            C("prospect_id", width=12),
            C("termination_date", "date"),
        ),
        rules=(DateOrder("join_date", "termination_date"),),
    ),
    Form(
        id="dealer_contracts", chapter=3, section="3.4",
        columns=(
            C("contract_id", key=True, required=True, width=14),
            C("dealer_id", required=True, width=12),
            C("contract_type", "enum", required=True, enum="contract_type", width=14),
            C("signed_date", "date"),
            C("start_date", "date", required=True),
            C("end_date", "date", required=True),
            C("territory", width=16),
            C("policy_id", width=10),
            C("annual_target_amount", "money", min=0, unit="currency"),
            C("deposit", "money", min=0, unit="currency"),
            C("discount_rate", "percent", min=0, max=1),
            C("rebate_rate", "percent", min=0, max=1),
            C("payment_terms_days", "int", min=0, unit="days"),
            C("credit_limit", "money", min=0, unit="currency"),
            C("auto_renew", "enum", required=True, enum="yes_no"),
            C("notice_days", "int", min=0, unit="days"),
            C("renewal_status", "enum", required=True, enum="renewal_status", width=14),
            C("previous_contract_id", width=14),
            C("terms", width=40),
            C("owner", width=12),
        ),
        rules=(DateOrder("start_date", "end_date"), DateOrder("signed_date", "end_date")),
    ),
    Form(
        id="dealer_support_log", chapter=3, section="3.4",
        columns=(
            C("support_id", key=True, required=True, width=14),
            C("dealer_id", required=True, width=12),
            C("support_date", "date", required=True),
            C("support_type", "enum", required=True, enum="support_type", width=16),
            C("training_topic", "enum", enum="training_topic", width=16),
            C("staff_id", required=True, width=12),
            C("description", width=36),
            C("invited_count", "int", min=0, unit="people"),
            C("attended_count", "int", min=0, unit="people"),
            C("duration_hours", "number", min=0, max=200, unit="hours"),
            C("cost", "money", min=0, unit="currency"),
            C("dealer_rating", "int", min=1, max=5, unit="score"),
            C("follow_up_action", width=30),
            C("status", "enum", required=True, enum="task_status"),
        ),
        rules=(NotAbove("attended_count", "invited_count"),),
    ),
    Form(
        id="dealer_self_evaluation", chapter=3, section="3.4", shared=True,
        columns=(
            C("dealer_id", key=True, required=True, width=12),
            C("month", "date", key=True, required=True, unit="month"),
            C("self_eval_item", "enum", key=True, required=True, enum="self_eval_item", width=18),
            C("self_score", "int", required=True, min=1, max=5, unit="score"),
            C("comment", width=36),
            C("support_needed", width=30),
        ),
    ),
    Form(
        id="dealer_appraisal", chapter=3, section="3.4", kind="output",
        columns=(
            C("dealer_id", key=True, required=True, width=12),
            C("month", "date", key=True, required=True, unit="month"),
            C("region", "enum", enum="region"),
            C("sales_achievement", "percent"),
            C("sales_growth", "percent"),
            C("payment_discipline", "percent"),
            C("stock_health", "number", unit="months"),
            C("complaint_rate", "number"),
            C("training_attendance", "percent"),
            C("appraisal_score", "number", min=0, max=100, unit="score"),
            C("grade", "enum", enum="appraisal_grade"),
            C("previous_tier", "enum", enum="tier"),
            C("tier", "enum", enum="tier"),
            C("tier_change", "enum", enum="tier_change"),
            C("months_qualifying", "int", min=0, unit="months"),
        ),
    ),
    # ---- table-shaped settings --------------------------------------------------------------
    Form(
        id="prospect_criteria", chapter=3, section="3.3", kind="settings",
        columns=(
            C("prospect_criterion", "enum", key=True, required=True, enum="prospect_criterion", width=18),
            C("weight", "number", required=True, min=0),
            C("normalisation", "enum", required=True, enum="normalisation"),
            C("kpi_direction", "enum", required=True, enum="kpi_direction", width=14),
            C("target", "number"),           # for "target": the raw value that scores 100
            C("scale_min", "number"),        # for "minmax": the raw value that scores 0 …
            C("scale_max", "number"),        # … and the one that scores 100
            C("gate_floor", "number"),       # a raw value below this fails the prospect outright
        ),
        rules=(NotAbove("scale_min", "scale_max"),),
    ),
    Form(
        id="appraisal_weights", chapter=3, section="3.4", kind="settings",
        columns=(
            C("appraisal_metric", "enum", key=True, required=True, enum="appraisal_metric", width=18),
            C("weight", "number", required=True, min=0),
            C("normalisation", "enum", required=True, enum="normalisation"),
            C("kpi_direction", "enum", required=True, enum="kpi_direction", width=14),
            C("target", "number"),
            C("scale_min", "number"),
            C("scale_max", "number"),
        ),
        rules=(NotAbove("scale_min", "scale_max"),),
    ),
    Form(
        id="dealer_grade_bands", chapter=3, section="3.4", kind="settings",
        columns=(
            C("grade", "enum", key=True, required=True, enum="appraisal_grade"),
            C("min_score", "number", required=True, min=0, max=100, unit="score"),
        ),
    ),
    Form(
        id="tier_rules", chapter=3, section="3.4", kind="settings",
        columns=(
            C("tier", "enum", key=True, required=True, enum="tier"),
            C("tier_rank", "int", required=True, min=1),  # 1 = highest tier
            # A dealer moves up into this tier after scoring at least promote_min_score for
            # months_required months in a row, and drops out of it after scoring below
            # demote_below_score as many months in a row; between the two it stays (hysteresis).
            C("promote_min_score", "number", required=True, min=0, max=100, unit="score"),
            C("demote_below_score", "number", required=True, min=0, max=100, unit="score"),
            C("months_required", "int", required=True, min=1, max=24, unit="months"),
        ),
        rules=(NotAbove("demote_below_score", "promote_min_score"),),
    ),
]

DEFAULT_ROWS = {
    # Ratings are 1-5 from the evaluator's visit; credit is the agency's 0-100 rating.
    "prospect_criteria": [
        dict(zip(("prospect_criterion", "weight", "normalisation", "kpi_direction", "target", "scale_min",
                  "scale_max", "gate_floor"), row)) for row in (
            ("capability", 0.25, "minmax", "higher_better", None, 1.0, 5.0, 2.0),
            ("credit", 0.25, "target", "higher_better", 80.0, None, None, 50.0),
            ("market_influence", 0.20, "minmax", "higher_better", None, 1.0, 5.0, None),
            ("willingness", 0.15, "minmax", "higher_better", None, 1.0, 5.0, 3.0),
            ("financial_strength", 0.10, "minmax", "higher_better", None, 1.0, 5.0, None),
            ("logistics", 0.05, "minmax", "higher_better", None, 1.0, 5.0, None),
        )
    ],
    "appraisal_weights": [
        dict(zip(("appraisal_metric", "weight", "normalisation", "kpi_direction", "target", "scale_min",
                  "scale_max"), row)) for row in (
            ("sales_achievement", 0.35, "target", "higher_better", 1.0, None, None),
            ("sales_growth", 0.15, "minmax", "higher_better", None, -0.2, 0.3),
            ("payment_discipline", 0.20, "target", "higher_better", 0.95, None, None),
            ("stock_health", 0.10, "minmax", "lower_better", None, 1.0, 4.0),
            ("complaint_rate", 0.10, "minmax", "lower_better", None, 0.0, 5.0),
            ("training_attendance", 0.10, "target", "higher_better", 0.9, None, None),
        )
    ],
    "dealer_grade_bands": [
        {"grade": "A", "min_score": 90.0},
        {"grade": "B", "min_score": 80.0},
        {"grade": "C", "min_score": 65.0},
        {"grade": "D", "min_score": 50.0},
        {"grade": "E", "min_score": 0.0},
    ],
    "tier_rules": [
        {"tier": "gold", "tier_rank": 1, "promote_min_score": 85.0, "demote_below_score": 78.0, "months_required": 3},
        {"tier": "silver", "tier_rank": 2, "promote_min_score": 70.0, "demote_below_score": 62.0, "months_required": 3},
        {"tier": "bronze", "tier_rank": 3, "promote_min_score": 0.0, "demote_below_score": 0.0, "months_required": 1},
    ],
}

SETTINGS = [
    Setting("contract_renewal_alert_days", "channel", 90, unit="days", min=0, max=730),
    Setting("contract_default_notice_days", "channel", 60, unit="days", min=0, max=365),
    Setting("prospect_pass_score", "channel", 70, unit="score", min=0, max=100),
    Setting("prospect_conditional_score", "channel", 60, unit="score", min=0, max=100),
    Setting("appraisal_window_months", "channel", 3, unit="months", min=1, max=24),
    # What a dealer's statement shows outside the company: internal ratings only when switched on.
    Setting("statement_currency", "channel", "NT$"),
    Setting("statement_show_risk_class", "channel", 0, unit="switch", min=0, max=1),
    Setting("appraisal_min_months_active", "channel", 3, unit="months", min=0, max=24),
    # Trainings are a few a year: attendance is judged over a longer span than sales.
    Setting("appraisal_training_window_months", "channel", 12, unit="months", min=1, max=36),
    Setting("market_research_max_age_months", "channel", 12, unit="months", min=1, max=60),
]
