"""Writing the monthly report workbook with XlsxWriter: eight sheets with charts, traffic
lights, data bars, number formats and an A4 print layout.

Each sheet is a column of sections (a title bar and a table, with the table's chart beside
or below it), laid out by :mod:`dealerxl.report.grid` so that nothing overlaps and every
page prints readably. The review jobs' own labelled tables (their ``report_sheets``) are
reused, so headers and codes read exactly as in each review's own workbook; chart
categories are names (dealers, SKUs, staff), not codes. The file is written atomically.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dealerxl.i18n import has, tr
from dealerxl.jobs import progress
from dealerxl.jobs.common import JobResult
from dealerxl.jobs.outputs import new_workbook
from dealerxl.jobs.safety import atomic_write
from dealerxl.report import definitions, style
from dealerxl.report.grid import GridSheet, plain_cell
from dealerxl.report.layout import A4_LANDSCAPE, ChartSpec, Section, Series, Table
from dealerxl.report.monthly import part_copy

SHEETS = ("summary", "sales", "dealers", "inventory", "incentives", "risk", "service", "data_quality")


def t(key: str, lang: str, **fields) -> str:
    return tr(f"report.monthly.{key}", lang, **fields)


def column_label(column: str, lang: str) -> str:
    """A header: the report's own label, else the shared ``col.`` one."""
    own = f"report.monthly.col.{column}"
    return tr(own if has(own) or not has(f"col.{column}") else f"col.{column}", lang)


_cell = plain_cell  # kept under its old name for the modules that import it


class SheetWriter:
    """One report sheet: its sections are gathered here, then laid out and written by
    :class:`~dealerxl.report.grid.GridSheet` when the sheet is finished."""

    def __init__(self, report: ReportWriter, key: str):
        self.report, self.key, self.lang = report, key, report.lang
        self.sheet = report.book.add_worksheet(t(f"sheet.{key}", self.lang)[:31])
        self.grid = GridSheet(report.book, self.sheet, report.formats, report.number_format, report.rag,
                              paper=A4_LANDSCAPE, axis_label=report.axis_label,
                              title=f"{t('title', self.lang)} {report.result.summary['month']} · "
                                    f"{t(f'sheet.{key}', self.lang)}",
                              subtitle=subtitle(report, key))

    def note(self, text: str, title: str | None = None) -> None:
        self.grid.add(Section(title, notes=(text,)))

    def table(self, title: str | None, frame: pd.DataFrame, number_formats: dict | None = None, *,
              bars: tuple = (), rag_column: str | None = None, chart: ChartSpec | None = None,
              notes: tuple[str, ...] = (), cell_formats: dict | None = None, after=None) -> Table:
        """A section: ``title``, then ``frame`` (headers as shown) with its chart.

        ``number_formats`` maps a header to an Excel number format; other numeric columns
        get one from their values (:func:`column_format`). ``bars`` are headers given data
        bars (a total row is left out of them); ``rag_column`` a header whose RAG labels get
        traffic-light fills.
        """
        number_formats = {k: money_format(v) for k, v in (number_formats or {}).items()}
        columns = [str(c) for c in frame.columns]
        formats = {index: number_formats.get(name) if name in number_formats else column_format(frame.iloc[:, index])
                   for index, name in enumerate(columns)}
        for index in range(len(columns)):
            if is_month_column(frame.iloc[:, index]):
                formats[index] = "yyyy-mm"
        labels = {level: tr(f"enum.rag.{level}", self.lang) for level in style.RAG_FILLS}
        table = Table(frame.reset_index(drop=True), formats, cell_formats or {},
                      bars=tuple(columns.index(b) for b in bars if b in columns),
                      rag=columns.index(rag_column) if rag_column in columns else None, rag_labels=labels,
                      total_rows=total_rows(frame, self.lang), key_columns=key_columns(frame), chart=chart,
                      after=after)
        self.grid.add(Section(title, table=table, notes=notes))
        return table

    def finish(self) -> None:
        self.grid.finish()
        self.sheet.set_header(f"&L&\"-,Bold\"{t('title', self.lang).replace('&', '&&')}")
        self.sheet.set_footer(f"&C{t('page', self.lang).replace('&', '&&')} &P / &N")
        self.sheet.freeze_panes(2, 0)


