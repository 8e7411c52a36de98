"""Rerun one run of a sweep from its stored scenario and seed, and compare it with what is stored.

A sweep's directory holds each design point's full scenario (``scenarios.parquet``), each run's
seed and scenario digest (``results.parquet``) and the installation that made them
(``manifest.json``). `rerun` builds the run's Scenario from the stored JSON, runs it with the
stored seed, keeps of it what the sweep kept (`outlast.experiments.engine.kept_tables`, the code
the sweep used) and compares every stored value with the new one, bit for bit. It also says how
this installation differs from the sweep's: the numbers are only promised to repeat with the
same code and the same versions of the distributions the model runs on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.scenario import Scenario, ScenarioError, make_scenario
from outlast.experiments.design import ExperimentError, experiment_from_text
from outlast.experiments.runner import RunResult, run_simulation
from outlast.experiments.store import (
    MANIFEST,
    REGIONS,
    RESULTS,
    SCENARIOS,
    WEEKLY,
    git_state,
    package_versions,
    read_manifest,
    scenario_sha256,
)

#: The subdirectory in which ``outlast validate`` (and checks like it) keep their runs.
RUNS_SUBDIR = "runs"
#: Differences listed per table before the rest are counted.
MAX_LISTED = 10


@dataclass
class StoredRun:
    """One stored run of a sweep: where it is, what it was and what it gave."""

    root: Path
    manifest: dict[str, Any]
    run_id: int
    point_id: int
    seed_index: int
    seed: int
    scenario: Scenario
    scenario_sha256: str
    results: pd.DataFrame
    weekly: pd.DataFrame
    regions: pd.DataFrame | None
    notes: list[str] = field(default_factory=list)


@dataclass
class RerunReport:
    """What a rerun found.

    Attributes:
        run: The stored run.
        result: The new run's tables (None if it raised).
        error: What the new run raised, as the sweep records it (None if it did not).
        differences: One line per difference between the stored and the new values.
        installation: One entry per distribution the model runs on (and Python) whose version
            differs from the sweep's: name, the sweep's version, this one's.
        other_distributions: Names of other installed distributions that differ or are new or gone.
        commit: The sweep's git commit and this tree's.

    """

    run: StoredRun
    result: RunResult | None
    error: str | None
    differences: list[str]
    installation: list[dict[str, str]]
    other_distributions: list[str]
    commit: dict[str, str | None]

    @property
    def matches(self) -> bool:
        """Whether every stored value was reproduced bit for bit."""
        return not self.differences

    @property
    def reproduced(self) -> bool:
        """A bit-for-bit match under the sweep's own installation (what the exit status reports)."""
        return self.matches and not self.installation

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "directory": str(self.run.root),
            "experiment": self.run.manifest.get("name"),
            "run_id": self.run.run_id,
            "point_id": self.run.point_id,
            "seed_index": self.run.seed_index,
            "seed": self.run.seed,
            "scenario_sha256": self.run.scenario_sha256,
            "matches": self.matches,
            "error": self.error,
            "reproduced": self.reproduced,
            "differences": self.differences,
            "installation_differences": self.installation,
            "other_distributions_differing": self.other_distributions,
            "commit": self.commit,
            "notes": self.run.notes,
        }


def find_store(directory: Path) -> Path:
    """The sweep store in `directory`: itself, or its ``runs/`` (``outlast validate --out``).

    Raises:
        ExperimentError: If neither holds a finished sweep (one line).

    """
    for place in (Path(directory), Path(directory) / RUNS_SUBDIR):
        manifest = read_manifest(place)
        if manifest is not None and manifest.get("kind") == "sweep":
            if not (place / RESULTS).is_file():
                raise ExperimentError(
                    f"the sweep in '{place}' is not finished (no {RESULTS}); run the same "
                    "command again to finish it, then rerun"
                )
            return place
    if not Path(directory).is_dir():
        raise ExperimentError(f"'{directory}' is not a directory")
    raise ExperimentError(
        f"'{directory}' holds no sweep (no {MANIFEST} of a sweep in it or in its {RUNS_SUBDIR}/)"
    )


