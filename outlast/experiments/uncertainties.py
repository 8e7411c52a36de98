"""Latin hypercube samples of every `uncertainty` and `calibrated` Scenario field, made valid.

The Scenario's roles (`model/scenario.py`) say which fields nobody knows exactly: `uncertainty`
and `calibrated` (an uncertainty fitted to a published figure). History matching
(`outlast.analysis.history_matching`) samples all of them at once, over their bounds or a smaller
box, and the ensemble it keeps names one column per field.

A Latin hypercube (scipy's `qmc.LatinHypercube`) is drawn on the unit cube and mapped to each
field's [lo, hi]; integers are rounded (each integer gets an equal share of the unit interval), a
choice field (``initial_force_regional_mix``) takes its allowed values in equal shares. Some
fields are constrained jointly (`Scenario._check_joint_constraints`); a sample is repaired,
not rejected, so that every point of the hypercube is run:

- weights that must sum to 1 (``elite_share_*``, ``strength_weight_*``, ``threat_weight_*``) are
  each drawn in [0, 1] and divided by their sum;
- a ``*_min``/``*_max`` pair is sorted (the smaller is the minimum);
- ``share_mobilised + share_contract`` above 1 is scaled down to 1 (no pre-war professionals);
- ``peer_ties`` is rounded to an even number and kept below ``unit_size_agents``.

So the realised values' marginals differ a little from uniform for those fields; the ensemble
records the realised values.

Examples:
    >>> box = prior_box()
    >>> points = sample_box(box, 4, seed=1)
    >>> len(points), "leave_threshold_mean" in points
    (4, True)

"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from model.scenario import ELITE_KINDS, WEIGHT_GROUPS, Scenario, make_scenario

#: The roles history matching samples.
SAMPLED_ROLES = ("uncertainty", "calibrated")


@dataclass(frozen=True)
class FieldRange:
    """Where one field is sampled: [lo, hi] for a number, or the allowed choices."""

    name: str
    kind: str  # "float", "int" or "choice"
    lo: float = 0.0
    hi: float = 0.0
    choices: tuple[str, ...] = ()


def sampled_fields(roles: tuple[str, ...] = SAMPLED_ROLES) -> list[str]:
    """Names of every Scenario field of the given roles, in declaration order.

    By default every `uncertainty` and `calibrated` field; ``("uncertainty",)`` leaves the
    calibrated fields at their fitted values (history matching given the calibration).
    """
    return [
        name
        for name, info in Scenario.model_fields.items()
        if (info.json_schema_extra or {}).get("role") in roles
    ]


def around_defaults(box: dict[str, FieldRange], width: float) -> dict[str, FieldRange]:
    """`box` narrowed to `width` of each number's range, centred on the Scenario's default.

    The window is shifted inside the bounds where the default lies near one end, so every field
    keeps `width` of its range; choices are kept whole. ``width = 1`` returns `box` unchanged.
    """
    if width >= 1.0:
        return box
    narrowed = {}
    for name, r in box.items():
        if r.kind == "choice":
            narrowed[name] = r
            continue
        default = float(Scenario.model_fields[name].default)
        half = width * (r.hi - r.lo) / 2
        lo = min(max(r.lo, default - half), r.hi - 2 * half)
        narrowed[name] = FieldRange(name, r.kind, lo, lo + 2 * half)
    return narrowed


def prior_box(roles: tuple[str, ...] = SAMPLED_ROLES) -> dict[str, FieldRange]:
    """Every sampled field (of the given roles) over its full bounds (the first wave's box)."""
    box = {}
    for name in sampled_fields(roles):
        info = Scenario.model_fields[name]
        extra = info.json_schema_extra or {}
        if info.annotation in (int, float):
            kind = "int" if info.annotation is int else "float"
            box[name] = FieldRange(name, kind, float(extra["lo"]), float(extra["hi"]))
        else:
            box[name] = FieldRange(name, "choice", choices=tuple(typing.get_args(info.annotation)))
    return box


def sample_box(box: dict[str, FieldRange], n: int, seed: int) -> pd.DataFrame:
    """`n` Latin hypercube points in `box`, repaired to valid Scenarios.

    Args:
        box: Where each field is sampled (`prior_box` or a narrower one).
        n: Points.
        seed: Seed of the hypercube.

    Returns:
        One row per point, one column per field of `box`, in its order.

    """
    names = list(box)
    unit = qmc.LatinHypercube(d=len(names), seed=seed).random(n)
    columns: dict[str, Any] = {}
    for j, name in enumerate(names):
        r = box[name]
        u = unit[:, j]
        if r.kind == "choice":
            index = np.minimum((u * len(r.choices)).astype(int), len(r.choices) - 1)
            columns[name] = [r.choices[i] for i in index]
        elif r.kind == "int":
            # Each integer of [lo, hi] gets an equal share of the unit interval.
            values = np.floor(r.lo + u * (r.hi - r.lo + 1.0))
            columns[name] = np.clip(values, r.lo, r.hi).astype(np.int64)
        else:
            columns[name] = r.lo + u * (r.hi - r.lo)
    return repair(pd.DataFrame(columns, columns=names))


def repair(points: pd.DataFrame) -> pd.DataFrame:
    """Make every row satisfy the Scenario's joint constraints (see the module docstring)."""
    p = points.copy()
    for prefix, parts in WEIGHT_GROUPS.items():
        cols = [prefix + part for part in parts]
        if all(c in p for c in cols):
            total = p[cols].sum(axis=1).to_numpy()
            even = np.full(len(cols), 1.0 / len(cols))
            values = np.where(total[:, None] > 0, p[cols].to_numpy() / total[:, None], even)
            p[cols] = values
    pairs = [(f"elite_base_cost_min_{k}", f"elite_base_cost_max_{k}") for k in ELITE_KINDS]
    pairs.append(("elite_loyalty_min", "elite_loyalty_max"))
    for lo, hi in pairs:
        if lo in p and hi in p:
            a, b = p[lo].to_numpy(), p[hi].to_numpy()
            p[lo], p[hi] = np.minimum(a, b), np.maximum(a, b)
    if "share_mobilised" in p and "share_contract" in p:
        total = (p["share_mobilised"] + p["share_contract"]).to_numpy()
        scale = np.where(total > 1.0, 1.0 / np.maximum(total, 1e-12), 1.0)
        p["share_mobilised"] = np.minimum(p["share_mobilised"] * scale, 0.8)
        # The contract share takes what is left, so rounding cannot push the sum above 1.
        p["share_contract"] = np.minimum(
            np.minimum(p["share_contract"] * scale, 0.9), 1.0 - p["share_mobilised"]
        )
    if "peer_ties" in p:
        ties = 2 * np.maximum(np.rint(p["peer_ties"].to_numpy() / 2.0), 1).astype(np.int64)
        if "unit_size_agents" in p:
            below = p["unit_size_agents"].to_numpy() - 1
            ties = np.minimum(ties, below - below % 2)
        p["peer_ties"] = ties
    return p


def point_values(row: dict[str, Any]) -> dict[str, Any]:
    """A sampled row as Scenario values: numpy scalars as Python numbers."""
    return {k: v.item() if isinstance(v, np.generic) else v for k, v in row.items()}


def check_point(row: dict[str, Any]) -> Scenario:
    """The Scenario of a sampled row (raises ScenarioError if a repair missed a constraint)."""
    return make_scenario(point_values(row))


def survivors_box(
    prior: dict[str, FieldRange], survivors: pd.DataFrame, widen: float
) -> dict[str, FieldRange]:
    """The survivors' bounding box, each side widened by `widen` x its width, within the prior.

    A choice field keeps the choices the survivors took. Widening guards against a box cut to
    the few points that happened to survive a sparse wave.
    """
    box = {}
    for name, r in prior.items():
        values = survivors[name]
        if r.kind == "choice":
            taken = set(values)
            box[name] = FieldRange(
                name, "choice", choices=tuple(c for c in r.choices if c in taken)
            )
            continue
        lo, hi = float(values.min()), float(values.max())
        pad = widen * (hi - lo)
        lo, hi = max(r.lo, lo - pad), min(r.hi, hi + pad)
        if r.kind == "int":
            lo, hi = float(np.floor(lo)), float(np.ceil(hi))
        box[name] = FieldRange(name, r.kind, lo, hi)
    return box


def range_ratio(prior: dict[str, FieldRange], box: dict[str, FieldRange]) -> dict[str, float]:
    """Per field, the box's width over the prior's (choices: the share of choices kept)."""
    ratios = {}
    for name, r in prior.items():
        b = box[name]
        if r.kind == "choice":
            ratios[name] = len(b.choices) / len(r.choices)
        else:
            ratios[name] = (b.hi - b.lo) / (r.hi - r.lo) if r.hi > r.lo else 1.0
    return ratios
