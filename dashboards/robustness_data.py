"""A finished robustness experiment read for the dashboard: the report's tables, cached.

A robustness experiment (design kind ``robustness``, docs/ROBUSTNESS.md) is a sweep folder like
any other, so the Robustness tab finds them where the Sweeps tab finds sweeps and keeps those
whose manifest says ``robustness``. Every number comes from `outlast.analysis.robustness` and
`outlast.analysis.discovery`, the functions `outlast report` calls, so the tab and the report
agree (tests/dashboards/test_dashboard_robustness.py checks it); this module only picks and
formats their rows.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboards import sweeps
from outlast.analysis.discovery import (
    PrimBox,
    ends_war,
    find_box,
    paired_backfires,
    uncertainty_matrix,
)
from outlast.analysis.robustness import (
    SHARES,
    VERDICTS,
    RobustnessResults,
    comparison_table,
    distribution_table,
    read_robustness,
    verdicts,
)
from outlast.analysis.tables import MIN_RUNS, with_interval
from outlast.experiments.design import ExperimentError

#: The design kind of a robustness experiment in its manifest.
KIND = "robustness"
#: The outcomes a user can choose, in words, and their columns (`SHARES`' keys).
OUTCOME_CHOICES: dict[str, str] = {
    "war ended": "war_ended",
    "regime change": "regime_change",
    "hard-line successor": "hardline_successor",
}
#: The verdict of a future where a policy does clearly worse than the reference: a backfire.
WORSE = VERDICTS[-1]
#: The two questions scenario discovery asks of a policy (the report's, in its words).
ENDS_WAR = "ends the war in at least half its seeds"
BACKFIRES = "backfires (worse than the reference)"


def design_kind(directory: Path) -> str | None:
    """The design kind in a sweep folder's manifest (None if it cannot be read)."""
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        return str(manifest["design"]["kind"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def find_robustness(root: Path) -> list[str]:
    """Names of the finished robustness experiments under `root`, as the Sweeps tab finds sweeps."""
    return [name for name in sweeps.find_sweeps(Path(root)) if design_kind(root / name) == KIND]


@dataclass(frozen=True, eq=False)  # hashed by identity: a cache key for its PRIM boxes
class RobustnessTables:
    """A robustness experiment's results and the report's tables of them.

    Attributes:
        results: What `read_robustness` read.
        distribution: `distribution_table`: per policy and outcome, pooled and across futures.
        comparison: `comparison_table` against the reference (None without a reference or with
            one policy).
        verdicts: `verdicts`: per policy and future, better / no clear difference / worse.

    """

    results: RobustnessResults
    distribution: pd.DataFrame
    comparison: pd.DataFrame | None
    verdicts: pd.DataFrame | None

    @property
    def reference(self) -> str | None:
        """The policy the others are judged against."""
        return self.results.reference

    @property
    def policies(self) -> list[str]:
        """The policies in the design's order."""
        return self.results.policies


def tables_of(results: RobustnessResults) -> RobustnessTables:
    """The report's tables of `results` (about 0.6 s for 10 policies x 72 futures x 6 seeds)."""
    judged = results.reference is not None and len(results.policies) > 1
    return RobustnessTables(
        results=results,
        distribution=distribution_table(results),
        comparison=comparison_table(results) if judged else None,
        verdicts=verdicts(results) if judged else None,
    )


def _stamp(directory: Path) -> tuple[int, ...]:
    """When the folder's files last changed: a rerun of the experiment is read again."""
    names = ("manifest.json", "results.parquet", "weekly.parquet")
    return tuple(
        (directory / n).stat().st_mtime_ns if (directory / n).exists() else 0 for n in names
    )


@functools.lru_cache(maxsize=4)
def _load(directory: str, stamp: tuple[int, ...]) -> RobustnessTables | str:
    del stamp  # part of the cache's key only
    try:
        return tables_of(read_robustness(Path(directory)))
    except (ExperimentError, KeyError, ValueError) as exc:
        return f"cannot read the robustness experiment in '{directory}': {exc}"


def load_tables(directory: Path) -> RobustnessTables | str:
    """The tables of the experiment in `directory`, or one line saying why it cannot be read.

    Cached per folder and the times its files changed: the project's experiment (4,320 runs)
    takes about a second to read and tabulate, then nothing on each visit of the tab.
    """
    directory = Path(directory).resolve()
    return _load(str(directory), _stamp(directory))


def outcome_rows(tables: RobustnessTables, outcome: str) -> pd.DataFrame:
    """Per policy, in the design's order: `outcome` pooled and across futures, with flags.

    The `distribution_table` rows of `outcome` plus ``order`` (the design's), ``small_sample``
    (fewer than `MIN_RUNS` runs) and the report's text of the pooled share, the mean over
    futures and the 10/50/90% points (``pooled_text``, ``mean_text``, ``quantiles_text``).
    """
    if outcome not in SHARES:
        raise ValueError(f"unknown outcome '{outcome}'; allowed: {', '.join(SHARES)}")
    table = tables.distribution
    rows = table[table["outcome"] == outcome].set_index("policy").loc[tables.policies]
    rows = rows.reset_index()
    rows["order"] = range(len(rows))
    rows["small_sample"] = rows["n_runs"] < MIN_RUNS
    rows["pooled_text"] = [
        with_interval(r.pooled, r.pooled_low, r.pooled_high) for r in rows.itertuples()
    ]
    rows["mean_text"] = [with_interval(r.mean, r.mean_low, r.mean_high) for r in rows.itertuples()]
    rows["quantiles_text"] = [
        f"{r.q10:.2f} / {r.q50:.2f} / {r.q90:.2f}" if pd.notna(r.q50) else "-"
        for r in rows.itertuples()
    ]
    return rows


def future_shares(tables: RobustnessTables, outcome: str) -> pd.DataFrame:
    """Per policy and value of the per-future share of `outcome`: how many futures have it.

    Shares are multiples of 1/seeds, so futures pile up on a few values; counting them draws
    the distribution across futures without hiding futures behind one another.
    """
    per_future = tables.results.per_future
    counts = (
        per_future.groupby(["policy", f"p_{outcome}"], sort=False)
        .size()
        .rename("futures")
        .reset_index()
        .rename(columns={f"p_{outcome}": "share"})
    )
    order = {p: i for i, p in enumerate(tables.policies)}
    counts["order"] = counts["policy"].map(order)
    counts["of_futures"] = counts["policy"].map(per_future.groupby("policy").size())
    return counts.sort_values(["order", "share"]).reset_index(drop=True)


def backfire_rows(tables: RobustnessTables) -> pd.DataFrame:
    """Per policy other than the reference: futures better and worse (backfire), P(hard-line).

    The `comparison_table` rows (counts and shares of futures with Wilson intervals, judged by
    the sign test over paired seeds) with the pooled P(hard-line successor) of
    `distribution_table`, its runs, and the report's text of each share. Empty without a
    reference.
    """
    if tables.comparison is None:
        return pd.DataFrame()
    hard = tables.distribution[tables.distribution["outcome"] == "hardline_successor"]
    hard = hard.set_index("policy")
    rows = tables.comparison.copy()
    rows["order"] = range(len(rows))
    rows["n_runs"] = rows["policy"].map(hard["n_runs"])
    for column in ("pooled", "pooled_low", "pooled_high"):
        rows[f"hardline_{column}"] = rows["policy"].map(hard[column])
    rows["small_sample"] = rows["n_runs"] < MIN_RUNS
    for key in ("better", "worse"):
        rows[f"{key}_text"] = [
            f"{getattr(r, key)} of {r.n_futures} "
            f"({with_interval(*(getattr(r, f'p_{key}_futures{s}') for s in ('', '_low', '_high')))})"
            for r in rows.itertuples()
        ]
    rows["hardline_text"] = [
        with_interval(r.hardline_pooled, r.hardline_pooled_low, r.hardline_pooled_high)
        for r in rows.itertuples()
    ]
    rows["gain_text"] = [
        with_interval(r.mean_gain, r.mean_gain_low, r.mean_gain_high) for r in rows.itertuples()
    ]
    return rows


def questions(tables: RobustnessTables, policy: str) -> tuple[str, ...]:
    """The discovery questions that can be asked of `policy` (backfire needs a reference)."""
    judged = tables.verdicts is not None and policy != tables.reference
    return (ENDS_WAR, BACKFIRES) if judged else (ENDS_WAR,)


def question_outcome(tables: RobustnessTables, policy: str, question: str) -> tuple[str, pd.Series]:
    """The outcome in the report's words and, per future, whether it holds.

    As the report's scenario discovery (`robustness_sections.discovery_section`): a policy ends
    the war in a future when its P(war ended) there is at least 0.5 (`discovery.ends_war`); it
    backfires where the paired verdict against the reference is "worse".
    """
    if question == ENDS_WAR:
        return f"{policy} {ENDS_WAR}", ends_war(tables.results.per_future, policy)
    if question == BACKFIRES and question in questions(tables, policy):
        outcome = f"{policy} backfires (worse than {tables.reference} beyond seed noise)"
        return outcome, paired_backfires(tables.verdicts, policy, WORSE).rename(outcome)
    raise ValueError(f"no question '{question}' for policy '{policy}'")


@functools.lru_cache(maxsize=64)
def prim_box(tables: RobustnessTables, policy: str, question: str) -> PrimBox | str:
    """PRIM's box for `question` about `policy`, as the report finds it, or why there is none.

    Takes up to a few seconds when there are enough cases for a box (EMA Workbench's peeling
    over some 190 parameters); the tab runs it off the page's render. Cached per tables
    (by identity), policy and question.
    """
    outcome, flags = question_outcome(tables, policy, question)
    x = uncertainty_matrix(tables.results.futures)
    flags = flags.reindex(x.index)
    known = flags.notna()
    return find_box(x[known], flags[known].astype(bool), outcome)


def no_box_line(found: str) -> str:
    """The tab's (and the report's) sentence when there is no box."""
    return f"No box: {found}."


def box_line(box: PrimBox) -> str:
    """A box in one sentence, as the report writes it."""
    return box.sentence()
