"""Chapter 4 銷售管理 sales: annual targets and their split to months and dealers, sales plans,
sales-team training, the sales transactions, incentive plans with their tiers and who is on
which plan, and the dealers' monthly sales and stock report (shared template ``dealer_monthly``).

A target's scope is the whole company or one region (``target_scope``). The "Set targets" job
splits the year's targets into months by seasonal indices, lets manual overrides
(``target_overrides``) stand while the rest of the year absorbs the difference, allocates
each month to dealers by a blend of historic share, recent growth and market potential
(``target_inputs`` carries each dealer's potential, floor and ceiling) and writes
``monthly_targets``.

Returns are transaction lines of their own (a credit note) with a negative quantity and the
original invoice's number, so commission can be clawed back at the original rate.
"""
from datetime import date

from .model import Column as C, DateOrder, Enum, Form, NotAbove, Setting

ENUMS = [
    Enum("target_scope", ("company", "north", "central", "south", "east", "west")),
    Enum("transaction_type", ("sale", "return")),
    Enum("return_reason", ("defective", "wrong_item", "overstock", "damaged_in_transit", "customer_cancelled")),
    Enum("sales_skill", ("product_knowledge", "negotiation", "key_account", "dealer_coaching", "data_analysis",
                         "pricing_promotion")),
    Enum("payee_type", ("salesperson", "team_lead", "dealer")),
    Enum("commission_mode", ("marginal", "stepped")),
    Enum("commission_basis", ("net_sales", "gross_margin", "collected_sales")),
    Enum("plan_status", ("draft", "approved", "in_progress", "closed")),
]