def subtitle(report: ReportWriter, key: str) -> str:
    """The line under a sheet's title: where the numbers come from, and the sections of
    docs/DEFINITIONS.md they follow."""
    if key not in definitions.SHEETS:
        return report.source_label
    separator = "　" if report.lang.startswith("zh") else " · "
    return f"{report.source_label}{separator}{definitions.note(definitions.SHEETS[key], report.lang)}"


def money_format(number_format: str) -> str:
    """Amounts in the report are whole NT$: a review's cents format prints without them."""
    return "#,##0" if number_format == "#,##0.00" else number_format


def column_format(values: pd.Series) -> str | None:
    """The number format of a column without a declared one: dates as dates, whole numbers
    with thousands separators, small fractions with one decimal; text none."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return "yyyy-mm-dd"
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return None
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(float)
    finite = numbers[np.isfinite(numbers)]
    if len(finite) and not np.all(finite == np.round(finite)) and np.abs(finite).max() < 1000:
        return "#,##0.0"
    return "#,##0"


def is_month_column(values: pd.Series) -> bool:
    """Dates that are all the first of a month at midnight: months, shown as 2026-10."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        return False
    stamps = values.dropna()
    return bool(len(stamps)) and bool(((stamps.dt.day == 1) & (stamps.dt.normalize() == stamps)).all())


TOTAL_LABELS = ("report.risk.total", "report.service.total", "report.dealers.total", "statement.line_type.total",
                "report.service.level.total")


def total_rows(frame: pd.DataFrame, lang: str) -> tuple[int, ...]:
    """Rows whose first columns name a total (合計, 全部): data bars leave them out."""
    labels = {tr(key, lang) for key in TOTAL_LABELS if has(key)} | {"total"}
    marked = np.zeros(len(frame), dtype=bool)
    for index in range(min(2, frame.shape[1])):
        values = frame.iloc[:, index]
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values)):
            marked |= values.isin(labels).to_numpy(dtype=bool)
    return tuple(int(i) for i in np.flatnonzero(marked))


def key_columns(frame: pd.DataFrame) -> int:
    """The leading columns that name a row (an id and its name): repeated in every band."""
    count = 0
    for column in frame.columns[:2]:
        if pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_datetime64_any_dtype(frame[column]):
            break
        count += 1
    return max(count, 1)


class ReportWriter:
    """The report workbook being written: formats shared by every sheet."""

    def __init__(self, book, result: JobResult):
        self.book, self.result, self.lang = book, result, result.lang
        self.formats = style.cell_formats(book)
        self.rag = style.rag_formats(book)
        self._numbers: dict[str, object] = {}
        self.source_label = t("made_from", self.lang, month=result.summary["month"])
        self.names = display_names(result)

    def number_format(self, text: str):
        if text not in self._numbers:
            self._numbers[text] = self.book.add_format({**style.FONT, "border": 1, "num_format": text})
        return self._numbers[text]

    def axis_label(self, unit: str, divisor: int) -> str:
        """A value axis' title: what it counts and in which unit (元, 千元, 百萬元)."""
        if unit == "money":
            return t({1: "axis.money", 1_000: "axis.money_thousands", 1_000_000: "axis.money_millions"}[divisor],
                     self.lang)
        return t(f"axis.{unit}", self.lang)

    def name_of(self, kind: str, code) -> str:
        """The name a reader knows for a dealer, staff member or SKU code (the code when unknown)."""
        return self.names.get(kind, {}).get(str(code), str(code))


