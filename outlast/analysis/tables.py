"""A finished sweep read from disk, and its tables: outcome shares, final metrics, weekly bands.

Uncertainty across seeds is shown as intervals: Wilson 95% intervals of outcome probabilities,
5-95% ranges of final metrics, and 50% and 90% bands of weekly metrics around their median.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binomtest
from statsmodels.stats.proportion import proportion_confint

from model.metrics import METRICS, OUTCOMES, SUCCESSOR_STANCES
from outlast.experiments.design import ExperimentError
from outlast.experiments.store import RESULTS, WEEKLY, read_manifest

#: Outcomes other than "ongoing": the war ended by negotiation, or the regime changed (after which
#: the war may or may not end; the `war_ended` metric tells).
ENDED = OUTCOMES[1:]
#: The code of a hard-line successor in the `successor_stance_code` metric.
HARD_LINE_CODE = SUCCESSOR_STANCES.index("hard_line")
#: Fewer runs than this behind a figure or a table cell, and the report flags it as a small
#: sample: with 30 runs a share's Wilson 95% interval is still about +-0.17 wide at 0.5.
MIN_RUNS = 30
#: Weekly metrics counted within the week (zero once a run has ended), and 0/1 flags that stay
#: set once they happen (shown as shares, never as quantiles); every other metric is a stock.
FLOWS = frozenset(m.name for m in METRICS if m.flow)
FLAGS = frozenset(m.name for m in METRICS if m.unit == "flag")
#: Categories coded as numbers (unit "code"): counted per category, never given quantiles.
CODES = frozenset(m.name for m in METRICS if m.unit == "code")
#: The quantile columns of `weekly_bands` and their levels.
QUANTILE_COLUMNS = ("q05", "q25", "q50", "q75", "q95")
#: Roads to the end of the war that no lever may be necessary for: the share of ends without each
#: (a kept 0/1 or count metric; 0 means the road was not taken). `army_cracked` counts only where
#: a sweep keeps it.
ENDS_WITHOUT = {
    "agreement": "exile_agreement",
    "coup": "coup_attempts",
    "crack": "army_cracked",
}


@dataclass
class Sweep:
    """A finished sweep as read from disk."""

    root: Path
    manifest: dict[str, Any]
    results: pd.DataFrame
    weekly: pd.DataFrame

    @property
    def parameters(self) -> list[str]:
        """The design's parameter columns."""
        return list(self.manifest["design"]["parameters"])

    @property
    def kind(self) -> str:
        """The design's kind (grid, lhs, sobol, morris, presets)."""
        return self.manifest["design"]["kind"]

    @property
    def final_metrics(self) -> list[str]:
        """The final metrics kept."""
        return list(self.manifest["keep"]["final"])

    @property
    def weekly_metrics(self) -> list[str]:
        """The weekly metrics kept."""
        return list(self.manifest["keep"]["weekly"])

    @property
    def ok(self) -> pd.DataFrame:
        """Runs that finished without an error."""
        return self.results[self.results["status"] == "ok"]

    def points(self) -> pd.DataFrame:
        """One row per design point: point_id, the parameters and a short label."""
        points = self.results.groupby("point_id", sort=True)[self.parameters].first()
        points = points.reset_index()
        points["label"] = [point_label(row, self.parameters) for _, row in points.iterrows()]
        return points


def point_label(row: pd.Series, parameters: list[str]) -> str:
    """A design point's label: its preset, or its parameter values."""
    if parameters == ["preset"]:
        return str(row["preset"])
    return ", ".join(f"{p}={format_number(row[p])}" for p in parameters)


def format_number(value: Any) -> str:
    """A number for a table: thousands separators for large ones, 3 significant digits else."""
    if isinstance(value, str) or value is None:
        return str(value)
    if pd.isna(value):
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def with_interval(p: float, low: float, high: float) -> str:
    """A probability and its interval, '0.62 [0.47, 0.75]'; '-' when unknown."""
    if pd.isna(p):
        return "-"
    return f"{p:.2f} [{low:.2f}, {high:.2f}]"