FORMS = [
    Form(
        id="annual_targets", chapter=4, section="4.1",
        columns=(
            C("year", "int", key=True, required=True, min=2000, max=2100, unit="year"),
            C("target_scope", "enum", key=True, required=True, enum="target_scope"),
            C("target_amount", "money", required=True, min=0, unit="currency"),
            C("target_qty", "number", min=0, unit="units"),
            C("prior_year_actual", "money", min=0, unit="currency"),
            C("target_growth", "percent",
              formula='IF({prior_year_actual}>0,{target_amount}/{prior_year_actual}-1,"")'),
            C("approved_by", width=12),
            C("note", width=30),
        ),
    ),
    Form(
        id="target_overrides", chapter=4, section="4.1",
        columns=(
            C("month", "date", key=True, required=True, unit="month"),
            C("target_scope", "enum", key=True, required=True, enum="target_scope"),
            C("target_amount", "money", required=True, min=0, unit="currency"),
            C("reason", width=36),
        ),
    ),
    Form(
        id="target_inputs", chapter=4, section="4.1",
        columns=(
            C("year", "int", key=True, required=True, min=2000, max=2100, unit="year"),
            C("dealer_id", key=True, required=True, width=12),
            C("market_potential", "money", min=0, unit="currency"),
            C("target_floor", "money", min=0, unit="currency"),
            C("target_ceiling", "money", min=0, unit="currency"),
            C("note", width=30),
        ),
        rules=(NotAbove("target_floor", "target_ceiling"),),
    ),
    Form(
        id="monthly_targets", chapter=4, section="4.1", kind="output",
        columns=(
            C("month", "date", key=True, required=True, unit="month"),
            C("dealer_id", key=True, required=True, width=12),
            C("year", "int", required=True, min=2000, max=2100, unit="year"),
            C("region", "enum", enum="region"),
            C("sales_rep_id", width=12),
            C("seasonal_index", "number", min=0),
            C("allocation_share", "percent", min=0, max=1),
            C("target_amount", "money", min=0, unit="currency"),
            C("target_qty", "number", min=0, unit="units"),
        ),
    ),
    Form(
        id="sales_plans", chapter=4, section="4.2",
        columns=(
            C("plan_id", key=True, required=True, width=12),
            C("year", "int", required=True, min=2000, max=2100, unit="year"),
            C("quarter", "int", min=1, max=4),
            C("target_scope", "enum", required=True, enum="target_scope"),
            C("channel_type", "enum", enum="channel_type"),
            C("product_group", width=14),
            C("planned_revenue", "money", required=True, min=0, unit="currency"),
            C("key_measures", required=True, width=40),
            C("budget", "money", min=0, unit="currency"),
            C("actual_spend", "money", min=0, unit="currency"),
            C("owner", required=True, width=12),
            C("plan_status", "enum", required=True, enum="plan_status"),
        ),
    ),
    Form(
        id="sales_training", chapter=4, section="4.3",
        columns=(
            C("training_id", key=True, required=True, width=12),
            C("staff_id", key=True, required=True, width=12),
            C("training_date", "date", required=True),
            C("course_title", required=True, width=28),
            C("sales_skill", "enum", required=True, enum="sales_skill", width=16),
            C("training_delivery", "enum", required=True, enum="training_delivery"),
            C("trainer", width=14),
            C("duration_hours", "number", required=True, min=0, max=200, unit="hours"),
            C("attended", "enum", required=True, enum="yes_no"),
            C("test_score", "number", min=0, max=100, unit="score"),
            C("follow_up_action", width=30),
        ),
    ),
    Form(
        id="sales_transactions", chapter=4, section="4.4",
        columns=(
            C("invoice_no", key=True, required=True, width=14),
            C("line_no", "int", key=True, required=True, min=1),
            C("invoice_date", "date", required=True),
            C("transaction_type", "enum", required=True, enum="transaction_type"),
            C("dealer_id", required=True, width=12),
            C("sku", required=True, width=12),
            C("quantity", "number", required=True, unit="units"),  # negative on a return
            C("unit_price", "money", required=True, min=0, unit="currency"),
            C("discount_rate", "percent", min=0, max=1),
            C("amount", "money", unit="currency",
              formula="ROUND({quantity}*{unit_price}*(1-{discount_rate}),2)"),
            C("original_invoice_no", width=14),  # on a return: the invoice the goods were sold on
            C("return_reason", "enum", enum="return_reason", width=14),
            C("sales_rep_id", required=True, width=12),
        ),
    ),
    Form(
        id="dealer_monthly", chapter=4, section="4.4", shared=True,
        columns=(
            C("dealer_id", key=True, required=True, width=12),
            C("month", "date", key=True, required=True, unit="month"),
            C("sku", key=True, required=True, width=12),
            C("sku_name", width=24),  # filled in the issued template so the dealer sees the item
            C("opening_stock_qty", "number", required=True, min=0, unit="units"),
            C("received_qty", "number", required=True, min=0, unit="units"),
            C("sell_out_qty", "number", required=True, min=0, unit="units"),
            C("sell_out_amount", "money", required=True, min=0, unit="currency"),
            C("returned_qty", "number", min=0, unit="units"),
            C("dealer_stock_qty", "number", required=True, min=0, unit="units"),
            # Zero when the report adds up: opening + received − sold − returned = closing.
            C("stock_difference", "number",
              formula="{opening_stock_qty}+{received_qty}-{sell_out_qty}-{returned_qty}-{dealer_stock_qty}",
              unit="units"),
            C("note", width=30),
        ),
    ),
    # ---- incentive plans (settings) ---------------------------------------------------------
    Form(
        id="incentive_plans", chapter=4, section="4.5", kind="settings",
        columns=(
            C("plan_id", key=True, required=True, width=10),
            C("plan_name", required=True, width=24),
            C("payee_type", "enum", required=True, enum="payee_type"),
            C("commission_mode", "enum", required=True, enum="commission_mode"),
            C("commission_basis", "enum", required=True, enum="commission_basis", width=14),
            # Blank gate, cap, accelerator, team share and clawback window take the scalar settings.
            C("gate_attainment", "percent", min=0, max=2),
            C("cap_amount", "money", min=0, unit="currency"),
            C("accelerator", "number", min=1, unit="times"),
            C("team_share", "percent", min=0, max=1),
            C("clawback_months", "int", min=0, max=60, unit="months"),
            C("effective_date", "date", required=True),
            C("end_date", "date"),
        ),
        rules=(DateOrder("effective_date", "end_date"),),
    ),
    Form(
        id="incentive_plan_tiers", chapter=4, section="4.5", kind="settings",
        columns=(
            C("plan_id", key=True, required=True, width=10),
            # Attainment (sales ÷ target) from which the band's rate applies.
            C("band_lower", "percent", key=True, required=True, min=0, max=10),
            C("rate", "percent", required=True, min=0, max=1),
        ),
    ),
    Form(
        id="incentive_assignments", chapter=4, section="4.5", kind="settings",
        columns=(
            C("payee_id", key=True, required=True, width=12),
            C("start_date", "date", key=True, required=True),
            C("end_date", "date"),
            C("plan_id", required=True, width=10),
            C("team", "enum", enum="team", width=16),
            C("monthly_draw", "money", min=0, unit="currency"),  # advance recovered from later commission
        ),
        rules=(DateOrder("start_date", "end_date"),),
    ),
]

