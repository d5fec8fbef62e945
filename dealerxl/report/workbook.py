"""Writing the monthly report workbook with XlsxWriter: eight sheets with charts, traffic
lights, data bars, number formats and the A4 print layout of :mod:`dealerxl.report.style`.

Each sheet is a column of sections (a heading and a table); a table is written row by row
with ``write_row`` in row order, which keeps XlsxWriter fast and small on large months.
The review jobs' own labelled tables (their ``report_sheets``) are reused, so headers and
codes read exactly as in each review's own workbook. The file is written atomically.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from dealerxl.i18n import has, tr
from dealerxl.jobs.common import JobResult
from dealerxl.jobs.outputs import new_workbook
from dealerxl.jobs.safety import atomic_write
from dealerxl.report import style
from dealerxl.report.monthly import part_copy

SHEETS = ("summary", "sales", "dealers", "inventory", "incentives", "risk", "service", "data_quality")
KIND_FORMATS = {"money": "money", "percent": "percent", "count": "integer", "days": "number", "score": "number"}
CHANGE_FORMATS = {"money": "change_money", "percent": "change_percent", "count": "change_money",
                  "days": "number", "score": "number"}
MAX_WIDTH = 40


def t(key: str, lang: str, **fields) -> str:
    return tr(f"report.monthly.{key}", lang, **fields)


def column_label(column: str, lang: str) -> str:
    """A header: the report's own label, else the shared ``col.`` one."""
    own = f"report.monthly.col.{column}"
    return tr(own if has(own) or not has(f"col.{column}") else f"col.{column}", lang)