def display_names(result: JobResult) -> dict[str, dict[str, str]]:
    """Names by code, from the tables the reviews already carry: dealers, SKUs and staff."""
    names: dict[str, dict[str, str]] = {"dealer": {}, "sku": {}, "staff": {}, "product_group": {}}
    for key, frame in result.tables.items():
        for code, name, kind in (("dealer_id", "dealer_name", "dealer"), ("sku", "sku_name", "sku"),
                                 ("staff_id", "staff_name", "staff"),
                                 ("product_group", "product_group_name", "product_group")):
            if code in frame.columns and name in frame.columns:
                pairs = frame[[code, name]].dropna().astype(str)
                names[kind].update(zip(pairs[code], pairs[name]))
    return names


# ---- the sheets --------------------------------------------------------------------------------

KIND_NUMBER_FORMATS = {"money": "#,##0", "percent": "0.0%", "count": "#,##0", "days": "#,##0.0", "score": "#,##0.0"}
CHANGE_NUMBER_FORMATS = {"money": "+#,##0;-#,##0;0", "percent": "+0.0%;-0.0%;0.0%", "count": "+#,##0;-#,##0;0",
                         "days": "+#,##0.0;-#,##0.0;0.0", "score": "+#,##0.0;-#,##0.0;0.0"}


def write_summary(w: ReportWriter, s: SheetWriter) -> None:
    lang, table = w.lang, w.result.tables["summary"]
    frame = pd.DataFrame({t("col.figure", lang): [t(f"figure.{f}", lang) for f in table["figure"]],
                          t("col.this_month", lang): table["value"].to_numpy(float),
                          t("col.last_month", lang): table["previous"].to_numpy(float),
                          t("col.change", lang): table["change"].to_numpy(float),
                          tr("definition.column", lang): [definitions.reference(definitions.FIGURES[f], lang)
                                                          if f in definitions.FIGURES else None
                                                          for f in table["figure"]]})
    cells = {}
    for row, kind in enumerate(table["kind"]):
        cells[(row, 1)] = cells[(row, 2)] = KIND_NUMBER_FORMATS[kind]
        cells[(row, 3)] = CHANGE_NUMBER_FORMATS[kind]
    achievement = list(table["figure"]).index("achievement") if "achievement" in set(table["figure"]) else None

    def lights(sheet, first: int, last: int) -> None:
        if achievement is not None:
            for column in (1, 2):
                style.traffic_light_icons(sheet, first + achievement, first + achievement, column,
                                          green_at=1.0, red_below=0.9)

    trend = None
    if "sales.trend" in w.result.tables:
        trend = trend_frame(w)
    summary = s.table(t("section.figures", lang), frame, cell_formats=cells, after=lights,
                      chart=trend_chart_spec(w) if trend is not None else None)
    for text in w.result.summary.get("notes", []):  # targets set here, the provisions disagreeing
        s.note(text)
    if trend is not None:
        shown = ("actual", "forecast", "lower_80", "upper_80")
        trend_table = s.table(t("section.trend", lang), trend, {t(f"col.{c}", lang): "#,##0" for c in shown})
        summary.chart.data = trend_table
        trend_table.charted = True
    if w.result.summary.get("missing_parts"):
        for name, reason in w.result.summary["missing_parts"].items():
            s.note(f"{tr(f'ribbon.{name}', lang)}: {_reason(reason, lang)}", t("section.missing_parts", lang))


def _reason(reason: str, lang: str) -> str:
    return t("not_installed", lang) if reason == "not_installed" else reason


def trend_frame(w: ReportWriter) -> pd.DataFrame:
    lang, trend = w.lang, w.result.tables["sales.trend"]
    return trend.rename(columns={c: t(f"col.{c}", lang) for c in trend.columns})


def trend_chart_spec(w: ReportWriter) -> ChartSpec:
    """Actual sales, the forecast and the forecast's 80 % prediction interval (two light lines)."""
    lang = w.lang
    return ChartSpec(t("chart.trend", lang), [Series(t("col.actual", lang), 1, 0x1F4E78),
                                              Series(t("col.forecast", lang), 2, 0xED7D31),
                                              Series(t("col.lower_80", lang), 3, 0xF8CBAD),
                                              Series(t("col.upper_80", lang), 4, 0xF8CBAD)], kind="line")


