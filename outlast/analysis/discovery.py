"""Scenario discovery: which parameter ranges lead to an outcome, and whether that is more than noise.

Two tools:

- `find_box`: PRIM (Friedman & Fisher 1999, as used for scenario discovery by Bryant & Lempert
  2010) over an ensemble of futures, through EMA Workbench's `prim` (the optional extra `ema`).
  It peels the futures down to a box of parameter ranges where a yes/no outcome is common, and
  reports the box's coverage, density and mass, each restricted dimension's bounds and quasi-p,
  the whole peeling trajectory, and whether the box is significant (`SIGNIFICANCE_RULE`).
- `discover`: a shallow classification tree of a sweep's per-run outcomes, each leaf with its
  runs, an interval and whether it differs from the other runs beyond chance.

The yes/no outcomes of a robustness experiment are built from its per-future table by
`ends_war` ("the policy ends the war in at least half its seeds") and `backfires` ("its P(war
ended) is lower than the baseline's beyond seed noise").
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import fisher_exact
from statsmodels.stats.proportion import proportion_confint

from model.metrics import OUTCOMES
from outlast.analysis.tables import ENDED, Sweep, format_number

#: The one line shown when EMA Workbench is not installed.
EMA_MISSING = (
    "scenario discovery with PRIM needs EMA Workbench, the optional extra 'ema': "
    "pip install outlast[ema]"
)

#: PRIM's settings: the share of futures peeled (and pasted) per step, and the smallest box.
PEEL_ALPHA = 0.05
MASS_MIN = 0.05
#: A box's dimensions must each have a quasi-p at most this, divided by the steps it was chosen from.
QUASI_P_ALPHA = 0.05
#: A box with fewer cases of interest than this is too small to be a finding.
MIN_BOX_CASES = 10
#: The chosen box is the densest significant step covering at least this share of the cases.
MIN_COVERAGE = 0.5
SIGNIFICANCE_RULE = (
    f"a box is significant when it holds at least {MIN_BOX_CASES} cases of interest, is denser "
    f"than the whole ensemble, and every restricted dimension's quasi-p (Bryant & Lempert's "
    f"one-sided binomial test of the box against the box without that restriction; the larger of "
    f"a dimension's two sides) is at most {QUASI_P_ALPHA} divided by the number of peeling "
    f"steps the box was chosen from (Bonferroni: choosing the best of many steps finds chance "
    f"boxes otherwise)"
)
CHOICE_RULE = (
    f"the chosen box is the densest significant step whose coverage is at least {MIN_COVERAGE}; "
    "failing that, the significant step with the highest coverage; failing that, the densest "
    f"step with coverage at least {MIN_COVERAGE}, reported as not significant"
)

#: Leaves of the scenario-discovery tree hold at least this share of the runs, and this many.
MIN_LEAF_SHARE = 0.05
MIN_LEAF_RUNS = 30
DISCOVERY_DEPTH = 3
#: A leaf is a finding when its P(end or change) differs from the other runs' at this level,
#: divided by the number of leaves (Bonferroni).
LEAF_ALPHA = 0.05
#: Plain names of the per-run outcome classes.
OUTCOME_LABELS = {
    "ongoing": "war ongoing at the horizon",
    "ended_by_negotiation": "ended by negotiation",
    "regime_change": "regime change",
}


# ---- yes/no outcomes per future ---------------------------------------------------------------


def _policy_rows(per_future: pd.DataFrame, policy: str) -> pd.DataFrame:
    rows = per_future[per_future["policy"] == policy]
    if rows.empty:
        known = ", ".join(sorted(map(str, per_future["policy"].unique())))
        raise ValueError(f"no rows for policy '{policy}' in the per-future table; it has: {known}")
    if rows["future_id"].duplicated().any():
        raise ValueError(f"policy '{policy}' has more than one row for a future")
    return rows.set_index("future_id").sort_index()


def ends_war(per_future: pd.DataFrame, policy: str, at_least: float = 0.5) -> pd.Series:
    """Per future, whether `policy` ends the war in at least `at_least` of its seeds.

    Args:
        per_future: One row per (policy, future_id) with `p_war_ended`.
        policy: The policy's name in the `policy` column.
        at_least: The share of seeds that counts as ending the war.

    Returns:
        A boolean Series indexed by future_id.

    """
    return _policy_rows(per_future, policy)["p_war_ended"] >= at_least


def uncertainty_matrix(futures: pd.DataFrame) -> pd.DataFrame:
    """The futures' numeric uncertain parameters, indexed by future_id: PRIM's dimensions."""
    x = futures.set_index("future_id").sort_index()
    return x[[c for c in x.columns if pd.api.types.is_numeric_dtype(x[c])]]


def paired_backfires(verdicts: pd.DataFrame, policy: str, worse: str = "worse") -> pd.Series:
    """Per future, whether the robustness analysis's paired verdict on `policy` is `worse`.

    Args:
        verdicts: `outlast.analysis.robustness.verdicts`: one row per policy and future_id with
            its ``verdict`` against the reference over paired seeds.
        policy: The policy judged.
        worse: The verdict that is a backfire.

    """
    mine = verdicts[verdicts["policy"] == policy].set_index("future_id")["verdict"]
    return (mine == worse).rename(f"{policy} backfires")


def backfires(
    per_future: pd.DataFrame,
    policy: str,
    baseline: str = "baseline",
    outcome: str = "p_war_ended",
    alpha: float = 0.05,
) -> pd.Series:
    """Per future, whether `policy`'s share of `outcome` is below `baseline`'s beyond seed noise.

    Beyond seed noise means a one-sided Fisher exact test of the two policies' counts over their
    seeds gives p < `alpha`. The test treats the seeds as independent; with common random
    numbers they are paired, which makes the test conservative (it calls fewer backfires).

    Returns:
        A boolean Series indexed by future_id (futures missing under either policy left out).

    """
    mine, base = _policy_rows(per_future, policy), _policy_rows(per_future, baseline)
    both = mine.index.intersection(base.index)
    flags = {}
    for future in both:
        n1, n0 = int(mine.at[future, "n_seeds"]), int(base.at[future, "n_seeds"])
        k1 = round(float(mine.at[future, outcome]) * n1)
        k0 = round(float(base.at[future, outcome]) * n0)
        p = fisher_exact([[k1, n1 - k1], [k0, n0 - k0]], alternative="less").pvalue
        flags[future] = bool(p < alpha)
    return pd.Series(flags, name=f"{policy} backfires", dtype=bool).rename_axis("future_id")


# ---- PRIM -------------------------------------------------------------------------------------


@dataclass
class PrimBox:
    """One PRIM box over the futures, with everything needed to judge it.

    Attributes:
        outcome: What the cases of interest are, in words.
        n_futures: Futures in the ensemble.
        n_of_interest: Futures where the outcome holds.
        base_rate: Their share of all futures (the density of the unrestricted box).
        step: The chosen step of the peeling trajectory.
        coverage: Share of the cases of interest inside the box.
        density: Share of the futures inside the box that are cases of interest.
        mass: Share of all futures inside the box.
        limits: One row per restricted dimension: the box's low and high, the ensemble's range,
            which sides are restricted, and quasi-p.
        trajectory: One row per step: coverage, density, mass, futures (or runs) in the box,
            cases of interest among them, restricted dimensions, the largest quasi-p and
            whether the step is significant.
        significant: Whether the chosen box meets `SIGNIFICANCE_RULE`.
        why_not: Why it does not (None if it does).
        quasi_p_threshold: The quasi-p each dimension had to meet.
        cases: What a case is, in words: "futures", or "runs" for a sweep.

    """

    outcome: str
    n_futures: int
    n_of_interest: int
    base_rate: float
    step: int
    coverage: float
    density: float
    mass: float
    limits: pd.DataFrame
    trajectory: pd.DataFrame
    significant: bool
    why_not: str | None
    quasi_p_threshold: float
    cases: str = "futures"

    def describe(self) -> str:
        """The box in one line, e.g. 'x1 >= 0.7, x2 <= 0.4'."""
        parts = []
        for row in self.limits.itertuples():
            if row.low_restricted:
                parts.append(f"{row.dimension} >= {format_number(row.low)}")
            if row.high_restricted:
                parts.append(f"{row.dimension} <= {format_number(row.high)}")
        return ", ".join(parts) or "no restriction"

    def sentence(self, emphasis: str = "") -> str:
        """The box in one sentence, as the reports and the dashboard write it.

        Args:
            emphasis: Put around "not significant" (``"**"`` in Markdown).

        """
        verdict = (
            "significant"
            if self.significant
            else f"{emphasis}not significant{emphasis} ({self.why_not}): no finding"
        )
        return (
            f"Holds in {self.n_of_interest} of {self.n_futures} futures ({self.base_rate:.2f}). "
            f"Box at step {self.step}: {self.describe()}; coverage {self.coverage:.2f}, density "
            f"{self.density:.2f}, mass {self.mass:.2f}; {verdict}."
        )


def _ema_prim() -> Any:
    """EMA Workbench's prim module, or raise ImportError with `EMA_MISSING`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # it warns about its own optional parallel backends
            from ema_workbench.analysis import prim
    except ImportError as err:
        raise ImportError(EMA_MISSING) from err
    return prim