def _cell(value):
    """A value XlsxWriter writes: None for blanks and non-finite numbers, plain Python types."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, pd.Period):
        return str(value)
    return value


def _format_runs(formats: list) -> list[tuple[int, int, object]]:
    """Neighbouring columns sharing a format as (first, end, format): one ``write_row`` each."""
    runs = []
    for index, fmt in enumerate(formats):
        if runs and runs[-1][2] is fmt:
            runs[-1] = (runs[-1][0], index + 1, fmt)
        else:
            runs.append((index, index + 1, fmt))
    return runs


class SheetWriter:
    """One report sheet: title lines, then sections written downwards, charts at the right."""

    def __init__(self, report: ReportWriter, key: str):
        self.report, self.key, self.lang = report, key, report.lang
        self.sheet = report.book.add_worksheet(t(f"sheet.{key}", self.lang)[:31])
        self.f = report.formats
        self.row = 0
        self.width = 0  # columns used by tables: charts go to their right
        self.chart_row = 3
        self.first_header: int | None = None
        self.sheet.write(0, 0, f"{t('title', self.lang)} {report.result.summary['month']} · "
                               f"{t(f'sheet.{key}', self.lang)}", self.f["title"])
        self.sheet.write(1, 0, report.source_label, self.f["subtitle"])
        self.row = 3

    def heading(self, text: str) -> None:
        self.sheet.write(self.row, 0, text, self.f["section"])
        self.row += 1

    def note(self, text: str) -> None:
        self.sheet.write(self.row, 0, text, self.f["note"])
        self.row += 2

    def table(self, frame: pd.DataFrame, number_formats: dict | None = None, *, bars: tuple = (),
              rag_column: str | None = None) -> tuple[int, int]:
        """Write ``frame`` (headers as shown) here; returns (header row, last data row).

        ``number_formats`` maps a header to an Excel number format; numeric columns
        without one get a thousands format. ``bars`` are headers given data bars;
        ``rag_column`` a header whose RAG labels get traffic-light fills.
        """
        number_formats = number_formats or {}
        header_row = self.row
        if self.first_header is None:
            self.first_header = header_row
        columns = [str(c) for c in frame.columns]
        self.sheet.write_row(header_row, 0, columns, self.f["header"])
        formats = []
        for column, name in zip(frame.columns, columns):
            values = frame[column]
            if name in number_formats:
                formats.append(self.report.number_format(number_formats[name]))
            elif pd.api.types.is_datetime64_any_dtype(values):
                formats.append(self.f["date"])
            elif pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values):
                formats.append(self.f["money"])
            else:
                formats.append(self.f["text"])
        rows = frame.astype(object).to_numpy()
        runs = _format_runs(formats)
        for offset, values in enumerate(rows, start=1):
            cells = [_cell(v) for v in values]
            for start, end, fmt in runs:
                self.sheet.write_row(header_row + offset, start, cells[start:end], fmt)
        last = header_row + len(rows)
        for index, name in enumerate(columns):
            sample = [len(str(v)) for v in rows[:200, index]] if len(rows) else []
            width = min(max([len(name) * 1.6, *[w * 1.2 for w in sample], 8]) + 2, MAX_WIDTH)
            self.sheet.set_column(index, index, width)
            if name in bars and len(rows):
                style.data_bars(self.sheet, header_row + 1, last, index)
            if name == rag_column and len(rows):
                labels = {level: tr(f"enum.rag.{level}", self.lang) for level in style.RAG_FILLS}
                style.traffic_lights_by_text(self.sheet, header_row + 1, last, index, labels, self.report.rag)
        self.width = max(self.width, len(columns))
        self.row = last + 2
        return header_row, last

    def chart(self, chart, *, height_rows: int = 18) -> None:
        """Place ``chart`` to the right of the tables, charts stacked downwards."""
        chart.set_size({"width": 620, "height": 300})
        self.sheet.insert_chart(self.chart_row, self.width + 1, chart)
        self.chart_row += height_rows

    def finish(self) -> None:
        last_header = self.first_header if self.first_header is not None else 1
        style.print_layout(self.sheet, header_rows=(0, last_header), title=t("title", self.lang),
                           page_label=t("page", self.lang))
        self.sheet.freeze_panes(3, 0)


class ReportWriter:
    """The report workbook being written: formats shared by every sheet."""

    def __init__(self, book, result: JobResult):
        self.book, self.result, self.lang = book, result, result.lang
        self.formats = style.cell_formats(book)
        self.rag = style.rag_formats(book)
        self._numbers: dict[str, object] = {}
        self.source_label = t("made_from", self.lang, month=result.summary["month"])

    def number_format(self, text: str):
        if text not in self._numbers:
            self._numbers[text] = self.book.add_format({**style.FONT, "border": 1, "num_format": text})
        return self._numbers[text]

    def column_chart(self, sheet: SheetWriter, title: str, series: list[tuple[str, int, int, int, int]],
                     *, categories: tuple[int, int, int], stacked: bool = False, line: bool = False):
        """A native chart over cells of ``sheet``: ``series`` are (name, column, first row, last
        row); ``categories`` (column, first row, last row)."""
        kind = {"type": "line"} if line else {"type": "column", **({"subtype": "stacked"} if stacked else {})}
        chart = self.book.add_chart(kind)
        name = sheet.sheet.get_name()
        column, first, last = categories
        for label, col, top, bottom, colour in series:
            spec = {"name": label, "categories": [name, first, column, last, column],
                    "values": [name, top, col, bottom, col]}
            if colour is not None:
                spec["line" if line else "fill"] = {"color": f"#{colour:06X}"}
            if line:
                spec["marker"] = {"type": "none"}
            chart.add_series(spec)
        chart.set_title({"name": title, "name_font": {"size": 11}})
        chart.set_legend({"position": "bottom"})
        sheet.chart(chart)
        return chart


# ---- the sheets --------------------------------------------------------------------------------

def write_summary(w: ReportWriter, s: SheetWriter) -> None:
    lang, table = w.lang, w.result.tables["summary"]
    s.heading(t("section.figures", lang))
    header = s.row
    s.sheet.write_row(header, 0, [t("col.figure", lang), t("col.this_month", lang), t("col.last_month", lang),
                                  t("col.change", lang)], w.formats["header"])
    s.first_header = header
    for offset, record in enumerate(table.itertuples(index=False), start=1):
        row = header + offset
        s.sheet.write(row, 0, t(f"figure.{record.figure}", lang), w.formats["label"])
        s.sheet.write(row, 1, _cell(record.value), w.formats[KIND_FORMATS[record.kind]])
        s.sheet.write(row, 2, _cell(record.previous), w.formats[KIND_FORMATS[record.kind]])
        s.sheet.write(row, 3, _cell(record.change), w.formats[CHANGE_FORMATS[record.kind]])
        if record.figure == "achievement":
            style.traffic_light_icons(s.sheet, row, row, 1, green_at=1.0, red_below=0.9)
            style.traffic_light_icons(s.sheet, row, row, 2, green_at=1.0, red_below=0.9)
    last = header + len(table)
    s.sheet.set_column(0, 0, 26)
    s.sheet.set_column(1, 3, 16)
    s.width, s.row = 4, last + 2
    if "sales.trend" in w.result.tables:
        trend_chart(w, s)
    if w.result.summary.get("missing_parts"):
        s.heading(t("section.missing_parts", lang))
        for name, reason in w.result.summary["missing_parts"].items():
            s.note(f"{tr(f'ribbon.{name}', lang)}: {_reason(reason, lang)}")


def _reason(reason: str, lang: str) -> str:
    return t("not_installed", lang) if reason == "not_installed" else reason


def trend_chart(w: ReportWriter, s: SheetWriter) -> None:
    """The 24-month trend with its forecast: the table, then a line chart over it."""
    lang, trend = w.lang, w.result.tables["sales.trend"]
    s.heading(t("section.trend", lang))
    shown = trend.rename(columns={c: t(f"col.{c}", lang) for c in trend.columns})
    header, last = s.table(shown, {t("col.actual", lang): "#,##0", t("col.forecast", lang): "#,##0"})
    w.column_chart(s, t("chart.trend", lang), [(t("col.actual", lang), 1, header + 1, last, 0x1F4E78),
                                               (t("col.forecast", lang), 2, header + 1, last, 0xED7D31)],
                   categories=(0, header + 1, last), line=True)


SALES_COLUMNS = ("key", "actual", "target", "achievement_rate", "gap", "yoy", "ytd", "ytd_yoy")
PERCENT_COLUMNS = ("achievement_rate", "yoy", "ytd_yoy")


def sales_frame(frame: pd.DataFrame, key_label: str, enum: str | None, lang: str) -> pd.DataFrame:
    out = frame.copy()
    if enum:
        out["key"] = out["key"].map(lambda v: tr(f"enum.{enum}.{v}", lang) if has(f"enum.{enum}.{v}") else v)
    return out.rename(columns={"key": key_label, **{c: column_label(c, lang) for c in out.columns if c != "key"}})


def sales_formats(lang: str) -> dict:
    return {column_label(c, lang): ("0.0%" if c in PERCENT_COLUMNS else "#,##0")
            for c in (*SALES_COLUMNS[1:], "dealer_id")}


def write_sales(w: ReportWriter, s: SheetWriter) -> None:
    lang, tables = w.lang, w.result.tables
    formats = sales_formats(lang)
    for name, key_column, enum in (("by_region", "region", "region"), ("by_channel", "channel_type", "channel_type"),
                                   ("by_product_group", "product_group", "product_group")):
        s.heading(t(f"section.{name}", lang))
        shown = sales_frame(tables[f"sales.{name}"], tr(f"col.{key_column}", lang), enum, lang)
        header, last = s.table(shown, formats, bars=(column_label("actual", lang),))
        series = [(column_label("actual", lang), 1, header + 1, last, 0x1F4E78)]
        if "target" in tables[f"sales.{name}"]:
            series.append((column_label("target", lang), 2, header + 1, last, 0xA5A5A5))
        if last > header:
            w.column_chart(s, t(f"section.{name}", lang), series, categories=(0, header + 1, last))
    for name in ("top_dealers", "bottom_dealers"):
        s.heading(t(f"section.{name}", lang))
        frame = tables[f"sales.{name}"].rename(columns={"key": "dealer_id"})
        frame = frame.assign(region=frame["region"].map(lambda v: tr(f"enum.region.{v}", lang)
                                                        if has(f"enum.region.{v}") else v))
        s.table(frame.rename(columns={c: column_label(c, lang) for c in frame.columns}), formats,
                bars=(column_label("actual", lang),))
    trend_chart(w, s)


def _job_sections(w: ReportWriter, s: SheetWriter, name: str, tables: dict[str, pd.DataFrame] | None = None,
                  sections: tuple[str, ...] = ()) -> list[tuple[int, int, pd.DataFrame]]:
    """Write ``sections`` (table names) of review ``name`` with its own labels; returns where
    each went (header row, last row, the frame shown). A missing review leaves a note."""
    lang = w.lang
    part = w.result.parts.get(name)
    if part is None:
        reason = w.result.summary.get("missing_parts", {}).get(name, "not_installed")
        s.note(t("part_missing", lang, part=tr(f"ribbon.{name}", lang), reason=_reason(reason, lang)))
        return []
    module = __import__(f"dealerxl.jobs.{name}", fromlist=["report_sheets"])
    chosen = tables if tables is not None else part.tables
    shown = module.report_sheets(part_copy(part, {**part.tables, **chosen}))
    formats = module.report_formats(lang) if hasattr(module, "report_formats") else {}
    placed = []
    titles = list(shown)
    order = _table_order(name, part)
    for section in sections:
        frame = shown[titles[order.index(section)]]
        s.heading(titles[order.index(section)])
        money = [c for c, f in formats.items() if f == "#,##0" and c in frame.columns]
        header, last = s.table(frame, formats, bars=tuple(money[:1]),
                               rag_column=_rag_column(frame, lang))
        placed.append((header, last, frame))
    return placed


def _table_order(name: str, part: JobResult) -> list[str]:
    """The table names in the order the review's ``report_sheets`` lists its sheets."""
    if name == "replenish":
        return [n for n in ("proposal", "missing", "suppliers", "routes", "regions") if n in part.tables]
    module = __import__(f"dealerxl.jobs.{name}", fromlist=["SHEETS"])
    return list(module.SHEETS)