SALES_COLUMNS = ("key", "actual", "target", "achievement_rate", "gap", "yoy", "ytd", "ytd_yoy")
PERCENT_COLUMNS = ("achievement_rate", "yoy", "ytd_yoy")


def sales_frame(frame: pd.DataFrame, key_label: str, enum: str | None, lang: str,
                names: dict[str, str] | None = None) -> pd.DataFrame:
    """A sales table as shown: its key as the reader knows it (an enum's label, or the name
    ``names`` gives a code) and headers in ``lang``."""
    out = frame.copy()
    if enum:
        out["key"] = out["key"].map(lambda v: tr(f"enum.{enum}.{v}", lang) if has(f"enum.{enum}.{v}") else v)
    if names:
        out["key"] = out["key"].map(lambda v: names.get(str(v), v))
    return out.rename(columns={"key": key_label, **{c: column_label(c, lang) for c in out.columns if c != "key"}})


def sales_formats(lang: str) -> dict:
    return {column_label(c, lang): ("0.0%" if c in PERCENT_COLUMNS else "#,##0")
            for c in (*SALES_COLUMNS[1:], "dealer_id")}


def write_sales(w: ReportWriter, s: SheetWriter) -> None:
    lang, tables = w.lang, w.result.tables
    formats = sales_formats(lang)
    for name, key_column, enum in (("by_region", "region", "region"), ("by_channel", "channel_type", "channel_type"),
                                   ("by_product_group", "product_group", None)):
        shown = sales_frame(tables[f"sales.{name}"], tr(f"col.{key_column}", lang), enum, lang,
                            w.names.get(key_column))
        series = [Series(column_label("actual", lang), 1, 0x1F4E78)]
        if "target" in tables[f"sales.{name}"]:
            series.append(Series(column_label("target", lang), 2, 0xA5A5A5))
        s.table(t(f"section.{name}", lang), shown, formats, bars=(column_label("actual", lang),),
                chart=ChartSpec(t(f"section.{name}", lang), series))
    untargeted_section(w, s)
    for name in ("top_dealers", "bottom_dealers"):
        frame = tables[f"sales.{name}"].rename(columns={"key": "dealer_id"})
        frame = frame.assign(region=frame["region"].map(lambda v: tr(f"enum.region.{v}", lang)
                                                        if has(f"enum.region.{v}") else v))
        s.table(t(f"section.{name}", lang), frame.rename(columns={c: column_label(c, lang) for c in frame.columns}),
                formats, bars=(column_label("actual", lang),))
    if "sales.trend" in tables:
        s.table(t("section.trend", lang), trend_frame(w), {t("col.actual", lang): "#,##0",
                                                           t("col.forecast", lang): "#,##0"},
                chart=trend_chart_spec(w))


def untargeted_section(w: ReportWriter, s: SheetWriter) -> None:
    """The dealers that sold in the month without a target in it, by name and why."""
    lang, table = w.lang, w.result.tables.get("sales.untargeted")
    if table is None:
        return
    if table.empty:
        s.note(t("no_untargeted", lang), t("section.untargeted", lang))
        return
    shown = table.assign(status=table["status"].map(lambda v: tr(f"enum.dealer_status.{v}", lang)
                                                    if has(f"enum.dealer_status.{v}") else v),
                         why=table["why"].map(lambda v: t(f"untargeted.{v}", lang)))
    s.table(t("section.untargeted", lang), shown.rename(columns={c: column_label(c, lang) for c in shown.columns}),
            {column_label("actual", lang): "#,##0"})


def activity_section(w: ReportWriter, s: SheetWriter) -> None:
    """Dealers active in the month by status, trading or not."""
    lang, table = w.lang, w.result.tables.get("sales.dealer_activity")
    if table is None:
        return
    shown = table.assign(status=table["status"].map(lambda v: tr(f"enum.dealer_status.{v}", lang)
                                                    if has(f"enum.dealer_status.{v}") else t("total", lang)))
    s.table(t("section.dealer_activity", lang), shown.rename(columns={c: column_label(c, lang) for c in shown.columns}),
            dict.fromkeys([column_label(c, lang) for c in ("trading", "not_trading", "dealers")], "#,##0"))


