"""Two-sample tests of the main outcomes: the recorded sample (stream_reference.json) against a new one.

Shares (the war ended, a regime change, a negotiated end, an exile agreement, a coup attempted)
by Fisher's exact test; outcomes on a scale (the end week, the final active force, desertions,
surrenders, deaths, recruits, hotline contacts, unrest, purges, the leader's belief, the lowest
stability) by the two-sample Kolmogorov-Smirnov test (any difference of distribution) and the
Mann-Whitney U test (a shift; it handles the ties of the end week, mostly the horizon). The
p-values are adjusted by Holm's step-down method over every test of a sample, and the samples
are said to differ when an adjusted p-value is below `ALPHA` (family-wise error rate 0.05).

    .venv/bin/python -m tests.golden.stream_comparison [long|short]   # prints the table
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from tests.golden.make_stream_reference import (
    COMPARISON_FIRST_SEED,
    REFERENCE_PATH,
    sample_outcomes,
)

#: Family-wise error rate over the tests of one sample (Holm).
ALPHA = 0.05
#: Yes/no outcomes of a run, compared as shares.
SHARES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "war ended": lambda r: bool(r["war_ended"]),
    "regime change": lambda r: r["outcome"] == "regime_change",
    "ended by negotiation": lambda r: r["outcome"] == "ended_by_negotiation",
    "exile agreement": lambda r: r["exile_agreement_week"] >= 0,
    "coup attempted": lambda r: r["coup_attempts"] > 0,
}
#: Outcomes on a scale (summary fields), compared as distributions.
SCALES = (
    "weeks_run",
    "force_active",
    "desertions_total",
    "surrenders_total",
    "deaths_total",
    "recruits_total",
    "hotline_contacts_total",
    "unrest",
    "elites_purged",
    "leader_belief_outlast",
    "min_stability_index",
)


@dataclass(frozen=True)
class Comparison:
    """One two-sample test: the outcome, the test, what each sample shows, its p-values."""

    outcome: str
    test: str
    reference: str
    new: str
    p_value: float
    p_holm: float = float("nan")


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given (each at most 1)."""
    order = np.argsort(p_values, kind="stable")
    m = len(p_values)
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted.tolist()


def compare(reference: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Comparison]:
    """Every two-sample test of the module docstring, Holm-adjusted over them all."""
    results = []
    for name, is_yes in SHARES.items():
        a = sum(is_yes(r) for r in reference)
        b = sum(is_yes(r) for r in new)
        table = [[a, len(reference) - a], [b, len(new) - b]]
        p = float(stats.fisher_exact(table).pvalue)
        results.append(Comparison(name, "Fisher", f"{a}/{len(reference)}", f"{b}/{len(new)}", p))
    for name in SCALES:
        x = np.array([r[name] for r in reference], dtype=float)
        y = np.array([r[name] for r in new], dtype=float)
        medians = (f"median {np.median(x):.4g}", f"median {np.median(y):.4g}")
        ks = float(stats.ks_2samp(x, y).pvalue)
        mw = float(stats.mannwhitneyu(x, y, alternative="two-sided").pvalue)
        results.append(Comparison(name, "KS", *medians, ks))
        results.append(Comparison(name, "Mann-Whitney", *medians, mw))
    adjusted = holm([c.p_value for c in results])
    return [
        Comparison(c.outcome, c.test, c.reference, c.new, c.p_value, p)
        for c, p in zip(results, adjusted, strict=True)
    ]


def reference_runs(sample: str) -> list[dict[str, Any]]:
    """The recorded runs of one sample."""
    return json.loads(REFERENCE_PATH.read_text(encoding="utf-8"))["samples"][sample]["runs"]


def compare_sample(sample: str) -> list[Comparison]:
    """Run the sample's seeds from `COMPARISON_FIRST_SEED` on this code; compare with the record."""
    return compare(reference_runs(sample), sample_outcomes(sample, COMPARISON_FIRST_SEED))


def format_table(comparisons: list[Comparison]) -> str:
    """A Markdown table of the comparisons."""
    lines = [
        "| outcome | test | reference | new | p | p (Holm) |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {c.outcome} | {c.test} | {c.reference} | {c.new} | {c.p_value:.3f} | {c.p_holm:.3f} |"
        for c in comparisons
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sample", nargs="?", default="long", choices=["long", "short"])
    args = parser.parse_args()
    comparisons = compare_sample(args.sample)
    print(format_table(comparisons))
    print(f"smallest Holm-adjusted p: {min(c.p_holm for c in comparisons):.3f} (alpha {ALPHA})")


if __name__ == "__main__":
    main()
