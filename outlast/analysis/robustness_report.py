"""The report of a robustness experiment: one function per section, each writing its own files.

``outlast report OUT_DIR`` on a robustness output calls `write_robustness_report`, which reads the
results once (`read_robustness`) and runs every function of `SECTIONS` in turn. A section takes
the results and the report directory, writes its CSV tables and figures there, and returns a
`Section`: its heading, its Markdown and the files it wrote. Another section (scenario discovery,
sensitivity, the fund's price) is one more function of the same shape added to `SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from outlast.analysis import palette, robustness_figures
from outlast.analysis.figures import FORMATS
from outlast.analysis.robustness import (
    ALPHA,
    SHARES,
    VERDICTS,
    RobustnessResults,
    comparison_table,
    distribution_table,
    read_robustness,
    regret_by_future,
    regret_table,
    time_table,
    verdicts,
)
from outlast.analysis.robustness_sections import Section
from outlast.analysis.tables import markdown_table, with_interval
from outlast.experiments.design import ExperimentError
from outlast.experiments.store import output_dir_problem

DPI = 120
#: The comparison's verdicts in the project's colour-blind-safe palette.
VERDICT_COLOURS = {
    "better": palette.OKABE_ITO["bluish_green"],
    "no clear difference": palette.GREY,
    "worse": palette.OKABE_ITO["vermillion"],
}


def _csv(table: pd.DataFrame, path: Path) -> Path:
    table.to_csv(path, index=False)
    return path


def _save(fig: Figure, path: Path) -> Path:
    FigureCanvasAgg(fig)
    return robustness_figures._save(fig, path)


def section_design(res: RobustnessResults, out: Path) -> Section:
    """What was run: policies, futures, seeds, failures; the per-run and per-future tables."""
    m = res.manifest
    source = m["design"]["robustness"]["futures"]
    futures = (
        f"the ensemble `{source['file']}` (sha256 `{source['sha256'][:12]}`)"
        if "file" in source
        else f"a Latin hypercube of {source['lhs']} points over every uncertainty's bounds "
        f"(seed {source['seed']})"
    )
    files = [
        _csv(res.runs, out / "robustness_runs.csv"),
        _csv(res.per_future, out / "robustness_per_future.csv"),
        _csv(res.futures, out / "robustness_futures.csv"),
    ]
    failed = int(res.failed.sum())
    body = [
        f"Experiment file `{m['experiment']['file']}` (sha256 `{m['experiment']['sha256'][:12]}`), "
        f"git commit `{m['git_commit']}`, master seed {m['master_seed']}.",
        f"{len(res.policies)} policies x {res.n_futures} futures x {res.n_seeds} seeds = "
        f"{m['n_runs']} runs ({failed} failed), horizon {res.horizon_weeks} weeks. Futures: "
        f"{futures}, setting {len(res.uncertainties)} parameters. A future's seed s is the same "
        "under every policy (common random numbers).",
        f"Reference policy: {res.reference or 'none'}. Policies: "
        + ", ".join(f"`{p}`" for p in res.policies)
        + ".",
        "",
        "Per run: robustness_runs.csv; per policy and future: robustness_per_future.csv; "
        "the futures' values: robustness_futures.csv.",
    ]
    return Section("Design", "\n".join(body), files)


def section_distributions(res: RobustnessResults, out: Path) -> Section:
    """Per policy: each outcome pooled (Wilson) and across futures (bootstrap, quantiles)."""
    table = distribution_table(res)
    files = [_csv(table, out / "robustness_distributions.csv")]
    tables = []
    for outcome, heading in SHARES.items():
        rows = table[table["outcome"] == outcome].set_index("policy").loc[res.policies]
        shown = pd.DataFrame({"policy": res.policies, "runs": rows["n_runs"].to_numpy()})
        shown["pooled [Wilson 95%]"] = [
            with_interval(r.pooled, r.pooled_low, r.pooled_high) for r in rows.itertuples()
        ]
        shown["mean over futures [bootstrap 95%]"] = [
            with_interval(r.mean, r.mean_low, r.mean_high) for r in rows.itertuples()
        ]
        shown["10% / 50% / 90% of futures"] = [
            f"{r.q10:.2f} / {r.q50:.2f} / {r.q90:.2f}" if pd.notna(r.q50) else "-"
            for r in rows.itertuples()
        ]
        tables += [f"### {heading}", "", markdown_table(shown), ""]
    files.append(_distribution_figure(res, out / "robustness_distributions.png"))
    body = [
        "Each outcome as a share of runs. *Pooled*: over all runs of the policy, with its Wilson "
        "95% interval (treating runs as independent, so it understates the spread between "
        "futures). *Mean over futures*: the mean of the per-future shares, with a 95% bootstrap "
        "interval that resamples futures and, within each, seeds. Then the 10%, 50% and 90% "
        f"points of the per-future shares (each a share of {res.n_seeds} seeds, not a 0/1 "
        "value). robustness_distributions.csv also gives the share of futures where the "
        "outcome happened in at least one seed and in every seed.",
        "",
        *tables,
    ]
    return Section("Outcomes across futures", "\n".join(body), files)


def section_time(res: RobustnessResults, out: Path) -> Section:
    """Per policy: weeks of war within the horizon; when the war ended where it did."""
    table = time_table(res)
    files = [_csv(table, out / "robustness_time.csv")]
    shown = pd.DataFrame(
        {
            "policy": table["policy"],
            "runs": table["n_runs"],
            "runs where the war ended": table["n_ended"],
            "weeks of war: mean over futures": [
                with_interval(r.weeks_of_war, r.weeks_of_war_low, r.weeks_of_war_high)
                for r in table.itertuples()
            ],
            "10% / 50% / 90% of futures": [
                f"{r.weeks_of_war_q10:.0f} / {r.weeks_of_war_q50:.0f} / {r.weeks_of_war_q90:.0f}"
                for r in table.itertuples()
            ],
            "week the war ended: median [10%, 90%] of those runs": [
                "-"
                if pd.isna(r.median_end_week)
                else f"{r.median_end_week:.0f} [{r.end_week_q10:.0f}, {r.end_week_q90:.0f}]"
                for r in table.itertuples()
            ],
        }
    )
    body = [
        f"Weeks of war within the horizon ({res.horizon_weeks} weeks): the week the war ended, "
        "or the whole horizon for a run whose war did not end (a restricted mean: nothing is "
        "carried past a run's end). The week the war ended is summarised only over the runs "
        "where it did, with their count.",
        "",
        markdown_table(shown),
    ]
    return Section("Time to the end of the war", "\n".join(body), files)


def section_comparison(res: RobustnessResults, out: Path) -> Section:
    """Per policy: shares of futures where it is clearly better or worse than the reference."""
    if len(res.policies) < 2:
        return Section("Better or worse than the reference", "Not done: the design has one policy.")
    if res.reference is None:
        return Section(
            "Better or worse than the reference",
            "Not done: the design names no reference policy (design.reference, or a policy "
            "called 'baseline').",
        )
    table = comparison_table(res)
    files = [_csv(table, out / "robustness_comparison.csv")]
    shown = pd.DataFrame(
        {
            "policy": table["policy"],
            "futures": table["n_futures"],
            "better (share [95%])": [
                f"{r.better} ({with_interval(r.p_better_futures, r.p_better_futures_low, r.p_better_futures_high)})"
                for r in table.itertuples()
            ],
            "worse: backfire (share [95%])": [
                f"{r.worse} ({with_interval(r.p_worse_futures, r.p_worse_futures_low, r.p_worse_futures_high)})"
                for r in table.itertuples()
            ],
            "no clear difference": table["unclear"],
            "gain in P(war ended): mean over futures": [
                with_interval(r.mean_gain, r.mean_gain_low, r.mean_gain_high)
                for r in table.itertuples()
            ],
        }
    )
    min_p = 0.5**res.n_seeds
    caveat = (
        f" With {res.n_seeds} seeds a future can be judged only if every pair that differs "
        "points one way or nearly so; "
        if min_p < ALPHA
        else f" **With {res.n_seeds} seeds no future can be judged** (the smallest p-value is "
        f"{min_p:.3g}, not below {ALPHA}); use at least 5 seeds; "
    )
    files.append(_comparison_figure(table, res, out / "robustness_backfire.png"))
    body = [
        f"Each policy against `{res.reference}`, future by future. A run's outcome is scored +1 "
        "if the war ended, -1 if a hard-line successor took power, 0 otherwise; the policy's run "
        "and the reference's with the same future and seed (the same random numbers) form a "
        "pair. A future counts as *better* when an exact one-sided sign test of the pairs the "
        f"policy wins against those it loses (ties dropped) gives p < {ALPHA}, as *worse* "
        f"(backfire) when the opposite test does, else *no clear difference*.{caveat}the "
        "shares are therefore lower bounds on the futures where the policy truly helps or "
        "harms. Shares of futures with Wilson 95% intervals over futures; the gain is the "
        "mean over futures of the policy's P(war ended) minus the reference's, with a bootstrap "
        "interval over futures and seeds. Per future: robustness_verdicts.csv.",
        "",
        markdown_table(shown),
    ]
    files.insert(1, _csv(verdicts(res), out / "robustness_verdicts.csv"))
    return Section("Better or worse than the reference", "\n".join(body), files)


def section_regret(res: RobustnessResults, out: Path) -> Section:
    """Per policy: regret in P(war ended) against the best policy of each future."""
    table = regret_table(res)
    files = [_csv(table, out / "robustness_regret.csv")]
    shown = pd.DataFrame(
        {
            "policy": table["policy"],
            "futures": table["n_futures"],
            "mean regret [95%]": [
                with_interval(r.mean_regret, r.mean_regret_low, r.mean_regret_high)
                for r in table.itertuples()
            ],
            "median": table["q50_regret"],
            "90% of futures": table["q90_regret"],
            "max": table["max_regret"],
            "share of futures where it is among the best": table["best_futures"],
        }
    )
    files.append(_regret_figure(res, out / "robustness_regret.png"))
    body = [
        "A policy's regret in a future is the highest P(war ended) any policy reaches there "
        "minus its own (each a share of the future's seeds). The best of noisy shares is biased "
        "up, so regrets are too; the bootstrap interval of the mean (over futures and seeds, "
        "the best found again in each resample) carries that noise. Ties count as best for "
        "every tied policy (a future where no policy ends the war makes every policy best).",
        "",
        markdown_table(shown),
    ]
    return Section("Regret", "\n".join(body), files)


#: The report's sections, in order.
def section_discovery(res: RobustnessResults, out: Path) -> Section:
    """PRIM boxes: where the combined package ends the war, where each lever backfires.

    A backfire is the comparison section's verdict ("worse" than the reference over paired
    seeds), so the two sections mean the same thing by it.
    """
    from outlast.analysis.robustness_sections import discovery_section

    package = "combined" if "combined" in res.policies else res.policies[-1]
    reference = res.reference or res.policies[0]
    paired = verdicts(res) if res.reference is not None else None
    found = discovery_section(
        res.futures, res.per_future, out, package=package, baseline=reference, verdicts=paired
    )
    return found


def section_sensitivity(res: RobustnessResults, out: Path) -> Section:
    """PAWN indices of each policy's P(war ended) per future over the uncertainties."""
    from outlast.analysis.robustness_sections import sensitivity_section

    found = sensitivity_section(res.futures, res.per_future, out)
    return found