def _rag_column(frame: pd.DataFrame, lang: str) -> str | None:
    """The first column whose values are all RAG labels (traffic lights go there)."""
    labels = {tr(f"enum.rag.{level}", lang) for level in style.RAG_FILLS}
    for column in frame.columns:
        values = frame[column].dropna()
        if len(values) and values.map(lambda v: v in labels if isinstance(v, str) else False).all():
            return str(column)
    return None


def count_chart(w: ReportWriter, s: SheetWriter, title: str, counts: pd.Series) -> None:
    """A small count table and its column chart (e.g. dealers per tier)."""
    s.heading(title)
    frame = pd.DataFrame({t("col.category", w.lang): [str(i) for i in counts.index],
                          t("col.count", w.lang): counts.to_numpy(int)})
    header, last = s.table(frame, {t("col.count", w.lang): "#,##0"})
    if last > header:
        w.column_chart(s, title, [(t("col.count", w.lang), 1, header + 1, last, 0x1F4E78)],
                       categories=(0, header + 1, last))


def write_dealers(w: ReportWriter, s: SheetWriter) -> None:
    part = w.result.parts.get("dealers")
    if part is not None:
        lang = w.lang
        tiers = part.tables["appraisal"]["tier_change"].map(
            lambda v: tr(f"enum.tier_change.{v}", lang) if has(f"enum.tier_change.{v}") else v).value_counts()
        count_chart(w, s, column_label("tier_change", lang), tiers.sort_index())
    _job_sections(w, s, "dealers", sections=("appraisal", "renewals"))


