"""Provenance: what made a result (every distribution, Python, platform, commit) and the data's sources."""

import json
import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from outlast.experiments import store

ROOT = Path(__file__).resolve().parents[2]


def test_the_manifest_lists_every_distribution_and_calls_out_the_models():
    made = store.provenance()
    installed = {d.metadata["Name"].lower(): d.version for d in metadata.distributions()}
    names = [name.lower() for name in made["distributions"]]
    assert names == sorted(names) and set(names) == set(installed)
    for name in ("numba", "scikit-learn", "matplotlib", "numpy", "mesa", "pyarrow"):
        assert (
            made["distributions"][next(k for k in made["distributions"] if k.lower() == name)]
            == (installed[name])
        )
    for name in ("numpy", "numba", "mesa", "scipy", "pandas", "pyarrow"):
        assert made["versions"][name] == metadata.version(name)
    assert made["versions"]["python"] == platform.python_version() == made["python"]["version"]
    assert made["platform"]["machine"] == platform.machine()


def test_the_commit_says_whether_the_tree_had_changes():
    made = store.provenance()
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert made["git_commit"].removesuffix("-dirty") == head
    assert made["git_commit"].endswith("-dirty") == made["git_dirty"]


def test_a_runs_manifest_carries_the_provenance(tmp_path):
    out = tmp_path / "r"
    args = ["run", "--weeks", "2", "--out", str(out), "--quiet", "--set", "n_soldier_agents=2000"]
    done = subprocess.run([sys.executable, "-m", "outlast", *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"numba", "scikit-learn", "matplotlib"} <= {n.lower() for n in manifest["distributions"]}
    assert manifest["versions"]["numba"] == metadata.version("numba")
    assert manifest["python"]["version"] == platform.python_version()
    assert isinstance(manifest["git_dirty"], bool)


def test_every_data_file_has_its_provenance_in_the_data_readme():
    readme = (ROOT / "model" / "data" / "README.md").read_text()
    files = sorted(p.name for p in (ROOT / "model" / "data").glob("*.csv"))
    assert files
    for name in files:
        assert f"| `{name}` |" in readme, f"{name} is not in model/data/README.md's table"
        assert re.search(rf"^## .*{re.escape(name)}", readme, re.M), f"{name} has no section"


def test_the_figures_the_docs_cite_are_in_the_repository():
    facts = ROOT / "docs" / "FACTS.md"
    assert facts.is_file() and "| figure | value | source |" in facts.read_text()
    for cited_in in ("docs/MODEL.md", "model/scenario.py", "outlast/analysis/validate.py"):
        text = (ROOT / cited_in).read_text()
        assert "FACTS.md" in text
        assert "shared/data/FACTS.md" not in text, f"{cited_in} cites FACTS.md outside the repo"
