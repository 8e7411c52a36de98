"""The robustness report's analysis sections: scenario discovery, sensitivity, the fund's price.

Each function takes the robustness experiment's tables and an output directory and returns a
`Section` (its Markdown, its tables and the figures it wrote), for `outlast report` to assemble.
Inputs:

- `futures`: one row per future, `future_id` and one numeric column per uncertain parameter.
- `per_future`: one row per (policy, future_id) with `n_seeds` and the shares `p_war_ended`,
  `p_regime_change`, `p_hardline`; for the fund's grid also its settings, `p_army_shrank` and
  `fund_spent_usd`.

Methods and their rules: docs/ROBUSTNESS.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from outlast.analysis import robustness_figures as figures
from outlast.analysis.discovery import (
    CHOICE_RULE,
    EMA_MISSING,
    SIGNIFICANCE_RULE,
    PrimBox,
    backfires,
    ends_war,
    find_box,
    paired_backfires,
    uncertainty_matrix,
)
from outlast.analysis.fund_price import (
    FROZEN_ASSETS_USD,
    FUND_SETTINGS,
    SHRANK_COLUMNS,
    SHRANK_IN_SEEDS,
    SHRANK_MEANING,
    fund_price,
    lowest_payment,
)
from outlast.analysis.sensitivity import PAWN_BOOTSTRAP, pawn_sensitivity
from outlast.analysis.tables import format_number
from outlast.analysis.tables import markdown_table as tables_markdown

#: The robustness analysis's verdict of a future where a policy does clearly worse.
WORSE = "worse"


@dataclass
class Section:
    """One part of the report: a heading, its Markdown body, the files it wrote, its tables.

    The same fields as the robustness report's own sections (title, body, files), plus the
    tables behind the body for whoever wants them as data.
    """

    title: str
    body: str
    files: list[Path] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def markdown_table(df: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table, each value written by `_cell`."""
    return tables_markdown(df, _cell)


def _cell(value: object) -> str:
    """A table cell: yes/no for flags, else `format_number`."""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    return format_number(value)


def _slug(text: str, length: int = 40) -> str:
    """A file-name stem from words: letters and digits, the rest '_'.

    A stem cut to `length` ends with 8 hex digits of the whole text's digest, so two policies
    whose names share their first `length` characters (a grid's) do not overwrite each other.
    """
    stem = "".join(c if c.isalnum() else "_" for c in text).strip("_")
    if len(stem) <= length:
        return stem
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{stem[:length].strip('_')}_{digest}"


def _seeds(per_future: pd.DataFrame) -> str:
    """How many seeds per future, '10' or '8-10'."""
    lo, hi = int(per_future["n_seeds"].min()), int(per_future["n_seeds"].max())
    return str(lo) if lo == hi else f"{lo}-{hi}"


def discovery_section(
    futures: pd.DataFrame,
    per_future: pd.DataFrame,
    out_dir: Path,
    package: str = "combined",
    baseline: str = "baseline",
    levers: list[str] | None = None,
    verdicts: pd.DataFrame | None = None,
) -> Section:
    """PRIM boxes for 'the package ends the war' and for 'each lever backfires'.

    Args:
        futures: The ensemble's futures.
        per_future: The per-(policy, future) shares.
        out_dir: Where the figures go.
        package: The policy whose success is explained.
        baseline: The do-nothing policy backfires are measured against.
        levers: Policies whose backfires are explained (default: all but package and baseline).
        verdicts: Per (policy, future_id), the robustness analysis's `verdict` against the
            baseline over paired seeds ("worse" is a backfire). Without it, a backfire is
            `discovery.backfires`' unpaired test of the shares.

    """
    x = uncertainty_matrix(futures)
    policies = list(dict.fromkeys(per_future["policy"]))
    if levers is None:
        levers = [p for p in policies if p not in (package, baseline)]
    questions: list[tuple[str, pd.Series]] = []
    if package in policies:
        questions.append(
            (f"{package} ends the war in at least half its seeds", ends_war(per_future, package))
        )
    if baseline in policies:
        for lever in levers:
            questions.append(
                (
                    f"{lever} backfires (worse than {baseline} beyond seed noise)",
                    _backfire(per_future, verdicts, lever, baseline),
                )
            )
    section = Section("Scenario discovery", "")
    lines = [
        f"PRIM (EMA Workbench) over {len(x)} futures and {x.shape[1]} uncertain parameters, "
        f"{_seeds(per_future)} seeds per future and policy. Coverage is the share of the futures "
        "where the outcome holds that lie inside the box; density the share of the futures inside "
        f"the box where it holds; mass the share of all futures inside. Rules: {SIGNIFICANCE_RULE}; "
        f"{CHOICE_RULE}. "
        + (
            "A lever backfires in a future where the paired comparison of its seeds with the "
            f"{baseline}'s judged it worse (the robustness analysis's verdict)."
            if verdicts is not None
            else "A lever backfires in a future where its seeds' count of ends is below the "
            f"{baseline}'s in a one-sided Fisher exact test at p < 0.05."
        ),
        "",
    ]
    summary = []
    for outcome, y in questions:
        y = y.reindex(x.index)
        known = y.notna()
        found = find_box(x[known], y[known].astype(bool), outcome)
        if found == EMA_MISSING:
            return Section("Scenario discovery", f"Not done: {EMA_MISSING}.\n")
        lines.append(f"### {outcome}")
        lines.append("")
        if isinstance(found, str):
            lines += [f"No box: {found}.", ""]
            continue
        summary.append(_box_row(found))
        stem = _slug(outcome)
        section.tables[f"prim_limits_{stem}"] = found.limits
        section.tables[f"prim_trajectory_{stem}"] = found.trajectory
        section.files.append(
            figures.prim_tradeoff_figure(found, out_dir / f"prim_tradeoff_{stem}.png")
        )
        section.files.append(figures.prim_limits_figure(found, out_dir / f"prim_box_{stem}.png"))
        lines += [
            found.sentence(emphasis="**"),
            "",
            markdown_table(
                found.limits[["dimension", "low", "high", "range_low", "range_high", "quasi_p"]]
            ),
            "",
        ]
    if summary:
        section.tables["prim_boxes"] = pd.DataFrame(summary)
        lines[2:2] = [markdown_table(section.tables["prim_boxes"]), ""]
    section.body = "\n".join(lines) + "\n"
    return section


