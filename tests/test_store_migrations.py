"""Store schema: created from the form declarations, migrated by versions, each applied exactly once."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from support.postgres import store_url  # noqa: F401  (fixture)

from dealerxl.forms import FORMS, Column, Form
from dealerxl.sample import generate
from dealerxl.store import StoreError, open_store
from dealerxl.store.migrations import pending_steps


def with_forms(*changed: Form) -> dict[str, Form]:
    forms = dict(FORMS)
    forms.update({form.id: form for form in changed})
    return forms


def test_a_new_store_gets_the_register_then_every_form_table(store_url):
    with open_store(store_url) as store:
        history = store.migration_history()
        assert list(history["version"]) == [1, 2]
        assert history["description"].iloc[0] == "submissions register"
        for form_id in FORMS:
            assert store.row_count(form_id) == 0


def test_migrations_apply_once_and_reopening_changes_nothing(store_url):
    with open_store(store_url) as store:
        first = store.migration_history()
        assert store.migrate() == []
        assert pending_steps(store.backend, store.forms) == []
    with open_store(store_url) as store:
        pd.testing.assert_frame_equal(store.migration_history(), first)
        assert store.schema_version() == 2


def test_a_column_added_to_a_form_becomes_a_new_migration_and_keeps_old_rows(store_url):
    roster = generate("small")["team_roster"]
    with open_store(store_url) as store:
        store.load_rows("team_roster", roster)
    form = FORMS["team_roster"]
    grown = replace(form, columns=form.columns + (Column("mobile_extension", "int"),))
    with open_store(store_url, forms=with_forms(grown)) as store:
        assert store.schema_version() == 3
        assert "add team_roster.mobile_extension" in store.migration_history()["description"].iloc[-1]
        stored = store.read("team_roster")
        assert len(stored) == len(roster) and stored["mobile_extension"].isna().all()
        store.load_rows("team_roster", roster.iloc[:2].assign(mobile_extension=[101, 102]))
        assert store.read("team_roster")["mobile_extension"].notna().sum() == 2
    with open_store(store_url, forms=with_forms(grown)) as store:
        assert store.schema_version() == 3
    # a workbook still on the older declaration keeps working and simply does not read the column
    with open_store(store_url) as store:
        assert store.schema_version() == 3 and "mobile_extension" not in store.read("team_roster").columns


def test_a_new_form_gets_its_table_in_a_new_version(store_url):
    visits = Form("dealer_visits", 7, "7.9", (Column("visit_id", "text", key=True, required=True),
                                               Column("visit_date", "date"), Column("minutes", "number")))
    with open_store(store_url):
        pass
    with open_store(store_url, forms=with_forms(visits)) as store:
        assert store.schema_version() == 3
        store.load_rows("dealer_visits", pd.DataFrame({"visit_id": ["V1"], "visit_date": ["2024-05-02"],
                                                       "minutes": [45]}))
        assert store.latest_periods("dealer_visits", 10).periods == ["2024-05"]


def test_a_changed_column_type_is_refused_and_leaves_the_schema_alone(store_url):
    with open_store(store_url):
        pass
    form = FORMS["team_roster"]
    changed = replace(form, columns=tuple(replace(c, type="date") if c.id == "phone" else c for c in form.columns))
    with pytest.raises(StoreError, match="phone changed its type"):
        open_store(store_url, forms=with_forms(changed))
    with open_store(store_url) as store:
        assert store.schema_version() == 2
