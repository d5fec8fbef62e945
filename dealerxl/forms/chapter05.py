"""Chapter 5 庫存管理 inventory: item parameters, warehouses, stock, demand, dealers' own stock,
suppliers and their deliveries, shipments to dealers, the replenishment proposal the
inventory job writes, and the tables that tune classification and supplier scoring.

Demand has its own form (``demand_history``, SKU × warehouse × month) rather than being
summed from the sales transactions: the inventory team plans per warehouse, the invoices
carry no warehouse, and demand that could not be served (stock-outs) must be kept apart
from what was shipped, or safety stock is sized on censored demand.
"""
from .model import Column as C, DateOrder, Enum, Form, NotAbove, Setting

ENUMS = [
    Enum("uom", ("pcs", "set", "box", "carton", "pack", "kg", "litre", "metre")),
    Enum("item_status", ("new", "active", "phase_out", "discontinued")),
    Enum("location_type", ("central", "regional", "transit")),
    Enum("supplier_category", ("manufacturer", "trading", "oem", "logistics")),
    Enum("supplier_status", ("approved", "conditional", "suspended", "inactive")),
    Enum("supplier_grade", ("A", "B", "C", "D")),
    Enum("supplier_criterion", ("on_time", "in_full", "reject_rate", "lead_time_cv", "price_variance")),
    Enum("transport_mode", ("road_ltl", "road_ftl", "express", "rail", "sea", "air")),
    Enum("shipment_status", ("planned", "in_transit", "delivered", "cancelled")),
    Enum("abc_class", ("A", "B", "C")),
    Enum("xyz_class", ("X", "Y", "Z")),
    Enum("demand_class", ("smooth", "erratic", "intermittent", "lumpy", "no_demand")),
    Enum("review_rule", ("continuous_eoq", "periodic_order_up_to", "min_max", "make_to_order", "manual_review")),
    Enum("replenishment_reason", ("below_reorder_point", "below_safety_stock", "stock_out", "backorder",
                                  "missing_parameters", "no_order_needed", "not_replenished", "make_to_order",
                                  "manual_review")),
]

