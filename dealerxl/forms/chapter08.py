"""Chapter 8 風險管理 risk: the monthly dealer risk review, the warning log and the response
actions taken on each warning (應對策略), receivables, open orders, write-offs and recoveries,
the month-end ageing history behind roll rates, and the tables that tune ageing, the
provision matrix and the early-warning rules.

Credit limits and payment terms live on the dealer master (chapter 3); credit exposure is
open orders plus open receivables against that limit.

Early-warning metrics, one per rule code (``warning_rule``), all "higher is riskier":
``overdue_share`` share of the open receivables more than ``overdue_grace_days`` past due; ``days_past_due`` the oldest
open invoice's days past due; ``credit_use`` exposure ÷ credit limit; ``sales_drop``
1 − recent months' average sales ÷ the average of the baseline months before them
(blank below ``risk_min_invoices`` invoices in the baseline); ``stock_build_up`` the
dealer's own stock in months of its sell-out; ``complaint_rate`` complaints per 100
invoices over the complaint window (blank below ``risk_min_invoices`` invoices or
``complaint_min_count`` complaints); ``nps_drop`` NPS points lost against the previous
period (blank when either period has fewer than ``nps_drop_min_responses`` answers).
A blank metric is green: there is not enough evidence to judge.
"""
from .model import Column as C, DateOrder, Enum, Form, NotAbove, Setting

ENUMS = [
    Enum("ageing_bucket", ("current", "d1_30", "d31_60", "d61_90", "d91_180", "d180_plus")),
    Enum("warning_rule", ("overdue_share", "days_past_due", "credit_use", "sales_drop", "stock_build_up",
                          "complaint_rate", "nps_drop")),
    Enum("risk_direction", ("higher_riskier", "lower_riskier")),
    Enum("warning_source", ("rule_engine", "field_visit", "sales_report", "finance", "credit_agency")),
    Enum("warning_status", ("open", "under_action", "closed", "false_alarm")),
    Enum("response_type", ("reminder", "site_visit", "payment_plan", "reduce_credit_limit", "suspend_shipments",
                           "prepayment_required", "collateral", "legal_action", "stock_buyback", "sales_support",
                           "termination")),
    Enum("order_status", ("open", "partially_shipped", "on_hold")),
    Enum("write_off_reason", ("bankruptcy", "dealer_closed", "legal_exhausted", "settlement", "small_balance",
                              "time_barred")),
]

