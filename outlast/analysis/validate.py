"""`outlast validate`: the model against published figures, over seeds.

A `Check` names a published figure (FACTS.md or a cited study), its source, the observed value as
published and the range a model value must fall in to count as matching, the preset (and any
overrides) whose runs produce it, and a function computing the model's value from one run. Checks
live in the registry `CHECKS`; other modules add theirs with `register`.

A validation is an experiment on the run engine (`outlast.experiments`), like a sweep: its design
points are the distinct (preset, check overrides, user overrides) scenarios the selected checks
read, in the order of the registry, each run over the same number of seeds. Seed ``i`` of point
``p`` is the sweeps' ``run_seed(master_seed, p, i)``, so ``--seed`` is the master seed; the runs
go to the local pool or a Dask cluster, and are stored (with every metric, weekly, and the region
table) with a manifest, so that the same validation resumes. `validate` then evaluates every check
on the stored runs of its point and returns one row per check: the model's mean and 90% interval
over seeds and whether the mean lies in the observed range.

Each check says whether it is a calibration target (a parameter was set so the model reproduces
it, so a match shows only that the calibration holds) or an out-of-sample check (no parameter was
set to it).

Examples:
    >>> table = validate(seeds=2, names=["recruits_per_week_2024_25"])  # doctest: +SKIP

"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.metrics import METRIC_NAMES
from model.scenario import parse_assignment
from model.seeds import DEFAULT_SEED
from outlast.analysis.politics_checks import CHECK_SIZES, COUP_CONDITIONS, pool_coups
from outlast.experiments.design import Experiment, scenarios_experiment
from outlast.experiments.engine import Backend, LocalBackend, SweepOutcome, run_and_read
from outlast.experiments.runner import RunResult
from outlast.experiments.store import StoredRuns

CALIBRATION = "calibration"
CHECK = "check"


@dataclass(frozen=True)
class Check:
    """A published figure and how the model produces it.

    Attributes:
        name: Short identifier (used by ``--only``).
        figure: What is measured, in words.
        source: Where the observed figure comes from.
        observed: The observed figure as published.
        lo: Smallest model value that counts as matching (None: no range, reported only).
        hi: Largest model value that counts as matching.
        preset: The preset whose runs produce the figure.
        measure: The model's value from one run.
        overrides: Parameter overrides on top of the preset (e.g. a longer horizon).
        kind: CALIBRATION (a parameter was set to reproduce it) or CHECK (out of sample).
        pooled: For a figure that is a property of many runs together (a share of events), the
            pooled value and its 90% interval from all runs; `measure` is then reported per run
            only through this.

    """

    name: str
    figure: str
    source: str
    observed: str
    lo: float | None
    hi: float | None
    preset: str
    measure: Callable[[RunResult], float]
    overrides: tuple[tuple[str, Any], ...] = field(default=())
    kind: str = CHECK
    pooled: Callable[[list[RunResult]], tuple[float, float, float]] | None = None

    @property
    def experiment(self) -> tuple[str, tuple[tuple[str, Any], ...]]:
        """The (preset, overrides) pair whose runs this check reads."""
        return (self.preset, self.overrides)


#: Every registered check, in the order of the report.
CHECKS: dict[str, Check] = {}


def register(check: Check) -> Check:
    """Add a check to the registry.

    Raises:
        ValueError: If a check of that name is already registered.

    """
    if check.name in CHECKS:
        raise ValueError(f"a validation check named '{check.name}' is already registered")
    CHECKS[check.name] = check
    return check


# ---- measures on one run --------------------------------------------------------------------


def weekly_value(result: RunResult, metric: str, week: int) -> float:
    """A weekly metric at a week (the last week if the run stopped earlier)."""
    weekly = result.weekly
    row = weekly[weekly["week"] <= week].iloc[-1]
    return float(row[metric])


def weekly_mean(result: RunResult, metric: str, first: int, last: int) -> float:
    """Mean of a weekly metric over weeks first..last."""
    weekly = result.weekly
    return float(weekly.loc[weekly["week"].between(first, last), metric].mean())


def percentile_rank(values: pd.Series, names: Iterable[str], pick: str) -> float:
    """Share of regions with a lower value than the lowest ("min") or highest ("max") of `names`."""
    chosen = values.loc[list(names)]
    value = chosen.min() if pick == "min" else chosen.max()
    return float((values < value).mean())


def deaths_per_100k(result: RunResult) -> pd.Series:
    """Deaths per 100,000 men aged 16-61, by region name."""
    return result.regions.set_index("region")["deaths_per_100k_men"]


def pooled_death_ratio(result: RunResult, tradition: str) -> float:
    """Deaths per head in the regions of a minority tradition over deaths per head nationally."""
    table = result.regions
    group = table[table["minority_tradition"] == tradition]
    national = table["deaths"].sum() / table["men_16_61"].sum()
    if national == 0:
        return math.nan
    return float(group["deaths"].sum() / group["men_16_61"].sum() / national)


def group_death_ratio(result: RunResult, regions: Iterable[str]) -> float:
    """Deaths per head in a group of regions (by iso code) together over the national rate."""
    table = result.regions
    group = table[table["iso"].isin(list(regions))]
    national = table["deaths"].sum() / table["men_16_61"].sum()
    if national == 0:
        return math.nan
    return float(group["deaths"].sum() / group["men_16_61"].sum() / national)


def regional_cv(result: RunResult) -> float:
    """Coefficient of variation of deaths per 100,000 men across regions (unweighted)."""
    rates = result.regions["deaths_per_100k_men"]
    return float(rates.std() / rates.mean()) if rates.mean() else math.nan


def hotline_surrender_share(result: RunResult) -> float:
    """Surrenders through the line over contacts with it, at the end of the run."""
    contacts = weekly_value(result, "hotline_contacts_total", 10**6)
    surrenders = weekly_value(result, "hotline_surrenders_total", 10**6)
    return surrenders / contacts if contacts else math.nan


# ---- the army's checks (FACTS.md) ----------------------------------------------------------

#: The hotline figures are read from historical-2022 run on to the line's first anniversary
#: (18 Sept 2023, week 81 after 24 Feb 2022) with the same recruitment as in the preset
#: (FACTS.md: 26,700 contracts in H1 2023 is about 1,000 a week, the preset's rate).
HOTLINE_YEAR = (("horizon_weeks", 81),)
#: The Muslim-majority republics of the North Caucasus and the two Volga republics of FACTS.md's
#: "North Caucasus and Tatars/Bashkirs", by iso code (the checks, not the model, name regions).
NORTH_CAUCASUS_MUSLIM = ("DA", "IN", "CE", "KB", "KC")
TATARSTAN_BASHKORTOSTAN = ("TA", "BA")
WEEK_20_OCT_2022 = 34
WEEK_3_MAR_2023 = 53
WEEK_18_AUG_2023 = 77

register(
    Check(
        "desertion_rate_baseline",
        "desertions a month over the active force, baseline, weeks 5-52",
        "FACTS.md (court-case counts reported by Mediazona)",
        "well under 1% a month",
        0.0005,
        0.01,
        "baseline",
        lambda r: weekly_mean(r, "desertion_rate_month", 5, 52),
        (("horizon_weeks", 52),),
        CALIBRATION,
    )
)
register(
    Check(
        "recruits_per_week_2024_25",
        "recruits a week, baseline, weeks 1-52",
        "FACTS.md: 166,200 contracts in H1 2024 (news.az); about 417,000 in 2025 (Moscow Times)",
        "6,400 (H1 2024) to 8,000 (2025) a week (model range: 10% either side)",
        5_760.0,
        8_820.0,
        "baseline",
        lambda r: weekly_mean(r, "recruits_week", 1, 52),
        (("horizon_weeks", 52),),
        CALIBRATION,
    )
)
register(
    Check(
        "hotline_contacts_oct_2022",
        "contacts with the surrender line by 20 Oct 2022 (week 34)",
        "FACTS.md (vchaspik.ua)",
        "3,000+ (model range: 1,500-6,000)",
        1_500.0,
        6_000.0,
        "historical-2022",
        lambda r: weekly_value(r, "hotline_contacts_total", WEEK_20_OCT_2022),
        HOTLINE_YEAR,
    )
)
register(
    Check(
        "hotline_contacts_mar_2023",
        "contacts with the surrender line by 3 Mar 2023 (week 53)",
        "FACTS.md (pravda.com.ua, 3 Mar 2023)",
        "9,836 (model range: half to double)",
        4_918.0,
        19_672.0,
        "historical-2022",
        lambda r: weekly_value(r, "hotline_contacts_total", WEEK_3_MAR_2023),
        HOTLINE_YEAR,
        CALIBRATION,
    )
)
register(
    Check(
        "hotline_contacts_aug_2023",
        "contacts with the surrender line by 18 Aug 2023 (week 77)",
        "FACTS.md (interfax.com.ua)",
        "22,239 (model range: half to double)",
        11_120.0,
        44_478.0,
        "historical-2022",
        lambda r: weekly_value(r, "hotline_contacts_total", WEEK_18_AUG_2023),
        HOTLINE_YEAR,
    )
)
register(
    Check(
        "hotline_surrenders_first_year",
        "surrenders through the line in its first year (to week 81)",
        "FACTS.md (ukrinform)",
        "about 200 (model range: half to double)",
        100.0,
        400.0,
        "historical-2022",
        lambda r: weekly_value(r, "hotline_surrenders_total", 10**6),
        HOTLINE_YEAR,
        CALIBRATION,
    )
)
register(
    Check(
        "hotline_surrender_share",
        "surrenders through the line over contacts with it, first year, no payment",
        "FACTS.md (korrespondent.net citing the FT): about 220 of 26,000+ in 1.5 years",
        "under 1% (0.85%)",
        0.0,
        0.01,
        "historical-2022",
        hotline_surrender_share,
        HOTLINE_YEAR,
    )
)
register(
    Check(
        "deaths_tuva_buryatia_rank",
        "share of regions below the lower of Tuva and Buryatia in deaths per 100,000 men",
        "Bessudnov (2023), FACTS.md: Tuvans and Buryats strongly over-represented per head",
        "both near the top (model range: top tenth, >= 0.9)",
        0.9,
        1.0,
        "historical-2022",
        lambda r: percentile_rank(deaths_per_100k(r), ["Tuva", "Buryatia"], "min"),
    )
)
register(
    Check(
        "deaths_moscow_spb_rank",
        "share of regions below the higher of Moscow and St Petersburg in deaths per 100,000 men",
        "Bessudnov (2023), FACTS.md: Moscow and St Petersburg the least represented",
        "both at the bottom (model range: bottom tenth, <= 0.1)",
        0.0,
        0.1,
        "historical-2022",
        lambda r: percentile_rank(deaths_per_100k(r), ["Moscow", "St.Petersburg"], "max"),
    )
)
register(
    Check(
        "deaths_north_caucasus_ratio",
        "deaths per head in the Muslim-majority North Caucasus republics (Dagestan, Ingushetia, "
        "Chechnya, Kabardino-Balkaria, Karachay-Cherkessia) together over the national rate",
        "Bessudnov (2023), FACTS.md: the North Caucasus not over-represented",
        "not over-represented (model range: at most 1.1)",
        0.0,
        1.1,
        "historical-2022",
        lambda r: group_death_ratio(r, NORTH_CAUCASUS_MUSLIM),
        kind=CALIBRATION,
    )
)
register(
    Check(
        "deaths_tatarstan_bashkortostan_ratio",
        "deaths per head in Tatarstan and Bashkortostan together over the national rate",
        "Bessudnov (2023), FACTS.md: Tatars and Bashkirs not over-represented",
        "not over-represented (model range: at most 1.1)",
        0.0,
        1.1,
        "historical-2022",
        lambda r: group_death_ratio(r, TATARSTAN_BASHKORTOSTAN),
        kind=CALIBRATION,
    )
)
register(
    Check(
        "deaths_buddhist_regions_ratio",
        "deaths per head in Buddhist-minority regions (Buryatia, Tuva, Kalmykia) over the "
        "national rate",
        "Bessudnov (2023), FACTS.md: Siberian Buddhist minorities strongly over-represented",
        "strongly over-represented (model range: at least 2)",
        2.0,
        math.inf,
        "historical-2022",
        lambda r: pooled_death_ratio(r, "buddhist"),
    )
)
register(
    Check(
        "deaths_regional_cv",
        "spread of deaths per 100,000 men across the 85 regions (coefficient of variation)",
        "Bessudnov (2023): FACTS.md gives no figure",
        "no figure in FACTS.md",
        None,
        None,
        "historical-2022",
        regional_cv,
    )
)
register(
    Check(
        "minority_death_overrep",
        "minority share of the dead over minority share of men 16-61, 2022-23",
        "Bessudnov (2023): mixed by group (see the rows above); no single figure",
        "no single figure",
        None,
        None,
        "historical-2022",
        lambda r: weekly_value(r, "minority_death_overrep", 10**6),
    )
)


def coup_share_pooled(results: list[RunResult]) -> tuple[float, float, float]:
    """Share of coup attempts that succeeded over all runs, with its 90% Wilson interval."""
    share = pool_coups(
        (int(r.summary["coup_attempts"]), int(r.summary["coups_succeeded"])) for r in results
    )
    return (share.share, *share.interval(0.90))


register(
    Check(
        "coup_success_share",
        "share of coup attempts that succeed, where coups happen (fast exile talks + package)",
        "Powell & Thyne (2011), data 1950-2022 in model/data: 243 of 488",
        "0.50",
        0.35,
        0.65,
        "combined",
        lambda r: (
            r.summary["coups_succeeded"] / r.summary["coup_attempts"]
            if r.summary["coup_attempts"]
            else math.nan
        ),
        tuple(sorted({**COUP_CONDITIONS["combined-fast"], **CHECK_SIZES}.items())),
        CALIBRATION,
        pooled=coup_share_pooled,
    )
)


# ---- running ---------------------------------------------------------------------------------

#: What a validation keeps of each run: every metric, at the end and every week, and the region
#: table, so that a check may read any of them from the store.
KEEP = {"final": list(METRIC_NAMES), "weekly": list(METRIC_NAMES), "regions": True}


def select(names: list[str] | None) -> list[Check]:
    """The checks named (all if None).

    Raises:
        ValueError: On an unknown name.

    """
    if not names:
        return list(CHECKS.values())
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown validation check '{unknown[0]}'; allowed: {', '.join(CHECKS)}")
    return [CHECKS[n] for n in names]


def validation_experiment(
    checks: list[Check],
    seeds: int,
    overrides: list[str] | None = None,
    master_seed: int = DEFAULT_SEED,
) -> Experiment:
    """The experiment the checks read: one design point per distinct (preset, overrides).

    A point's scenario is its preset, then the check's overrides, then the user's ``key=value``
    `overrides` (which win). Points follow the registry's order, so point ids, and with them the
    seeds, depend on which checks are selected but not on the order they are named in.

    Raises:
        ScenarioError: If an override names an unknown parameter or a value out of range.

    """
    user = dict(parse_assignment(text) for text in overrides or [])
    points = [(preset, {**dict(extra), **user}) for preset, extra in experiments_of(checks)]
    return scenarios_experiment("validate", points, seeds, master_seed, KEEP)


def experiments_of(checks: list[Check]) -> list[tuple[str, tuple[tuple[str, Any], ...]]]:
    """The distinct (preset, overrides) pairs the checks read, in the registry's order."""
    order = list(CHECKS)
    ranked = sorted(checks, key=lambda c: order.index(c.name) if c.name in order else len(order))
    return list(dict.fromkeys(c.experiment for c in ranked))


