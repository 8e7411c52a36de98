"""The ``robustness`` design: every policy on every future of an ensemble, with common seeds.

A policy is a setting of the levers (a preset, a preset with some levers set, or a point of a
grid of levers); a future is a setting of the uncertainties (`outlast.experiments.futures`). The
design point of (policy p, future f) is ``p * n_futures + f``: its scenario is the experiment's
base (its ``preset`` and ``[parameters]``), then the policy's levers, then the future's values.
Run (p, f, seed s) has the seed ``SeedSequence(master_seed, spawn_key=(0, f, s))``: it does not
depend on the policy, so a future's seed s draws the same random numbers under every policy
(common random numbers) and policy differences within a future are not seed noise.

A policy may set only levers, and a future only uncertainties and calibrated parameters; either
rule broken stops the experiment with one line.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Annotated, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from model.scenario import Scenario, ScenarioError, make_scenario, preset_overrides

# This module imports nothing of outlast: design.py imports it, and outlast/__init__.py imports
# design.py (tests/test_imports.py forbids the cycle). The ensemble is read by futures.py.

#: The policy the others are judged against when the file names none and one is called so.
DEFAULT_REFERENCE = "baseline"
#: Final metrics every robustness run keeps (added to the file's [keep]); the weekly force gives
#: the army's size relative to its start, the fund's spending its price.
REQUIRED_FINAL = (
    "war_ended",
    "regime_change",
    "successor_stance_code",
    "force_active",
    "fund_spent_usd",
)
REQUIRED_WEEKLY = ("force_active",)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PolicySpec(_Strict):
    """A policy as a table: its name, a preset of levers and levers set on top of it."""

    name: Annotated[str, Field(min_length=1)]
    preset: str = "baseline"
    set: dict[str, Any] = {}


@dataclass(frozen=True)
class RobustnessDesign:
    """A robustness design, expanded.

    Attributes:
        points: One row per (policy, future): point_id, policy, future_id, the levers any policy
            sets and the futures' columns.
        scenarios: The Scenario of each point.
        seed_keys: Per point, the first spawn key of its runs' seeds (its future_id).
        manifest: What the manifest records: policies, levers, uncertainties, reference, futures.
        fingerprint: A hash of the ensemble's content (or its LHS size and seed), so that results
            of another ensemble are never resumed as this one's.

    """

    points: pd.DataFrame
    scenarios: tuple[Scenario, ...]
    seed_keys: list[int]
    manifest: dict[str, Any]
    fingerprint: str


def expand_robustness(
    design: Any,
    base: dict[str, Any],
    parameters: dict[str, Any],
    ensemble: tuple[pd.DataFrame, dict[str, Any], str],
    check_size: Any,
    seeds: int,
) -> RobustnessDesign:
    """Build the points, scenarios and seed keys of a ``robustness`` design.

    Args:
        design: The parsed ``[design]`` table (`outlast.experiments.design.DesignSpec`).
        base: The base values: the experiment's preset and ``[parameters]``.
        parameters: The ``[parameters]`` alone (a policy may not set what they set).
        ensemble: The futures (`outlast.experiments.futures.load_futures`): the table, its
            description for the manifest and a fingerprint of its content.
        check_size: Refuses a design of too many runs, given (points, seeds).
        seeds: Seeds per future.

    Raises:
        ScenarioError: One line naming what is wrong.

    """
    _refuse_other_kinds_keys(design)
    futures, source, fingerprint = ensemble
    if design.max_futures is not None:
        futures = futures[futures["future_id"] < design.max_futures].reset_index(drop=True)
    policies = _policies(design)
    check_size(len(policies) * len(futures), seeds)
    names = [name for name, _ in policies]
    reference = design.reference
    if reference is not None and reference not in names:
        raise ScenarioError(
            f"design.reference = '{reference}' is not one of the policies ({', '.join(names)})"
        )
    if reference is None and DEFAULT_REFERENCE in names:
        reference = DEFAULT_REFERENCE
    uncertainties = list(futures.columns.drop("future_id"))
    for name in base:
        if name in uncertainties:
            where = "[parameters]" if name in parameters else "the base preset"
            raise ScenarioError(f"'{name}' is set by {where} and by the futures; keep it in one")
    for name in parameters:
        if any(name in levers for _, levers in policies):
            raise ScenarioError(f"'{name}' is in [parameters] and set by a policy; keep it in one")
    levers = sorted({name for _, values in policies for name in values})
    future_rows = futures.drop(columns="future_id").to_dict("records")
    rows, scenarios = [], []
    for name, values in policies:
        for future_id, future in enumerate(future_rows):
            try:
                scenario = make_scenario({**base, **values, **future})
            except ScenarioError as exc:
                raise ScenarioError(f"policy '{name}', future_id {future_id}: {exc}") from None
            scenarios.append(scenario)
            row = {"policy": name, "future_id": future_id}
            row.update({lever: getattr(scenario, lever) for lever in levers})
            rows.append(row)
    points = pd.DataFrame(rows, columns=["policy", "future_id", *levers])
    points = pd.concat(
        [points, pd.concat([futures.drop(columns="future_id")] * len(policies), ignore_index=True)],
        axis=1,
    ).copy()  # consolidated: the design adds a column to it
    horizon = {s.horizon_weeks for s in scenarios}
    manifest = {
        "policies": names,
        "reference": reference,
        "levers": levers,
        "uncertainties": uncertainties,
        "n_futures": len(futures),
        "futures": source,
        "horizon_weeks": horizon.pop() if len(horizon) == 1 else None,
    }
    seed_keys = [int(f) for f in points["future_id"]]
    return RobustnessDesign(points, tuple(scenarios), seed_keys, manifest, fingerprint)


def _refuse_other_kinds_keys(design: Any) -> None:
    for key in ("presets", "points", "samples"):
        if getattr(design, key) is not None:
            raise ScenarioError(f"design.{key} is not for kind = 'robustness'")
    if design.parameters:
        raise ScenarioError(
            "a 'robustness' design takes no [design.parameters]; levers go in design.policies "
            "or [design.policy_grid], uncertainties in the futures"
        )


def _policies(design: Any) -> list[tuple[str, dict[str, Any]]]:
    """Each policy's name and the levers it sets (its preset's, then its own)."""
    policies: list[tuple[str, dict[str, Any]]] = []
    for entry in design.policies or []:
        spec = PolicySpec(name=entry, preset=entry) if isinstance(entry, str) else entry
        try:
            _only_levers(preset_overrides(spec.preset), f"preset '{spec.preset}'")
            _only_levers(spec.set, "'set'")
            values = {**preset_overrides(spec.preset), **spec.set}
        except ScenarioError as exc:
            raise ScenarioError(f"policy '{spec.name}': {exc}") from None
        policies.append((spec.name, values))
    policies += _grid_policies(design.policy_grid or {})
    if not policies:
        raise ScenarioError(
            "a 'robustness' design needs design.policies = [\"baseline\", ...] or "
            "[design.policy_grid]"
        )
    names = [name for name, _ in policies]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ScenarioError(f"policy '{twice[0]}' is listed twice; policy names must differ")
    return policies


def _grid_policies(grid: dict[str, list[Any]]) -> list[tuple[str, dict[str, Any]]]:
    """One policy per combination of the grid's lever values, named by them."""
    if not grid:
        return []
    for name, values in grid.items():
        if not values:
            raise ScenarioError(f"design.policy_grid.{name} is empty")
    _only_levers(dict.fromkeys(grid), "design.policy_grid")
    policies = []
    for combo in itertools.product(*grid.values()):
        values = dict(zip(grid, combo, strict=True))
        label = " ".join(f"{name}={_short(value)}" for name, value in values.items())
        policies.append((label, values))
    return policies


def _short(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _role(name: str) -> str:
    return str((Scenario.model_fields[name].json_schema_extra or {})["role"])  # type: ignore[index]


def _only_levers(values: dict[str, Any], where: str) -> None:
    """Refuse parameters that are not levers, naming them."""
    for name in values:
        if name not in Scenario.model_fields:
            make_scenario({name: None})  # the one-line message with a close name
    others = [name for name in values if _role(name) != "lever"]
    if others:
        shown = ", ".join(f"'{n}' ({_role(n)})" for n in others)
        raise ScenarioError(f"{where} sets {shown}; a policy may set only levers")
