"""The Set targets job (manual 4.1): the year's targets as a month × dealer table.

For year Y the annual targets are read per region when ``annual_targets`` has region rows
for Y (each region's target goes to the dealers of that region), otherwise the company row
is used. Each scope's target is split into months by seasonal indices from the sales before
Y (:func:`~dealerxl.calc.targets.seasonal_indices`; the manual overrides of
``target_overrides`` stand and the other months absorb the difference), and allocated to
its dealers by the weighted blend of historic share, recent growth and market potential
within each dealer's floor and ceiling (:func:`~dealerxl.calc.targets.allocate_targets`).
The month × dealer cells then share both totals: cell = month total × dealer total ÷ year,
rounded to the rounding unit so that every month and every dealer still adds up exactly
(:func:`balanced_cells`).

The dealers are those under contract in some month of the year
(:func:`~dealerxl.calc.channel.active_in_month`, from the dealer master's join and
termination dates), with any dealer planned in ``target_inputs``; a dealer gets a target only
for the months it is under contract, and each month's total is shared among the dealers under
contract in that month. A year set after the fact (for a past month) so uses the dealers of
that time, not today's statuses.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from dealerxl.calc import CalcError
from dealerxl.calc.channel import active_in_months
from dealerxl.jobs.errors import JobError
from dealerxl.calc.sales import sales_matrix
from dealerxl.calc.targets import allocate_targets, seasonal_indices, seasonal_split
from dealerxl.jobs.common import JobResult, load_inputs, localise, sheet_title

JOB = "targets"
INPUT_FORMS = ("annual_targets", "target_overrides", "target_inputs", "sales_transactions", "dealer_master")
OUTPUT_FORM = "monthly_targets"


def balanced_cells(row_units, column_units, active=None) -> np.ndarray:
    """Whole-unit cells whose rows add up to ``row_units`` and columns to ``column_units``.

    Equation: exact cell xᵢⱼ = rᵢ·cⱼ / Σr; every cell gets ⌊xᵢⱼ⌋ and the units left over
    in each row and column (at most one more per cell, only where xᵢⱼ has a fraction) are
    placed by a maximum flow source → row → cell → column → sink. The exact table is a
    fractional solution of that flow, so an integral one exists (integral flow theorem;
    Bacharach, "Matrix rounding problems", Management Science 12 (1966)).

    With ``active`` (rows × columns, True where a column may take part in a row: a dealer
    under contract in a month) each row is first shared among its active columns in
    proportion to ``column_units`` (xᵢⱼ = rᵢ·cⱼ·aᵢⱼ / Σₖ cₖ·aᵢₖ), then fitted to both totals
    by iterative proportional fitting (Deming & Stephan, "On a least squares adjustment of a
    sampled frequency table", Annals of Mathematical Statistics 11 (1940)) before rounding;
    cells outside ``active`` stay 0.

    >>> balanced_cells([3, 2], [1, 4]).tolist()
    [[1, 2], [0, 2]]
    >>> balanced_cells([3, 2], [1, 4], active=[[True, True], [False, True]]).tolist()
    [[1, 2], [0, 2]]

    Example (by hand): 4 units in each of two months; the first dealer's year is 6, the
    second's 2 and it is under contract in the first month only: it takes 2 of the first
    month, the first dealer the other 2 and the whole second month.

    >>> balanced_cells([4, 4], [6, 2], active=[[True, True], [True, False]]).tolist()
    [[2, 2], [4, 0]]
    """
    rows = np.asarray(row_units, dtype=np.int64)
    columns = np.asarray(column_units, dtype=np.int64)
    total = int(rows.sum())
    if total != int(columns.sum()):
        raise CalcError("msg.calc.targets.month_totals_dealer_totals")
    if total == 0:
        return np.zeros((rows.size, columns.size), dtype=np.int64)
    if active is None or np.asarray(active, dtype=bool).all():
        exact = np.outer(rows, columns) / total
    else:
        exact = _fitted_to_active(rows, columns, np.asarray(active, dtype=bool))
    cells = np.floor(exact + 1e-9).astype(np.int64)
    row_left = rows - cells.sum(axis=1)
    column_left = columns - cells.sum(axis=0)
    if row_left.sum() == 0:
        return cells
    n_rows, n_columns = rows.size, columns.size
    open_i, open_j = np.nonzero(exact - cells > 1e-9)
    source, sink = 0, 1 + n_rows + n_columns
    tails = np.concatenate([np.full(n_rows, source), 1 + open_i, 1 + n_rows + np.arange(n_columns)])
    heads = np.concatenate([1 + np.arange(n_rows), 1 + n_rows + open_j, np.full(n_columns, sink)])
    capacity = np.concatenate([row_left, np.ones(open_i.size, dtype=np.int64), column_left]).astype(np.int32)
    graph = csr_matrix((capacity, (tails, heads)), shape=(sink + 1, sink + 1))
    flow = maximum_flow(graph, source, sink)
    if flow.flow_value != int(row_left.sum()):
        raise CalcError("msg.calc.targets.month_dealer_targets_cannot")
    placed = np.asarray(flow.flow[1 + open_i, 1 + n_rows + open_j]).ravel()
    cells[open_i, open_j] += placed.astype(np.int64)
    return cells


def _fitted_to_active(rows: np.ndarray, columns: np.ndarray, active: np.ndarray) -> np.ndarray:
    """The exact table of :func:`balanced_cells` with ``active`` cells only, fitted to both totals."""
    share = columns[None, :].astype(float) * active
    per_row = share.sum(axis=1)
    empty = (per_row <= 0) & (rows > 0)
    if empty.any():
        raise CalcError("msg.calc.targets.month_has_target_but", value=int(np.flatnonzero(empty)[0]) + 1)
    exact = np.divide(rows[:, None] * share, per_row[:, None], out=np.zeros(share.shape), where=per_row[:, None] > 0)
    for _ in range(1000):  # proportional fitting: a few dozen sweeps on these margins
        by_column = exact.sum(axis=0)
        exact = exact * np.divide(columns, by_column, out=np.zeros(columns.shape), where=by_column > 0)[None, :]
        by_row = exact.sum(axis=1)
        exact = exact * np.divide(rows, by_row, out=np.zeros(rows.shape), where=by_row > 0)[:, None]
        if np.abs(exact.sum(axis=0) - columns).max() < 1e-7:
            return exact
    raise CalcError("msg.calc.targets.dealers_year_targets_do")


def contract_months(dealers: pd.DataFrame, year: int, planned=()) -> pd.DataFrame:
    """Dealers × the 12 months of ``year``: True where the dealer is under contract in the month
    (:func:`~dealerxl.calc.channel.active_in_month`); a dealer ``planned`` in the target inputs
    counts from its join date on whatever its status (a prospect expected to sign).

    >>> dealers = pd.DataFrame({"join_date": ["2020-01-01", "2026-03-10"], "termination_date": ["2026-10-16", None],
    ...                         "status": ["terminated", "prospect"], "dealer_id": ["D1", "D2"]})
    >>> contract_months(dealers, 2026, ["D2"]).sum(axis=1).tolist()
    [10, 10]
    """
    planned = dealers["dealer_id"].isin(list(planned)).to_numpy()
    status = np.where(planned, "active", dealers["status"].to_numpy(dtype=object))
    active = active_in_months(dealers["join_date"], dealers["termination_date"], status,
                              [f"{year}-{month:02d}" for month in range(1, 13)])
    return pd.DataFrame(active, index=dealers.index, columns=range(1, 13))


def history_window(year: int) -> tuple[pd.Period, pd.Period]:
    """The months of history a year's targets are taken from: everything up to December of Y-1."""
    return pd.Period(f"{year - 1}-12", "M"), pd.Period(f"{year}-01", "M")


def dealer_basis(history: pd.DataFrame, growth_months: int) -> pd.DataFrame:
    """Per dealer: net sales of the last 12 months (``history``, at least 0) and recent growth, the last
    ``growth_months`` months over the same months a year before (blank without sales then)."""
    values = history.to_numpy(dtype=float)
    # Net sales: a dealer whose returns in the last 12 months exceed its sales has no share
    # of the history (0), rather than a negative one that no allocation can take.
    last12 = np.maximum(values[:, -12:].sum(axis=1), 0.0)
    recent = values[:, -growth_months:].sum(axis=1)
    earlier = values[:, -12 - growth_months:-12].sum(axis=1) if values.shape[1] >= 12 + growth_months \
        else np.full(values.shape[0], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(earlier > 0, recent / earlier - 1.0, np.nan)
    return pd.DataFrame({"dealer_id": history.index, "history": last12, "recent_growth": growth})


def _scopes(annual: pd.DataFrame, year: int) -> pd.DataFrame:
    rows = annual.loc[annual["year"] == year]
    regions = rows.loc[rows["target_scope"] != "company"]
    chosen = regions if len(regions) else rows.loc[rows["target_scope"] == "company"]
    if chosen.empty:
        raise JobError("msg.targets.no_year", year=year, label_fields={
            "sheet": "form.annual_targets.sheet", "year_column": "col.year", "scope_column": "col.target_scope",
            "amount_column": "col.target_amount", "company": "enum.target_scope.company"})
    return chosen[["target_scope", "target_amount"]].reset_index(drop=True)


def _overrides(overrides: pd.DataFrame, year: int, scope: str) -> list:
    months = pd.to_datetime(overrides["month"])
    mine = overrides.loc[(months.dt.year == year) & (overrides["target_scope"] == scope)]
    fixed = [None] * 12
    for month, amount in zip(pd.to_datetime(mine["month"]).dt.month, mine["target_amount"]):
        fixed[month - 1] = float(amount)
    return fixed


def run_targets(source, year: int, *, lang: str | None = None) -> JobResult:
    """Read ``source`` (a path or an open workbook) and set the targets of ``year``.

    Tables: ``monthly_targets`` (the output form, by column id, one row per month × dealer).
    Summary: year, scopes, dealers, total. Rows with problems are left out and returned.
    """
    inputs = load_inputs(source, list(INPUT_FORMS), lang=lang)
    return set_targets(inputs, year)


def set_targets(inputs, year: int) -> JobResult:
    """The calculation part of :func:`run_targets` on inputs already read."""
    year = int(year)
    settings = inputs.settings
    unit = float(settings["target_rounding_unit"])
    growth_months = int(settings["target_growth_months"])
    weights = {name: float(settings[f"target_weight_{name}"]) for name in ("history", "growth", "potential")}
    scopes = _scopes(inputs["annual_targets"], year)
    last_month, _ = history_window(year)

    transactions = inputs["sales_transactions"]
    transactions = transactions.loc[pd.to_datetime(transactions["invoice_date"]).dt.to_period("M") <= last_month]
    if transactions.empty:
        raise JobError("msg.targets.no_history", year=year, label_fields={"sheet": "form.sales_transactions.sheet"})
    dealers = inputs["dealer_master"][["dealer_id", "region", "sales_rep_id", "status", "join_date",
                                       "termination_date"]].drop_duplicates("dealer_id")
    planning = inputs["target_inputs"].loc[inputs["target_inputs"]["year"] == year]
    under_contract = contract_months(dealers, year, planning["dealer_id"])
    dealers = dealers.loc[under_contract.any(axis=1)]
    under_contract = under_contract.loc[dealers.index]
    first_month = pd.to_datetime(transactions["invoice_date"]).min().to_period("M")
    history = sales_matrix(transactions, by="dealer_id", date="invoice_date", first_month=first_month,
                           last_month=last_month)
    history = history.reindex(dealers["dealer_id"].to_numpy(), fill_value=0.0)
    basis = dealer_basis(history, growth_months).merge(dealers, on="dealer_id")
    basis = basis.merge(planning[["dealer_id", "market_potential", "target_floor", "target_ceiling"]],
                        on="dealer_id", how="left")
    min_months = int(settings.get("seasonal_min_history_months", 24))

    def indices_of(frame):
        monthly = history.loc[frame["dealer_id"]].sum(axis=0).to_numpy()
        return seasonal_indices(monthly, start_month=first_month.month, min_moving_average_months=min_months)

    company_indices = indices_of(basis)
    warnings, parts = [], []
    for scope, amount in scopes.itertuples(index=False):
        members = basis if scope == "company" else basis.loc[basis["region"] == scope]
        if members.empty:
            raise JobError("msg.targets.no_dealer", label_fields={
                "scope": f"enum.target_scope.{scope}", "sheet": "form.dealer_master.sheet",
                "inputs": "form.target_inputs.sheet"})
        try:
            indices = indices_of(members) if scope != "company" else company_indices
        except CalcError:
            # A region too small for a pattern of its own follows the company's.
            indices = company_indices
            warnings.append(scope)
        months = seasonal_split(float(amount), indices, _overrides(inputs["target_overrides"], year, scope), unit)
        members = members.reset_index(drop=True)
        active = under_contract.set_index(dealers["dealer_id"]).loc[members["dealer_id"]].to_numpy().T
        allocated = allocate_targets(float(amount), members, weight_history=weights["history"],
                                     weight_growth=weights["growth"], weight_potential=weights["potential"], unit=unit,
                                     month_totals=months["target"].to_numpy(), active=active)
        cells = balanced_cells(np.round(months["target"].to_numpy() / unit).astype(np.int64),
                               np.round(allocated["target_amount"].to_numpy() / unit).astype(np.int64), active)
        n = len(allocated)
        parts.append(pd.DataFrame({
            "month": np.repeat(pd.date_range(f"{year}-01-01", periods=12, freq="MS"), n),
            "dealer_id": np.tile(allocated["dealer_id"].to_numpy(), 12),
            "year": year,
            "region": np.tile(allocated["region"].to_numpy(), 12),
            "sales_rep_id": np.tile(allocated["sales_rep_id"].to_numpy(), 12),
            "seasonal_index": np.repeat(months["seasonal_index"].to_numpy(), n),
            # The dealer's part of the scope's year as set: its allocation share, less the
            # months it is not under contract (they go to the dealers that are).
            "allocation_share": np.tile(cells.sum(axis=0) / max(int(cells.sum()), 1), 12),
            "target_amount": (cells.ravel() * unit).round(_decimals(unit)),
            # Targets are set in money; the column stays blank so the table keeps its shape.
            "target_qty": np.nan,
        }))
    table = pd.concat(parts, ignore_index=True).sort_values(["month", "dealer_id"], kind="stable")
    table = table.reset_index(drop=True)
    summary = {"year": year, "scopes": scopes["target_scope"].tolist(), "dealers": int(table["dealer_id"].nunique()),
               "total": float(table["target_amount"].sum()), "company_pattern_for": warnings}
    return JobResult(job=JOB, lang=inputs.lang, tables={OUTPUT_FORM: table}, problems=list(inputs.problems),
                     warnings=warnings, summary=summary)


def _decimals(unit: float) -> int:
    return max(0, -int(np.floor(np.log10(unit)))) if unit < 1 else 0


def summary_lines(result: JobResult, lang: str) -> list[str]:
    """What a button says after setting the targets: the year's total and dealers, and the
    scopes that fell back to the company's seasonal pattern."""
    from dealerxl.i18n import tr

    summary = result.summary
    lines = [tr("msg.targets.summary", lang, year=summary["year"], total=f"{summary['total']:,.0f}",
                dealers=summary["dealers"])]
    if result.warnings:
        lines.append(tr("msg.targets.company_pattern", lang, scopes=", ".join(result.warnings)))
    return lines


def report_sheets(result: JobResult) -> dict[str, pd.DataFrame]:
    """The target table as people read it: localised sheet name, headers and region names."""
    return {sheet_title(OUTPUT_FORM, result.lang): localise(result.tables[OUTPUT_FORM], OUTPUT_FORM, result.lang)}


def output_name(result: JobResult) -> str:
    """The file name in the workbook's language, e.g. ``每月目標_2026.xlsx``."""
    return f"{sheet_title(OUTPUT_FORM, result.lang)}_{result.summary['year']}.xlsx"
