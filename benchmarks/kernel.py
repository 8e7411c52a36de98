"""The soldier kernel: soldier-steps per second, and vectorized against per-agent decisions.

The kernel is `SoldierCorps.week`: one week of rotation, front losses, peer signals, awareness,
the leave decision and its resolution for every soldier. Each measurement builds the default
scenario at the given size, runs two weeks to settle, then times kernel weeks alone (the model's
other steps are not run between them). Figures: best and median week of the timed weeks.

    .venv/bin/python benchmarks/kernel.py [--big 1000000] [--small 10000] [--weeks 10]
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np
from _common import header, load, timed

from agents.soldiers import logistic_shock
from model.model import OutlastModel


def settled_model(n_soldiers: int, seed: int = 1) -> OutlastModel:
    """The default scenario with ``n_soldiers`` soldier agents, two weeks in."""
    model = OutlastModel(rng=seed, n_soldier_agents=n_soldiers, horizon_weeks=156)
    model.step()
    model.step()
    return model


def kernel_weeks(model: OutlastModel, weeks: int, per_agent: bool = False) -> list[float]:
    """Seconds of each of ``weeks`` kernel weeks."""
    inputs = model.army_week_inputs()
    return [
        timed(lambda: model.corps.week(inputs, model.rng, per_agent=per_agent))
        for _ in range(weeks)
    ]


def decision_times(model: OutlastModel, repeats: int) -> dict[str, float]:
    """Best seconds of this week's decision alone, from the same draws, by each path.

    ``compiled``: the kernel's loop (`SoldierCorps.decide`); ``numpy``: the rule on whole arrays
    of gathered inputs (`decide_all`); ``per agent``: each Soldier agent (`decide_each`). Each
    includes drawing the shocks; the two array paths include gathering their inputs.
    """
    corps = model.corps
    active = corps.active_index()
    left_ties, _ = corps.peer_counts()
    week = model.army_week_inputs()
    contacted = corps.contacted.copy()
    state = model.rng.bit_generator.state

    def numpy_path() -> None:
        shock = logistic_shock(model.rng.random(active.size, dtype=np.float32), week.noise_scale)
        corps.decide_all(corps.week_inputs(week, active, left_ties, shock))

    paths = {
        "compiled": lambda: corps.decide(week, active, left_ties, model.rng),
        "numpy": numpy_path,
        "per agent": lambda: corps.decide(week, active, left_ties, model.rng, per_agent=True),
    }
    times = {}
    for name, decide in paths.items():
        best = float("inf")
        for _ in range(repeats):
            corps.contacted[:] = contacted
            model.rng.bit_generator.state = state
            best = min(best, timed(decide))
        times[name] = best
    corps.contacted[:] = contacted
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=1_000_000, help="soldiers for the rate")
    parser.add_argument("--small", type=int, default=10_000, help="soldiers for the comparison")
    parser.add_argument("--weeks", type=int, default=10, help="timed weeks per measurement")
    args = parser.parse_args()
    header("soldier kernel (SoldierCorps.week), one core")

    model = settled_model(args.big)
    size = model.corps.size
    weeks = kernel_weeks(model, args.weeks)
    best, median = min(weeks), statistics.median(weeks)
    print(
        f"kernel at {size:,} soldiers: best week {best * 1e3:.1f} ms, median "
        f"{median * 1e3:.1f} ms -> {size / best:.3g} soldier-steps/s (best), "
        f"{size / median:.3g} (median); {load()}"
    )

    model = settled_model(args.small)
    size = model.corps.size
    vector = min(kernel_weeks(model, args.weeks))
    each = min(kernel_weeks(model, max(2, args.weeks // 5), per_agent=True))
    print(
        f"kernel week at {size:,} soldiers: vectorized {vector * 1e3:.2f} ms, with per-agent "
        f"decisions {each * 1e3:.1f} ms -> {each / vector:.0f}x; {load()}"
    )
    decide = decision_times(model, repeats=max(2, args.weeks // 5))
    print(
        f"decision alone at {size:,} soldiers: compiled {decide['compiled'] * 1e3:.3f} ms, "
        f"numpy on arrays {decide['numpy'] * 1e3:.2f} ms, per agent "
        f"{decide['per agent'] * 1e3:.1f} ms -> per agent / compiled "
        f"{decide['per agent'] / decide['compiled']:.0f}x, per agent / numpy "
        f"{decide['per agent'] / decide['numpy']:.0f}x; {load()}"
    )


if __name__ == "__main__":
    main()
