"""Record the main outcomes of many seeds, to compare their distributions after a change of streams.

A change to how the model draws its random numbers (issue #15: one stream per subsystem, the
unrest rule's draws batched) changes every run's numbers but must not change their
distributions. This script records, from the code as it stands, the final summary
(`model.metrics.SUMMARY`) of every seed of two samples of the `combined` preset (where wars end
and regimes change, so the shares are not all zero) into stream_reference.json, with the commit
and the command that made it. tests/model/test_stream_distributions.py reruns the same sizes
with other seeds on the code as it is and compares the two samples outcome by outcome
(two-sample tests, Holm's correction).

Regenerate it ONLY from the commit before a deliberate change of the random streams, in a commit
of its own (it is the "before" of the comparison, never made from the code under test):

    .venv/bin/python -m tests.golden.make_stream_reference   # about 2-4 minutes on 2 cores
"""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from model.metrics import summary
from model.model import OutlastModel

REFERENCE_PATH = Path(__file__).with_name("stream_reference.json")
#: The preset both samples run: the op-ed's package, where wars end and regimes change.
PRESET = "combined"
#: Each sample: its scenario overrides, its number of seeds, and its first seed. The reference
#: takes seeds from 1, the comparison from `COMPARISON_FIRST_SEED`: disjoint seeds make the two
#: samples independent whatever the streams.
SAMPLES: dict[str, dict[str, Any]] = {
    # The default scenario's size: 20,000 soldier agents, 156 weeks (`-m long`).
    "long": {"params": {}, "seeds": 200},
    # A smaller sample for the default suite: 5,000 soldier agents, 156 weeks.
    "short": {
        "params": {"n_soldier_agents": 5_000, "citizens_per_region": 200},
        "seeds": 40,
    },
}
REFERENCE_FIRST_SEED = 1
COMPARISON_FIRST_SEED = 100_001
#: Worker processes (the machine has 2 cores).
WORKERS = 2


def run_outcomes(seed: int, params: dict[str, Any]) -> dict[str, Any]:
    """One run of the preset with ``params``: its final summary, as JSON values."""
    model = OutlastModel(rng=seed, preset=PRESET, **params)
    model.run_model()
    return {k: v.item() if hasattr(v, "item") else v for k, v in summary(model).items()}


def sample_outcomes(sample: str, first_seed: int, workers: int = WORKERS) -> list[dict[str, Any]]:
    """Every seed's summary of one sample (`SAMPLES`), seeds ``first_seed`` on, in seed order."""
    spec = SAMPLES[sample]
    seeds = range(first_seed, first_seed + spec["seeds"])
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        rows = list(pool.map(run_outcomes, seeds, [spec["params"]] * len(seeds), chunksize=4))
    return [{"seed": seed, **row} for seed, row in zip(seeds, rows, strict=True)]


def _commit() -> str:
    """The checked-out commit, with "+changes" when the tree differs from it."""
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return head + ("+changes" if dirty else "")


def main() -> None:
    """Run both samples and write stream_reference.json."""
    reference = {
        "provenance": {
            "commit": _commit(),
            "command": "python -m tests.golden.make_stream_reference",
            "python": sys.version.split()[0],
            "preset": PRESET,
            "first_seed": REFERENCE_FIRST_SEED,
        },
        "samples": {},
    }
    for name, spec in SAMPLES.items():
        rows = sample_outcomes(name, REFERENCE_FIRST_SEED)
        reference["samples"][name] = {"params": spec["params"], "runs": rows}
        ended = sum(r["war_ended"] for r in rows)
        changed = sum(r["outcome"] == "regime_change" for r in rows)
        print(f"{name}: {len(rows)} runs, war ended in {ended}, regime change in {changed}")
    lines = ",\n".join(
        f"    {json.dumps(name)}: "
        + json.dumps({"params": s["params"]})[:-1]
        + ', "runs": [\n'
        + ",\n".join("      " + json.dumps(r) for r in s["runs"])
        + "\n    ]}"
        for name, s in reference["samples"].items()
    )
    text = (
        '{\n  "provenance": '
        + json.dumps(reference["provenance"])
        + ',\n  "samples": {\n'
        + lines
        + "\n  }\n}\n"
    )
    assert json.loads(text) == reference  # the hand-made layout (one run a line) reads back
    REFERENCE_PATH.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
