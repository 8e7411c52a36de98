"""The dashboard's components, rendered without a browser (solara.render)."""

from __future__ import annotations

import ipyvue
import ipyvuetify as v
import pandas as pd
import pytest
import solara
from dashboard_helpers import set_control
from mesa.visualization.utils import force_update

from dashboards import charts, views
from dashboards.app import TABS, Dashboard, new_model
from dashboards.compare import BaselineRun, baseline_scenario, changed_levers
from dashboards.controls import DEFAULT_SEED, DashboardModel
from dashboards.formatting import plain_label
from model.model import OutlastModel


def charts_shown(rc) -> list[dict]:
    return [w.widget.spec for w in rc.find(solara.widgets.VegaLite)]


def rows(spec: dict, name: str) -> pd.DataFrame:
    return pd.DataFrame(spec["datasets"][name])


@pytest.fixture
def shown():
    """The whole page in Solara's app layout (so the sidebar renders), at the default scenario."""
    model = solara.reactive(new_model())
    preset = solara.reactive("baseline")
    _, rc = solara.render(solara.AppLayout(children=[Dashboard(model, preset)]), handle_error=False)
    return model, preset, rc


def status(rc) -> str:
    return rc.find(v.Html, class_="outlast-status").widget.children[0]


def choose_tab(rc, label: str) -> None:
    index = [name for name, _ in TABS].index(label)
    rc.find(v.Tabs).widget.v_model = index


def slider(rc, name: str):
    prefix = plain_label(name) + ":"
    return next(w for w in rc.find(v.Slider).widgets if str(w.label).startswith(prefix))


def box(rc, name: str):
    prefix = plain_label(name) + ":"
    return next(w for w in rc.find(v.TextField).widgets if str(w.label).startswith(prefix))


def test_the_page_has_solaraviz_controls_preset_and_status(shown) -> None:
    _, _, rc = shown
    assert rc.find(v.Btn, children=["Reset"]).widget
    assert rc.find(v.Btn, children=["Step"]).widget
    assert rc.find(v.Select, label="Preset").widget.v_model == "baseline"
    assert rc.find(v.TextField, label="Random seed").widget.v_model == str(DEFAULT_SEED)
    assert box(rc, "defection_payment_usd").label.endswith(": $0 per soldier")
    assert slider(rc, "western_resolve").label == "Western resolve: 30%"
    assert status(rc).startswith("Week 0 of 156")


def test_a_step_redraws_the_status_and_the_stability_chart(shown) -> None:
    model, _, rc = shown
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert model.value.week == 1
    assert status(rc).startswith("Week 1 of 156")
    specs = charts_shown(rc)
    assert len(specs) == len(charts.STABILITY_METRICS)
    assert all(set(rows(spec, "weekly")["week"]) == {0, 1} for spec in specs)


def test_moving_a_slider_and_pressing_reset_rebuilds_the_model(shown) -> None:
    model, _, rc = shown
    rc.find(v.Btn, children=["Step"]).widget.click()
    old = model.value
    set_control(rc, "defection_payment_usd", 30_000)
    assert rc.find(v.Alert, children=["Changed: press Reset to apply."]).widget
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert not rc.find(v.Alert, children=["Changed: press Reset to apply."]).widgets
    assert model.value is not old
    assert model.value.week == 0
    assert model.value.params.defection_payment_usd == 30_000
    assert model.value.seed == DEFAULT_SEED


def test_choosing_a_preset_rebuilds_the_model_and_moves_the_sliders(shown) -> None:
    model, preset, rc = shown
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Select, label="Preset").widget.v_model = "combined"
    assert preset.value == "combined"
    assert model.value.week == 0
    assert model.value.params.exile_support == 0.8
    assert model.value.seed == DEFAULT_SEED
    assert box(rc, "defection_payment_usd").label.endswith(": $50,000 per soldier")
    # ... and a reset keeps the preset's values, including those without a slider.
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert model.value.params.defection_payment_usd == 50_000
    assert model.value.params.exile_formation_week == 4


def test_a_bad_seed_shows_one_line_and_the_page_stays(shown) -> None:
    model, _, rc = shown
    seed = rc.find(v.TextField, label="Random seed").widget
    seed.v_model = "twelve"
    seed.fire_event("keyup.enter", None)
    rc.find(v.Btn, children=["Reset"]).widget.click()
    alerts = [w.children for w in rc.find(v.Alert).widgets]
    wanted = f"seed 'twelve' is not a whole number; the run uses the default seed {DEFAULT_SEED}"
    assert alerts.count([wanted]) == 1
    assert model.value.seed == DEFAULT_SEED