FORMS = [
    Form(
        id="item_master", chapter=5, section="5.1",
        columns=(
            C("sku", key=True, required=True, width=12),
            C("sku_name", required=True, width=26),
            C("product_group", required=True, width=14),
            C("product_group_name", width=14),  # what reports call the group (冷氣機, not PG01)
            C("unit", "enum", required=True, enum="uom", width=8),
            C("list_price", "money", required=True, min=0, unit="currency"),
            C("unit_cost", "money", required=True, min=0, unit="currency"),
            C("supplier_id", required=True, width=12),
            C("lead_time_days", "number", required=True, min=0, unit="days"),
            C("lead_time_sd_days", "number", min=0, unit="days"),
            C("order_cost", "money", min=0, unit="currency"),
            # Share of the unit cost that holding one unit for a year costs (capital, space, risk).
            C("holding_cost_rate", "percent", min=0, max=1),
            C("moq", "number", min=0, unit="units"),
            C("pack_size", "number", min=1, unit="units"),
            C("service_level_override", "percent", min=0.5, max=0.9999),
            C("substitute_sku", width=12),
            C("launch_date", "date"),
            C("status", "enum", required=True, enum="item_status"),
        ),
    ),
    Form(
        id="warehouses", chapter=5, section="5.4",
        columns=(
            C("location", key=True, required=True, width=10),
            C("location_name", required=True, width=18),
            C("location_type", "enum", required=True, enum="location_type"),
            C("region", "enum", required=True, enum="region"),
            C("owner", width=12),
        ),
    ),
    Form(
        id="stock_ledger", chapter=5, section="5.1",
        columns=(
            C("sku", key=True, required=True, width=12),
            C("location", key=True, required=True, width=10),
            C("on_hand", "number", required=True, min=0, unit="units"),
            C("on_order", "number", min=0, unit="units"),
            C("reserved", "number", min=0, unit="units"),
            C("available", "number", formula="{on_hand}+{on_order}-{reserved}", unit="units"),
            C("last_receipt_date", "date"),
            C("last_issue_date", "date"),
        ),
    ),
    Form(
        id="demand_history", chapter=5, section="5.1",
        columns=(
            C("sku", key=True, required=True, width=12),
            C("location", key=True, required=True, width=10),
            C("month", "date", key=True, required=True, unit="month"),
            C("quantity", "number", required=True, min=0, unit="units"),
            # Demand that could not be served from stock: kept so forecasts see true demand.
            C("unfulfilled_qty", "number", min=0, unit="units"),
        ),
    ),
    Form(
        id="dealer_stock", chapter=5, section="5.1", shared=True,
        columns=(
            C("dealer_id", key=True, required=True, width=12),
            C("month", "date", key=True, required=True, unit="month"),
            C("product_group", key=True, required=True, width=14),
            C("dealer_stock_qty", "number", required=True, min=0, unit="units"),
            C("sell_out_qty", "number", required=True, min=0, unit="units"),
        ),
    ),
    Form(
        id="suppliers", chapter=5, section="5.2",
        columns=(
            C("supplier_id", key=True, required=True, width=12),
            C("supplier_name", required=True, width=26),
            C("supplier_category", "enum", required=True, enum="supplier_category", width=14),
            C("country", width=10),
            C("supplier_status", "enum", required=True, enum="supplier_status"),
            C("approved_date", "date"),
            C("owner", width=12),
            C("phone", width=14),
            C("email", width=24),
            C("note", width=30),
        ),
    ),
    Form(
        id="supplier_deliveries", chapter=5, section="5.2",
        columns=(
            C("po_no", key=True, required=True, width=14),
            C("sku", key=True, required=True, width=12),
            C("supplier_id", required=True, width=12),
            C("location", required=True, width=10),
            C("order_date", "date", required=True),
            C("promised_date", "date", required=True),
            C("delivered_date", "date"),
            C("ordered_qty", "number", required=True, min=0, unit="units"),
            C("delivered_qty", "number", min=0, unit="units"),
            C("rejected_qty", "number", min=0, unit="units"),
            C("agreed_price", "money", required=True, min=0, unit="currency"),
            C("actual_price", "money", min=0, unit="currency"),
            C("note", width=30),
        ),
        rules=(DateOrder("order_date", "promised_date"), DateOrder("order_date", "delivered_date"),
               NotAbove("rejected_qty", "delivered_qty")),
    ),
    Form(
        id="shipments", chapter=5, section="5.4",
        columns=(
            C("shipment_id", key=True, required=True, width=14),
            C("ship_date", "date", required=True),
            C("location", required=True, width=10),
            C("dealer_id", required=True, width=12),
            C("region", "enum", required=True, enum="region"),
            C("route", required=True, width=14),
            C("carrier", required=True, width=16),
            C("transport_mode", "enum", required=True, enum="transport_mode"),
            C("shipped_units", "number", required=True, min=0, unit="units"),
            C("shipment_value", "money", min=0, unit="currency"),
            C("cost", "money", required=True, min=0, unit="currency"),
            C("promised_date", "date"),
            C("delivered_date", "date"),
            C("shipment_status", "enum", required=True, enum="shipment_status"),
        ),
        rules=(DateOrder("ship_date", "promised_date"), DateOrder("ship_date", "delivered_date")),
    ),
    Form(
        id="replenishment_proposal", chapter=5, section="5.1", kind="output",
        columns=(
            C("sku", key=True, required=True, width=12),
            C("location", key=True, required=True, width=10),
            C("sku_name", width=24),
            C("abc_class", "enum", enum="abc_class", width=6),
            C("xyz_class", "enum", enum="xyz_class", width=6),
            C("demand_class", "enum", enum="demand_class", width=10),
            C("on_hand", "number", unit="units"),
            C("on_order", "number", unit="units"),
            C("reserved", "number", unit="units"),
            C("available", "number", unit="units"),
            C("forecast_qty", "number", unit="units"),
            C("safety_stock", "number", unit="units"),
            C("reorder_point", "number", unit="units"),
            C("order_up_to", "number", unit="units"),
            C("proposed_qty", "number", min=0, unit="units"),
            C("expected_arrival", "date"),
            C("supplier_id", width=12),
            C("order_value", "money", unit="currency"),
            C("replenishment_reason", "enum", enum="replenishment_reason", width=18),
            C("review_rule", "enum", enum="review_rule", width=18),
            C("missing_parameters", width=30),
        ),
    ),
    Form(
        id="abc_thresholds", chapter=5, section="5.3", kind="settings",
        columns=(
            C("abc_class", "enum", key=True, required=True, enum="abc_class"),
            C("max_cumulative_share", "percent", required=True, min=0, max=1),
        ),
    ),
    Form(
        id="xyz_thresholds", chapter=5, section="5.3", kind="settings",
        columns=(
            C("xyz_class", "enum", key=True, required=True, enum="xyz_class"),
            C("max_cv", "number", min=0),
        ),
    ),
    Form(
        id="abc_xyz_policy", chapter=5, section="5.3", kind="settings",
        columns=(
            C("abc_class", "enum", key=True, required=True, enum="abc_class"),
            C("xyz_class", "enum", key=True, required=True, enum="xyz_class"),
            C("service_level", "percent", required=True, min=0.5, max=0.9999),
            C("review_rule", "enum", required=True, enum="review_rule", width=18),
            C("review_period_days", "int", min=1, unit="days"),
        ),
    ),
    Form(
        id="supplier_score_weights", chapter=5, section="5.2", kind="settings",
        columns=(
            C("supplier_criterion", "enum", key=True, required=True, enum="supplier_criterion", width=18),
            C("weight", "number", required=True, min=0),
            C("target", "number", required=True),
            C("kpi_direction", "enum", required=True, enum="kpi_direction"),
        ),
    ),
    Form(
        id="supplier_grade_bands", chapter=5, section="5.2", kind="settings",
        columns=(
            C("supplier_grade", "enum", key=True, required=True, enum="supplier_grade"),
            C("min_score", "number", required=True, min=0, max=100, unit="score"),
        ),
    ),
]

