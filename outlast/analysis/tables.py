"""A finished sweep read from disk, and its tables: outcome shares, final metrics, weekly bands.

Uncertainty across seeds is shown as intervals: Wilson 95% intervals of outcome probabilities,
5-95% ranges of final metrics, and 50% and 90% bands of weekly metrics around their median.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from model.metrics import OUTCOMES, SUCCESSOR_STANCES
from outlast.experiments.design import ExperimentError
from outlast.experiments.store import RESULTS, WEEKLY, read_manifest

#: Outcomes other than "ongoing": the war ended by negotiation, or the regime changed (after which
#: the war may or may not end; the `war_ended` metric tells).
ENDED = OUTCOMES[1:]
#: The code of a hard-line successor in the `successor_stance_code` metric.
HARD_LINE_CODE = SUCCESSOR_STANCES.index("hard_line")
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
    """Per design point and final metric: median and the 5% and 95% quantiles across seeds."""
    grouped = sweep.ok.groupby("point_id")[sweep.final_metrics]
    parts = {
        "median": grouped.median(),
        "q05": grouped.quantile(0.05),
        "q95": grouped.quantile(0.95),
    }
    table = pd.concat(parts, axis=1).swaplevel(axis=1)
    return table[[(m, s) for m in sweep.final_metrics for s in parts]]


def weekly_bands(sweep: Sweep, metric: str, by_point: bool = True) -> pd.DataFrame:
    """Quantiles (5, 25, 50, 75, 95%) of a weekly metric across runs, week by week.

    A run that ended before the horizon keeps its last value for the weeks after, so that the
    bands describe every run rather than only those still going.
    """
    wide = sweep.weekly.pivot(index="week", columns="run_id", values=metric).ffill()
    runs = sweep.weekly.groupby("run_id").agg(point_id=("point_id", "first"), last=("week", "max"))
    keys = runs["point_id"] if by_point else pd.Series(-1, index=runs.index)
    frames = []
    for key, run_ids in runs.groupby(keys).groups.items():
        weeks = wide.index <= runs.loc[run_ids, "last"].max()
        q = wide.loc[weeks, list(run_ids)].quantile([0.05, 0.25, 0.5, 0.75, 0.95], axis=1).T
        q.columns = ["q05", "q25", "q50", "q75", "q95"]
        q.insert(0, "point_id", key)
        frames.append(q.reset_index())
    return pd.concat(frames, ignore_index=True)


def point_means(sweep: Sweep) -> pd.DataFrame:
    """Per design point: the mean of each final metric and P(end or change), in point order."""
    ok = sweep.ok.assign(p_end_or_change=sweep.ok["outcome"].isin(ENDED).astype(float))
    means = ok.groupby("point_id")[[*sweep.final_metrics, "p_end_or_change"]].mean()
    return means.reindex(range(sweep.manifest["design"]["n_points"]))