def test_a_number_box_shows_the_amount_readably_and_takes_it_written_so(shown) -> None:
    _, _, rc = shown
    rc.find(v.Select, label="Preset").widget.v_model = "combined"
    fund = box(rc, "seized_asset_fund_usd")
    assert (fund.label, fund.v_model) == (
        "Defection fund from seized assets: $5 bn",
        "5,000,000,000",
    )
    fund.v_model = "7.5 bn"
    fund.fire_event("keyup.enter", None)
    fund = box(rc, "seized_asset_fund_usd")
    assert (fund.label, fund.v_model) == (
        "Defection fund from seized assets: $7.5 bn",
        "7,500,000,000",
    )
    # Bad input: one line saying what is allowed, and the value stays.
    for typed, said in (("lots", "'lots' is not an amount"), ("-1", "allowed: $0 to $300 bn")):
        box(rc, "seized_asset_fund_usd").v_model = typed
        box(rc, "seized_asset_fund_usd").fire_event("keyup.enter", None)
        lines = [str(w.children[0]) for w in rc.find(ipyvue.Html, tag="span").widgets]
        assert sum(line.startswith(said) for line in lines) == 1, (typed, lines)
        assert box(rc, "seized_asset_fund_usd").label.endswith("$7.5 bn")


def test_the_ensembles_headline_is_shown_once_above_the_tabs_not_again_in_its_tab() -> None:
    from dashboards import panels
    from dashboards.ensemble import ARMS, BAND_METRICS, Ensemble

    model = OutlastModel(rng=3, n_soldier_agents=2_000, horizon_weeks=20, citizens_per_region=200)
    model.step()
    weekly = model.weekly_table()[["week", *BAND_METRICS]]
    runs = [weekly.assign(arm=arm, seed_index=i) for arm in ARMS for i in range(3)]
    results = pd.DataFrame(
        {"arm": [a for a in ARMS for _ in range(3)], "status": "ok",
         "war_ended": [1.0, 0.0, 0.0, 0.0, 0.0, 0.0], "outcome_week": [9, -1, -1, -1, -1, -1]}
    )  # fmt: skip
    state = solara.reactive(
        {"ensemble": Ensemble([1, 2, 3], results, pd.concat(runs, ignore_index=True))}
    )
    _, rc = solara.render(
        solara.Column(
            children=[panels.EnsembleStatus(state), panels.EnsembleView(model, state, True)]
        ),
        handle_error=False,
    )
    # Markdown is drawn as a Vue template holding its HTML.
    shown = " ".join(str(w.template) for w in rc.find(ipyvue.VueTemplate).widgets)
    assert shown.count("War ended in 1 of 3 seeds") == 1, shown
    assert charts_shown(rc), "the ensemble's bands are drawn"


@pytest.mark.parametrize(
    ("tab", "slot", "size"),
    [
        ("Regions", "tiles", 85),
        ("Elites", "nodes", 100),
        ("Soldiers", "soldiers", 12),  # 6 states (front, rear, 4 statuses) x 2 groups
        ("Fund", "weekly", 1),
    ],
)
def test_every_view_draws_the_models_state(shown, tab, slot, size) -> None:
    _, _, rc = shown
    choose_tab(rc, tab)
    spec = charts_shown(rc)[0]
    assert len(rows(spec, slot)) == size
    rc.find(v.Btn, children=["Step"]).widget.click()
    after = charts_shown(rc)[0]
    assert after is not spec, f"the {tab} view did not redraw on a step"


def test_the_regions_view_switches_variable(shown) -> None:
    _, _, rc = shown
    choose_tab(rc, "Regions")
    rc.find(v.Select, label="Colour regions by").widget.v_model = "Recruits since the start"
    (spec,) = charts_shown(rc)
    assert spec["layer"][0]["encoding"]["color"]["legend"]["title"].startswith("Recruits")


def test_the_elite_view_shows_purges_and_actions() -> None:
    model = DashboardModel(rng=1, n_soldier_agents=500, horizon_weeks=10)
    model.step()
    model.elites.purge([0, 1], model.week, 0.5, model.params.newcomer_loyalty, model.rng)
    model.elites.action[2] = 2  # conspiring
    _, rc = solara.render(views.ElitesView(model), handle_error=False)
    nodes = rows(charts_shown(rc)[0], "nodes")
    assert list(nodes["state"][:3]) == ["purged", "purged", "conspiring"]
    assert len(rows(charts_shown(rc)[0], "edges")) == model.elites.graph.number_of_edges()


def test_the_comparison_runs_the_baseline_on_the_same_seed_to_the_same_week() -> None:
    model = DashboardModel(rng=5, preset="combined", n_soldier_agents=1_000, horizon_weeks=20)
    for _ in range(6):
        model.step()
    _, rc = solara.render(views.CompareView(model), handle_error=False)
    runs = rows(charts_shown(rc)[0], "runs")
    baseline_rows = runs[runs["run"] == "baseline"]
    assert baseline_rows["week"].max() == 6
    # The baseline is the same scenario and seed with no levers, run on its own.
    alone = OutlastModel(rng=5, scenario_obj=baseline_scenario(model.params))
    for _ in range(6):
        alone.step()
    stability = baseline_rows[baseline_rows["metric"] == "stability_index"]["value"]
    assert stability.to_numpy() == pytest.approx(alone.weekly_table()["stability_index"])
    text = " ".join(c for w in rc.find(v.Html).widgets for c in w.children if isinstance(c, str))
    assert (
        "Payment to each surrendering soldier: $50,000 per soldier (baseline $0 per soldier)"
        in text
    )
    assert "This is one draw of each" in text  # one seed is not the answer: says where that is
    # A step of the model moves the baseline with it when the comparison is drawn again.
    model.step()
    force_update()
    runs = rows(charts_shown(rc)[0], "runs")
    assert runs[runs["run"] == "baseline"]["week"].max() == 7


