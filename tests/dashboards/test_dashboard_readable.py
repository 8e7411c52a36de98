"""Every chart of the dashboard is readable: fits its container, plain words, one colour a meaning.

Issue 17 found charts wider than the window, snake_case names on axes and red meaning five
things. These tests walk every chart spec the page can draw (all tabs and the sweep charts) and
would fail if a fixed pixel width, a snake_case title or tooltip, or a colour outside the
project's palette (or red for anything but regime change) came back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from dashboard_helpers import known_box_results, write_sweep

from dashboards import charts, ensemble_chart, palette, robustness_charts, robustness_data, sweeps
from dashboards.ensemble import ARMS, BAND_METRICS, censored_bands
from model.model import OutlastModel
from outlast.analysis import palette as project_palette

VERMILLION = palette.OKABE_ITO["vermillion"]
HEX = re.compile(r"#[0-9A-Fa-f]{6}\b")
SNAKE = re.compile(r"[a-z0-9]_[a-z]")


@pytest.fixture(scope="module")
def model() -> OutlastModel:
    m = OutlastModel(rng=3, preset="combined", n_soldier_agents=2_000, horizon_weeks=20)
    for _ in range(6):
        m.step()
    return m


def _elite_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    nodes = pd.DataFrame(
        {"x": [0.0, 1.0], "y": [0.0, 1.0], "power": [1.0, 3.0], "state": ["loyal", "pressing"],
         "kind": ["security", "business"], "faction": [0, 1], "loyalty": [0.5, 0.2],
         "fear": [0.1, 0.1]}
    )  # fmt: skip
    return nodes, pd.DataFrame({"x": [0.0], "y": [0.0], "x2": [1.0], "y2": [1.0]})


def _ensemble_panels(model: OutlastModel) -> list[dict[str, Any]]:
    weekly = model.weekly_table()[["week", *BAND_METRICS]]
    runs = [
        weekly.assign(arm=arm, seed_index=i) for arm in ARMS for i in range(3)
    ]  # three identical runs per arm are enough to draw bands
    bands = censored_bands(pd.concat(runs, ignore_index=True), BAND_METRICS)
    return ensemble_chart.ensemble_spec(bands, weekly, model.params.horizon_weeks)


@pytest.fixture(scope="module")
def every_chart(model, tmp_path_factory) -> dict[str, dict[str, Any]]:
    """Every top-level chart spec of the page, by a name saying where it is drawn."""
    weekly = model.weekly_table()
    horizon = model.params.horizon_weeks
    events = charts.run_events([3, 5], "regime_change", 5, war_ended=True)
    found: dict[str, dict[str, Any]] = {}
    views = {
        "stability": charts.stability_spec(weekly, horizon, events),
        "fund": charts.fund_spec(weekly, horizon, events),
        "elites": charts.elites_spec(*_elite_tables(), coup_threshold=0.3),
        "soldiers": list(charts.soldiers_template()),
        "compare": charts.comparison_spec(weekly, weekly, horizon),
        "ensemble": _ensemble_panels(model),
    }
    for variable in charts.REGION_VARIABLES:
        views[f"regions {variable}"] = [charts.regions_spec(model.region_table(), variable)]
    sweep = sweeps.load_sweep(write_sweep(tmp_path_factory.mktemp("sweeps")))
    views["sweeps"] = [
        sweeps.outcome_chart(sweep, "western_resolve").to_dict(),
        sweeps.metric_scatter(sweep, "defection_payment_usd", "desertions_total").to_dict(),
        sweeps.weekly_chart(sweep, "defection_payment_usd", "force_active").to_dict(),
    ]
    views["robustness"] = _robustness_charts()
    for view, specs in views.items():
        for i, spec in enumerate(specs):
            found[f"{view} {i}"] = spec
    return found


def _robustness_charts() -> list[dict[str, Any]]:
    """The Robustness tab's charts of a constructed experiment with a known PRIM box."""
    tables = robustness_data.tables_of(known_box_results())
    rows = robustness_data.outcome_rows(tables, "war_ended")
    box = robustness_data.prim_box(tables, "package", robustness_data.ENDS_WAR)
    shares = robustness_data.future_shares(tables, "war_ended")
    return [
        robustness_charts.pooled_chart(rows, "P(war ended)"),
        robustness_charts.futures_chart(shares, rows, "P(war ended)"),
        robustness_charts.verdict_chart(robustness_data.backfire_rows(tables), "baseline"),
        robustness_charts.prim_limits_chart(box),
        robustness_charts.prim_tradeoff_chart(box),
    ]