#: A fund setting is a dimension of the price table when it takes at most this many values
#: across the design (a grid); a setting sampled across futures (trust, in an LHS ensemble) is an
#: uncertainty the share of futures already averages over.
MAX_SETTING_LEVELS = 12


def section_fund_price(res: RobustnessResults, out: Path) -> Section:
    """The fund's price over a grid of fund settings, when the policies form one."""
    from outlast.analysis.fund_price import FUND_SETTINGS
    from outlast.analysis.robustness_sections import fund_price_section

    levels = res.runs.groupby("policy").first()
    table = res.per_future.merge(res.futures, on="future_id", how="left", suffixes=("", "_f"))
    for lever in res.levers:
        table[lever] = table["policy"].map(levels[lever])
    settings = tuple(
        s for s in FUND_SETTINGS if s in table and 1 < table[s].nunique() <= MAX_SETTING_LEVELS
    )
    if not settings:
        return Section(
            "The fund's price",
            "Not run: the policies do not vary the fund's settings "
            f"({', '.join(FUND_SETTINGS)}); a design with a `policy_grid` over them does.\n",
        )
    if settings and table.groupby([*settings, "future_id"]).size().max() > 1:
        return Section(
            "The fund's price",
            "Not run: several policies share one setting of the fund "
            f"({', '.join(settings)}), so these policies are not a grid of it; a design with a "
            "`policy_grid` over the fund's settings is.\n",
        )
    found = fund_price_section(table, out, settings=settings)
    return found