def load_run(directory: Path, run_id: int) -> StoredRun:
    """Read run `run_id` of the sweep in `directory`: its scenario, seed and stored tables.

    Raises:
        ExperimentError: If there is no such sweep or run, or its scenario cannot be rebuilt.

    """
    root = find_store(directory)
    manifest = read_manifest(root) or {}
    results = pd.read_parquet(root / RESULTS)
    if run_id not in set(results["run_id"]):
        raise ExperimentError(
            f"run id {run_id} is not in '{root}' (its runs are 0 to {len(results) - 1})"
        )
    row = results[results["run_id"] == run_id].reset_index(drop=True)
    point_id = int(row.at[0, "point_id"])
    notes: list[str] = []
    scenario, digest = _stored_scenario(root, manifest, point_id, notes)
    run_digest = row.at[0, "scenario_sha256"] if "scenario_sha256" in row else None
    if isinstance(run_digest, str) and run_digest != digest:
        notes.append(
            f"the run's stored scenario digest {run_digest[:12]} differs from its design "
            f"point's {digest[:12]} (the sweep was resumed with other code?)"
        )
    weekly = pd.read_parquet(root / WEEKLY, filters=[("run_id", "==", run_id)])
    regions = None
    if manifest.get("keep", {}).get("regions"):
        regions = pd.read_parquet(root / REGIONS, filters=[("run_id", "==", run_id)])
    return StoredRun(
        root=root,
        manifest=manifest,
        run_id=run_id,
        point_id=point_id,
        seed_index=int(row.at[0, "seed_index"]),
        seed=int(row.at[0, "seed"]),
        scenario=scenario,
        scenario_sha256=digest,
        results=row,
        weekly=weekly.reset_index(drop=True),
        regions=None if regions is None else regions.reset_index(drop=True),
        notes=notes,
    )


def _stored_scenario(
    root: Path, manifest: dict[str, Any], point_id: int, notes: list[str]
) -> tuple[Scenario, str]:
    """The design point's Scenario from scenarios.parquet (or, for older sweeps, its file).

    Returns:
        The Scenario as this version of the model builds it from the stored values, and the
        stored digest.

    """
    path = root / SCENARIOS
    if path.is_file():
        table = pd.read_parquet(path, filters=[("point_id", "==", point_id)])
        values = json.loads(table.at[0, "scenario"])
        digest = str(table.at[0, "scenario_sha256"])
        try:
            scenario = make_scenario(values)
        except ScenarioError as exc:
            raise ExperimentError(
                f"the stored scenario of design point {point_id} no longer fits this version's "
                f"Scenario: {exc}"
            ) from None
        if scenario_sha256(scenario) != digest:
            now = scenario.model_dump(mode="json")
            changed = sorted(k for k in {*values, *now} if values.get(k) != now.get(k))
            notes.append(
                "this version's Scenario reads the stored scenario differently "
                f"({', '.join(changed[:MAX_LISTED])}); the rerun uses this version's values"
            )
        return scenario, digest
    # A sweep from before scenarios were stored: rebuild its design from the stored file.
    exp = experiment_from_text(
        manifest["experiment"]["content"], Path(manifest["experiment"]["file"]), manifest["seeds"]
    )
    notes.append(
        f"'{root}' stores no {SCENARIOS} (an older sweep): the scenario was rebuilt from the "
        "experiment file in its manifest by this version of the code"
    )
    scenario = exp.scenarios[point_id]
    return scenario, scenario_sha256(scenario)


def rerun(stored: StoredRun, on_week: Any = None) -> RerunReport:
    """Rerun one stored run (from `load_run`) and compare it with what the sweep stored.

    Args:
        stored: The run, as `load_run` read it.
        on_week: Called after each simulated week (for a progress bar).

    Returns:
        What differs, in the numbers and in the installation.

    """
    from outlast.experiments.engine import RunTask, join_batches, kept_tables

    keep_spec = stored.manifest.get("keep", {})
    keep = (
        list(keep_spec.get("final", [])),
        [m for m in keep_spec.get("weekly", []) if m != "week"],
        bool(keep_spec.get("regions", False)),
    )
    task = RunTask(stored.run_id, stored.seed, stored.scenario)
    result: RunResult | Exception
    try:
        result = run_simulation(stored.scenario, stored.seed, on_week=on_week)
    except Exception as exc:  # as in a sweep: a run that raises is compared by its error
        result = exc
    new = join_batches([kept_tables(task, result, keep)], keep)
    stored_digest = stored.results.get("scenario_sha256", pd.Series([None])).iloc[0]
    if not isinstance(stored_digest, str):  # a run made before digests were stored
        new.results = new.results.drop(columns="scenario_sha256")
    differences = compare_tables("results", _results_part(stored.results, new.results), new.results)
    differences += compare_tables("weekly", stored.weekly, new.weekly, key="week")
    if stored.regions is not None and new.regions is not None:
        differences += compare_tables("regions", stored.regions, new.regions)
    installation, others = installation_differences(stored.manifest)
    commit, dirty = git_state()
    now = None if commit is None else commit + ("-dirty" if dirty else "")
    return RerunReport(
        run=stored,
        result=None if isinstance(result, Exception) else result,
        error=new.results.at[0, "error"],
        differences=differences,
        installation=installation,
        other_distributions=others,
        commit={"sweep": stored.manifest.get("git_commit"), "now": now},
    )


