"""How the cost of a week grows with the number of soldier agents and of elites.

Whole-model week and soldier-kernel week (best of the timed weeks, CPU time), build time, for
soldiers from 10^4 to 10^6 (default elites) and elites from 30 to 300 (default soldiers).
Writes benchmarks/scaling.csv and benchmarks/scaling.png.

    .venv/bin/python benchmarks/scaling.py [--weeks 5]
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from _common import HERE, header, load
from model_week import week_costs

from model.scenario import Scenario

SOLDIERS = (10_000, 30_000, 100_000, 300_000, 1_000_000)
ELITES = (30, 100, 300)


def measure(weeks: int) -> pd.DataFrame:
    """One row per size: what was varied, soldiers, elites and the costs in ms and s."""
    default = Scenario()
    rows = []
    for varied, n_soldiers, n_elites in [
        *(("soldiers", n, default.n_elites) for n in SOLDIERS),
        *(("elites", default.n_soldier_agents, e) for e in ELITES),
    ]:
        c = week_costs(n_soldiers, weeks, n_elites=n_elites)
        rows.append(
            {
                "varied": varied,
                "soldier_agents": c["soldiers"],
                "elites": n_elites,
                "week_ms": 1e3 * c["week_s"],
                "kernel_ms": 1e3 * c["kernel_s"],
                "rest_ms": 1e3 * (c["week_s"] - c["kernel_s"]),
                "week_per_kernel": c["ratio_median"],
                "build_s": c["build_s"],
                "first_build_s": c["first_build_s"],
                "load_1min": float(load().split()[1]),
            }
        )
        print(rows[-1])
    return pd.DataFrame(rows)


def plot(table: pd.DataFrame, path) -> None:
    """Time per week against soldiers (log-log) and against elites."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    by_soldiers = table[table["varied"] == "soldiers"]
    for column, label in (("week_ms", "whole model"), ("kernel_ms", "soldier kernel")):
        left.plot(by_soldiers["soldier_agents"], by_soldiers[column], "o-", label=label)
    left.set(xscale="log", yscale="log", xlabel="soldier agents", ylabel="ms per week")
    left.set_title(f"Against soldiers ({int(by_soldiers['elites'].iloc[0])} elites)")
    left.grid(True, which="both", alpha=0.3)
    left.legend()
    by_elites = table[table["varied"] == "elites"]
    for column, label in (("week_ms", "whole model"), ("kernel_ms", "soldier kernel")):
        right.plot(by_elites["elites"], by_elites[column], "o-", label=label)
    right.set(xlabel="elites", ylabel="ms per week", ylim=(0, None))
    soldiers = int(by_elites["soldier_agents"].iloc[0])
    right.set_title(f"Against elites ({soldiers:,} soldier agents)")
    right.grid(True, alpha=0.3)
    right.legend()
    fig.suptitle("outlast: CPU time per simulated week (best of timed weeks, one core)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=5, help="timed weeks per size")
    args = parser.parse_args()
    header("cost of a week against soldiers and elites (CPU time, one core)")
    table = measure(args.weeks)
    table.to_csv(HERE / "scaling.csv", index=False, float_format="%.4g")
    plot(table, HERE / "scaling.png")
    print("| " + " | ".join(table.columns) + " |")
    print("|" + "---|" * len(table.columns))
    for row in table.itertuples(index=False):
        print("| " + " | ".join(f"{v:.3g}" if isinstance(v, float) else f"{v}" for v in row) + " |")


if __name__ == "__main__":
    main()
