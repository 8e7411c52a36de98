"""Record the golden results: weekly metrics, region table and final soldier state of a few runs.

Optimisations must not change results: tests/perf/test_golden.py reruns these cases and demands
bit-identical numbers. The file is made by this script from the code as it stands; regenerate it
ONLY when a change alters results on purpose (a new mechanism, a recalibration), in a commit of its
own that says why:

    .venv/bin/python -m tests.golden.make_golden
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from model.model import OutlastModel

GOLDEN_PATH = Path(__file__).with_name("golden.json")
#: Small runs: 2,000 soldier agents, 30 elites, a year.
SMALL = {"n_soldier_agents": 2_000, "n_elites": 30, "horizon_weeks": 52, "citizens_per_region": 40}
#: Soldier columns whose final state is fingerprinted.
SOLDIER_COLUMNS = ("status", "at_front", "aware", "contacted", "unit", "region", "threshold")

CASES: dict[str, dict[str, Any]] = {
    "baseline-1": {"seed": 1, "params": SMALL},
    "baseline-2": {"seed": 2, "params": SMALL},
    "combined-3": {"seed": 3, "preset": "combined", "params": SMALL},
    "defection_fund-4": {"seed": 4, "preset": "defection_fund", "params": SMALL},
    "exile-5": {"seed": 5, "preset": "exile", "params": SMALL},
    "historical-2022-6": {
        "seed": 6,
        "preset": "historical-2022",
        # 19 soldiers per agent (the preset runs at 1) keeps the 300,000 mobilised to 15,800 agents.
        "params": {
            "n_soldier_agents": 3_000,
            "soldiers_per_agent": 19.0,
            "n_elites": 30,
            "citizens_per_region": 40,
        },
    },
    # A leader who raises the bonus every week draws more recruits than the corps allocated
    # for: the corps grows its arrays and network mid-run.
    "growth-7": {
        "seed": 7,
        "params": {
            **SMALL,
            "horizon_weeks": 30,
            "leader_response_threshold": 0.0,
            "leader_commitment": 1.0,
            "bonus_budget_rub": 20e6,
            "recruitment_pay_elasticity": 3.0,
        },
    },
}


def run_case(case: dict[str, Any], per_agent: bool = False) -> dict[str, Any]:
    """Run one case; its weekly metrics, region table and a digest of the soldiers' final state."""
    model = OutlastModel(
        rng=case["seed"],
        preset=case.get("preset"),
        per_agent_decisions=per_agent,
        **case["params"],
    )
    capacity = model.corps.capacity
    model.run_model()
    weekly = model.weekly_table().drop(columns=["date"])
    regions = model.region_table().select_dtypes("number")
    digest = hashlib.sha256()
    for name in SOLDIER_COLUMNS:
        digest.update(np.ascontiguousarray(model.corps.view(name)).tobytes())
    return {
        "grew": model.corps.capacity > capacity,
        "weekly": {c: weekly[c].tolist() for c in weekly.columns},
        "regions": {c: regions[c].tolist() for c in regions.columns},
        "soldiers_sha256": digest.hexdigest(),
    }


def compact_json(value: Any, depth: int = 0) -> str:
    """JSON with one line per object key and each list on its own single line.

    One line per column keeps golden.json short and its diffs readable (a changed column is one
    changed line) while `json.loads` reads it as before; floats are written by `repr`, exactly.
    """
    if not isinstance(value, dict):
        return json.dumps(value)
    inner = " " * (depth + 1)
    members = [f"{inner}{json.dumps(k)}: {compact_json(v, depth + 1)}" for k, v in value.items()]
    return "{\n" + ",\n".join(members) + "\n" + " " * depth + "}"


def main() -> None:
    """Run every case and write golden.json."""
    golden = {name: run_case(case) for name, case in CASES.items()}
    GOLDEN_PATH.write_text(compact_json(golden) + "\n", encoding="utf-8")
    for name, result in golden.items():
        print(f"{name}: {len(result['weekly']['week'])} weeks, grew={result['grew']}")


if __name__ == "__main__":
    main()
