"""Every soldier an agent: time and peak memory of whole runs at one soldier per agent.

Two runs, each in a fresh process so that its peak resident memory is its own:

- ``baseline``: the default scenario with ``soldiers_per_agent`` 1 and the default force of
  600,000 soldiers (20,000 agents x 30) as 600,000 agents, 156 weeks;
- ``historical-2022``: the back-cast preset (already one soldier per agent: 190,000 at the
  start, the September 2022 mobilisation and recruits on top), over its own horizon (60 weeks).

A process first imports the model and runs a small model (numba loads its compiled loops from
its cache), then records its resident memory (``ru_maxrss`` so far: the interpreter, numpy,
numba and the compiled code), then builds and runs the large model. Figures: agents at the start
and at the end, build and whole-run time (CPU of the process and wall), peak resident memory of
the process (``ru_maxrss``) and the part of it above the state before the build, and the peak of
numpy's and Python's allocations during the run (``tracemalloc``, with ``--tracemalloc``: it
slows the run, so its time is not reported beside it).

    .venv/bin/python benchmarks/every_soldier.py [--only baseline] [--seed 1] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

from _common import HERE, header, load

#: The two runs: a preset, and Scenario fields on top of it.
RUNS: dict[str, tuple[str | None, dict[str, object]]] = {
    "baseline": (None, {"soldiers_per_agent": 1.0, "n_soldier_agents": 600_000}),
    "historical-2022": ("historical-2022", {}),
}


def peak_rss_mib() -> float:
    """The process's peak resident memory so far, MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_run(name: str, seed: int, trace: bool) -> dict[str, object]:
    """Build and run ``name`` in this process; its sizes, times and peak memory."""
    import tracemalloc

    from model.model import OutlastModel

    OutlastModel(rng=0, n_soldier_agents=2_000, horizon_weeks=2).run_model()  # compiled code
    before = peak_rss_mib()
    preset, params = RUNS[name]
    if trace:
        tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    model = OutlastModel(rng=seed, preset=preset, **params)
    build_cpu = time.process_time() - cpu
    start_agents = model.corps.size
    model.run_model()
    result: dict[str, object] = {
        "run": name,
        "weeks": model.week,
        "horizon_weeks": model.params.horizon_weeks,
        "outcome": model.outcome,
        "agents_start": start_agents,
        "agents_end": model.corps.size,
        "capacity": model.corps.capacity,
        "build_cpu_s": build_cpu,
        "cpu_s": time.process_time() - cpu,
        "wall_s": time.perf_counter() - wall,
        "rss_before_mib": before,
        "peak_rss_mib": peak_rss_mib(),
    }
    if trace:
        result["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(RUNS), help="one of the runs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tracemalloc", action="store_true", help="also trace allocations")
    parser.add_argument("--child", choices=sorted(RUNS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(args.child, args.seed, args.tracemalloc)))
        return
    header("every soldier an agent: whole runs at one soldier per agent, each in a fresh process")
    for name in [args.only] if args.only else list(RUNS):
        command = [sys.executable, HERE / "every_soldier.py", "--child", name]
        command += ["--seed", str(args.seed)] + (["--tracemalloc"] if args.tracemalloc else [])
        child = subprocess.run(command, capture_output=True, text=True, check=True)
        r = json.loads(child.stdout)
        traced = (
            f", tracemalloc peak {r['tracemalloc_peak_mib']:.0f} MiB (times slowed by tracing)"
            if "tracemalloc_peak_mib" in r
            else ""
        )
        print(
            f"{name}: {r['agents_start']:,} agents at the start, {r['agents_end']:,} at the end "
            f"(arrays for {r['capacity']:,}), {r['weeks']} of {r['horizon_weeks']} weeks "
            f"({r['outcome']}): build {r['build_cpu_s']:.2f} s CPU, run {r['cpu_s']:.2f} s CPU "
            f"({r['wall_s']:.2f} s wall); peak RSS {r['peak_rss_mib']:.0f} MiB "
            f"({r['peak_rss_mib'] - r['rss_before_mib']:.0f} MiB above the "
            f"{r['rss_before_mib']:.0f} MiB before the build){traced}; {load()}"
        )


if __name__ == "__main__":
    main()
