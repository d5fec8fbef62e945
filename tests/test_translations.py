"""The translation table covers every label the product shows, in all three languages."""
from __future__ import annotations

import re

import pytest

from dealerxl.forms import ENUMS, FORMS, SETTINGS
from dealerxl.i18n import LANGS, all_labels, has, table, tr, TranslationError

# Characters whose Simplified form differs; seeing one in a zh-Hans label means it was not converted.
TRADITIONAL_ONLY = set("經銷區庫數據與單業務績據購貨價費應帳戶額產幣週歷報時間說開關")
SIMPLIFIED_ONLY = set("经销区库数据与单业务绩购货价费应账户额产币历报时间说开关")

INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def form_label_keys():
    for form in FORMS.values():
        for part in ("sheet", "title", "purpose", "instruction"):
            yield form.label_key(part)
        for column in form.columns:
            yield column.label_key
    for enum in ENUMS.values():
        for code in enum.codes:
            yield f"enum.{enum.id}.{code}"
    for setting in SETTINGS.values():
        yield f"setting.{setting.id}"
        yield f"setting.{setting.id}.help"
        yield f"setting_group.{setting.group}"
        if setting.unit:
            yield f"unit.{setting.unit}"
    for chapter in {form.chapter for form in FORMS.values()}:
        yield f"chapter.{chapter}"


def test_every_declared_label_exists_in_three_languages():
    missing = sorted({key for key in form_label_keys() if not has(key)})
    assert missing == []


def test_every_udf_and_argument_has_help_text():
    from dealerxl.excel.functions import UDFS

    missing = [key for info in UDFS.values()
               for key in [f"udf.{info.name}", *(f"udf.{info.name}.{arg}" for arg in info.args)]
               if not has(key)]
    assert missing == []


def test_every_ribbon_button_has_a_label_and_tip():
    from dealerxl.excel.ribbon import load_buttons

    missing = [key for b in load_buttons().values()
               for key in (f"ribbon.{b.id}", f"ribbon.{b.id}.tip", f"ribbon_group.{b.group}")
               if not has(key)]
    assert missing == []


@pytest.mark.parametrize("lang", LANGS)
def test_sheet_names_are_valid_and_unique(lang):
    names = [tr(form.label_key("sheet"), lang) for form in FORMS.values()]
    for name in names:
        assert 0 < len(name) <= 31 and not INVALID_SHEET_CHARS.search(name), name
    assert len({n.casefold() for n in names}) == len(names)


@pytest.mark.parametrize("lang", LANGS)
def test_headers_within_a_form_are_unique(lang):
    for form in FORMS.values():
        headers = [tr(c.label_key, lang) for c in form.columns]
        assert len(set(headers)) == len(headers), form.id


@pytest.mark.parametrize("lang", LANGS)
def test_titles_purposes_and_instructions_are_one_line(lang):
    for form in FORMS.values():
        for part in ("title", "purpose", "instruction"):
            text = tr(form.label_key(part), lang)
            assert text.strip() and "\n" not in text, (form.id, part)


@pytest.mark.parametrize("lang", LANGS)
def test_dropdown_labels_within_a_list_are_unique(lang):
    for enum in ENUMS.values():
        labels = [tr(f"enum.{enum.id}.{code}", lang) for code in enum.codes]
        assert len(set(labels)) == len(labels), enum.id


def test_simplified_labels_hold_no_traditional_only_characters():
    bad = {key: labels[1] for key, labels in table().items() if TRADITIONAL_ONLY & set(labels[1])}
    assert bad == {}


def test_traditional_labels_hold_no_simplified_only_characters():
    bad = {key: labels[0] for key, labels in table().items() if SIMPLIFIED_ONLY & set(labels[0])}
    assert bad == {}


def test_english_labels_are_ascii_or_latin():
    bad = {key: labels[2] for key, labels in table().items()
           if re.search(r"[\u3000-\u9fff]", labels[2]) and not key.startswith("enum.language.")}
    assert bad == {}


def test_placeholders_agree_across_languages():
    field = re.compile(r"\{(\w+)\}")
    for key, labels in table().items():
        fields = [sorted(field.findall(label)) for label in labels]
        assert fields[0] == fields[1] == fields[2], key


def test_unknown_key_and_language_are_clear_errors():
    with pytest.raises(TranslationError, match="no label"):
        tr("col.__nope__")
    with pytest.raises(TranslationError, match="unknown language"):
        tr("col.dealer_id", "fr")
    assert all_labels("col.dealer_id") == ("經銷商編號", "经销商编号", "Dealer ID")