DEFAULT_ROWS = {
    # Pareto split by cumulative share of annual consumption value.
    "abc_thresholds": [
        {"abc_class": "A", "max_cumulative_share": 0.80},
        {"abc_class": "B", "max_cumulative_share": 0.95},
        {"abc_class": "C", "max_cumulative_share": 1.00},
    ],
    # Coefficient of variation of monthly demand; the last class is open-ended.
    "xyz_thresholds": [
        {"xyz_class": "X", "max_cv": 0.5},
        {"xyz_class": "Y", "max_cv": 1.0},
        {"xyz_class": "Z", "max_cv": None},
    ],
    # Valuable, steady items get automatic continuous review and high service; erratic
    # low-value items are bought to order.
    "abc_xyz_policy": [
        dict(zip(("abc_class", "xyz_class", "service_level", "review_rule", "review_period_days"), row)) for row in (
            ("A", "X", 0.98, "continuous_eoq", None),
            ("A", "Y", 0.97, "continuous_eoq", None),
            ("A", "Z", 0.95, "manual_review", 7),
            ("B", "X", 0.97, "periodic_order_up_to", 7),
            ("B", "Y", 0.95, "periodic_order_up_to", 7),
            ("B", "Z", 0.92, "min_max", 14),
            ("C", "X", 0.95, "periodic_order_up_to", 30),
            ("C", "Y", 0.92, "min_max", 30),
            ("C", "Z", 0.80, "make_to_order", 30),
        )
    ],
    # Each criterion scores 100 at its target (see dealerxl.calc.scoring.normalise, "target").
    "supplier_score_weights": [
        {"supplier_criterion": "on_time", "weight": 0.30, "target": 0.95, "kpi_direction": "higher_better"},
        {"supplier_criterion": "in_full", "weight": 0.25, "target": 0.98, "kpi_direction": "higher_better"},
        {"supplier_criterion": "reject_rate", "weight": 0.25, "target": 0.01, "kpi_direction": "lower_better"},
        {"supplier_criterion": "lead_time_cv", "weight": 0.10, "target": 0.20, "kpi_direction": "lower_better"},
        {"supplier_criterion": "price_variance", "weight": 0.10, "target": 0.01, "kpi_direction": "lower_better"},
    ],
    "supplier_grade_bands": [
        {"supplier_grade": "A", "min_score": 90.0},
        {"supplier_grade": "B", "min_score": 75.0},
        {"supplier_grade": "C", "min_score": 60.0},
        {"supplier_grade": "D", "min_score": 0.0},
    ],
}

SETTINGS = [
    Setting("default_service_level", "inventory", 0.95, unit="ratio", min=0.5, max=0.9999),
    Setting("fill_rate_target", "inventory", 0.98, unit="ratio", min=0.5, max=0.9999),
    Setting("use_fill_rate", "inventory", 0, unit="switch", min=0, max=1),
    Setting("demand_period_days", "inventory", 30.4375, unit="days", min=1, max=92),  # 365.25 / 12
    Setting("demand_history_months", "inventory", 12, unit="months", min=3, max=60),
    Setting("min_history_months", "inventory", 6, unit="months", min=1, max=36),
    Setting("forecast_horizon_months", "inventory", 3, unit="months", min=1, max=24),
    Setting("intermittent_zero_share", "inventory", 0.3, unit="ratio", min=0, max=1),
    Setting("default_holding_cost_rate", "inventory", 0.25, unit="ratio", min=0, max=1),
    Setting("default_order_cost", "inventory", 500, unit="currency", min=0, max=1_000_000),
    Setting("slow_moving_months", "inventory", 6, unit="months", min=1, max=60),
    Setting("obsolete_no_sales_months", "inventory", 12, unit="months", min=1, max=120),
    Setting("obsolete_cover_months", "inventory", 24, unit="months", min=1, max=240),
    Setting("excess_cover_months", "inventory", 6, unit="months", min=1, max=120),
    Setting("service_check_tolerance", "inventory", 0.03, unit="ratio", min=0, max=0.5),
    Setting("on_time_tolerance_days", "supply_chain", 2, unit="days", min=0, max=60),
    Setting("in_full_tolerance", "supply_chain", 0.02, unit="ratio", min=0, max=0.5),
    Setting("supplier_review_months", "supply_chain", 12, unit="months", min=1, max=60),
    Setting("supplier_min_deliveries", "supply_chain", 5, unit="count", min=1, max=1000),
    Setting("late_shipment_tolerance_days", "logistics", 1, unit="days", min=0, max=30),
    Setting("logistics_cost_share_warning", "logistics", 0.05, unit="ratio", min=0, max=1),
]