SECTIONS: list[Callable[[RobustnessResults, Path], Section]] = [
    section_design,
    section_distributions,
    section_time,
    section_comparison,
    section_regret,
    section_discovery,
    section_sensitivity,
    section_fund_price,
]


def write_robustness_report(
    root: Path,
    out: Path | None = None,
    formats: tuple[str, ...] = ("png",),
    dpi: int = DPI,
) -> list[Path]:
    """Write report.md and every section's tables and figures to `out` (default ``root/report``).

    Args:
        root: The robustness experiment's output directory.
        out: Where to write the report; ``root/report`` by default.
        formats: The figure formats (`outlast.analysis.figures.FORMATS`); report.md shows the
            first.
        dpi: The resolution of raster figures (PNG).

    Returns:
        report.md first, then the files the sections wrote.

    Raises:
        ExperimentError: If `root` holds no finished robustness experiment.

    """
    res = read_robustness(root)
    out = res.root / "report" if out is None else Path(out)
    problem = output_dir_problem(out)
    if problem:
        raise ExperimentError(problem)
    out.mkdir(exist_ok=True)
    with robustness_figures.figure_output(formats, dpi):
        sections = [section(res, out) for section in SECTIONS]
        files = [f for s in sections for p in s.files for f in _with_formats(p)]
    lines = [f"# Robustness report: {res.manifest['name']}", ""]
    if len(formats) > 1:
        lines += [f"Each figure in {', '.join(formats)}; shown here as {formats[0]}.", ""]
    for section in sections:
        lines += [f"## {section.title}", "", section.body, ""]
        figures = [p for p in section.files if p.suffix[1:] in FORMATS]
        lines += [f"![{p.stem}]({p.stem}.{formats[0]})" for p in figures]
        lines += [""] if figures else []
    md = out / "report.md"
    md.write_text("\n".join(lines), encoding="utf-8")
    return [md, *files]


