"""Results on disk: atomic writes, manifests with provenance, and a sweep's directory.

Every file is written to a temporary name in its final directory and renamed into place, so a
reader never sees a partial file, even after ``kill -9``.

A sweep's directory (`SweepStore`) holds ``manifest.json`` and, while the sweep runs, one pair of
Parquet parts per finished batch under ``parts/``: ``weekly-<key>.parquet`` (and, if the
experiment keeps regions, ``regions-<key>.parquet``) first and ``results-<key>.parquet`` last, so
a results part is the mark that its runs are finished. ``scenarios.parquet`` (each design point's
full scenario as JSON, with its SHA-256) is written when the sweep starts. A finished sweep is
compacted into
``results.parquet`` (one row per run, sorted by run_id), ``weekly.parquet`` (one row per run and
week) and ``regions.parquet`` (one row per run and region, if kept) and its parts are removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

#: The distributions the model's results depend on, called out in every manifest (besides the
#: list of every installed distribution) and compared by ``outlast rerun``.
MODEL_DISTRIBUTIONS = (
    "outlast",
    "numpy",
    "numba",
    "mesa",
    "scipy",
    "pandas",
    "pyarrow",
    "networkx",
    "pydantic",
    "SALib",
)


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file through `write(tmp_path)` then rename it to `path` atomically.

    A Ctrl-C (SIGINT) that arrives meanwhile takes effect when the file is in place: raised
    inside the writer, it could land in one of pyarrow's finalizers, where Python prints
    "Exception ignored" and a traceback instead of stopping.
    """
    path = Path(path)
    # A fresh name rather than mkstemp's file, so the result gets the usual mode (umask), not 0600.
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with interrupts_deferred():
        try:
            write(Path(tmp))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold back SIGINT until the block ends, then deliver it to the handler it would have met.

    Only in the main thread (the only one Python delivers signals to), and only where SIGINT has
    a Python handler (not where it is ignored, as in a background job).
    """
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(previous):
        yield
        return
    received: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            signal.raise_signal(signal.SIGINT)


def os_error_line(exc: OSError) -> str:
    """An OSError as one line: what failed and where (pyarrow's errors carry only a message)."""
    if exc.strerror:
        return f"{exc.strerror}: '{exc.filename}'" if exc.filename else exc.strerror
    return " ".join(str(exc).split())


def output_dir_problem(path: Path) -> str | None:
    """Why `path` cannot be (or become) a writable output directory, or None if it can.

    The path itself or its nearest existing ancestor must be a writable directory; a file
    anywhere on the way makes it impossible.
    """
    path = Path(path)
    for place in (path, *path.parents):
        if not place.exists():
            continue
        if not place.is_dir():
            where = "output path" if place == path else f"output path '{path}':"
            return f"{where} '{place}' is a file, not a directory"
        if not os.access(place, os.W_OK | os.X_OK):
            return f"output directory '{place}' is not writable"
        return None
    return None


def write_parquet(path: Path, df: pd.DataFrame) -> None:
    """Write a DataFrame as Parquet, atomically."""
    write_atomic(path, lambda tmp: df.to_parquet(tmp, index=False))


def write_json(path: Path, data: Any) -> None:
    """Write JSON (sorted keys, indented), atomically."""
    text = json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def installed_distributions() -> dict[str, str]:
    """Every installed distribution's version, by name, sorted by name (case-insensitively)."""
    versions: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:  # a broken install can leave a distribution without metadata
            versions.setdefault(name, dist.version)
    return dict(sorted(versions.items(), key=lambda item: item[0].lower()))


def package_versions(installed: dict[str, str] | None = None) -> dict[str, str]:
    """Python's version and those of `MODEL_DISTRIBUTIONS` (the ones results depend on)."""
    installed = installed_distributions() if installed is None else installed
    by_name = {normalized_name(name): version for name, version in installed.items()}
    versions = {"python": platform.python_version()}
    for name in MODEL_DISTRIBUTIONS:
        versions[name] = by_name.get(normalized_name(name), "not installed")
    return versions


def normalized_name(name: str) -> str:
    """A distribution's name as PEP 503 compares them (``SALib`` = ``salib``, ``a_b`` = ``a-b``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def git_state() -> tuple[str | None, bool | None]:
    """The git commit of the source tree and whether tracked files have changes; Nones outside git."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None, None
    return commit, bool(dirty)


def content_hash(text: str) -> str:
    """SHA-256 of a text, for identifying experiment files and scenarios."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scenario_json(scenario: Any) -> str:
    """A Scenario's every value as canonical JSON (sorted keys): what its digest is taken of."""
    return json.dumps(scenario.model_dump(mode="json"), sort_keys=True)


def scenario_sha256(scenario: Any) -> str:
    """The SHA-256 of a Scenario's every value (`scenario_json`): equal digests, equal runs."""
    return content_hash(scenario_json(scenario))


def provenance() -> dict[str, Any]:
    """Where results were made, for every manifest.

    ``versions`` calls out Python and the distributions the model runs on
    (`MODEL_DISTRIBUTIONS`); ``distributions`` lists every installed distribution and its
    version, sorted by name; ``python`` and ``platform`` name the interpreter and the machine;
    ``git_commit`` ends in '-dirty' when tracked files had changes (``git_dirty``).
    """
    installed = installed_distributions()
    commit, dirty = git_state()
    return {
        "versions": package_versions(installed),
        "distributions": installed,
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "platform": {
            "system": platform.system(),
            "release": platform.release(),
            "machine": platform.machine(),
            "platform": platform.platform(),
        },
        "git_commit": None if commit is None else commit + ("-dirty" if dirty else ""),
        "git_dirty": dirty,
    }


MANIFEST = "manifest.json"
RESULTS = "results.parquet"
WEEKLY = "weekly.parquet"
REGIONS = "regions.parquet"
SCENARIOS = "scenarios.parquet"
PARTS = "parts"
LOCK = ".lock"


def read_manifest(root: Path) -> dict[str, Any] | None:
    """The manifest of a results directory, or None if it has none (or an unreadable one)."""
    try:
        return json.loads((Path(root) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


#: What a sweep's directory holds; none may be a symbolic link, or writing it would reach outside.
STORE_NAMES = (MANIFEST, RESULTS, WEEKLY, REGIONS, SCENARIOS, PARTS, LOCK)
#: The tables besides results that a batch may write, each a part written before its results part.
SIDE_TABLES = ("weekly", "regions")


@dataclass
class StoredRuns:
    """A finished sweep's tables: results, weekly rows and region rows (None if not kept)."""

    results: pd.DataFrame
    weekly: pd.DataFrame
    regions: pd.DataFrame | None


class SweepStore:
    """A sweep's results directory: parts written as batches finish, then one compacted table.

    Only one process writes to a directory at a time (`lock`); it is the process that runs the
    sweep, so workers on other machines need no shared file system.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.parts = self.root / PARTS
        self._lock_file: Any = None

    def lock(self) -> None:
        """Create the directory and hold its lock until `unlock` or the end of the process.

        Raises:
            BlockingIOError: If another process holds the lock.

        """
        self.parts.mkdir(parents=True, exist_ok=True)
        handle = (self.root / LOCK).open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise
        self._lock_file = handle

    def unlock(self) -> None:
        """Release the lock taken by `lock`."""
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def clear(self) -> None:
        """Remove every result and the manifest (for ``--overwrite``); keeps the lock."""
        for path in self.root.iterdir():
            if path.name == LOCK:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        self.parts.mkdir()

    def is_blank(self) -> bool:
        """Whether the directory holds nothing but what `lock` makes (a sweep that wrote nothing)."""
        names = {p.name for p in self.root.iterdir()}
        return names <= {LOCK, PARTS} and not any(self.parts.glob("*.parquet"))

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write manifest.json atomically."""
        write_json(self.root / MANIFEST, manifest)

    def write_scenarios(self, scenarios: Any) -> None:
        """Write scenarios.parquet: each design point's full scenario (JSON) and its digest.

        Args:
            scenarios: The Scenario of each design point, in point_id order.

        """
        texts = [scenario_json(s) for s in scenarios]
        table = pd.DataFrame(
            {
                "point_id": pd.Series(range(len(texts)), dtype="int64"),
                "scenario_sha256": [content_hash(t) for t in texts],
                "scenario": texts,
            }
        )
        write_parquet(self.root / SCENARIOS, table)

    def has_scenarios(self) -> bool:
        """Whether scenarios.parquet is there and readable."""
        try:
            pq.read_metadata(self.root / SCENARIOS)
        except (OSError, ValueError):
            return False
        return True

    def finished_run_ids(self) -> list[int]:
        """Run ids of every finished batch, after removing what a killed sweep left half-written.

        Temporary files and weekly or region parts without their results part are leftovers of
        a sweep killed mid-write; their runs were not finished and will run again.
        """
        if not self.parts.is_dir():
            return []
        for tmp in self.parts.glob(".*.tmp"):
            tmp.unlink()
        keys = {p.name.removeprefix("results-") for p in self.parts.glob("results-*.parquet")}
        for table in SIDE_TABLES:
            for part in self.parts.glob(f"{table}-*.parquet"):
                if part.name.removeprefix(f"{table}-") not in keys:
                    part.unlink()
        ids: list[int] = []
        for key in sorted(keys):
            table = pq.read_table(self.parts / f"results-{key}", columns=["run_id"])
            ids.extend(table.column("run_id").to_pylist())
        return ids

    def write_batch(
        self, results: pd.DataFrame, weekly: pd.DataFrame, regions: pd.DataFrame | None = None
    ) -> None:
        """Write one finished batch: its weekly (and region) rows first, its results (the mark) last."""
        ids = results["run_id"]
        key = f"{ids.min():09d}-{ids.max():09d}.parquet"
        write_parquet(self.parts / f"weekly-{key}", weekly)
        if regions is not None:
            write_parquet(self.parts / f"regions-{key}", regions)
        write_parquet(self.parts / f"results-{key}", results)

    def compact(self, n_runs: int, regions: bool = False) -> pd.DataFrame:
        """Join the parts into results.parquet, weekly.parquet (and regions.parquet).

        Args:
            n_runs: How many runs the sweep has; every run id 0..n_runs-1 must be there once.
            regions: Whether the sweep keeps region tables.

        Returns:
            The results table.

        Raises:
            RuntimeError: If a run is missing or duplicated (the store's own invariant).

        """
        results_parts = sorted(self.parts.glob("results-*.parquet"))
        results = pd.concat([pd.read_parquet(p) for p in results_parts], ignore_index=True)
        results = results.sort_values("run_id", kind="stable").reset_index(drop=True)
        if not results["run_id"].equals(pd.Series(range(n_runs), name="run_id", dtype="int64")):
            raise RuntimeError(f"{self.root}: parts do not hold runs 0..{n_runs - 1} exactly once")
        weekly = self._joined(results_parts, "weekly").sort_values(
            ["run_id", "week"], kind="stable"
        )
        write_parquet(self.root / WEEKLY, weekly.reset_index(drop=True))
        if regions:
            # Stable: each run's regions stay in the model's order.
            table = self._joined(results_parts, "regions").sort_values("run_id", kind="stable")
            write_parquet(self.root / REGIONS, table.reset_index(drop=True))
        write_parquet(self.root / RESULTS, results)
        return results

    def _joined(self, results_parts: list[Path], table: str) -> pd.DataFrame:
        """The parts of one side table (weekly, regions) that go with `results_parts`, joined."""
        parts = [self.parts / p.name.replace("results-", f"{table}-") for p in results_parts]
        frames = [pd.read_parquet(p) for p in parts]
        # Parts of batches whose runs all failed are empty; concatenating them would lose dtypes.
        return pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)

    def compacted(self, n_runs: int, regions: bool = False) -> bool:
        """Whether the compacted tables (results of `n_runs` rows, weekly, regions) are readable."""
        try:
            rows = pq.read_metadata(self.root / RESULTS).num_rows
            pq.read_metadata(self.root / WEEKLY)
            if regions:
                pq.read_metadata(self.root / REGIONS)
        except (OSError, ValueError):
            return False
        return rows == n_runs

    def read(self, regions: bool = False) -> StoredRuns:
        """The compacted tables of a finished sweep (regions.parquet only if `regions`)."""
        return StoredRuns(
            pd.read_parquet(self.root / RESULTS),
            pd.read_parquet(self.root / WEEKLY),
            pd.read_parquet(self.root / REGIONS) if regions else None,
        )

    def remove_parts(self) -> None:
        """Remove the parts once the compacted tables and the final manifest are written."""
        shutil.rmtree(self.parts, ignore_errors=True)