def test_the_baseline_differs_from_the_current_run_only_in_the_levers() -> None:
    model = DashboardModel(rng=5, preset="combined", n_soldier_agents=500, horizon_weeks=5)
    base = BaselineRun(model).model.params
    assert changed_levers(base) == {}
    differing = {k for k, val in model.params.model_dump().items() if base.model_dump()[k] != val}
    assert differing == set(changed_levers(model.params))


def test_the_sweep_view_plots_a_finished_sweep(sweep_dir) -> None:
    _, rc = solara.render(views.SweepView(root=str(sweep_dir.parent)), handle_error=False)
    assert rc.find(v.Select, label="Sweep").widget.v_model == "payment-by-resolve"
    assert len(charts_shown(rc)) == 3
    (warning,) = rc.find(v.Alert).widgets
    assert warning.children == ["1 run(s) failed and are left out of the plots."]
    # Choices and axes read in plain words with units, never as snake_case names.
    select = rc.find(v.Select, label="Design parameter").widget
    assert "Western resolve (share)" in select.items
    select.v_model = "Western resolve (share)"
    assert charts_shown(rc)[0]["encoding"]["x"]["title"] == "Western resolve (share)"
    assert all("_" not in item for s in rc.find(v.Select).widgets for item in s.items)


def test_the_sweep_view_says_when_there_is_nothing_or_something_broken(tmp_path, sweep_dir) -> None:
    _, rc = solara.render(views.SweepView(root=str(tmp_path / "empty")), handle_error=False)
    (info,) = rc.find(v.Alert).widgets
    assert info.children[0].startswith("No finished sweep in")
    (sweep_dir / "manifest.json").write_text("{", encoding="utf-8")
    _, rc = solara.render(views.SweepView(root=str(sweep_dir.parent)), handle_error=False)
    (error,) = rc.find(v.Alert).widgets
    assert "is not valid JSON" in error.children[0]


def test_a_preset_chosen_after_the_run_ended_can_be_stepped(monkeypatch) -> None:
    # SolaraViz greys out Step when a run ends and re-enables it only on its own Reset; a
    # preset's choice replaces the model, so its controls must start afresh with it.
    from dashboards import app

    small = {"horizon_weeks": 20, "n_soldier_agents": 2_000, "citizens_per_region": 200}
    monkeypatch.setattr(app, "START_OVERRIDES", small)
    # No ensemble: its background runs are not what this test is about and slow it fourfold.
    monkeypatch.setattr(app, "START_ENSEMBLE_SEEDS", 0)
    model = solara.reactive(app.new_model())
    preset = solara.reactive("baseline")
    _, rc = solara.render(solara.AppLayout(children=[Dashboard(model, preset)]), handle_error=False)
    for _ in range(small["horizon_weeks"] + 1):
        step = rc.find(v.Btn, children=["Step"]).widget
        if step.disabled:
            break
        step.click()
    assert step.disabled and not model.value.running
    rc.find(v.Select, label="Preset").widget.v_model = "combined"
    step = rc.find(v.Btn, children=["Step"]).widget
    assert not step.disabled
    step.click()
    assert model.value.week == 1
    assert len(rc.find(v.Btn, children=["Step"]).widgets) == 1


def test_every_metric_panel_says_what_it_shows_from_the_models_declaration(shown) -> None:
    from model.metrics import METRICS

    _, _, rc = shown
    described = {m.name: m.description for m in METRICS}
    for tab in ("Stability", "Fund"):
        choose_tab(rc, tab)
        specs = charts_shown(rc)
        notes = rc.find(v.Html, class_="outlast-chart-note").widgets
        assert specs and len(notes) == len(specs), tab
        for spec in specs:
            name = spec["layer"][0]["encoding"]["y"]["field"]
            assert spec["description"].startswith(described[name]), name
            assert "Unit:" in spec["description"]


def test_the_status_line_says_a_war_still_going_at_the_end_was_so_at_the_runs_end() -> None:
    model = OutlastModel(rng=1, n_soldier_agents=1_000, horizon_weeks=3, citizens_per_region=200)
    assert "· ongoing ·" in views.status_line(model)
    model.run_model()
    assert model.outcome == "ongoing"
    assert "· ongoing at the end of the run ·" in views.status_line(model)