def validate(
    seeds: int = 10,
    names: list[str] | None = None,
    overrides: list[str] | None = None,
    workers: int = 1,
    master_seed: int = DEFAULT_SEED,
    *,
    backend: Backend | None = None,
    out: Path | None = None,
    overwrite: bool = False,
    progress: bool = False,
) -> pd.DataFrame:
    """Run the experiments the checks need over `seeds` seeds and compare with the figures.

    Args:
        seeds: Runs per experiment.
        names: Checks to run (all if None).
        overrides: ``key=value`` overrides applied to every experiment (for sensitivity).
        workers: Local processes to run on (1: in this process), unless `backend` is given.
        master_seed: The master seed of every run's seed (see `validation_experiment`).
        backend: Where the runs happen (a local pool or a Dask cluster); it is not closed.
        out: Directory that keeps the runs (a sweep store with its manifest), so that the same
            validation resumes; None for a temporary one.
        overwrite: Replace the runs of another validation in `out`.
        progress: Show a progress bar on stderr.

    Returns:
        One row per check (see `check_table`).

    """
    checks = select(names)
    exp = validation_experiment(checks, seeds, overrides, master_seed)
    return run_checks(checks, exp, backend or LocalBackend(workers), out, overwrite, progress)[0]


def run_checks(
    checks: list[Check],
    exp: Experiment,
    backend: Backend,
    out: Path | None = None,
    overwrite: bool = False,
    progress: bool = False,
) -> tuple[pd.DataFrame, SweepOutcome]:
    """Run (or resume) the validation experiment on `backend`, then evaluate the checks.

    Returns:
        The table of `check_table`, and what the engine ran.

    """
    done, runs = run_and_read(exp, out, backend, overwrite, progress)
    return check_table(checks, runs), done


