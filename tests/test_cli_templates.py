"""``dealerxl templates list|issue`` and ``dealerxl collect`` from the command line."""
from __future__ import annotations

import stat

import openpyxl
import pandas as pd

from dealerxl.cli import main
from dealerxl.exchange import form_version
from dealerxl.exchange.manifest import KEY_VARIABLE, verify
from dealerxl.forms import ENUMS, FORMS
from dealerxl.i18n import tr


def test_list_prints_every_shared_form_id_first_then_its_title(capsys):
    assert main(["templates", "list", "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    shared = [f.id for f in FORMS.values() if f.shared]
    assert [line.split("\t")[0] for line in lines] == shared
    assert "dealer_monthly\tDealer monthly sales and stock report" in lines


def manifest_of(path):
    book = openpyxl.load_workbook(path)
    return book, {row[0].value: row[1].value for row in book["_dx_manifest"].iter_rows()}


def test_issue_writes_one_protected_signed_file_per_current_dealer_in_their_language(
        sample_book, sample_data, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    book_path = tmp_path / "book.xlsx"
    book_path.write_bytes(sample_book.read_bytes())
    out = tmp_path / "out"
    code = main(["templates", "issue", "--form", "dealer_monthly", "--month", "2026-03", "--workbook",
                 str(book_path), "--out", str(out), "--quiet"])
    assert code == 0
    dealers = sample_data["dealer_master"]
    # Dealers active in March 2026: under contract on one of its days, prospects not.
    joined, ended = pd.to_datetime(dealers["join_date"]), pd.to_datetime(dealers["termination_date"])
    current = dealers[(joined <= "2026-03-31") & (ended.isna() | (ended >= "2026-03-01"))
                      & (dealers["status"] != "prospect")]
    assert (current["status"] == "terminated").any()  # left later in the year: still sent March's form
    assert sorted(p.name for p in out.iterdir()) == sorted(f"dealer_monthly_2026-03_{d}.xlsx"
                                                             for d in current["dealer_id"])
    key_file = tmp_path / "book.exchange-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip().encode()
    for dealer_id, name, lang in current[["dealer_id", "dealer_name", "language"]].head(6).itertuples(index=False):
        book, rows = manifest_of(out / f"dealer_monthly_2026-03_{dealer_id}.xlsx")
        fields = verify(rows, key)
        assert (fields["form"], fields["recipient"], fields["recipient_name"], fields["period"], fields["lang"]) == (
            "dealer_monthly", dealer_id, name, "2026-03", lang)
        assert fields["form_version"] == form_version(FORMS["dealer_monthly"])
        assert book["_dx_manifest"].sheet_state == "veryHidden"
        sheet = book.worksheets[0]
        assert sheet.title == tr("form.dealer_monthly.sheet", lang)
        assert sheet.protection.sheet
        assert (sheet["B3"].value, sheet["C3"].value, sheet["E3"].value) == (dealer_id, name, "2026-03")
        assert sheet["A5"].value == dealer_id and sheet["A5"].protection.locked
        assert sheet["B5"].value.date().isoformat() == "2026-03-01" and sheet["B5"].protection.locked
        assert sheet["B3"].protection.locked and sheet["D4"].protection.locked
        assert not sheet["C5"].protection.locked and not sheet["J304"].protection.locked
        assert sheet["K5"].value.startswith("=") and sheet["K5"].protection.locked  # computed column
        assert sheet["A4"].value == tr("col.dealer_id", lang)
        assert sheet["F3"].value == tr("exchange.info.note", lang)


def test_dropdowns_are_in_the_recipients_language(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, "c1" * 16)
    for lang in ("en", "zh-Hans"):
        out = tmp_path / lang
        assert main(["templates", "issue", "--form", "complaint_log", "--month", "2026-04", "--dealers", "D1",
                     "--lang", lang, "--out", str(out), "--quiet"]) == 0
        book = openpyxl.load_workbook(out / "complaint_log_2026-04_D1.xlsx")
        lists = [cell.value for cell in book["_lists"]["A"]]
        assert lists[0] == tr(f"enum.contact_channel.{ENUMS['contact_channel'].codes[0]}", lang)
        sheet = book.worksheets[0]
        assert any(v.sqref and "list_" in v.formula1 for v in sheet.data_validations.dataValidation)


def test_issue_refuses_an_unknown_form_a_bad_month_and_unknown_dealers(sample_book, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(KEY_VARIABLE, "c1" * 16)
    assert main(["templates", "issue", "--form", "dealer_master", "--month", "2026-03", "--dealers", "D1",
                 "--out", str(tmp_path / "a"), "--lang", "en"]) == 2
    assert "not a shared template" in capsys.readouterr().err
    assert main(["templates", "issue", "--form", "dealer_monthly", "--month", "2026-13", "--dealers", "D1",
                 "--out", str(tmp_path / "b"), "--lang", "en"]) == 2
    assert "YYYY-MM" in capsys.readouterr().err
    book_path = tmp_path / "book.xlsx"
    book_path.write_bytes(sample_book.read_bytes())
    assert main(["templates", "issue", "--form", "dealer_monthly", "--month", "2026-03", "--workbook",
                 str(book_path), "--dealers", "D00001", "NOPE", "--out", str(tmp_path / "c"), "--lang", "en"]) == 2
    assert "NOPE" in capsys.readouterr().err
    assert not (tmp_path / "a").exists() and not (tmp_path / "c").exists()


def test_collect_command_loads_files_reports_rejections_and_exits_1(tmp_path, monkeypatch, capsys):
    from test_exchange import fill, monthly_rows

    monkeypatch.setenv(KEY_VARIABLE, "c1" * 16)
    issued = tmp_path / "issued"
    assert main(["templates", "issue", "--form", "dealer_monthly", "--month", "2026-05", "--dealers", "D1", "D2",
                 "--lang", "en", "--out", str(issued), "--quiet"]) == 0
    inbox = tmp_path / "inbox"
    fill(issued / "dealer_monthly_2026-05_D1.xlsx", inbox / "d1.xlsx", monthly_rows(4))
    (inbox / "d2.xlsx").write_bytes(b"PK\x03\x04 broken")
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    report = tmp_path / "report.xlsx"
    code = main(["collect", str(inbox), "--store", url, "--archive", str(tmp_path / "archive"), "--out", str(report),
                 "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 1
    assert "2 files: 1 accepted, 0 replacing an earlier one, 0 already received, 0 held for review, 1 rejected" in out
    assert "d2.xlsx: d2.xlsx is damaged or incomplete" in out.replace("  ", "")
    assert report.exists() and (tmp_path / "report_reminders.csv").exists()
    sheets = pd.read_excel(report, sheet_name=None, engine="calamine")
    assert sheets["Received"]["Recipient"].tolist() == ["D1"]
    assert len(list((tmp_path / "archive").iterdir())) == 2


def test_collect_without_a_department_key_stops_before_touching_anything(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.xlsx").write_bytes(b"anything")
    code = main(["collect", str(inbox), "--store", f"sqlite:///{tmp_path / 's.sqlite'}", "--archive",
                 str(tmp_path / "archive"), "--out", str(tmp_path / "r.xlsx"), "--lang", "en"])
    assert code == 2
    assert "No department key" in capsys.readouterr().err
    assert not (tmp_path / "archive").exists() and not (tmp_path / "r.xlsx").exists()
