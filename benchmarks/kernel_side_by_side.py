"""The soldier kernel at 10^6 soldiers, this tree against another checkout, week by week.

One worker process per tree (each imports the model from its own tree, one thread per numeric
library) builds the default scenario at ``--soldiers`` soldier agents and runs two whole weeks;
then the workers run kernel weeks (`SoldierCorps.week` with the same week's inputs, as
benchmarks/kernel.py does) in alternation, one week each in turn (ABBA), so that both meet the
same load. Where both trees give the same results, they step through the same states, and each
pair of weeks compares the same work: a digest of the soldiers' status after every week is
checked to be the same in both. Figures: CPU time of each week, best and median, soldier-steps
per second (soldiers in the arrays per second, as benchmarks/kernel.py counts them), and the
median of the per-week ratios.

    git worktree add /tmp/base <commit>
    .venv/bin/python benchmarks/kernel_side_by_side.py --base /tmp/base [--weeks 30]
        [--soldiers 1000000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

WORKER = "--worker"


def worker(soldiers: int) -> None:
    """Build, settle, then run one kernel week per line read; print its CPU time and a digest."""
    from model.model import OutlastModel

    model = OutlastModel(rng=1, n_soldier_agents=soldiers, horizon_weeks=156)
    model.step()
    model.step()
    inputs = model.army_week_inputs()
    print(json.dumps({"ready": True, "size": model.corps.size}), flush=True)
    for _ in sys.stdin:
        start = time.process_time()
        model.corps.week(inputs, model.rng)
        cpu = time.process_time() - start
        digest = hashlib.sha256(model.corps.view("status").tobytes()).hexdigest()[:16]
        print(json.dumps({"cpu": cpu, "digest": digest}), flush=True)


def start(tree: Path, soldiers: int) -> tuple[subprocess.Popen, int]:
    """A worker importing the model from ``tree``, and its soldiers in the arrays."""
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, __file__, WORKER, str(soldiers)],
        cwd=tree,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    ready = json.loads(proc.stdout.readline())
    return proc, ready["size"]


def week(proc: subprocess.Popen) -> dict:
    """One kernel week in ``proc``."""
    proc.stdin.write("week\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="checkout to compare against")
    parser.add_argument("--weeks", type=int, default=30, help="kernel weeks per tree")
    parser.add_argument("--soldiers", type=int, default=1_000_000, help="soldier agents")
    args = parser.parse_args()
    from _common import header, load

    here = Path(__file__).resolve().parents[1]
    base = args.base.resolve()
    header(f"soldier kernel, {args.soldiers:,} soldier agents, week by week: {here} against {base}")
    trees = {"base": base, "this": here}
    procs, sizes = {}, {}
    for name, tree in trees.items():
        procs[name], sizes[name] = start(tree, args.soldiers)
    cpu: dict[str, list[float]] = {name: [] for name in trees}
    same = True
    loads = [load()]
    for k in range(args.weeks):
        order = ["base", "this"] if k % 2 == 0 else ["this", "base"]
        results = {name: week(procs[name]) for name in order}
        for name in trees:
            cpu[name].append(results[name]["cpu"])
        same &= results["base"]["digest"] == results["this"]["digest"]
        if k % 10 == 9:
            loads.append(load())
    for proc in procs.values():
        proc.stdin.close()
        proc.wait()
    print(f"# loads during the weeks: {'; '.join(loads)}")
    for name in trees:
        best, median = min(cpu[name]), statistics.median(cpu[name])
        print(
            f"{name:5s} {sizes[name]:,} soldiers: best week {best * 1e3:.1f} ms, median "
            f"{median * 1e3:.1f} ms -> {sizes[name] / best:.3g} soldier-steps/s (best), "
            f"{sizes[name] / median:.3g} (median)"
        )
    ratios = [b / t for b, t in zip(cpu["base"], cpu["this"], strict=True)]
    print(
        f"ratio base/this week by week: median {statistics.median(ratios):.3f}; "
        f"of the best weeks {min(cpu['base']) / min(cpu['this']):.3f}"
    )
    print(f"status identical after every week: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == WORKER:
        worker(int(sys.argv[2]))
    else:
        main()