def run_results(runs: StoredRuns) -> dict[int, list[RunResult]]:
    """The stored runs that finished, as RunResults, by design point (in seed order).

    A run's summary is its results row: its outcome and every final metric.
    """
    ok = runs.results[runs.results["status"] == "ok"]
    weekly = dict(iter(runs.weekly.groupby("run_id")))
    regions = dict(iter(runs.regions.groupby("run_id"))) if runs.regions is not None else {}
    by_point: dict[int, list[RunResult]] = {}
    for row in ok.to_dict("records"):
        run_id = row["run_id"]
        result = RunResult(weekly[run_id], regions.get(run_id, pd.DataFrame()), row)
        by_point.setdefault(int(row["point_id"]), []).append(result)
    return by_point


def check_table(checks: list[Check], runs: StoredRuns) -> pd.DataFrame:
    """Every check's statistic over the stored runs of its design point.

    Args:
        checks: The checks, as given to `validation_experiment` (their order fixes the points).
        runs: The runs of that experiment.

    Returns:
        One row per check: name, figure, source, observed, kind, model mean, 5% and 95% points
        over seeds (or a pooled check's value and 90% interval), seeds (runs with a value), and
        whether the mean lies in the observed range ("yes", "no", "n/a").

    """
    point_of = {experiment: i for i, experiment in enumerate(experiments_of(checks))}
    by_point = run_results(runs)
    rows = []
    for check in checks:
        results = by_point.get(point_of[check.experiment], [])
        values = np.array([check.measure(r) for r in results], dtype=float)
        values = values[np.isfinite(values)]
        if check.pooled is not None:
            mean, lo5, hi95 = check.pooled(results)
        else:
            mean = float(values.mean()) if values.size else math.nan
            lo5, hi95 = np.quantile(values, [0.05, 0.95]) if values.size else (math.nan, math.nan)
        within = "n/a"
        if check.lo is not None and values.size:
            within = "yes" if check.lo <= mean <= check.hi else "no"
        rows.append(
            {
                "check": check.name,
                "figure": check.figure,
                "source": check.source,
                "observed": check.observed,
                "kind": check.kind,
                "preset": check.preset,
                "model_mean": mean,
                "model_p05": float(lo5),
                "model_p95": float(hi95),
                "seeds": int(values.size),
                "within": within,
            }
        )
    return pd.DataFrame(rows)


def format_value(value: float) -> str:
    """A model value for the report: thousands separated, small shares with 4 significant digits."""
    if not math.isfinite(value):
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def to_markdown(table: pd.DataFrame) -> str:
    """The report as a Markdown table."""
    lines = [
        "| figure | source | observed | kind | model mean | 90% interval | within |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        interval = f"{format_value(row.model_p05)} – {format_value(row.model_p95)}"
        lines.append(
            f"| {row.figure} (`{row.check}`) | {row.source} | {row.observed} | {row.kind} "
            f"| {format_value(row.model_mean)} | {interval} | {row.within} |"
        )
    return "\n".join(lines)


def to_text(table: pd.DataFrame) -> str:
    """The report as a plain table for the terminal."""
    out = table.assign(
        mean=table["model_mean"].map(format_value),
        interval=[
            f"{format_value(a)} - {format_value(b)}"
            for a, b in zip(table["model_p05"], table["model_p95"], strict=True)
        ],
    )[["check", "observed", "kind", "mean", "interval", "within"]]
    return out.to_string(index=False)
