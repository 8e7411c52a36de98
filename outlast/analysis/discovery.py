"""Scenario discovery: which parameter ranges lead to the war ending or to regime change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.metrics import OUTCOMES
from outlast.analysis.tables import ENDED, Sweep, format_number

#: Leaves of the scenario-discovery tree hold at least this share of the runs.
MIN_LEAF_SHARE = 0.05
DISCOVERY_DEPTH = 3


@dataclass
class Discovery:
    """Scenario discovery: a shallow tree of outcomes over the design's parameters."""

    tree: Any
    features: list[str]
    classes: list[str]
    leaves: pd.DataFrame


def discover(sweep: Sweep) -> Discovery | str:
    """Which parameter ranges lead to the war ending or to regime change.

    Fits a classification tree (CART, depth 3, leaves of at least 5% of the runs) of each run's
    outcome on the numeric design parameters, and describes every leaf as a box of parameter
    ranges with its runs and the share of each outcome, the leaves where the war most often ends or
    the regime changes first.

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
    from sklearn.tree import DecisionTreeClassifier

    min_leaf = max(2, int(np.ceil(MIN_LEAF_SHARE * len(ok))))
    tree = DecisionTreeClassifier(
        max_depth=DISCOVERY_DEPTH, min_samples_leaf=min_leaf, random_state=0
    )
    x = ok[features].to_numpy(dtype=float)
    tree.fit(x, ok["outcome"].to_numpy())
    leaf_of_run = tree.apply(x)
    rows = []
    for leaf, box in _leaf_boxes(tree, features).items():
        runs = ok[leaf_of_run == leaf]
        row = {"box": box, "runs": len(runs), "p_end_or_change": runs["outcome"].isin(ENDED).mean()}
        for outcome in OUTCOMES:
            row[f"p_{outcome}"] = (runs["outcome"] == outcome).mean()
        rows.append(row)
    leaves = pd.DataFrame(rows).sort_values("p_end_or_change", ascending=False, kind="stable")
    return Discovery(tree, features, [str(c) for c in tree.classes_], leaves.reset_index(drop=True))


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