DEFAULT_ROWS = {
    "incentive_plans": [
        {"plan_id": "SAL-STD", "plan_name": "業務代表標準佣金", "payee_type": "salesperson",
         "commission_mode": "marginal", "commission_basis": "net_sales", "gate_attainment": 0.5,
         "cap_amount": 200_000.0, "accelerator": 1.5, "team_share": 0.2, "clawback_months": 12,
         "effective_date": date(2024, 1, 1), "end_date": None},
        {"plan_id": "LEAD-STD", "plan_name": "業務主管團隊獎金", "payee_type": "team_lead",
         "commission_mode": "stepped", "commission_basis": "net_sales", "gate_attainment": 0.8,
         "cap_amount": 300_000.0, "accelerator": 1.25, "team_share": 1.0, "clawback_months": 12,
         "effective_date": date(2024, 1, 1), "end_date": None},
        {"plan_id": "DLR-REB", "plan_name": "經銷商年度返利", "payee_type": "dealer",
         "commission_mode": "stepped", "commission_basis": "collected_sales", "gate_attainment": 0.9,
         "cap_amount": None, "accelerator": 1.0, "team_share": 0.0, "clawback_months": 6,
         "effective_date": date(2024, 1, 1), "end_date": None},
    ],
    "incentive_plan_tiers": [
        dict(zip(("plan_id", "band_lower", "rate"), row)) for row in (
            ("SAL-STD", 0.0, 0.010), ("SAL-STD", 0.8, 0.015), ("SAL-STD", 1.0, 0.020), ("SAL-STD", 1.2, 0.025),
            ("LEAD-STD", 0.0, 0.003), ("LEAD-STD", 0.9, 0.005), ("LEAD-STD", 1.1, 0.007),
            ("DLR-REB", 0.0, 0.0), ("DLR-REB", 0.9, 0.01), ("DLR-REB", 1.0, 0.02), ("DLR-REB", 1.2, 0.03),
        )
    ],
}

SETTINGS = [
    Setting("target_weight_history", "targets", 0.5, unit="ratio", min=0, max=1),
    Setting("target_weight_growth", "targets", 0.2, unit="ratio", min=0, max=1),
    Setting("target_weight_potential", "targets", 0.3, unit="ratio", min=0, max=1),
    Setting("target_growth_months", "targets", 6, unit="months", min=1, max=24),
    Setting("target_rounding_unit", "targets", 1000, unit="currency", min=0.01, max=1_000_000),
    Setting("seasonal_min_history_months", "targets", 24, unit="months", min=12, max=120),
    Setting("sales_decline_months", "sales_analysis", 3, unit="months", min=2, max=24),
    Setting("pareto_a_share", "sales_analysis", 0.8, unit="ratio", min=0.1, max=1),
    Setting("pareto_b_share", "sales_analysis", 0.95, unit="ratio", min=0.1, max=1),
    Setting("sales_forecast_horizon_months", "sales_analysis", 6, unit="months", min=1, max=24),
    Setting("forecast_holdout_months", "sales_analysis", 6, unit="months", min=1, max=24),
    Setting("incentive_gate", "incentives", 0.5, unit="ratio", min=0, max=2),
    Setting("incentive_cap", "incentives", 200_000, unit="currency", min=0, max=100_000_000),
    Setting("incentive_accelerator", "incentives", 1.5, unit="times", min=1, max=5),
    Setting("incentive_team_share", "incentives", 0.2, unit="ratio", min=0, max=1),
    Setting("clawback_window_months", "incentives", 12, unit="months", min=0, max=60),
    Setting("draw_recovery_months", "incentives", 3, unit="months", min=1, max=24),
]