def find_box(
    x: pd.DataFrame, y: pd.Series | np.ndarray, outcome: str, cases: str = "futures"
) -> PrimBox | str:
    """PRIM's box for a yes/no outcome over the futures' uncertain parameters.

    Args:
        x: One row per future, one numeric column per uncertain parameter.
        y: Per future (same order), whether the outcome holds.
        outcome: The outcome in words, for tables and figures.
        cases: What a row is, in words ("futures", "runs").

    Returns:
        The chosen box (`CHOICE_RULE`), or one sentence saying why there is no box to look for
        (EMA Workbench missing, no or only cases of interest, too few of them).

    Raises:
        ValueError: If x and y differ in length, or x has a non-numeric column or a missing value.

    """
    y = np.asarray(y, dtype=bool)
    if len(x) != len(y):
        raise ValueError(f"{len(x)} futures but {len(y)} outcomes")
    bad = [c for c in x.columns if not pd.api.types.is_numeric_dtype(x[c])]
    if bad:
        raise ValueError(f"PRIM needs numeric parameters; not numeric: {', '.join(bad)}")
    if x.isna().any().any():
        raise ValueError("PRIM needs every parameter of every future; some are missing")
    k = int(y.sum())
    if k < MIN_BOX_CASES:
        return (
            f"'{outcome}' holds in {k} of {len(y)} {cases}, fewer than the {MIN_BOX_CASES} "
            "a box needs"
        )
    if k == len(y):
        return f"'{outcome}' holds in every one of the {len(y)} {cases}; there is no box to find"
    try:
        prim = _ema_prim()
    except ImportError as err:
        return str(err)
    x = x.astype(float).reset_index(drop=True)
    # Columns that do not vary cannot be restricted; EMA's peeling would divide by their range.
    x = x.loc[:, x.nunique() > 1]
    if x.empty:
        return f"no parameter varies across the {cases}"
    ema_logger = logging.getLogger("EMA")
    level = ema_logger.level
    ema_logger.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            # EMA's own pandas idioms warn of pandas' future changes; they are not ours to fix.
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", FutureWarning)
            runner = prim.Prim(
                x, y.astype(int), peel_alpha=PEEL_ALPHA, paste_alpha=PEEL_ALPHA, mass_min=MASS_MIN
            )
            box = runner.find_box()
    finally:
        ema_logger.setLevel(level)
    found = _judge(box, x, y, outcome)
    found.cases = cases
    return found


