"""The dashboard's charts: valid Vega-Lite, filled with the model's numbers, nothing lost."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest

from agents.soldiers import SoldierStatus
from dashboards import charts
from dashboards.region_tiles import GRID_COLUMNS, GRID_ROWS, tile_grid
from model.model import OutlastModel, load_regions


@pytest.fixture(scope="module")
def model() -> OutlastModel:
    m = OutlastModel(rng=3, preset="combined", n_soldier_agents=2_000, horizon_weeks=30)
    for _ in range(12):
        m.step()
    return m


def valid(spec: dict | list) -> dict | list:
    """The spec (or each panel of a list), checked against the Vega-Lite schema (raises if not)."""
    if isinstance(spec, list):
        assert spec, "no panels"
        for panel in spec:
            valid(panel)
        return spec
    for key, kind in (
        ("vconcat", alt.VConcatChart),
        ("hconcat", alt.HConcatChart),
        ("concat", alt.ConcatChart),
        ("layer", alt.LayerChart),
        ("mark", alt.Chart),
    ):
        if key in spec:
            kind.from_dict(spec)
            return spec
    raise AssertionError(f"not a chart: {sorted(spec)}")


def test_the_schema_check_refuses_a_broken_spec(model) -> None:
    spec = charts.fund_spec(model.weekly_table(), model.params.horizon_weeks)[0]
    broken = {**spec, "layer": [{**spec["layer"][0], "mark": {"type": "no-such-mark"}}]}
    with pytest.raises(Exception, match="no-such-mark"):
        valid(broken)


def test_run_events_mark_failed_and_successful_coups_and_the_wars_end() -> None:
    events = charts.run_events([5, 9], "regime_change", 9, war_ended=True)
    assert [(e.week, e.label) for e in events] == [
        (5, "coup fails"),
        (9, "coup succeeds"),
        (9, "war ends"),
    ]
    assert charts.run_events([], "ended_by_negotiation", 14, True)[0].label == "war ends"
    assert charts.run_events([3], "ongoing", -1, False)[0].label == "coup fails"


def test_stability_chart_carries_every_metric_of_every_week(model) -> None:
    weekly = model.weekly_table()
    events = charts.run_events([4], "ongoing", -1, False)
    panels = valid(charts.stability_spec(weekly, model.params.horizon_weeks, events))
    assert len(panels) == len(charts.STABILITY_METRICS)
    for name, panel in zip(charts.STABILITY_METRICS, panels, strict=True):
        rows = pd.DataFrame(panel["datasets"]["weekly"]).set_index("week")
        assert rows[name].to_numpy() == pytest.approx(weekly.set_index("week")[name].to_numpy())
        assert panel["layer"][0]["encoding"]["y"]["field"] == name
        events_drawn = [
            {k: row[k] for k in ("week", "event", "row_px")} for row in panel["datasets"]["events"]
        ]
        assert events_drawn == [{"week": 4, "event": "coup fails", "row_px": 2}]


def _text_layers(panel: dict) -> list[dict]:
    return [layer for layer in panel["layer"] if layer["mark"]["type"] == "text"]


def test_event_labels_in_the_same_week_are_stacked_not_overlaid() -> None:
    events = charts.run_events([9, 30], "regime_change", 9, war_ended=True)
    table = charts.events_table(events, horizon_weeks=156)
    assert table["event"].tolist() == ["coup succeeds", "war ends", "coup fails"]
    # The coup and the war's end share week 9: two rows; week 30's label would touch both.
    row = charts.EVENT_LABEL_ROW_PX
    assert table["row_px"].tolist() == [2, 2 + row, 2 + 2 * row]
    # Far apart, labels share the top row; at the horizon's end a label lies left of its rule.
    far = charts.events_table(charts.run_events([5], "ended_by_negotiation", 150, True), 156)
    assert far["row_px"].tolist() == [2, 2]
    assert far["side"].tolist() == ["right", "left"]
    spec = charts.stability_spec(
        pd.DataFrame({"week": [0], **{m: [0.0] for m in charts.STABILITY_METRICS}}), 156, events
    )[0]
    for text in _text_layers(spec):
        assert text["encoding"]["y"] == {"field": "row_px", "type": "quantitative", "scale": None,
                                         "axis": None}  # fmt: skip
        assert text["encoding"]["text"]["field"] == "event"
        # The label widths `events_table` reckons with are those drawn.
        assert text["mark"]["fontSize"] == charts.EVENT_FONT_PX
        assert abs(text["mark"]["dx"]) == charts.EVENT_LABEL_DX


@pytest.mark.parametrize("horizon", [20, 52, 156])
def test_event_labels_never_overlap_nor_leave_the_plot(horizon) -> None:
    rng = np.random.default_rng(horizon)
    for _ in range(200):
        coups = sorted(rng.choice(horizon + 1, size=rng.integers(0, 6), replace=False).tolist())
        end = int(rng.integers(0, horizon + 1))
        outcome = "regime_change" if coups and rng.random() < 0.5 else "ended_by_negotiation"
        week = coups[-1] if outcome == "regime_change" else end
        table = charts.events_table(charts.run_events(coups, outcome, week, True), horizon)
        assert (table["x0_px"] >= -1e-9).all() and (
            table["x1_px"] <= charts.EVENT_PLOT_MIN_PX
        ).all()
        widths = table["event"].map(charts.event_label_px)
        assert np.allclose(table["x1_px"] - table["x0_px"], widths)
        for _, same_row in table.groupby("row_px"):
            spans = same_row.sort_values("x0_px")[["x0_px", "x1_px"]].to_numpy()
            assert (spans[1:, 0] >= spans[:-1, 1] + charts.EVENT_LABEL_GAP_PX - 1e-9).all(), table


def test_only_the_first_panel_of_a_view_names_the_events_the_rest_draw_rules(model) -> None:
    events = charts.run_events([4, 9], "regime_change", 9, war_ended=True)
    weekly = model.weekly_table()
    for panels in (
        charts.stability_spec(weekly, model.params.horizon_weeks, events),
        charts.fund_spec(weekly, model.params.horizon_weeks, events),
    ):
        labelled = [i for i, panel in enumerate(panels) if _text_layers(panel)]
        assert labelled == [0]
        for panel in panels:
            rules = [layer for layer in panel["layer"] if layer["mark"]["type"] == "rule"]
            assert len(rules) == 1 and len(panel["datasets"]["events"]) == 3


def test_filling_a_template_leaves_it_empty_for_the_next_week(model) -> None:
    template = charts.stability_template(model.params.horizon_weeks)
    charts.stability_spec(model.weekly_table(), model.params.horizon_weeks, [])
    assert "datasets" not in template


def test_regions_map_has_one_tile_per_region_with_its_value(model) -> None:
    regions = model.region_table()
    for variable in charts.REGION_VARIABLES:
        spec = valid(charts.regions_spec(regions, variable))
        assert spec["width"] == "container"
        tiles = pd.DataFrame(spec["datasets"]["tiles"])
        assert len(tiles) == 85
        merged = tiles.merge(regions, on="iso")
        assert merged["value"].to_numpy() == pytest.approx(merged[variable].to_numpy())
        assert tiles["light"].any() == (regions[variable].max() > 0)
        listed = charts.region_list(regions, variable)
        assert set(listed["Region"]) == set(regions["region"])  # names, not only codes
        assert listed.iloc[:, 2].is_monotonic_decreasing


def test_tile_grid_places_every_region_once_and_roughly_where_it_is() -> None:
    tiles = tile_grid().set_index("iso")
    assert set(tiles.index) == set(load_regions()["iso"])
    assert not tiles.duplicated(["column", "row"]).any()
    assert tiles["column"].between(0, GRID_COLUMNS - 1).all()
    assert tiles["row"].between(0, GRID_ROWS - 1).all()
    assert tiles.loc["KGD", "column"] == tiles["column"].min()  # Kaliningrad: far west
    assert tiles.loc["CHU", "column"] >= GRID_COLUMNS - 2  # Chukotka: far east
    assert tiles.loc["MUR", "row"] < tiles.loc["MOW", "row"] < tiles.loc["DA", "row"]
    assert tiles.loc["MOW", "column"] < tiles.loc["SVE", "column"] < tiles.loc["NVS", "column"]
    assert tile_grid().equals(tiles.reset_index())


def test_soldier_breakdown_counts_every_agent_once() -> None:
    status = np.array([0, 0, 0, 1, 2, 3, 3, 0])
    at_front = np.array([1, 0, 1, 0, 1, 1, 0, 0], dtype=bool)
    minority = np.array([1, 0, 0, 0, 1, 1, 0, 0], dtype=bool)
    table = charts.soldier_breakdown(status, at_front, minority, soldiers_per_agent=30.0)
    by = table.set_index(["state", "group"])["soldiers"]
    assert by[("at the front", "minority")] == 30.0
    assert by[("at the front", "not minority")] == 30.0
    assert by[("in the rear", "not minority")] == 60.0
    assert by[("killed", "minority")] == 30.0
    assert by[("killed", "not minority")] == 30.0
    assert table["soldiers"].sum() == status.size * 30.0
    shares = table.groupby("group")["share_of_group"].sum()
    assert shares.to_numpy() == pytest.approx([1.0, 1.0])


@pytest.mark.parametrize("at_front", [False, True], ids=["rear", "front"])
def test_soldier_breakdown_shows_every_status_in_a_bar_of_its_own(at_front: bool) -> None:
    # k + 1 agents of the k-th status: a status counted in another's bar changes both bars.
    agents = {status: status.value + 1 for status in SoldierStatus}
    status = np.repeat(list(agents), list(agents.values())).astype(np.int8)
    table = charts.soldier_breakdown(
        status, np.full(status.size, at_front), np.zeros(status.size, dtype=bool), 1.0
    )
    shown = table[table["group"] == "not minority"].set_index("state")["soldiers"]
    expected = dict.fromkeys(charts.SOLDIER_STATES, 0.0)
    for s, n in agents.items():
        front = s == SoldierStatus.ACTIVE and at_front
        expected["at the front" if front else charts.STATUS_LABELS[s]] += n
    assert shown.to_dict() == expected
    assert shown["killed"] == agents[SoldierStatus.KILLED]


def test_soldiers_chart_matches_the_corps(model) -> None:
    corps = model.corps
    table = charts.soldier_breakdown(
        corps.view("status"), corps.view("at_front"), corps.view("minority"), 30.0
    )
    for spec in valid(charts.panels_with_data(charts.soldiers_template(), soldiers=table)):
        total = sum(r["soldiers"] for r in spec["datasets"]["soldiers"])
        assert total == corps.size * 30.0


def test_elite_seats_show_purged_for_four_weeks_then_their_action() -> None:
    actions = np.array(["loyal", "pressing", "conspiring", "loyal"])
    purged_week = np.array([-1, 10, 7, 6])
    assert list(charts.elite_states(actions, purged_week, week=10)) == [
        "loyal",
        "purged",
        "purged",
        "loyal",
    ]


def test_fund_and_comparison_charts_are_valid_and_complete(model) -> None:
    weekly = model.weekly_table()
    fund = valid(charts.fund_spec(weekly, model.params.horizon_weeks))
    money = pd.DataFrame(fund[0]["datasets"]["weekly"])
    assert money["fund_balance_usd"].to_numpy() == pytest.approx(
        weekly["fund_balance_usd"].to_numpy() / 1e9
    )
    assert fund[0]["title"] == "Defection fund left (billion USD)"
    # Billions in plain decimals on the axis, not SI prefixes ("100m" of a billion).
    for panel in fund:
        if "billion" in panel["title"]:
            assert panel["layer"][0]["encoding"]["y"]["axis"]["format"] == ",.3~g"
    baseline = weekly.assign(stability_index=1.0)
    compare = valid(charts.comparison_spec(weekly, baseline, model.params.horizon_weeks))
    assert len(compare) == len(charts.COMPARE_METRICS)
    runs = pd.DataFrame(compare[0]["datasets"]["runs"])
    assert runs.groupby("run").size().to_dict() == {
        "baseline": len(weekly) * len(charts.COMPARE_METRICS),
        "current levers": len(weekly) * len(charts.COMPARE_METRICS),
    }


def test_the_elites_power_chart_draws_the_coup_threshold_as_a_labelled_rule(model) -> None:
    nodes = pd.DataFrame(
        {"x": [0.0, 1.0], "y": [0.0, 1.0], "power": [1.0, 3.0], "state": ["loyal", "conspiring"],
         "kind": ["security", "business"], "faction": [0, 1], "loyalty": [0.5, 0.2],
         "fear": [0.1, 0.1]}
    )  # fmt: skip
    edges = pd.DataFrame({"x": [0.0], "y": [0.0], "x2": [1.0], "y2": [1.0]})
    network, power = valid(charts.elites_spec(nodes, edges, coup_threshold=0.3))
    assert "threshold" not in network["datasets"]
    assert power["datasets"]["threshold"] == [{"share": 0.3, "label": "coup threshold 30%"}]
    marks = [layer["mark"]["type"] for layer in power["layer"]]
    assert marks == ["bar", "rule", "text"]
    assert power["layer"][2]["encoding"]["text"]["field"] == "label"


def test_chart_template_is_solaras_own_plus_only_the_marked_fix() -> None:
    """dashboards/vegalite.vue must track the installed Solara's template: when Solara changes
    its widget, this fails and the copy is to be redone from the new one."""
    import re
    from pathlib import Path

    import solara.widgets

    from dashboards.vegalite import VegaLite

    ours = Path(VegaLite.template_file).read_text()
    theirs = Path(solara.widgets.VegaLite.template_file).read_text()
    fix = [
        "this.isDestroyed = true;",
        "this.do_plot_debounced.cancel();",
        "if (this.isDestroyed || !this.spec || !this.$refs.plotElement) {",
    ]
    assert all(line in ours for line in fix)
    unfixed = re.sub(r"/\*.*?\*/\n", "", ours, count=1, flags=re.S)
    unfixed = re.sub(
        r"[ ]*if \(this\.isDestroyed \|\| !this\.spec \|\| !this\.\$refs\.plotElement\) \{\n"
        r"[ ]*return;\n[ ]*\}\n",
        "",
        unfixed,
    )
    unfixed = "".join(line for line in unfixed.splitlines(True) if line.strip() not in fix[:2])
    # The second fix: the resize observer starts once the chart is drawn, not before `view` exists.
    indent = " " * 20
    observer = (
        f"{indent}    this.observer = new ResizeObserver(() => {{\n"
        f"{indent}        view.resize();\n"
        f"{indent}    }});\n"
        f"{indent}    this.observer.observe(this.$refs.plotElement);\n"
    )
    embed = f"{indent}const {{ view }} = await vegaEmbed(this.$refs.plotElement, spec);\n"
    container = f'{indent}if (spec.width === "container") {{\n'
    fixed_tail = f'{embed}{indent}if (spec.width === "container" && !this.isDestroyed) {{\n{observer}{indent}}}\n'
    assert fixed_tail in unfixed
    unfixed = unfixed.replace(fixed_tail, embed)
    opening = f'{container}{indent}    this.$refs.plotElement.classList.add("width-container")\n'
    unfixed = unfixed.replace(opening, opening + observer)
    assert unfixed == theirs