def markdown_table(df: pd.DataFrame, cell: Callable[[Any], str] = format_number) -> str:
    """A DataFrame as a Markdown table, each value written by `cell` (`format_number`)."""
    head = "| " + " | ".join(str(c) for c in df.columns) + " |"
    rule = "|" + "---|" * len(df.columns)
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def load_sweep(root: Path) -> Sweep:
    """Read a finished sweep.

    Raises:
        ExperimentError: If `root` holds no sweep or an unfinished one.

    """
    root = Path(root)
    manifest = read_manifest(root)
    if manifest is None or manifest.get("kind") != "sweep":
        raise ExperimentError(f"'{root}' holds no sweep (no sweep manifest.json)")
    if not manifest.get("complete"):
        raise ExperimentError(
            f"the sweep in '{root}' is not finished; rerun `outlast sweep` on its experiment file "
            "to complete it"
        )
    try:
        results, weekly = pd.read_parquet(root / RESULTS), pd.read_parquet(root / WEEKLY)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise ExperimentError(
            f"cannot read the results in '{root}' ({exc}); rerun `outlast sweep` on its "
            "experiment file to rebuild them"
        ) from None
    return Sweep(root, manifest, results, weekly)


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson interval of a proportion, 95% by default (NaN for no trials)."""
    if trials == 0:
        return float("nan"), float("nan")
    ci = binomtest(successes, trials).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def _share_with_interval(name: str, flags: pd.Series | None) -> dict[str, float]:
    """P(flag) over runs with its Wilson 95% interval, as ``p_<name>``, ``<name>_low``, ``_high``.

    NaN when the flag is unknown (its metric was not kept) or there are no runs.
    """
    if flags is None or flags.empty:
        return {f"p_{name}": np.nan, f"{name}_low": np.nan, f"{name}_high": np.nan}
    low, high = wilson_interval(int(flags.sum()), len(flags))
    return {f"p_{name}": float(flags.mean()), f"{name}_low": low, f"{name}_high": high}


def _ends_without(ended: pd.DataFrame | None) -> dict[str, float]:
    """Among runs where the war ended: how many, and share, had no agreement, no coup, no crack.

    NaN where unknown: no `war_ended` kept (`ended` is None) or the road's metric not kept.
    """
    row: dict[str, float] = {"ends": np.nan if ended is None else len(ended)}
    for road, metric in ENDS_WITHOUT.items():
        if ended is None or metric not in ended.columns:
            row[f"ends_no_{road}"] = row[f"share_no_{road}"] = np.nan
            continue
        without = int((ended[metric] == 0).sum())
        row[f"ends_no_{road}"] = without
        row[f"share_no_{road}"] = without / len(ended) if len(ended) else np.nan
    return row


def outcome_table(sweep: Sweep) -> pd.DataFrame:
    """Per design point: the headline probabilities with Wilson 95% intervals, and the ends' roads.

    Columns: runs and failures; each outcome's share (`OUTCOMES`); P(war ended) (by negotiation
    or by a new regime that ends it; needs the `war_ended` metric kept), P(regime change) and
    P(hard-line successor) (needs `successor_stance_code`), each with ``_low`` and ``_high``;
    the median week of an outcome; and among runs where the war ended, the counts and shares of
    ends with no exile agreement, no coup attempt and no army crack (`ENDS_WITHOUT`), so that
    whether any lever is necessary by construction can be read off.
    """
    rows = []
    ok = sweep.ok
    for point in sweep.points().itertuples(index=False):
        runs = sweep.results[sweep.results["point_id"] == point.point_id]
        done = ok[ok["point_id"] == point.point_id]
        row = {"point_id": point.point_id, "label": point.label, "runs": len(runs)}
        row["failed"] = len(runs) - len(done)
        for outcome in OUTCOMES:
            row[f"p_{outcome}"] = (done["outcome"] == outcome).mean() if len(done) else np.nan
        war_ended = done["war_ended"] > 0 if "war_ended" in done.columns else None
        stance = done.get("successor_stance_code")
        row.update(_share_with_interval("war_ended", war_ended))
        row.update(_share_with_interval("regime_change", done["outcome"] == "regime_change"))
        row.update(
            _share_with_interval("hard_line", None if stance is None else stance == HARD_LINE_CODE)
        )
        over = done.loc[done["outcome"].isin(ENDED), "outcome_week"]
        row["median_outcome_week"] = over.median() if len(over) else np.nan
        row.update(_ends_without(None if war_ended is None else done[war_ended]))
        rows.append(row)
    return pd.DataFrame(rows)


def final_table(sweep: Sweep) -> pd.DataFrame:
    """Per design point and final metric, across seeds, from the runs that finished.

    For a flag (a 0/1 metric, `FLAGS`): the share of runs with it set and its Wilson 95%
    interval (``share``, ``low``, ``high``), never quantiles of a 0/1 value. For a code (a
    category as a number, `CODES`): the runs in each category (``n_<category>``; the successor's
    stance by its name). For any other metric: the median and the 5% and 95% quantiles
    (``median``, ``q05``, ``q95``).
    """
    ok = sweep.ok
    grouped = ok.groupby("point_id")
    columns = {}
    for metric in sweep.final_metrics:
        if metric in FLAGS:
            hits = grouped[metric].apply(lambda v: int((v > 0).sum()))
            n = grouped[metric].count()
            low, high = wilson_bounds(hits.to_numpy(), n.to_numpy())
            columns[(metric, "share")] = hits / n.where(n > 0)
            columns[(metric, "low")] = pd.Series(low, index=n.index)
            columns[(metric, "high")] = pd.Series(high, index=n.index)
        elif metric in CODES:
            names = {"outcome_code": OUTCOMES, "successor_stance_code": SUCCESSOR_STANCES}.get(
                metric
            )
            codes = ok[metric].dropna().astype(int)
            for code in sorted(set(codes) | set(range(len(names or ())))):
                label = names[code] if names and code < len(names) else str(code)
                columns[(metric, f"n_{label}")] = grouped[metric].apply(
                    lambda v, c=code: int((v == c).sum())
                )
        else:
            columns[(metric, "median")] = grouped[metric].median()
            columns[(metric, "q05")] = grouped[metric].quantile(0.05)
            columns[(metric, "q95")] = grouped[metric].quantile(0.95)
    return pd.DataFrame(columns)


def runs_per_point(sweep: Sweep) -> pd.Series:
    """The runs that finished at each design point (the n behind each of its figures)."""
    counts = sweep.ok.groupby("point_id").size()
    return counts.reindex(sweep.points()["point_id"], fill_value=0)


def weekly_bands(sweep: Sweep, metric: str, by_point: bool = True) -> pd.DataFrame:
    """A weekly metric across runs, week by week, per design point (or pooled).

    Runs stop at an outcome, so some end before the horizon. What a run that has ended counts
    for in later weeks depends on the metric (`ended_runs_rule`):

    - a flow (`Metric.flow`, a count within the week) is 0 after the run's end: nothing more
      happens in it;
    - a flag (unit "flag", 1 from the week it happens on) keeps its last value: a war that ended
      stays ended. Flags are given as the share of runs with the flag set and its Wilson 95%
      interval, never as quantiles of a 0/1 value;
    - any other stock (a level: the force, unrest, an index) is censored: the run is left out of
      the weeks after its end, so the band describes only the runs still going.

    Returns:
        One row per design point (``point_id``, -1 when pooled) and week: ``runs`` (the point's
        runs), ``going`` (runs still going that week), ``n`` (runs the week's values come from),
        and the 5, 25, 50, 75 and 95% quantiles ``q05``..``q95``, or for a flag ``share``,
        ``share_low`` and ``share_high``.

    """
    wide = sweep.weekly.pivot(index="week", columns="run_id", values=metric)
    runs = sweep.weekly.groupby("run_id").agg(point_id=("point_id", "first"), last=("week", "max"))
    keys = runs["point_id"] if by_point else pd.Series(-1, index=runs.index)
    frames = []
    for key, run_ids in runs.groupby(keys).groups.items():
        values = wide.loc[wide.index <= runs.loc[run_ids, "last"].max(), list(run_ids)]
        ended = values.index.to_numpy()[:, None] > runs.loc[run_ids, "last"].to_numpy()[None, :]
        frame = pd.DataFrame({"week": values.index, "runs": len(run_ids)})
        frame["going"] = (~ended).sum(axis=1)
        if metric in FLAGS:
            values = values.ffill()  # a flag never goes back to 0: its last value holds
            frame["n"] = values.notna().sum(axis=1).to_numpy()
            hits = (values > 0).sum(axis=1).to_numpy()
            frame["share"] = hits / np.maximum(frame["n"], 1)
            frame["share_low"], frame["share_high"] = wilson_bounds(hits, frame["n"].to_numpy())
        else:
            if metric in FLOWS:
                values = values.mask(ended, 0.0)  # nothing happens in a run that has ended
            frame["n"] = values.notna().sum(axis=1).to_numpy()
            q = values.quantile([0.05, 0.25, 0.5, 0.75, 0.95], axis=1).T
            for column, level in zip(QUANTILE_COLUMNS, q.columns, strict=True):
                frame[column] = q[level].to_numpy()
        frame.insert(0, "point_id", key)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def ended_runs_rule(metric: str) -> str:
    """How `weekly_bands` treats a run of `metric` after the run ended, in a few words."""
    if metric in FLAGS:
        return "a run that ended keeps its last value (a flag stays set)"
    if metric in FLOWS:
        return "a run that ended counts 0 (a flow: nothing more happens in it)"
    return "a run that ended is left out of later weeks (a stock: censored)"


def wilson_bounds(successes: np.ndarray, trials: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wilson 95% intervals of many proportions at once (NaN where there are no trials)."""
    trials = np.asarray(trials)
    low, high = proportion_confint(successes, np.maximum(trials, 1), method="wilson")
    return np.where(trials > 0, low, np.nan), np.where(trials > 0, high, np.nan)


def point_means(sweep: Sweep) -> pd.DataFrame:
    """Per design point: the mean of each final metric and P(end or change), in point order."""
    ok = sweep.ok.assign(p_end_or_change=sweep.ok["outcome"].isin(ENDED).astype(float))
    means = ok.groupby("point_id")[[*sweep.final_metrics, "p_end_or_change"]].mean()
    return means.reindex(range(sweep.manifest["design"]["n_points"]))