def _results_part(stored: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The stored results row's columns that a run produces (not the design's labels)."""
    columns = [c for c in new.columns if c in stored.columns]
    return stored[columns]


def compare_tables(
    name: str, stored: pd.DataFrame, new: pd.DataFrame, key: str | None = None
) -> list[str]:
    """Every difference between a stored table and a new one, bit for bit, one line each.

    Columns of `stored` that `new` lacks (labels such as point_id) are not compared; a column
    `new` has and `stored` lacks is reported. Numbers are equal when their float64 bits are.

    Args:
        name: The table's name, for the lines.
        stored: The stored rows of the run.
        new: The rerun's rows.
        key: A column that names rows in the lines (e.g. ``week``).

    """
    if len(stored) != len(new):
        return [f"{name}: {len(stored)} rows stored, {len(new)} in the rerun"]
    lines = []
    for column in new.columns:
        if column not in stored.columns:
            lines.append(f"{name}: the rerun has a column '{column}' the sweep did not store")
            continue
        rows = _differing_rows(stored[column].to_numpy(), new[column].to_numpy())
        if not len(rows):
            continue
        first = int(rows[0])
        where = f"{key} {new[key].iloc[first]}" if key else f"row {first}"
        lines.append(
            f"{name}: {column} differs in {len(rows)} of {len(new)} rows, first at {where} "
            f"({stored[column].iloc[first]!r} stored, {new[column].iloc[first]!r} rerun)"
        )
    return lines


def _differing_rows(stored: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Indices where two columns differ: numbers by their float64 bits, anything else by value."""
    if stored.dtype.kind in "iufb" and new.dtype.kind in "iufb":
        a = stored.astype(np.float64).view(np.uint64)
        b = new.astype(np.float64).view(np.uint64)
        return np.flatnonzero(a != b)

    def same(x: Any, y: Any) -> bool:
        missing_x = x is None or (isinstance(x, float) and np.isnan(x))
        missing_y = y is None or (isinstance(y, float) and np.isnan(y))
        return (missing_x and missing_y) or (not missing_x and not missing_y and x == y)

    return np.array([i for i, (x, y) in enumerate(zip(stored, new, strict=True)) if not same(x, y)])


def installation_differences(manifest: dict[str, Any]) -> tuple[list[dict[str, str]], list[str]]:
    """How this installation differs from the one a sweep's manifest records.

    Returns:
        The distributions the model runs on (and Python) whose version differs, each as
        ``{"name", "sweep", "now"}``; and the names of other distributions that differ, appeared
        or went (informative only: the model's results do not depend on them).

    """
    from outlast.experiments.store import installed_distributions, normalized_name

    installed = installed_distributions()
    now = package_versions(installed)
    recorded: dict[str, str] = manifest.get("versions", {})
    called_out = [
        {"name": name, "sweep": str(version), "now": now.get(name, "not installed")}
        for name, version in recorded.items()
        if now.get(name, "not installed") != version
    ]
    stored_all = {normalized_name(k): v for k, v in manifest.get("distributions", {}).items()}
    if not stored_all:
        return called_out, []
    current = {normalized_name(k): v for k, v in installed.items()}
    model = {normalized_name(n) for n in recorded}
    others = sorted(
        name
        for name in {*stored_all, *current}
        if name not in model and stored_all.get(name) != current.get(name)
    )
    return called_out, others
