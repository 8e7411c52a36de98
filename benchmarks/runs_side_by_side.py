"""Runs per second of the default scenario, this tree against another checkout, side by side.

Worker processes for each tree (each imports the model from its own tree), each single-threaded
(one thread per numeric library). Each builds and runs one model to load its compiled code, then
the trees run the same seeds in alternating batches (ABBA order, so neither always runs first)
in the same minutes; with ``--workers 2`` a tree's two workers split each batch and run at once,
while the other tree's wait. A run is ``OutlastModel(rng=seed).run_model()``: the build and 156
weeks of the default scenario. Figures: runs per CPU second of the workers (what a core gives;
the machine is shared), runs per wall second of the batches (throughput, timed by the parent),
the ratios, and whether both trees gave the same weekly metrics for every seed (a digest of each
run's weekly values). Against a checkout from before the random streams changed on purpose
(issue #15: one stream per subsystem), the same seed draws other numbers and the runs differ;
``--results-may-differ`` then reports the digests without failing, and the ratio compares the
same seeds' runs, whose outcomes (so whose lengths) are alike in distribution, not one by one.

    git worktree add /tmp/base 4318894
    .venv/bin/python benchmarks/runs_side_by_side.py --base /tmp/base [--runs 20] [--batch 5]
        [--workers 1] [--results-may-differ]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

WORKER = "--worker"


def worker() -> None:
    """Read batches of seeds (one line each), run them, print one JSON line per batch."""
    from model.model import OutlastModel

    OutlastModel(rng=0).run_model()  # loads the compiled code from numba's cache
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        seeds = [int(s) for s in line.split()]
        digests = []
        cpu = wall = 0.0
        for seed in seeds:
            wall_start, cpu_start = time.perf_counter(), time.process_time()
            model = OutlastModel(rng=seed)
            model.run_model()
            cpu += time.process_time() - cpu_start
            wall += time.perf_counter() - wall_start
            # Every weekly value, exactly (repr round-trips floats), and its type.
            weekly = repr(model.datacollector.model_vars).encode()
            digests.append(hashlib.sha256(weekly).hexdigest()[:16])
        print(json.dumps({"cpu": cpu, "wall": wall, "digests": digests}), flush=True)


def start(tree: Path) -> subprocess.Popen:
    """A worker importing the model from ``tree``."""
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, __file__, WORKER],
        cwd=tree,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert json.loads(proc.stdout.readline())["ready"]
    return proc


def batch(procs: list[subprocess.Popen], seeds: list[int]) -> dict:
    """Run ``seeds`` split over ``procs`` at once; their CPU time, the wall time, the digests."""
    parts = [seeds[k :: len(procs)] for k in range(len(procs))]
    start = time.perf_counter()
    for proc, part in zip(procs, parts, strict=True):
        proc.stdin.write(" ".join(map(str, part)) + "\n")
        proc.stdin.flush()
    results = [json.loads(proc.stdout.readline()) for proc in procs]
    wall = time.perf_counter() - start
    digests = dict.fromkeys(seeds, "")
    for part, result in zip(parts, results, strict=True):
        digests.update(zip(part, result["digests"], strict=True))
    return {"cpu": sum(r["cpu"] for r in results), "wall": wall, "digests": list(digests.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="checkout to compare against")
    parser.add_argument("--runs", type=int, default=20, help="runs per tree")
    parser.add_argument("--batch", type=int, default=5, help="runs per alternating batch")
    parser.add_argument("--workers", type=int, default=1, help="worker processes per tree")
    parser.add_argument(
        "--results-may-differ",
        action="store_true",
        help="the base draws other random numbers (before #15's streams): report, do not fail",
    )
    args = parser.parse_args()
    from _common import header, load

    here = Path(__file__).resolve().parents[1]
    base = args.base.resolve()
    header(
        f"default scenario, {args.runs} runs per tree, {args.workers} worker(s) per tree: "
        f"{here} against {base}"
    )
    trees = {"base": base, "this": here}
    procs = {name: [start(tree) for _ in range(args.workers)] for name, tree in trees.items()}
    totals = {name: {"cpu": 0.0, "wall": 0.0, "digests": []} for name in trees}
    seeds = list(range(1, args.runs + 1))
    batches = [seeds[i : i + args.batch] for i in range(0, len(seeds), args.batch)]
    loads = [load()]
    for k, chunk in enumerate(batches):
        order = ["base", "this"] if k % 2 == 0 else ["this", "base"]
        for name in order:
            result = batch(procs[name], chunk)
            totals[name]["cpu"] += result["cpu"]
            totals[name]["wall"] += result["wall"]
            totals[name]["digests"] += result["digests"]
        loads.append(load())
    for proc in (p for group in procs.values() for p in group):
        proc.stdin.close()
        proc.wait()
    n = len(seeds)
    print(f"# loads during the batches: {'; '.join(loads)}")
    print("tree  runs  CPU s  runs/CPU s  wall s  runs/wall s  ms CPU per run  (CPU: all workers)")
    for name in trees:
        t = totals[name]
        print(
            f"{name:5s} {n:4d} {t['cpu']:6.2f} {n / t['cpu']:11.2f} {t['wall']:7.2f} "
            f"{n / t['wall']:12.2f} {1e3 * t['cpu'] / n:15.1f}"
        )
    b, h = totals["base"], totals["this"]
    print(f"ratio this/base, runs per CPU second: {b['cpu'] / h['cpu']:.3f}")
    print(f"ratio this/base, runs per wall second: {b['wall'] / h['wall']:.3f}")
    same = b["digests"] == h["digests"]
    print(f"weekly metrics identical for every seed: {same}")
    if not same and not args.results_may_differ:
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == WORKER:
        worker()
    else:
        main()