def _walk(node: Any, key: str | None = None) -> Iterator[tuple[str | None, Any]]:
    """Every (key, value) pair at any depth of a spec, data left out."""
    if isinstance(node, dict):
        for k, value in node.items():
            if k not in ("datasets", "data", "values"):
                yield k, value
                yield from _walk(value, k)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, key)


def test_every_chart_is_as_wide_as_its_container(every_chart) -> None:
    for name, spec in every_chart.items():
        assert spec.get("width") == "container", name
        widths = [v for k, v in _walk(spec) if k == "width" and v != "container"]
        assert not widths, f"{name} has a fixed width {widths}"
        assert not {"hconcat", "vconcat", "concat"} & set(spec), f"{name} cannot fit a container"


def test_no_snake_case_in_any_title_axis_legend_or_tooltip(every_chart) -> None:
    for name, spec in every_chart.items():
        titles = [v for k, v in _walk(spec) if k in ("title", "text") and isinstance(v, str)]
        assert titles, name
        for title in titles:
            assert not SNAKE.search(title), f"{name}: {title!r}"
        for key, value in _walk(spec):
            if key == "tooltip":
                for entry in value if isinstance(value, list) else [value]:
                    shown = entry.get("title", entry.get("field", ""))
                    assert not SNAKE.search(str(shown)), f"{name}: tooltip {entry}"
            if key in ("x", "y") and isinstance(value, dict) and value.get("axis", {}) is not None:
                shown = value.get("title", value.get("field", ""))
                if value.get("scale", {}) is not None and shown is not None:
                    assert not SNAKE.search(str(shown)), f"{name}: axis {value}"


def test_every_colour_is_the_palettes_and_red_means_regime_change_only(every_chart) -> None:
    allowed = {
        *palette.OKABE_ITO.values(), palette.GREY, palette.SERIES, palette.PURGED,
        "#bbbbbb",  # the elite network's ties
    }  # fmt: skip
    allowed = {c.lower() for c in allowed}
    for name, spec in every_chart.items():
        text = str({k: v for k, v in spec.items() if k != "datasets"})
        for colour in HEX.findall(text):
            assert colour.lower() in allowed, f"{name} uses {colour}, not the palette's"
        for key, value in _walk(spec):
            if key == "scale" and isinstance(value, dict) and VERMILLION in value.get("range", []):
                meaning = value["domain"][value["range"].index(VERMILLION)]
                assert meaning == "regime change", f"{name}: red means {meaning!r}"
        assert f"'color': '{VERMILLION}'" not in text, f"{name} draws a mark in red"


def test_each_colour_has_one_meaning_and_comes_from_the_projects_palette() -> None:
    colours = list(palette.MEANINGS.values())
    assert len(set(colours)) == len(colours), "two meanings share a colour"
    assert palette.OKABE_ITO is project_palette.OKABE_ITO
    assert palette.OUTCOME_COLOURS is project_palette.OUTCOME_COLOURS
    assert palette.MEANINGS["regime change"] == VERMILLION
    assert VERMILLION not in (
        palette.CURRENT_LEVERS,
        palette.MINORITY,
        *palette.ELITE_STATE_COLOURS,
    )


def test_the_run_events_legend_is_gone_and_labels_say_what_happened(model) -> None:
    spec = charts.stability_spec(
        model.weekly_table(), 20, charts.run_events([5], "ongoing", -1, False)
    )
    rules = spec[0]["layer"][1]
    assert rules["encoding"]["strokeDash"]["legend"] is None  # the labels replace the legend
    assert np.array_equal([row["event"] for row in spec[0]["datasets"]["events"]], ["coup fails"])
