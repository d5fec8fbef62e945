"""The command line speaks the user's language everywhere: ``--help``, argparse's own messages,
the reasons inside its sentences. The language is ``--lang``, else the workbook's, else
``$DEALERXL_LANG``, else the system locale, else 繁體中文."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dealerxl.cli import build_parser, help_keys, help_texts, main
from dealerxl.cli._language import language_code, user_language
from dealerxl.i18n import LANGS

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(r"(?<![\w./<$-])[a-z]{4,}(?:\s+[a-z]{3,})+")  # "no row for", not ids or paths


def test_every_help_text_of_every_command_has_its_translation():
    keys = help_keys()
    missing = [getattr(holder, attribute) for holder, attribute in help_texts(build_parser(None))
               if getattr(holder, attribute).strip() not in keys and attribute != "title"]
    assert missing == []


@pytest.mark.parametrize("lang", ["zh-Hant", "zh-Hans"])
def test_the_help_of_every_command_is_chinese(lang):
    for holder, attribute in help_texts(build_parser(lang)):
        text = re.sub(r"'dealerxl [^']*'", "", getattr(holder, attribute))  # a command to type stays as it is
        assert CJK.search(text) and not ENGLISH_WORDS.search(text), text


def test_help_and_argument_errors_follow_the_language(capsys, monkeypatch):
    monkeypatch.delenv("DEALERXL_LANG", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("用法： dealerxl report") and "顯示這段說明並結束" in out and "結束代碼：" in out
    with pytest.raises(SystemExit) as stopped:
        main(["risk"])
    assert stopped.value.code == 2
    assert "dealerxl risk：錯誤：缺少必要的參數：workbook, --month" in capsys.readouterr().err
    monkeypatch.setenv("DEALERXL_LANG", "zh-Hans")
    with pytest.raises(SystemExit):
        main(["audit", "book.xlsx", "--last", "0"])
    assert "“0”不是运行次数（1 以上的整数）" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["templates", "list", "--nope", "--lang", "en"])
    assert "error: unrecognized arguments: --nope" in capsys.readouterr().err


def test_the_language_is_the_flag_then_the_workbooks_then_the_variable_then_the_locale(tmp_path, monkeypatch):
    from workbook_fixtures import settings_rows, write_workbook

    english = write_workbook(tmp_path / "english.xlsx", {"settings": settings_rows("en")}, "en")
    monkeypatch.setenv("DEALERXL_LANG", "zh-Hans")
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    assert user_language(["risk", str(english), "--lang", "zh-Hant"]) == "zh-Hant"
    assert user_language(["risk", str(english), "--month", "2026-10"]) == "en"
    assert user_language(["templates", "list"]) == "zh-Hans"
    monkeypatch.delenv("DEALERXL_LANG")
    assert user_language(["templates", "list"]) == "zh-Hant"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert user_language(["templates", "list"]) == "en"
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert user_language(["templates", "list"]) == "zh-Hant"
    assert [language_code(tag) for tag in ("zh_HK", "zh_SG", "de_DE")] == ["zh-Hant", "zh-Hans", "en"]


@pytest.mark.parametrize("argv", [
    ["targets", "{book}", "--year", "2028"],
    ["incentives", "{book}", "--month", "2030-01"],
    ["statements", "{book}", "--month", "2026-10", "--dealers", "NOPE"],
    ["sync", "{book}", "--store", "mysql://dx:pw@db/x"],
], ids=lambda argv: argv[0])
def test_no_english_reason_inside_a_chinese_sentence(sample_book, tmp_path, capsys, argv):
    book = shutil.copy(sample_book, tmp_path / "book.xlsx")
    assert main([part.format(book=book) for part in argv]) == 2
    said = capsys.readouterr().err
    assert CJK.search(said) and not ENGLISH_WORDS.search(said), said


def test_rejected_files_are_explained_on_the_console_in_the_runs_language():
    from dealerxl.book import Problem
    from dealerxl.exchange.collect import CollectResult, Outcome, summary_lines
    from dealerxl.jobs.common import JobResult

    problem = Problem("required_value", "經銷商月報", "C5", fields={}, label_fields={"field": "col.sku"})
    outcome = Outcome(Path("D3.xlsx"), "abc", "rejected", Path("abc.xlsx"), lang="zh-Hans", problems=[problem])
    result = JobResult("collect_submissions", "zh-Hant", summary={
        "accepted": 0, "replaced": 0, "duplicate": 0, "rejected": 1, "files": 1, "missing": 0, "archive": "a"})
    result.collection = CollectResult([outcome], None, Path("a"), "")
    lines = summary_lines(result)
    assert lines[-1] == "  經銷商月報!C5: 「料號」必須填寫"  # not the recipient's 简体


def test_every_language_has_the_fault_and_month_messages():
    from dealerxl.i18n import table

    for key, labels in table().items():
        if key.startswith(("msg.fault.", "msg.month.", "cli.")):
            assert all(labels), key
            assert CJK.search(labels[0]) or key.startswith("cli.argparse.usage") or "%" in labels[0], key
    assert set(LANGS) == {"zh-Hant", "zh-Hans", "en"}
