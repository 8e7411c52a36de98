"""Ensembles of futures: the values of the model's uncertainties that a robustness design varies.

A future is one setting of the parameters nobody controls (role ``uncertainty``, or
``calibrated``: fitted, but with a range of fits). An ensemble is a CSV file with a column
``future_id`` (0..n-1, each once) and one column per Scenario field it sets; fields it does not
name keep the base scenario's values. History matching writes the plausible ensemble in this
form (a JSON sidecar of the same stem may describe its provenance; it is not read here).

`lhs_futures` makes an ensemble in memory instead: a Latin hypercube over every numeric
uncertainty's bounds, for a first look before a plausible ensemble exists.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, Strict

from model.scenario import (
    ELITE_KINDS,
    WEIGHT_GROUPS,
    Scenario,
    ScenarioError,
    make_scenario,
)

#: Roles a future may set.
FUTURE_ROLES = ("uncertainty", "calibrated")

# This module imports nothing of outlast: design.py imports it, and outlast/__init__.py imports
# design.py (tests/test_imports.py forbids the cycle).


class LhsFutures(BaseModel):
    """``futures = { lhs = N }``: N futures by Latin hypercube over the uncertainties' bounds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lhs: Annotated[int, Strict(), Field(ge=1, le=100_000)]


def load_futures(
    spec: str | LhsFutures | None, experiment_path: Path, design_seed: int
) -> tuple[pd.DataFrame, dict[str, Any], str]:
    """The ensemble a robustness design names, a description and a fingerprint of its content.

    Args:
        spec: ``design.futures``: a CSV file relative to the experiment file, or an LHS size.
        experiment_path: The experiment file.
        design_seed: The LHS's seed (the master seed's design stream).

    Returns:
        The futures (`read_futures` or `lhs_futures`); for the manifest, the file and its
        sha256 or the LHS's size and seed; a fingerprint that changes with the ensemble, so
        that results of another ensemble are never resumed as this one's.

    Raises:
        ScenarioError: If there is no ensemble or it is malformed (one line).

    """
    if spec is None:
        raise ScenarioError(
            "a 'robustness' design needs design.futures: a CSV file (\"ensembles/NAME.csv\") "
            "or { lhs = N }"
        )
    if isinstance(spec, LhsFutures):
        source = {"lhs": spec.lhs, "seed": design_seed}
        return lhs_futures(spec.lhs, design_seed), source, f"lhs {spec.lhs} {design_seed}"
    path = experiment_path.parent / spec
    futures = read_futures(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return futures, {"file": spec, "sha256": digest}, digest


def role_of(name: str) -> str:
    """The role of a Scenario field (lever, uncertainty, calibrated, setting)."""
    return str((Scenario.model_fields[name].json_schema_extra or {})["role"])  # type: ignore[index]


def names_with_role(*roles: str) -> list[str]:
    """Scenario fields of the given roles, in declaration order."""
    return [name for name in Scenario.model_fields if role_of(name) in roles]


def read_futures(path: Path) -> pd.DataFrame:
    """Read and check an ensemble file.

    Returns:
        One row per future, sorted by ``future_id``; the other columns in the file's order,
        integer parameters as int64, float ones as float64.

    Raises:
        ScenarioError: One line naming the file and what is wrong: a missing or unreadable file,
            no ``future_id`` or one that is not 0..n-1, a column that is not an uncertainty or
            calibrated parameter, an empty cell or a value of the wrong kind.

    """
    try:
        table = pd.read_csv(path)
    except FileNotFoundError:
        raise ScenarioError(f"futures file '{path}' does not exist") from None
    except (OSError, ValueError) as exc:  # pandas' ParserError and EmptyDataError are ValueErrors
        raise ScenarioError(f"cannot read futures file '{path}': {exc}".splitlines()[0]) from None
    where = f"futures file '{path}'"
    if "future_id" not in table.columns:
        raise ScenarioError(f"{where} has no 'future_id' column")
    if table.empty:
        raise ScenarioError(f"{where} has no futures")
    ids = table["future_id"]
    if not pd.api.types.is_integer_dtype(ids) or sorted(ids) != list(range(len(table))):
        raise ScenarioError(f"{where}: 'future_id' must hold 0..{len(table) - 1}, each once")
    for name in table.columns.drop("future_id"):
        if name not in Scenario.model_fields:
            make_scenario({name: None})  # the one-line message with a close name
        if role_of(name) not in FUTURE_ROLES:
            raise ScenarioError(
                f"{where}: '{name}' is a {role_of(name)}, not an uncertainty; a future sets only "
                "parameters of role 'uncertainty' or 'calibrated'"
            )
        if table[name].isna().any():
            first = int(table.loc[table[name].isna(), "future_id"].iloc[0])
            raise ScenarioError(f"{where}: '{name}' is empty for future_id {first}")
    table = table.sort_values("future_id", ignore_index=True)
    return table.astype(_dtypes(table.columns.drop("future_id"), where, table))


def _dtypes(names: pd.Index, where: str, table: pd.DataFrame) -> dict[str, Any]:
    """Each column's dtype as its parameter's type; refuse text in a numeric column."""
    types: dict[str, Any] = {"future_id": "int64"}
    for name in names:
        annotation = Scenario.model_fields[name].annotation
        if annotation not in (int, float):
            continue
        if not pd.api.types.is_numeric_dtype(table[name]) or pd.api.types.is_bool_dtype(
            table[name]
        ):
            raise ScenarioError(f"{where}: '{name}' needs numbers")
        if annotation is int:
            if not np.all(np.mod(table[name], 1) == 0):
                raise ScenarioError(f"{where}: '{name}' needs whole numbers")
            types[name] = "int64"
        else:
            types[name] = "float64"
    return types


def lhs_names() -> list[str]:
    """The uncertainties a Latin hypercube of futures varies: numeric, with finite bounds."""
    names = []
    for name in names_with_role("uncertainty"):
        field = Scenario.model_fields[name]
        extra = field.json_schema_extra or {}
        bounds = (extra.get("lo"), extra.get("hi"))  # type: ignore[union-attr]
        numeric = field.annotation in (int, float)
        if numeric and all(b is not None and math.isfinite(b) for b in bounds):  # type: ignore[arg-type]
            names.append(name)
    return names


def lhs_futures(n: int, seed: int) -> pd.DataFrame:
    """A Latin hypercube of `n` futures over every numeric uncertainty's bounds (SALib's sampler).

    Joint constraints are met by repairs that keep each sample inside its bounds: every weight
    group is divided by its sum; each (min, max) pair is put in order; the mobilised and contract
    shares are scaled down together when they pass 1; peer ties are rounded down to an even number
    below the unit's size.

    Args:
        n: Futures.
        seed: The sampler's seed (the design stream of the experiment's master seed).

    Returns:
        ``future_id`` and one column per uncertainty (`lhs_names`).

    """
    from SALib.sample import latin

    names = lhs_names()
    bounds = [[_bound(name, "lo"), _bound(name, "hi")] for name in names]
    x = latin.sample({"num_vars": len(names), "names": names, "bounds": bounds}, n, seed=seed)
    table = pd.DataFrame(x, columns=names)
    _repair(table)
    for name in names:
        if Scenario.model_fields[name].annotation is int:
            table[name] = np.rint(table[name]).astype(np.int64)
    _repair_ties(table)
    table.insert(0, "future_id", np.arange(n, dtype=np.int64))
    return table.copy()  # one block per dtype, not one per repaired column


def _bound(name: str, end: str) -> float:
    return float((Scenario.model_fields[name].json_schema_extra or {})[end])  # type: ignore[index,arg-type]


def _repair(table: pd.DataFrame) -> None:
    """Make independent samples meet the Scenario's joint constraints (see `lhs_futures`)."""
    for prefix, parts in WEIGHT_GROUPS.items():
        names = [prefix + part for part in parts]
        if not set(names) <= set(table.columns):
            continue
        total = table[names].sum(axis=1)
        table[names] = table[names].div(total.where(total > 0, 1.0), axis=0)
        table.loc[total <= 0, names] = 1.0 / len(names)
    pairs = [(f"elite_base_cost_min_{k}", f"elite_base_cost_max_{k}") for k in ELITE_KINDS]
    for lo, hi in [*pairs, ("elite_loyalty_min", "elite_loyalty_max")]:
        if {lo, hi} <= set(table.columns):
            low = np.minimum(table[lo], table[hi])
            table[hi] = np.maximum(table[lo], table[hi])
            table[lo] = low
    if {"share_mobilised", "share_contract"} <= set(table.columns):
        total = table["share_mobilised"] + table["share_contract"]
        scale = np.where(total > 1.0, 1.0 / total, 1.0)
        table["share_mobilised"] *= scale
        table["share_contract"] = np.minimum(  # the scaled sum may pass 1 by a rounding error
            table["share_contract"] * scale, 1.0 - table["share_mobilised"]
        )


def _repair_ties(table: pd.DataFrame) -> None:
    """Peer ties even and below the unit's size (after integers are rounded)."""
    if {"peer_ties", "unit_size_agents"} <= set(table.columns):
        ties = table["peer_ties"] - table["peer_ties"] % 2
        largest = table["unit_size_agents"] - 1 - (table["unit_size_agents"] - 1) % 2
        table["peer_ties"] = np.maximum(2, np.minimum(ties, largest)).astype(np.int64)