def _dimension_quasi_p(sides: list[float]) -> float:
    # EMA gives [low side, high side], -1 for a side that is not restricted.
    valid = [v for v in sides if v >= 0]
    return max(valid) if valid else float("nan")


def _judge(box: Any, x: pd.DataFrame, y: np.ndarray, outcome: str) -> PrimBox:
    """Trajectory, significance and the chosen step of EMA's PrimBox."""
    traj = box.peeling_trajectory
    base_rate = float(y.mean())
    n_steps = max(1, len(traj) - 1)
    threshold = QUASI_P_ALPHA / n_steps
    rows = []
    for i in range(len(traj)):
        qp = {d: _dimension_quasi_p(s) for d, s in box.p_values[i].items()}
        worst = max(qp.values()) if qp else float("nan")
        k, density = int(traj.at[i, "k"]), float(traj.at[i, "density"])
        why = None
        if not qp:
            why = "it restricts nothing"
        elif k < MIN_BOX_CASES:
            why = f"it holds {k} cases of interest, fewer than {MIN_BOX_CASES}"
        elif density <= base_rate:
            why = "it is no denser than the whole ensemble"
        elif worst > threshold:
            dims = ", ".join(f"{d} {v:.2g}" for d, v in qp.items() if v > threshold)
            why = f"quasi-p above {threshold:.2g}: {dims}"
        rows.append(
            {
                "step": i,
                "coverage": float(traj.at[i, "coverage"]),
                "density": density,
                "mass": float(traj.at[i, "mass"]),
                "in_box": int(traj.at[i, "n"]),
                "cases_in_box": k,
                "restricted_dimensions": int(traj.at[i, "res_dim"]),
                "max_quasi_p": worst,
                "significant": why is None,
                "why_not": why,
            }
        )
    table = pd.DataFrame(rows)
    step = _choose(table)
    chosen = table.loc[step]
    return PrimBox(
        outcome=outcome,
        n_futures=len(y),
        n_of_interest=int(y.sum()),
        base_rate=base_rate,
        step=step,
        coverage=float(chosen["coverage"]),
        density=float(chosen["density"]),
        mass=float(chosen["mass"]),
        limits=_limits(box, step, x),
        trajectory=table.drop(columns="why_not"),
        significant=bool(chosen["significant"]),
        why_not=chosen["why_not"] if isinstance(chosen["why_not"], str) else None,
        quasi_p_threshold=threshold,
    )


