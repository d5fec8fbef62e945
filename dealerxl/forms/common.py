"""Declarations shared by every chapter: the settings form and the common dropdown lists.

The settings form (參數設定) is a key/value table: one row per :class:`Setting` declared in
any chapter module, carrying its default, unit and help text. Chapter 0 places it before
the manual's chapters on the index sheet.
"""
from .model import Column as C
from .model import Enum, Form

FORMS = [
    Form(
        id="settings", chapter=0, section="0", kind="settings",
        columns=(
            C("setting_id", key=True, required=True, width=28),
            C("setting_group", width=16),
            C("setting_name", width=30),
            C("setting_value", required=True, width=14),
            C("unit", width=10),
            C("setting_help", width=60),
        ),
    ),
]

# Columns that name a row of a master form: a value must exist as that master's key.
# (An explicit list rather than a guess from column names: invoice numbers, for one,
# appear in sales before they reach receivables.)
REFERENCES = {
    "dealer_id": "dealer_master",
    "sku": "item_master",
    "staff_id": "team_roster",
    "supplier_id": "suppliers",
}

ENUMS = [
    Enum("region", ("north", "central", "south", "east", "west")),
    Enum("channel_type", ("distributor", "dealer", "agent", "direct")),
    Enum("tier", ("gold", "silver", "bronze")),
    Enum("dealer_status", ("prospect", "active", "suspended", "terminated")),
    Enum("language", ("zh-Hant", "zh-Hans", "en")),
    Enum("yes_no", ("yes", "no")),
    Enum("task_status", ("not_started", "in_progress", "done", "cancelled")),
    Enum("severity", ("low", "medium", "high", "critical")),
    Enum("rag", ("red", "amber", "green")),
]
