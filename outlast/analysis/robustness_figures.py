"""Figures of the robustness analysis: PRIM's trade-off and box, PAWN indices, the fund's frontier.

matplotlib's object API (no pyplot, no display). Every axis is labelled with its unit and every
figure says how many futures (and seeds) it rests on.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from model.scenario import Scenario
from outlast.analysis.discovery import PrimBox
from outlast.analysis.fund_price import FROZEN_ASSETS_USD

DPI = 150


@dataclass(frozen=True)
class FigureOutput:
    """How a report writes its figures: the formats (the first is the one report.md shows)."""

    formats: tuple[str, ...] = ("png",)
    dpi: int = DPI


#: The figure output of the report being written (`figure_output` sets it for one report), so
#: that every section's figures follow ``outlast report --format --dpi`` without each section
#: and figure function passing the setting along.
_OUTPUT: contextvars.ContextVar[FigureOutput] = contextvars.ContextVar(
    "figure_output", default=FigureOutput()  # noqa: B039 - a frozen dataclass
)


@contextlib.contextmanager
def figure_output(formats: tuple[str, ...], dpi: int) -> Iterator[FigureOutput]:
    """Within the block, figures are saved in `formats` at `dpi` (then the previous setting)."""
    token = _OUTPUT.set(FigureOutput(tuple(formats), dpi))
    try:
        yield _OUTPUT.get()
    finally:
        _OUTPUT.reset(token)


def every_format(path: Path) -> list[Path]:
    """The files a figure saved as `path` was written to: one per format of the current output."""
    return [path.with_suffix(f".{fmt}") for fmt in _OUTPUT.get().formats]
#: Okabe & Ito's colour-blind-safe palette.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def parameter_label(name: str) -> str:
    """A Scenario parameter with its unit, 'offer_trust (share)'; the bare name otherwise."""
    field = Scenario.model_fields.get(name)
    unit = (field.json_schema_extra or {}).get("unit") if field is not None else None
    return f"{name} ({unit})" if unit else name


def _save(fig: Figure, path: Path) -> Path:
    """Save `fig` in every format of the current output; returns the first format's file.

    `path`'s suffix is replaced by each format's, so callers may keep naming figures ``.png``.
    """
    output = _OUTPUT.get()
    for target in every_format(path):
        fig.savefig(target, dpi=output.dpi, bbox_inches="tight", format=target.suffix[1:])
    return every_format(path)[0]


def prim_tradeoff_figure(box: PrimBox, path: Path) -> Path:
    """Coverage against density at each peeling step, coloured by restricted dimensions."""
    traj = box.trajectory
    fig = Figure(figsize=(6.5, 4.8), layout="constrained")
    ax = fig.subplots()
    points = ax.scatter(
        traj["coverage"], traj["density"], c=traj["restricted_dimensions"], cmap="viridis", s=18
    )
    fig.colorbar(points, ax=ax, label="restricted dimensions (count)")
    insignificant = traj[~traj["significant"]]
    ax.scatter(
        insignificant["coverage"],
        insignificant["density"],
        facecolors="none",
        edgecolors="grey",
        s=60,
        lw=0.6,
        label="step not significant",
    )
    ax.scatter(
        [box.coverage],
        [box.density],
        marker="*",
        s=260,
        color=PALETTE[3],
        edgecolors="black",
        zorder=3,
        label=f"chosen box (step {box.step}, {'significant' if box.significant else 'NOT significant'})",
    )
    ax.axhline(box.base_rate, color="grey", ls="--", lw=1, label=f"share in all {box.cases}")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("coverage (share of the cases of interest inside the box)")
    ax.set_ylabel(f"density (share of {box.cases} in the box that are cases)")
    ax.set_title(
        f"PRIM peeling trajectory: {box.outcome}\n"
        f"n = {box.n_futures} {box.cases}, {box.n_of_interest} cases of interest",
        fontsize="medium",
    )
    ax.legend(fontsize="small", loc="lower left")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def prim_limits_figure(box: PrimBox, path: Path) -> Path:
    """The chosen box's limits on each restricted dimension, within the ensemble's range."""
    limits = box.limits
    fig = Figure(figsize=(7.5, 1.4 + 0.55 * max(1, len(limits))), layout="constrained")
    ax = fig.subplots()
    for i, row in enumerate(limits.itertuples()):
        span = row.range_high - row.range_low or 1.0
        lo, hi = (row.low - row.range_low) / span, (row.high - row.range_low) / span
        ax.plot([0, 1], [i, i], color="lightgrey", lw=6, solid_capstyle="butt")
        ax.plot([lo, hi], [i, i], color=PALETTE[0], lw=6, solid_capstyle="butt")
        ax.text(
            1.02,
            i,
            f"[{row.low:.3g}, {row.high:.3g}] of [{row.range_low:.3g}, {row.range_high:.3g}]; "
            f"quasi-p {row.quasi_p:.2g}",
            va="center",
            fontsize="small",
        )
    ax.set_yticks(range(len(limits)), [parameter_label(d) for d in limits["dimension"]])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("position within the sampled range (0 = lowest sampled value, 1 = highest)")
    verdict = "significant" if box.significant else f"NOT significant: {box.why_not}"
    ax.set_title(
        f"PRIM box: {box.outcome}\ncoverage {box.coverage:.2f}, density {box.density:.2f}, "
        f"mass {box.mass:.2f}, n = {box.n_futures} {box.cases}; {verdict}",
        fontsize="medium",
        loc="left",
    )
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def pawn_figure(table: pd.DataFrame, title: str, path: Path) -> Path:
    """PAWN index per parameter with its 95% interval, the noise level and the threshold."""
    noise, threshold = float(table.attrs["noise_level"]), float(table.attrs["threshold"])
    fig = Figure(figsize=(7.5, 1.6 + 0.3 * len(table)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(table))
    colours = [PALETTE[0] if a else "lightgrey" for a in table["above_noise"]]
    ax.barh(y, table["pawn"], color=colours, height=0.7)
    # The interval is of the excess over the noise level; drawn on the index's scale.
    ax.hlines(y, noise + table["low"], noise + table["high"], color="black", lw=1.2)
    ax.axvline(noise, color=PALETTE[3], ls="--", lw=1)
    ax.axvline(threshold, color=PALETTE[3], ls=":", lw=1.2)
    ax.set_yticks(y, [parameter_label(p) for p in table["parameter"]], fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("PAWN index (median KS distance across slices; 0 = no influence, 1 = decisive)")
    ax.legend(
        handles=[
            Line2D([], [], color=PALETTE[0], lw=6, label="above the threshold"),
            Line2D([], [], color="lightgrey", lw=6, label="within noise"),
            Line2D([], [], color="black", lw=1.2, label="95% bootstrap interval"),
            Line2D([], [], color=PALETTE[3], ls="--", label="noise level (mean of noise inputs)"),
            Line2D([], [], color=PALETTE[3], ls=":", label="threshold (5% family-wise)"),
        ],
        fontsize="small",
        loc="lower right",
    )
    ax.set_title(
        f"{title}\nn = {table.attrs['n_futures']} futures, {table.attrs['slices']} slices, "
        f"95% basic bootstrap intervals ({table.attrs['bootstrap']} resamples)",
        fontsize="medium",
        loc="left",
    )
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def fund_frontier_figure(table: pd.DataFrame, n_seeds: str, path: Path) -> Path:
    """Share of futures where the army shrinks against the fund's expected cost, per setting.

    One panel per value of the third setting (trust); colour is the payment, marker the reach;
    the frontier's settings are joined by a line. With fewer settings (trust varying across the
    futures as an uncertainty, not on a grid) the missing ones take one panel or one marker.
    """
    settings = list(table.attrs["settings"][:3])
    table = table.copy()
    for missing in ("_one_reach", "_one_trust")[len(settings) - 1 :]:
        settings.append(missing)
        table[missing] = 0.0
    payment, reach, trust = settings
    target = table.attrs["target"]
    trusts = sorted(table[trust].unique())
    payments = sorted(table[payment].unique())
    reaches = sorted(table[reach].unique())
    fig = Figure(figsize=(4.0 * len(trusts) + 3.0, 4.6), layout="constrained")
    axes = fig.subplots(1, len(trusts), sharey=True, squeeze=False).ravel()
    scale = 1e9
    show_frozen = table["cost_high_usd"].max() >= 0.1 * FROZEN_ASSETS_USD
    for ax, level in zip(axes, trusts, strict=True):
        part = table[table[trust] == level]
        for row in part.itertuples():
            colour = PALETTE[payments.index(getattr(row, payment)) % len(PALETTE)]
            marker = MARKERS[reaches.index(getattr(row, reach)) % len(MARKERS)]
            ax.errorbar(
                row.cost_usd / scale,
                row.share,
                yerr=[[row.share - row.low], [row.high - row.share]],
                fmt=marker,
                color=colour,
                ms=7,
                capsize=2,
                lw=0.8,
            )
        front = part[part["on_frontier"]].sort_values("cost_usd")
        ax.plot(front["cost_usd"] / scale, front["share"], color="black", lw=0.8, ls=":")
        cheapest = part[part["cheapest"]]
        ax.scatter(
            cheapest["cost_usd"] / scale,
            cheapest["share"],
            s=240,
            facecolors="none",
            edgecolors=PALETTE[3],
            lw=1.5,
        )
        ax.axhline(target, color="grey", ls="--", lw=1)
        if show_frozen:
            ax.axvline(FROZEN_ASSETS_USD / scale, color=PALETTE[3], ls="--", lw=1)
        ax.set_ylim(-0.02, 1.02)
        title = (
            "offer trust as the futures have it"
            if trust == "_one_trust"
            else f"{parameter_label(trust)} = {level:.3g}"
        )
        ax.set_title(title, fontsize="medium")
        ax.grid(alpha=0.3)
    fig.supxlabel("expected fund spending (USD bn, mean over futures)", fontsize="medium")
    fig.supylabel("share of futures where the army shrinks (Wilson 95%)", fontsize="medium")
    handles = [
        Line2D([], [], color=PALETTE[i % len(PALETTE)], marker="o", ls="", label=f"{p:,.0f}")
        for i, p in enumerate(payments)
    ]
    handles += [
        Line2D([], [], color="grey", marker=MARKERS[i % len(MARKERS)], ls="", label=f"{r:.3g}")
        for i, r in enumerate(reaches)
        if reach != "_one_reach"
    ]
    handles += [
        Line2D([], [], color="grey", ls="--", label=f"target: {target:.0%} of futures"),
        Line2D([], [], color="black", ls=":", label="cost-share frontier"),
        Line2D(
            [], [], marker="o", ms=12, mfc="none", mec=PALETTE[3], ls="", label="cheapest reaching"
        ),
    ]
    if show_frozen:
        handles.append(Line2D([], [], color=PALETTE[3], ls="--", label="frozen assets ($300bn)"))
    fig.legend(
        handles=handles,
        loc="outside right center",
        fontsize="small",
        title=f"colour: {parameter_label(payment)}\nmarker: {parameter_label(reach)}",
        title_fontsize="small",
    )
    n_futures = int(table["futures"].max())
    frozen_note = (
        ""
        if show_frozen
        else f"\nthe frozen assets ($300bn) lie far right of the largest cost "
        f"(USD {table['cost_high_usd'].max() / scale:.3g}bn)"
    )
    fig.suptitle(
        f"The fund's price: in what share of n = {n_futures} futures the army shrinks "
        f"(in at least half of {n_seeds} seeds){frozen_note}",
        fontsize="medium",
    )
    return _save(fig, path)