def write_inventory(w: ReportWriter, s: SheetWriter) -> None:
    lang = w.lang
    part = w.result.parts.get("replenish")
    if part is not None:
        proposal = part.tables["proposal"]
        ordering = proposal.loc[proposal["proposed_qty"].fillna(0) > 0].reset_index(drop=True)
        outs = proposal.loc[pd.to_numeric(proposal["available"], errors="coerce").fillna(0) <= 0]
        top = ordering.nlargest(10, "order_value")
        s.heading(t("section.largest_orders", lang))
        frame = pd.DataFrame({tr("col.sku", lang): top["sku"].astype(str) + " " + top["location"].astype(str),
                              tr("col.order_value", lang): top["order_value"].to_numpy(float)})
        header, last = s.table(frame, {tr("col.order_value", lang): "#,##0"})
        if last > header:
            w.column_chart(s, t("section.largest_orders", lang),
                           [(tr("col.order_value", lang), 1, header + 1, last, 0x1F4E78)],
                           categories=(0, header + 1, last))
        s.heading(t("section.stock_outs", lang))
        s.note(t("stock_outs", lang, count=len(outs)))
        _job_sections(w, s, "replenish", {"proposal": ordering}, sections=("proposal",))
    else:
        _job_sections(w, s, "replenish")
    s.heading(t("section.slow_moving", lang))
    health = w.result.tables["inventory_health"]
    yes, no = tr("enum.yes_no.yes", lang), tr("enum.yes_no.no", lang)
    shown = health.assign(slow_moving=health["slow_moving"].map({True: yes, False: no}),
                          obsolete=health["obsolete"].map({True: yes, False: no}))
    shown = shown.rename(columns={c: column_label(c, lang) for c in shown.columns})
    s.table(shown, {column_label("stock_value", lang): "#,##0", column_label("excess_value", lang): "#,##0",
                    column_label("days_of_supply", lang): "#,##0", column_label("on_hand", lang): "#,##0"},
            bars=(column_label("excess_value", lang),))