def _choose(table: pd.DataFrame) -> int:
    """The chosen step (`CHOICE_RULE`)."""
    restricted = table[table["restricted_dimensions"] > 0]
    if restricted.empty:
        return 0
    significant = restricted[restricted["significant"]]
    wide = significant[significant["coverage"] >= MIN_COVERAGE]
    if not wide.empty:
        return int(wide.sort_values(["density", "coverage"], kind="stable").index[-1])
    if not significant.empty:
        return int(significant.sort_values(["coverage", "density"], kind="stable").index[-1])
    wide = restricted[restricted["coverage"] >= MIN_COVERAGE]
    pool = wide if not wide.empty else restricted.iloc[:1]
    return int(pool.sort_values(["density", "coverage"], kind="stable").index[-1])


def _limits(box: Any, step: int, x: pd.DataFrame) -> pd.DataFrame:
    """The restricted dimensions of a step: bounds, the ensemble's range, sides and quasi-p."""
    lims = box.box_lims[step]
    rows = []
    for dim, sides in box.p_values[step].items():
        low, high = float(lims.at[0, dim]), float(lims.at[1, dim])
        rows.append(
            {
                "dimension": dim,
                "low": low,
                "high": high,
                "range_low": float(x[dim].min()),
                "range_high": float(x[dim].max()),
                "low_restricted": bool(sides[0] >= 0),
                "high_restricted": bool(sides[1] >= 0),
                "quasi_p": _dimension_quasi_p(sides),
            }
        )
    columns = [
        "dimension",
        "low",
        "high",
        "range_low",
        "range_high",
        "low_restricted",
        "high_restricted",
        "quasi_p",
    ]
    return pd.DataFrame(rows, columns=columns).sort_values("quasi_p", kind="stable")


def sweep_box(sweep: Sweep) -> PrimBox | str:
    """PRIM's box over a sweep's runs for 'the war ended or the regime changed'.

    Each successful run is a case, its design parameters the dimensions (the seeds of a design
    point share them). Judged by the same rules as the futures' boxes (`SIGNIFICANCE_RULE`).

    Returns:
        The box, or one sentence saying why there is none.

    """
    features = [p for p in sweep.parameters if pd.api.types.is_numeric_dtype(sweep.results[p])]
    ok = sweep.ok
    if not features:
        return "the design's points are presets, not ranges; compare them in the outcome table"
    ended = ok["outcome"].isin(ENDED).to_numpy()
    return find_box(
        ok[features].reset_index(drop=True), ended, "war ended or regime changed", cases="runs"
    )


# ---- the tree over a sweep's runs --------------------------------------------------------------


@dataclass
class Discovery:
    """Scenario discovery: a shallow tree of outcomes over the design's parameters."""

    tree: Any
    features: list[str]
    classes: list[str]
    leaves: pd.DataFrame