def _job_sections(w: ReportWriter, s: SheetWriter, name: str, tables: dict[str, pd.DataFrame] | None = None,
                  sections: tuple[str, ...] = (), charts: dict | None = None) -> list[Table]:
    """Write ``sections`` (table names) of review ``name`` with its own labels; returns the
    tables written. A missing review leaves a note. ``charts`` maps a section to a function
    of its shown frame giving the chart drawn beside it (or None)."""
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
        title = titles[order.index(section)]
        frame = shown[title]
        money = [c for c, f in formats.items() if money_format(f) == "#,##0" and c in frame.columns]
        chart = (charts or {}).get(section)
        placed.append(s.table(title, frame, formats, bars=tuple(money[:1]), rag_column=_rag_column(frame, lang),
                              chart=chart(frame) if chart else None))
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
        if pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_datetime64_any_dtype(frame[column]):
            continue  # numbers and dates are no labels
        values = frame[column].dropna()
        if len(values) and values.isin(labels).all():
            return str(column)
    return None


def count_table(w: ReportWriter, s: SheetWriter, title: str, counts: pd.Series) -> None:
    """A small count table and its column chart (e.g. dealers per tier change)."""
    frame = pd.DataFrame({t("col.category", w.lang): [str(i) for i in counts.index],
                          t("col.count", w.lang): counts.to_numpy(int)})
    s.table(title, frame, {t("col.count", w.lang): "#,##0"},
            chart=ChartSpec(title, [Series(t("col.count", w.lang), 1, 0x1F4E78)], unit="count"))


def write_dealers(w: ReportWriter, s: SheetWriter) -> None:
    activity_section(w, s)
    part = w.result.parts.get("dealers")
    if part is not None:
        lang = w.lang
        tiers = part.tables["appraisal"]["tier_change"].map(
            lambda v: tr(f"enum.tier_change.{v}", lang) if has(f"enum.tier_change.{v}") else v).value_counts()
        count_table(w, s, column_label("tier_change", lang), tiers.sort_index())
    _job_sections(w, s, "dealers", sections=("appraisal", "renewals"))


def write_inventory(w: ReportWriter, s: SheetWriter) -> None:
    lang = w.lang
    part = w.result.parts.get("replenish")
    if part is not None:
        proposal = part.tables["proposal"]
        ordering = proposal.loc[proposal["proposed_qty"].fillna(0) > 0].reset_index(drop=True)
        outs = proposal.loc[pd.to_numeric(proposal["available"], errors="coerce").fillna(0) <= 0]
        top = ordering.nlargest(10, "order_value")
        names = top["sku"].map(lambda code: w.name_of("sku", code))
        # the same SKU may be proposed for two locations: the location tells them apart
        repeated = names.duplicated(keep=False)
        names = names.where(~repeated, names + " (" + top["location"].astype(str) + ")")
        frame = pd.DataFrame({tr("col.sku_name", lang): names.to_numpy(),
                              tr("col.order_value", lang): top["order_value"].to_numpy(float)})
        s.table(t("section.largest_orders", lang), frame, {tr("col.order_value", lang): "#,##0"},
                chart=ChartSpec(t("section.largest_orders", lang), [Series(tr("col.order_value", lang), 1, 0x1F4E78)]))
        s.note(t("stock_outs", lang, count=len(outs)), t("section.stock_outs", lang))
        _job_sections(w, s, "replenish", {"proposal": ordering}, sections=("proposal",))
    else:
        _job_sections(w, s, "replenish")
    health = w.result.tables["inventory_health"]
    yes, no = tr("enum.yes_no.yes", lang), tr("enum.yes_no.no", lang)
    shown = health.assign(slow_moving=health["slow_moving"].map({True: yes, False: no}),
                          obsolete=health["obsolete"].map({True: yes, False: no}))
    shown = shown.rename(columns={c: column_label(c, lang) for c in shown.columns})
    s.table(t("section.slow_moving", lang), shown,
            {column_label("stock_value", lang): "#,##0", column_label("excess_value", lang): "#,##0",
             column_label("days_of_supply", lang): "#,##0", column_label("on_hand", lang): "#,##0"},
            bars=(column_label("excess_value", lang),))