def _backfire(
    per_future: pd.DataFrame, verdicts: pd.DataFrame | None, lever: str, baseline: str
) -> pd.Series:
    """Per future, whether `lever` backfires against `baseline`."""
    if verdicts is None:
        return backfires(per_future, lever, baseline)
    return paired_backfires(verdicts, lever, WORSE)


def _box_row(box: PrimBox) -> dict[str, object]:
    return {
        "outcome": box.outcome,
        "futures": box.n_futures,
        "cases": box.n_of_interest,
        "coverage": box.coverage,
        "density": box.density,
        "mass": box.mass,
        "box": box.describe(),
        "significant": "yes" if box.significant else "no",
    }


def sensitivity_section(
    futures: pd.DataFrame,
    per_future: pd.DataFrame,
    out_dir: Path,
    policies: list[str] | None = None,
    outcome: str = "p_war_ended",
) -> Section:
    """PAWN indices of `outcome` per future over the uncertain parameters, for each policy."""
    x = uncertainty_matrix(futures)
    section = Section("Sensitivity", "")
    lines = [
        f"PAWN (SALib) of each policy's {outcome} per future ({_seeds(per_future)} seeds) over "
        f"{x.shape[1]} uncertain parameters and {len(x)} futures: the median, across slices of "
        "one parameter, of the Kolmogorov-Smirnov distance between the outcome's distribution "
        "in the slice and overall. Inputs of pure noise give the level chance alone reaches: "
        "'excess' is the index minus their mean index, with its basic bootstrap 95% interval "
        f"({PAWN_BOOTSTRAP} resamples of the futures); 'p_value' the share of noise inputs with "
        "an index at least as large; a parameter matters beyond noise when its index exceeds "
        "the 95th percentile of the largest index among as many noise inputs as there are "
        "parameters (so that the chance of calling any inert parameter influential is 5%).",
        "",
    ]
    for policy in policies or list(dict.fromkeys(per_future["policy"])):
        rows = per_future[per_future["policy"] == policy].set_index("future_id")
        y = rows[outcome].reindex(x.index)
        known = y.notna()
        table = pawn_sensitivity(x[known], y[known])
        lines += [f"### {policy}", ""]
        if isinstance(table, str):
            lines += [f"No indices: {table}.", ""]
            continue
        section.tables[f"pawn_{_slug(policy)}"] = table
        section.files.append(
            figures.pawn_figure(
                table,
                f"PAWN sensitivity of {outcome} under {policy}",
                out_dir / f"pawn_{_slug(policy)}_{outcome}.png",
            )
        )
        matter = table.loc[table["above_noise"], "parameter"].tolist()
        lines += [
            "Beyond noise: " + (", ".join(matter) if matter else "none") + ".",
            f"Noise level {table.attrs['noise_level']:.3f}, threshold "
            f"{table.attrs['threshold']:.3f}.",
            "",
            markdown_table(table),
            "",
        ]
    section.body = "\n".join(lines) + "\n"
    return section