def write_incentives(w: ReportWriter, s: SheetWriter) -> None:
    lang = w.lang
    part = w.result.parts.get("incentives")
    if part is None:
        _job_sections(w, s, "incentives")
        return
    from dealerxl.jobs.incentives import statement_formats, statement_sheets

    summary = part.tables["summary"]
    top = summary.nlargest(15, "payable")
    s.heading(t("section.payouts", lang))
    frame = pd.DataFrame({tr("col.payee_id", lang): top["payee_id"].astype(str),
                          column_label("payable", lang): top["payable"].to_numpy(float),
                          column_label("clawback", lang): top["clawback"].to_numpy(float)})
    header, last = s.table(frame, {column_label("payable", lang): "#,##0", column_label("clawback", lang): "#,##0"})
    if last > header:
        w.column_chart(s, t("section.payouts", lang),
                       [(column_label("payable", lang), 1, header + 1, last, 0x1F4E78),
                        (column_label("clawback", lang), 2, header + 1, last, 0xC00000)],
                       categories=(0, header + 1, last))
    sheets = statement_sheets(part_copy(part, {"summary": summary, "lines": part.tables["lines"].iloc[:0]}))
    title, shown = next(iter(sheets.items()))
    s.heading(title)
    formats = statement_formats(lang)
    payable = column_label("payable", lang)
    s.table(shown, formats, bars=(payable,) if payable in shown.columns else ())


def write_risk(w: ReportWriter, s: SheetWriter) -> None:
    part = w.result.parts.get("risk")
    if part is None:
        _job_sections(w, s, "risk")
        return
    review = part.tables["review"]
    flagged = review.loc[review["risk_class"].isin(["red", "amber"])].reset_index(drop=True)
    triggered = part.tables["triggered"]
    triggered = triggered.loc[triggered["dealer_id"].isin(flagged["dealer_id"])].reset_index(drop=True)
    _job_sections(w, s, "risk", {"review": flagged, "triggered": triggered},
                  sections=("review", "triggered", "ageing", "unanswered"))
    ageing_chart(w, s, part.tables["ageing"])