def discover(sweep: Sweep) -> Discovery | str:
    """Which parameter ranges lead to the war ending or to regime change.

    Fits a classification tree (CART, depth 3, leaves of at least `MIN_LEAF_RUNS` runs and 5% of
    them) of each run's outcome on the numeric design parameters, and describes every leaf as a
    box of parameter ranges with its runs and outcome shares. A tree splits noise as readily as
    signal, and a test of a leaf on the runs that chose it finds what the tree went looking for;
    so the tree is grown on half of the runs (drawn with a fixed seed) and each leaf is judged on
    the other half (an "honest" tree, Athey & Imbens 2016): its P(end or change) there with a
    Wilson 95% interval, and whether that differs from the other held-out runs' (two-sided
    Fisher exact test at `LEAF_ALPHA` divided by the number of leaves). A leaf that does not is
    no finding.

    Returns:
        The discovery, or one sentence saying why there is nothing to discover.

    """
    features = [p for p in sweep.parameters if pd.api.types.is_numeric_dtype(sweep.results[p])]
    ok = sweep.ok
    if not features:
        return "the design's points are presets, not ranges; compare them in the outcome table"
    if ok["outcome"].nunique() < 2:
        only = ok["outcome"].iloc[0] if len(ok) else "none"
        return f"every successful run ended '{only}'; there is nothing to tell apart"
    if len(ok) < 4 * MIN_LEAF_RUNS:
        return (
            f"{len(ok)} successful runs; a tree needs at least {4 * MIN_LEAF_RUNS}: half to grow "
            f"it with leaves of {MIN_LEAF_RUNS} runs, half to test its leaves"
        )
    from sklearn.tree import DecisionTreeClassifier

    grow = np.zeros(len(ok), dtype=bool)
    grow[np.random.default_rng(0).permutation(len(ok))[: len(ok) // 2]] = True
    min_leaf = max(MIN_LEAF_RUNS, int(np.ceil(MIN_LEAF_SHARE * grow.sum())))
    tree = DecisionTreeClassifier(
        max_depth=DISCOVERY_DEPTH, min_samples_leaf=min_leaf, random_state=0
    )
    x = ok[features].to_numpy(dtype=float)
    tree.fit(x[grow], ok["outcome"].to_numpy()[grow])
    leaf_of_run = tree.apply(x)
    ended = ok["outcome"].isin(ENDED).to_numpy()
    boxes = _leaf_boxes(tree, features)
    rows = []
    for leaf, box in boxes.items():
        inside = leaf_of_run == leaf
        runs = ok[inside]
        held, rest = inside & ~grow, ~inside & ~grow
        k, n = int(ended[held].sum()), int(held.sum())
        k_rest, n_rest = int(ended[rest].sum()), int(rest.sum())
        low, high = proportion_confint(k, n, method="wilson") if n else (np.nan, np.nan)
        p = fisher_exact([[k, n - k], [k_rest, n_rest - k_rest]]).pvalue if n and n_rest else 1.0
        row = {"box": box, "runs": int(inside.sum())}
        for outcome in OUTCOMES:
            row[f"p_{outcome}"] = (runs["outcome"] == outcome).mean()
        row |= {
            "p_end_or_change": ended[inside].mean(),
            "held_out_runs": n,
            "held_out_p": k / n if n else np.nan,
            "low": float(low),
            "high": float(high),
            "p_value_vs_rest": float(p),
            "finding": bool(p < LEAF_ALPHA / len(boxes)),
        }
        rows.append(row)
    leaves = pd.DataFrame(rows).sort_values("p_end_or_change", ascending=False, kind="stable")
    classes = [OUTCOME_LABELS.get(str(c), str(c)) for c in tree.classes_]
    return Discovery(tree, features, classes, leaves.reset_index(drop=True))


def _leaf_boxes(tree: Any, features: list[str]) -> dict[int, str]:
    """Each leaf's path from the root as parameter ranges, e.g. 'x > 0.4, y <= 2e+04'."""
    t = tree.tree_
    boxes: dict[int, str] = {}

    def walk(node: int, bounds: dict[str, list[float]]) -> None:
        if t.children_left[node] == t.children_right[node]:
            parts = []
            for name, (lo, hi) in bounds.items():
                if lo > -np.inf:
                    parts.append(f"{name} > {format_number(lo)}")
                if hi < np.inf:
                    parts.append(f"{name} <= {format_number(hi)}")
            boxes[node] = ", ".join(parts) or "all runs"
            return
        name, cut = features[t.feature[node]], float(t.threshold[node])
        lo, hi = bounds.get(name, [-np.inf, np.inf])
        walk(t.children_left[node], {**bounds, name: [lo, min(hi, cut)]})
        walk(t.children_right[node], {**bounds, name: [max(lo, cut), hi]})

    walk(0, {})
    return boxes