def write_incentives(w: ReportWriter, s: SheetWriter) -> None:
    lang = w.lang
    part = w.result.parts.get("incentives")
    if part is None:
        _job_sections(w, s, "incentives")
        return
    from dealerxl.jobs.incentives import statement_formats, summary_sheet

    summary = part.tables["summary"]
    top = summary.nlargest(15, "payable")
    kinds = top["payee_type"].map(lambda v: "dealer" if v == "dealer" else "staff") if "payee_type" in top \
        else pd.Series("staff", index=top.index)
    names = [w.name_of(kind, code) for kind, code in zip(kinds, top["payee_id"])]
    frame = pd.DataFrame({t("col.payee", lang): names,
                          column_label("payable", lang): top["payable"].to_numpy(float),
                          column_label("clawback", lang): top["clawback"].to_numpy(float)})
    s.table(t("section.payouts", lang), frame, {column_label("payable", lang): "#,##0",
                                                column_label("clawback", lang): "#,##0"},
            chart=ChartSpec(t("section.payouts", lang), [Series(column_label("payable", lang), 1, 0x1F4E78),
                                                         Series(column_label("clawback", lang), 2, 0xC00000)]))
    title, shown = summary_sheet(part)
    formats = statement_formats(lang)
    payable = column_label("payable", lang)
    s.table(title, shown, formats, bars=(payable,) if payable in shown.columns else ())


def write_risk(w: ReportWriter, s: SheetWriter) -> None:
    part = w.result.parts.get("risk")
    if part is None:
        _job_sections(w, s, "risk")
        return
    review = part.tables["review"]
    flagged = review.loc[review["risk_class"].isin(["red", "amber"])].reset_index(drop=True)
    triggered = part.tables["triggered"]
    triggered = triggered.loc[triggered["dealer_id"].isin(flagged["dealer_id"])].reset_index(drop=True)
    from dealerxl.jobs.risk import provision_notes

    for text in provision_notes(part):
        s.note(text)
    ageing_table(w, s, part.tables["ageing"])
    _job_sections(w, s, "risk", {"review": flagged, "triggered": triggered},
                  sections=("review", "triggered", "ageing", "provision", "roll_rates", "unanswered"))


def ageing_table(w: ReportWriter, s: SheetWriter, ageing: pd.DataFrame, count: int = 15) -> None:
    """The ageing buckets of the ``count`` dealers owing most, by name, as a stacked column chart."""
    from dealerxl.forms import ENUMS

    lang = w.lang
    codes = [c for c in ENUMS["ageing_bucket"].codes if c in ageing]
    table = ageing.reset_index() if "dealer_id" not in ageing else ageing
    dealers = table.loc[table["dealer_id"].astype(str) != "total"]
    largest = dealers.assign(_owed=dealers[codes].sum(axis=1)).nlargest(count, "_owed")
    largest = largest.loc[largest["_owed"] > 0]
    labels = [tr(f"enum.ageing_bucket.{c}", lang) for c in codes]
    frame = pd.DataFrame({tr("col.dealer_name", lang): [w.name_of("dealer", d) for d in largest["dealer_id"]],
                          **{label: largest[c].to_numpy(float) for label, c in zip(labels, codes)}})
    s.table(t("section.ageing_chart", lang), frame, dict.fromkeys(labels, "#,##0"),
            chart=ChartSpec(t("section.ageing_chart", lang),
                            [Series(label, i) for i, label in enumerate(labels, start=1)], kind="stacked"))