def ageing_chart(w: ReportWriter, s: SheetWriter, ageing: pd.DataFrame, count: int = 15) -> None:
    """The ageing buckets of the ``count`` dealers owing most, as a stacked column chart."""
    from dealerxl.forms import ENUMS

    lang = w.lang
    codes = [c for c in ENUMS["ageing_bucket"].codes if c in ageing]
    table = ageing.reset_index() if "dealer_id" not in ageing else ageing
    dealers = table.loc[table["dealer_id"].astype(str) != "total"]
    largest = dealers.assign(_owed=dealers[codes].sum(axis=1)).nlargest(count, "_owed")
    labels = [tr(f"enum.ageing_bucket.{c}", lang) for c in codes]
    frame = pd.DataFrame({tr("col.dealer_id", lang): largest["dealer_id"].astype(str).to_numpy(),
                          **{label: largest[c].to_numpy(float) for label, c in zip(labels, codes)}})
    s.heading(t("section.ageing_chart", lang))
    header, last = s.table(frame, dict.fromkeys(labels, "#,##0"))
    if last > header:
        w.column_chart(s, t("section.ageing_chart", lang),
                       [(label, i, header + 1, last, None) for i, label in enumerate(labels, start=1)],
                       categories=(0, header + 1, last), stacked=True)


def write_service(w: ReportWriter, s: SheetWriter) -> None:
    part = w.result.parts.get("service")
    chosen = None
    if part is not None:
        # Per-dealer scores are in the service review's own workbook; the report shows regions and the total.
        scores = part.tables["satisfaction"]
        chosen = {"satisfaction": scores.loc[scores["level"] != "dealer"].reset_index(drop=True)}
    placed = _job_sections(w, s, "service", chosen,
                           sections=("sla_summary", "satisfaction", "promotions", "marketing"))
    if placed:
        header, last, frame = placed[0]
        numeric = [i for i, c in enumerate(frame.columns) if pd.api.types.is_numeric_dtype(frame[c])]
        if last > header and numeric:
            w.column_chart(s, t("chart.sla", w.lang),
                           [(str(frame.columns[i]), i, header + 1, last, None) for i in numeric[:2]],
                           categories=(0, header + 1, last))


def write_data_quality(w: ReportWriter, s: SheetWriter) -> None:
    lang = w.lang
    problems = w.result.problems
    s.heading(t("section.problems", lang, count=len(problems)))
    frame = pd.DataFrame({t("col.address", lang): [p.address for p in problems],
                          t("col.sheet", lang): [p.sheet or "" for p in problems],
                          t("col.reason", lang): [p.reason(lang) for p in problems]})
    counts = frame.groupby(t("col.sheet", lang)).size() if len(frame) else pd.Series({t("none", lang): 0})
    count_chart(w, s, t("section.problems_by_sheet", lang), counts)
    if problems:
        s.table(frame)
    else:
        s.note(t("no_problems", lang))


WRITERS = {"summary": write_summary, "sales": write_sales, "dealers": write_dealers, "inventory": write_inventory,
           "incentives": write_incentives, "risk": write_risk, "service": write_service,
           "data_quality": write_data_quality}


def write_report(result: JobResult, path: str | Path, *, sheets: tuple[str, ...] = SHEETS) -> Path:
    """Write the monthly report of ``result`` to ``path`` (a new .xlsx), atomically."""
    path = Path(path)
    with atomic_write(path) as temporary:
        book = new_workbook(temporary)  # text stays text: never a formula or a link
        writer = ReportWriter(book, result)
        for key in sheets:
            sheet = SheetWriter(writer, key)
            WRITERS[key](writer, sheet)
            sheet.finish()
        book.close()
    return path