def fund_price_section(
    per_future: pd.DataFrame,
    out_dir: Path,
    settings: tuple[str, ...] = FUND_SETTINGS,
) -> Section:
    """The fund's price: share of futures where the army shrinks per setting, cost, frontier."""
    rows = per_future.dropna(subset=[s for s in settings if s in per_future.columns])
    shrank = next((c for c in SHRANK_COLUMNS if c in rows), SHRANK_COLUMNS[0])
    missing = [c for c in (*settings, shrank, "fund_spent_usd") if c not in rows]
    if missing:
        return Section("The fund's price", f"Not done: the results lack {', '.join(missing)}.\n")
    table = fund_price(rows, settings)
    by_trust = lowest_payment(table)
    figure = figures.fund_frontier_figure(table, _seeds(rows), out_dir / "fund_frontier.png")
    answer = _fund_answer(table, settings)
    lines = [
        f"Over {int(table['futures'].max())} futures and {_seeds(rows)} seeds each: the army "
        f"shrinks in a future when {SHRANK_MEANING[shrank]} "
        f"in at least {SHRANK_IN_SEEDS:.0%} of the seeds; the share of futures where it "
        "does, with its Wilson 95% interval over futures; the cost is the fund's spending (its "
        "paid claims, mean over seeds, then over futures; 5%-95% across futures) against the "
        f"frozen assets (USD {FROZEN_ASSETS_USD / 1e9:.0f}bn, docs/FACTS.md).",
        "",
        answer,
        "",
        markdown_table(_fund_display(table, settings)),
        "",
        "Lowest payment reaching the target, per reach and trust:",
        "",
        markdown_table(_in_bn(by_trust)),
        "",
    ]
    return Section(
        "The fund's price",
        "\n".join(lines) + "\n",
        [figure],
        {"fund_price": table, "fund_lowest_payment": by_trust},
    )


def _in_bn(table: pd.DataFrame) -> pd.DataFrame:
    """Costs in USD bn, for reading."""
    out = table.copy()
    for column in [c for c in out.columns if c.startswith("cost")]:
        out[column.replace("_usd", "_usd_bn")] = out.pop(column) / 1e9
    return out


def _fund_display(table: pd.DataFrame, settings: tuple[str, ...]) -> pd.DataFrame:
    """The fund table as a reader wants it: settings, share [interval], cost in bn, flags."""
    out = table[list(settings)].copy()
    out["futures shrank"] = [
        f"{k} of {n}" for k, n in zip(table["futures_shrank"], table["futures"], strict=True)
    ]
    out["share [95%]"] = [
        f"{p:.2f} [{lo:.2f}, {hi:.2f}]"
        for p, lo, hi in zip(table["share"], table["low"], table["high"], strict=True)
    ]
    out["cost (USD bn)"] = table["cost_usd"] / 1e9
    out["cost 5-95% (USD bn)"] = [
        f"{lo / 1e9:.3g}-{hi / 1e9:.3g}"
        for lo, hi in zip(table["cost_low_usd"], table["cost_high_usd"], strict=True)
    ]
    out["of frozen assets"] = [f"{v:.1%}" for v in table["share_of_frozen_assets"]]
    for flag in ("reaches", "cheapest", "on_frontier"):
        out[flag] = table[flag]
    return out


def _fund_answer(table: pd.DataFrame, settings: tuple[str, ...]) -> str:
    """The cheapest setting reaching the target, in words, for each value of the conditions."""
    given = table.attrs["conditions"]
    choices = [s for s in settings if s not in given]
    sentences = []
    for values, group in table.groupby(given) if given else [((), table)]:
        where = ", ".join(
            f"{c} = {format_number(v)}" for c, v in zip(given, np.atleast_1d(values), strict=True)
        )
        prefix = f"With {where}: " if where else ""
        cheapest = group[group["cheapest"]]
        if cheapest.empty:
            sentences.append(
                f"{prefix}no setting makes the army shrink in at least "
                f"{table.attrs['target']:.0%} of the futures."
            )
            continue
        best = cheapest.iloc[0]
        sentences.append(
            f"{prefix}the cheapest setting reaching the target is "
            + ", ".join(f"{s} = {format_number(best[s])}" for s in choices)
            + f": the army shrinks in {best['share']:.2f} [{best['low']:.2f}, {best['high']:.2f}] "
            f"of {int(best['futures'])} futures, at an expected USD {best['cost_usd'] / 1e9:.3g}bn "
            f"({best['share_of_frozen_assets']:.1%} of the frozen assets)."
        )
    return "\n".join(f"- {s}" for s in sentences)