def write_service(w: ReportWriter, s: SheetWriter) -> None:
    part = w.result.parts.get("service")
    chosen = None
    if part is not None:
        # Per-dealer scores are in the service review's own workbook; the report shows regions and the total.
        scores = part.tables["satisfaction"]
        chosen = {"satisfaction": scores.loc[scores["level"] != "dealer"].reset_index(drop=True)}
        sla_chart(w, s, part.tables["sla_summary"])
    _job_sections(w, s, "service", chosen, sections=("sla_summary", "satisfaction", "promotions", "marketing"))


def sla_chart(w: ReportWriter, s: SheetWriter, summary: pd.DataFrame) -> None:
    """The month's complaints and SLA breaches by severity: the categories a reader sorts by,
    without the dimension column's repeats or the total."""
    lang = w.lang
    rows = summary.loc[summary["dimension"] == "severity"]
    from dealerxl.forms import ENUMS

    order = {code: i for i, code in enumerate(ENUMS["severity"].codes)}
    rows = rows.assign(_order=rows["group"].map(order)).sort_values("_order")
    cases, breaches = tr("report.service.col.cases", lang), tr("report.service.col.breaches", lang)
    frame = pd.DataFrame({tr("col.severity", lang): [tr(f"enum.severity.{g}", lang) if has(f"enum.severity.{g}") else g
                                                     for g in rows["group"]],
                          cases: rows["cases"].to_numpy(int), breaches: rows["breaches"].to_numpy(int)})
    s.table(t("chart.sla", lang), frame, {cases: "#,##0", breaches: "#,##0"},
            chart=ChartSpec(t("chart.sla", lang), [Series(cases, 1, 0x1F4E78), Series(breaches, 2, 0xC00000)],
                            unit="count"))


def write_data_quality(w: ReportWriter, s: SheetWriter) -> None:
    lang = w.lang
    problems = w.result.problems
    frame = pd.DataFrame({t("col.address", lang): [p.address for p in problems],
                          t("col.sheet", lang): [p.sheet or "" for p in problems],
                          t("col.reason", lang): [p.reason(lang) for p in problems]})
    if problems:
        counts = frame.groupby(t("col.sheet", lang)).size()
        count_table(w, s, t("section.problems_by_sheet", lang), counts)
        s.table(t("section.problems", lang, count=len(problems)), frame)
    else:
        s.note(t("no_problems", lang), t("section.problems", lang, count=0))
    left_out_section(w, s)


def left_out_section(w: ReportWriter, s: SheetWriter) -> None:
    """Every row a review left out of its results, with the review and the reason."""
    from dealerxl.jobs.common import left_out_sheet

    lang = w.lang
    parts = [(name, part.tables["left_out"]) for name, part in w.result.parts.items() if "left_out" in part.tables]
    rows = sum(len(frame) for _, frame in parts)
    if not rows:
        s.note(t("nothing_left_out", lang), t("section.left_out", lang, count=0))
        return
    shown = pd.concat([left_out_sheet(frame, lang).assign(**{t("col.review", lang): tr(f"ribbon.{name}", lang)})
                       for name, frame in parts if len(frame)], ignore_index=True)
    shown = shown[[shown.columns[-1], *shown.columns[:-1]]]
    s.table(t("section.left_out", lang, count=rows), shown, {tr("left_out.col.amount", lang): "#,##0"})


WRITERS = {"summary": write_summary, "sales": write_sales, "dealers": write_dealers, "inventory": write_inventory,
           "incentives": write_incentives, "risk": write_risk, "service": write_service,
           "data_quality": write_data_quality}


def write_report(result: JobResult, path: str | Path, *, sheets: tuple[str, ...] = SHEETS) -> Path:
    """Write the monthly report of ``result`` to ``path`` (a new .xlsx), atomically."""
    path = Path(path)
    with atomic_write(path) as temporary:
        book = new_workbook(temporary)  # text stays text: never a formula or a link
        writer = ReportWriter(book, result)
        for done, key in enumerate(sheets):
            progress.step(t(f"sheet.{key}", writer.lang), done, len(sheets))
            sheet = SheetWriter(writer, key)
            WRITERS[key](writer, sheet)
            sheet.finish()
        book.close()
    return path