def _with_formats(path: Path) -> list[Path]:
    """A section's file, or every format's file when it is a figure."""
    if path.suffix[1:] in FORMATS:
        return robustness_figures.every_format(path)
    return [path]


# ---- figures --------------------------------------------------------------------------------


def _distribution_figure(res: RobustnessResults, path: Path) -> Path:
    """One panel per outcome: per policy, the per-future shares as a box with every future."""
    n = len(res.policies)
    fig = Figure(figsize=(12, 1.0 + 0.45 * n))
    axes = fig.subplots(1, len(SHARES), sharey=True)
    rng = np.random.default_rng(0)  # jitter only
    for ax, (outcome, heading) in zip(axes, SHARES.items(), strict=True):
        data = [
            res.per_future.loc[res.per_future["policy"] == p, f"p_{outcome}"].to_numpy()
            for p in res.policies
        ]
        ax.boxplot(data, orientation="horizontal", widths=0.6, showfliers=False)
        for i, values in enumerate(data, start=1):
            jitter = rng.uniform(-0.2, 0.2, len(values))
            ax.plot(values, i + jitter, ".", color="tab:blue", alpha=0.5, markersize=4)
        ax.set_xlim(-0.03, 1.03)
        ax.set_xlabel(f"{heading}, per future")
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(range(1, n + 1), res.policies)
    axes[0].invert_yaxis()
    fig.suptitle(
        f"Outcome shares across {res.n_futures} futures ({res.n_seeds} seeds each); "
        "dots: futures, boxes: quartiles",
        fontsize="medium",
    )
    return _save(fig, path)


def _comparison_figure(table: pd.DataFrame, res: RobustnessResults, path: Path) -> Path:
    """Per policy: shares of futures clearly better, unclear, clearly worse than the reference."""
    fig = Figure(figsize=(8, 1.0 + 0.45 * len(table)))
    ax = fig.subplots()
    y = np.arange(len(table))
    left = np.zeros(len(table))
    shares = {
        "better": table["p_better_futures"].to_numpy(),
        "worse": table["p_worse_futures"].to_numpy(),
    }
    shares["no clear difference"] = 1.0 - shares["better"] - shares["worse"]
    for verdict in VERDICTS:
        ax.barh(y, shares[verdict], left=left, color=VERDICT_COLOURS[verdict], label=verdict)
        left += shares[verdict]
    # The better share's interval at its bar's right end; the worse share's at its left end
    # (the worse bar runs from 1 - share to 1, so its interval is mirrored).
    better = shares["better"]
    ax.errorbar(
        better,
        y,
        xerr=[better - table["p_better_futures_low"], table["p_better_futures_high"] - better],
        fmt="none",
        color="k",
        capsize=3,
    )
    worse = shares["worse"]
    ax.errorbar(
        1.0 - worse,
        y,
        xerr=[table["p_worse_futures_high"] - worse, worse - table["p_worse_futures_low"]],
        fmt="none",
        color="k",
        capsize=3,
    )
    ax.set_yticks(y, table["policy"])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"share of {res.n_futures} futures (Wilson 95% intervals)")
    ax.set_title(f"Against {res.reference}: clearly better, unclear, clearly worse (backfire)")
    ax.legend(fontsize="small", loc="lower right")
    return _save(fig, path)


def _regret_figure(res: RobustnessResults, path: Path) -> Path:
    """Per policy: its regret in P(war ended) in each future."""
    regret = regret_by_future(res)
    data = [regret.loc[regret["policy"] == p, "regret"].dropna().to_numpy() for p in res.policies]
    fig = Figure(figsize=(7, 1.0 + 0.45 * len(res.policies)))
    ax = fig.subplots()
    ax.boxplot(data, orientation="horizontal", widths=0.6)
    ax.set_yticks(range(1, len(res.policies) + 1), res.policies)
    ax.invert_yaxis()
    ax.set_xlim(-0.03, 1.03)
    ax.set_xlabel("regret in P(war ended): best policy's share minus the policy's, per future")
    ax.set_title(f"Regret across {res.n_futures} futures ({res.n_seeds} seeds each)")
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)
