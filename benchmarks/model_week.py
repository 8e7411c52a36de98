"""The whole model against its soldier kernel: a week, the build, and peak memory of a long run.

For each size: build the default scenario twice (both timed), run two weeks to settle, then time whole-model
weeks (`OutlastModel.step`) and, within the same weeks, the soldier kernel (`SoldierCorps.week`),
the unrest rule (`RegionPopulation.update_unrest`) and, where the model has them, the placing of
its random streams at the week's start (`RandomStreams.start_week`).
Then, in a fresh process, a run of 52 weeks at the largest size and its peak resident memory.

    .venv/bin/python benchmarks/model_week.py [--sizes 20000 1000000] [--weeks 10]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from _common import HERE, header, load, timed

from model.model import OutlastModel


def time_calls(owner: object, name: str) -> list[float]:
    """Wrap ``owner.name`` so that each call's CPU seconds are appended to the returned list."""
    seconds: list[float] = []
    method: Callable[..., object] = getattr(owner, name)

    def timed_method(*args: object, **kwargs: object) -> object:
        start = time.process_time()
        result = method(*args, **kwargs)
        seconds.append(time.process_time() - start)
        return result

    setattr(owner, name, timed_method)  # the same weeks, timed from inside
    return seconds


def week_costs(n_soldiers: int, weeks: int, **params: object) -> dict[str, float]:
    """Build seconds, and per-week seconds of the whole model and of its kernel, same weeks.

    ``params`` are further Scenario fields (the default scenario otherwise).
    """
    params = {"n_soldier_agents": n_soldiers, "horizon_weeks": 156, **params}
    # Built twice: the first build in a process touches fresh memory, which in a virtual machine
    # can cost more than the build's own work; the second reuses the pages the first freed, as
    # the weeks reuse theirs.
    builds = []
    model = None
    for _ in range(2):
        model = None
        start = time.process_time()
        model = OutlastModel(rng=1, **params)
        builds.append(time.process_time() - start)
    model.step()
    model.step()
    kernel_seconds = time_calls(model.corps, "week")
    unrest_seconds = time_calls(model.regions, "update_unrest")
    streams = getattr(model, "streams", None)
    stream_seconds = time_calls(streams, "start_week") if streams is not None else [0.0]
    whole = [timed(model.step) for _ in range(weeks)]
    ratios = [w / k for w, k in zip(whole, kernel_seconds, strict=True)]
    return {
        "soldiers": model.corps.size,
        "build_s": builds[1],
        "first_build_s": builds[0],
        "week_s": min(whole),
        "week_median_s": statistics.median(whole),
        "kernel_s": min(kernel_seconds),
        "kernel_median_s": statistics.median(kernel_seconds),
        "ratio_median": statistics.median(ratios),
        "unrest_s": min(unrest_seconds),
        "unrest_median_s": statistics.median(unrest_seconds),
        "streams_s": min(stream_seconds),
        "streams_median_s": statistics.median(stream_seconds),
    }


def long_run(n_soldiers: int, weeks: int) -> dict[str, float]:
    """Run ``weeks`` weeks at ``n_soldiers`` in this process; its seconds and peak memory."""
    start = time.perf_counter()
    cpu = time.process_time()
    model = OutlastModel(rng=1, n_soldier_agents=n_soldiers, horizon_weeks=weeks)
    model.run_model()
    return {
        "soldiers": model.corps.size,
        "weeks": model.week,
        "wall_s": time.perf_counter() - start,
        "cpu_s": time.process_time() - cpu,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 1_000_000])
    parser.add_argument("--weeks", type=int, default=10, help="timed weeks per size")
    parser.add_argument("--long-weeks", type=int, default=52, help="weeks of the memory run")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(long_run(args.child, args.long_weeks)))
        return
    header("whole model against the soldier kernel (CPU time, one core)")
    for n in args.sizes:
        c = week_costs(n, args.weeks)
        print(
            f"{c['soldiers']:>9,} soldiers: week {c['week_s'] * 1e3:7.1f} ms (median "
            f"{c['week_median_s'] * 1e3:.1f}), kernel {c['kernel_s'] * 1e3:7.1f} ms (median "
            f"{c['kernel_median_s'] * 1e3:.1f}), week/kernel {c['ratio_median']:.2f} (median); "
            f"build {c['build_s']:.3f} s = {c['build_s'] / c['week_s']:.1f} weeks (first build "
            f"in the process {c['first_build_s']:.3f} s = "
            f"{c['first_build_s'] / c['week_s']:.1f} weeks); {load()}"
        )
        print(
            f"{'':>9}  in the same weeks: unrest rule {c['unrest_s'] * 1e6:6.0f} us (median "
            f"{c['unrest_median_s'] * 1e6:.0f}), streams placed {c['streams_s'] * 1e6:4.0f} us "
            f"(median {c['streams_median_s'] * 1e6:.0f})"
        )
    n = max(args.sizes)
    child = subprocess.run(
        [
            sys.executable,
            HERE / "model_week.py",
            "--child",
            str(n),
            "--long-weeks",
            str(args.long_weeks),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    r = json.loads(child.stdout)
    print(
        f"run of {r['weeks']} weeks from {n:,} soldier agents ({r['soldiers']:,} at the end): "
        f"peak RSS {r['peak_rss_mib']:.0f} MiB, {r['wall_s']:.1f} s wall, "
        f"{r['cpu_s']:.1f} s CPU; {load()}"
    )


if __name__ == "__main__":
    main()
