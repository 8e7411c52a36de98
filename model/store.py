"""Results on disk: atomic writes, manifests with provenance.

Every file is written to a temporary name in its final directory and renamed into place, so a
reader never sees a partial file, even after ``kill -9``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

PACKAGES = ("outlast", "mesa", "numpy", "scipy", "networkx", "pandas", "pyarrow", "pydantic")


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file through `write(tmp_path)` then rename it to `path` atomically."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet(path: Path, df: pd.DataFrame) -> None:
    """Write a DataFrame as Parquet, atomically."""
    write_atomic(path, lambda tmp: df.to_parquet(tmp, index=False))


def write_json(path: Path, data: Any) -> None:
    """Write JSON (sorted keys, indented), atomically."""
    text = json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def package_versions() -> dict[str, str]:
    """Versions of outlast and the libraries that shape its results."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit() -> str | None:
    """The git commit of the source tree, with '-dirty' if it has changes; None outside git."""
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
        return None
    return commit + ("-dirty" if dirty else "")


def content_hash(text: str) -> str:
    """SHA-256 of a text, for identifying experiment files and scenarios."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def provenance() -> dict[str, Any]:
    """Versions and commit, for every manifest."""
    return {"versions": package_versions(), "git_commit": git_commit()}