FORMS = [
    Form(
        id="dealer_risk_review", chapter=8, section="8.1", kind="output",
        columns=(
            C("dealer_id", key=True, required=True, width=12),
            C("month", "date", key=True, required=True, unit="month"),
            C("region", "enum", enum="region"),
            C("open_receivables", "money", unit="currency"),
            C("overdue_amount", "money", unit="currency"),
            C("open_orders", "money", unit="currency"),
            C("exposure", "money", unit="currency"),
            C("overdue_share", "percent"),
            C("days_past_due", "int", unit="days"),
            C("credit_use", "percent"),
            C("sales_drop", "percent"),
            C("stock_build_up", "number", unit="months"),
            C("complaint_rate", "number"),
            C("nps_drop", "number", unit="score"),
            C("risk_score", "number", min=0, max=100, unit="score"),
            C("risk_class", "enum", enum="rag"),
            C("red_rules", "int", min=0),
            C("amber_rules", "int", min=0),
            C("triggered_rules", width=36),
        ),
    ),
    Form(
        id="warning_log", chapter=8, section="8.2",
        columns=(
            C("warning_id", key=True, required=True, width=14),
            C("dealer_id", required=True, width=12),
            C("warning_date", "date", required=True),
            C("warning_source", "enum", required=True, enum="warning_source", width=14),
            C("warning_rule", "enum", enum="warning_rule", width=16),
            C("warning_level", "enum", required=True, enum="rag"),
            C("metric_value", "number"),
            C("threshold", "number"),
            C("description", width=36),
            C("warning_status", "enum", required=True, enum="warning_status"),
        ),
    ),
    Form(
        id="response_actions", chapter=8, section="8.3",
        columns=(
            C("action_id", key=True, required=True, width=14),
            C("warning_id", required=True, width=14),
            C("dealer_id", required=True, width=12),
            C("response_type", "enum", required=True, enum="response_type", width=16),
            C("action", required=True, width=32),
            C("owner", required=True, width=12),
            C("action_date", "date", required=True),
            C("due_date", "date", required=True),
            C("status", "enum", required=True, enum="task_status"),
            C("done_date", "date"),
            C("outcome", width=30),
        ),
        rules=(DateOrder("action_date", "due_date"), DateOrder("action_date", "done_date")),
    ),
    Form(
        id="receivables", chapter=8, section="8.4",
        columns=(
            C("invoice_no", key=True, required=True, width=14),
            C("dealer_id", required=True, width=12),
            C("invoice_date", "date", required=True),
            C("due_date", "date", required=True),
            C("amount", "money", required=True, min=0, unit="currency"),
            C("paid_amount", "money", min=0, unit="currency"),
            C("paid_date", "date"),
            C("open_amount", "money", unit="currency", formula="{amount}-{paid_amount}"),
            C("disputed", "enum", enum="yes_no"),
        ),
        rules=(NotAbove("paid_amount", "amount"), DateOrder("invoice_date", "due_date"),
               DateOrder("invoice_date", "paid_date")),
    ),
    Form(
        id="open_orders", chapter=8, section="8.4",
        columns=(
            C("order_no", key=True, required=True, width=14),
            C("dealer_id", required=True, width=12),
            C("order_date", "date", required=True),
            C("requested_delivery_date", "date"),
            C("order_amount", "money", required=True, min=0, unit="currency"),
            C("shipped_amount", "money", min=0, unit="currency"),
            C("open_amount", "money", unit="currency", formula="{order_amount}-{shipped_amount}"),
            C("order_status", "enum", required=True, enum="order_status"),
        ),
        rules=(NotAbove("shipped_amount", "order_amount"), DateOrder("order_date", "requested_delivery_date")),
    ),
    Form(
        id="write_offs", chapter=8, section="8.4",
        columns=(
            C("invoice_no", key=True, required=True, width=14),
            C("dealer_id", required=True, width=12),
            C("write_off_date", "date", required=True),
            C("write_off_amount", "money", required=True, min=0, unit="currency"),
            C("write_off_reason", "enum", required=True, enum="write_off_reason", width=14),
            C("approved_by", width=12),
            C("recovered_amount", "money", min=0, unit="currency"),
            C("recovery_date", "date"),
            C("note", width=30),
        ),
        rules=(NotAbove("recovered_amount", "write_off_amount"), DateOrder("write_off_date", "recovery_date")),
    ),
    Form(
        # Month-end ageing of the whole portfolio, for roll rates: the risk job adds each month's
        # snapshot; months from before the workbook can be pasted from the ERP's ageing report.
        id="ageing_history", chapter=8, section="8.4",
        columns=(
            C("month", "date", key=True, required=True, unit="month"),
            C("ageing_bucket", "enum", key=True, required=True, enum="ageing_bucket"),
            C("balance", "money", required=True, min=0, unit="currency"),
            C("write_off_amount", "money", min=0, unit="currency"),
        ),
    ),
    Form(
        id="ageing_buckets", chapter=8, section="8.4", kind="settings",
        columns=(
            C("ageing_bucket", "enum", key=True, required=True, enum="ageing_bucket"),
            C("from_days", "int", unit="days"),
            C("to_days", "int", unit="days"),
        ),
        rules=(NotAbove("from_days", "to_days"),),
    ),
    Form(
        id="provision_matrix", chapter=8, section="8.4", kind="settings",
        columns=(
            C("ageing_bucket", "enum", key=True, required=True, enum="ageing_bucket"),
            C("loss_rate", "percent", required=True, min=0, max=1),
        ),
    ),
    Form(
        id="warning_rules", chapter=8, section="8.2", kind="settings",
        columns=(
            C("warning_rule", "enum", key=True, required=True, enum="warning_rule", width=16),
            C("amber_threshold", "number", required=True),
            C("red_threshold", "number", required=True),
            C("risk_direction", "enum", required=True, enum="risk_direction", width=14),
            C("weight", "number", required=True, min=0),
            # yes (or blank, as in workbooks from before this column): a red on this rule makes the
            # dealer red by itself; no: it makes the dealer amber, red only with enough other
            # evidence (the composite score).
            C("decisive", "enum", enum="yes_no"),
        ),
    ),
]

