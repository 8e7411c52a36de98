"""CPU cost of a robustness experiment's runs, to size it before running it.

Loads a robustness experiment file (runs/robustness.toml by default), runs a sample of its runs
in this process - every policy on the first few futures, seed 0 - and prints the CPU seconds a
run takes (mean, median, max) and what the whole experiment would take on 1 and 2 cores at
that rate. The futures matter: a future far from the defaults (large units, many elites) runs
slower, so measure on the ensemble the experiment names.

    .venv/bin/python benchmarks/robustness_cost.py                      # runs/robustness.toml
    .venv/bin/python benchmarks/robustness_cost.py FILE.toml --futures 5
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from _common import HERE, header, load, timed

from outlast.experiments.design import load_experiment
from outlast.experiments.runner import run_simulation


def main() -> None:
    """Time the sample and print the estimate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "experiment", type=Path, nargs="?", default=HERE.parent / "runs" / "robustness.toml"
    )
    parser.add_argument("--futures", type=int, default=3, help="futures sampled (default 3)")
    args = parser.parse_args()
    exp = load_experiment(args.experiment)
    header(f"robustness cost: {args.experiment}")
    runs = exp.runs.merge(exp.points[["point_id", "future_id"]], on="point_id")
    sample = runs[(runs["future_id"] < args.futures) & (runs["seed_index"] == 0)]
    run_simulation(exp.scenarios[0], 1)  # load numba's cache before timing
    seconds = [
        timed(lambda r=r: run_simulation(exp.scenarios[int(r.point_id)], int(r.seed)))
        for r in sample.itertuples()
    ]
    per_run = statistics.mean(seconds)
    total = per_run * len(exp.runs)
    print(
        f"{len(seconds)} runs ({len(exp.robustness['policies'])} policies x {args.futures} "
        f"futures, seed 0): CPU {per_run:.3f} s a run (median {statistics.median(seconds):.3f}, "
        f"max {max(seconds):.3f}); {load()}"
    )
    print(
        f"the experiment: {len(exp.runs):,} runs = {total / 60:.1f} CPU minutes, about "
        f"{total / 120:.1f} min on 2 cores (before the engine's overhead)"
    )


if __name__ == "__main__":
    main()