DEFAULT_ROWS = {
    # Days past due; "current" is not yet due (no lower bound), the last bucket is open-ended.
    "ageing_buckets": [
        {"ageing_bucket": "current", "from_days": None, "to_days": 0},
        {"ageing_bucket": "d1_30", "from_days": 1, "to_days": 30},
        {"ageing_bucket": "d31_60", "from_days": 31, "to_days": 60},
        {"ageing_bucket": "d61_90", "from_days": 61, "to_days": 90},
        {"ageing_bucket": "d91_180", "from_days": 91, "to_days": 180},
        {"ageing_bucket": "d180_plus", "from_days": 181, "to_days": None},
    ],
    # Lifetime loss rates of the simplified approach, used until enough roll-rate history exists.
    "provision_matrix": [
        {"ageing_bucket": "current", "loss_rate": 0.005},
        {"ageing_bucket": "d1_30", "loss_rate": 0.02},
        {"ageing_bucket": "d31_60", "loss_rate": 0.06},
        {"ageing_bucket": "d61_90", "loss_rate": 0.12},
        {"ageing_bucket": "d91_180", "loss_rate": 0.30},
        {"ageing_bucket": "d180_plus", "loss_rate": 0.70},
    ],
    # Metric definitions are in this module's docstring. Money rules are decisive: overdue and
    # over-limit balances are losses in the making. Sales, stock, complaints and NPS are leading
    # signals that call for a visit first (amber), and red only when several agree.
    "warning_rules": [
        {"warning_rule": "overdue_share", "amber_threshold": 0.10, "red_threshold": 0.25,
         "risk_direction": "higher_riskier", "weight": 3.0, "decisive": "yes"},
        {"warning_rule": "days_past_due", "amber_threshold": 30.0, "red_threshold": 90.0,
         "risk_direction": "higher_riskier", "weight": 3.0, "decisive": "yes"},
        {"warning_rule": "credit_use", "amber_threshold": 0.90, "red_threshold": 1.10,
         "risk_direction": "higher_riskier", "weight": 2.0, "decisive": "yes"},
        # Sales 30 % below the run rate of the year before is worth a call; halved is red.
        {"warning_rule": "sales_drop", "amber_threshold": 0.30, "red_threshold": 0.50,
         "risk_direction": "higher_riskier", "weight": 2.0, "decisive": "no"},
        # Dealers usually hold 1–1.5 months of sell-out; 2.5 months is a build-up, 4 a season's worth.
        {"warning_rule": "stock_build_up", "amber_threshold": 2.5, "red_threshold": 4.0,
         "risk_direction": "higher_riskier", "weight": 1.0, "decisive": "no"},
        {"warning_rule": "complaint_rate", "amber_threshold": 2.0, "red_threshold": 5.0,
         "risk_direction": "higher_riskier", "weight": 1.0, "decisive": "no"},
        {"warning_rule": "nps_drop", "amber_threshold": 10.0, "red_threshold": 20.0,
         "risk_direction": "higher_riskier", "weight": 1.0, "decisive": "no"},
    ],
}

SETTINGS = [
    Setting("risk_amber_score", "risk", 25, unit="score", min=0, max=100),
    Setting("risk_red_score", "risk", 50, unit="score", min=0, max=100),
    Setting("warning_action_days", "risk", 7, unit="days", min=0, max=90),
    # Payments up to two weeks late are mostly in transit or waiting for the dealer's next
    # payment run: the overdue-share rule counts only what is later than this.
    Setting("overdue_grace_days", "risk", 15, unit="days", min=0, max=90),
    Setting("sales_drop_recent_months", "risk", 3, unit="months", min=1, max=12),
    # The run rate the recent months are compared with: a year evens out the season.
    Setting("sales_drop_baseline_months", "risk", 12, unit="months", min=1, max=24),
    # Rates and trends of a dealer with a handful of invoices are noise: below this many
    # invoices in the window the sales-drop and complaint-rate rules are not applied.
    Setting("risk_min_invoices", "risk", 12, unit="count", min=0, max=10_000),
    Setting("complaint_window_months", "risk", 6, unit="months", min=1, max=24),
    # One or two complaints are incidents handled case by case, not a rate.
    Setting("complaint_min_count", "risk", 3, unit="count", min=0, max=1_000),
    # NPS moves 10 points with one answer in ten: both windows need this many answers.
    Setting("nps_drop_min_responses", "risk", 10, unit="responses", min=0, max=10_000),
    Setting("credit_hold_days_past_due", "risk", 90, unit="days", min=0, max=720),
    Setting("dso_period_days", "receivables", 90, unit="days", min=7, max=365),
    Setting("ecl_forward_looking_factor", "receivables", 1.0, unit="ratio", min=0, max=5),
    Setting("use_roll_rates", "receivables", 1, unit="switch", min=0, max=1),
    Setting("roll_rate_history_months", "receivables", 12, unit="months", min=2, max=60),
    Setting("roll_rate_min_months", "receivables", 6, unit="months", min=2, max=60),
    # The roll-rate and the provision-matrix provisions are shown side by side; when the larger
    # is more than this many times the smaller, the risk review says so.
    Setting("provision_method_max_ratio", "receivables", 2.0, unit="times", min=1, max=100),
    Setting("write_off_min_days_past_due", "receivables", 365, unit="days", min=0, max=3650),
    Setting("small_balance_write_off", "receivables", 1000, unit="currency", min=0, max=1_000_000),
]
