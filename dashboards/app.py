"""The outlast dashboard: set the levers, press play, watch the regime hold or crack.

Serve it with ``outlast dashboard`` (or ``solara run dashboards/app.py``). The page is Mesa's
SolaraViz (play, step, reset, the seed and the parameter sliders, in the sidebar) with a preset
selector above it and the views in tabs: regime stability week by week, the regions, the elite
network, the soldiers, the defection fund, a comparison with the baseline on the same seed, and
finished sweeps.
"""

from __future__ import annotations

from collections.abc import Callable

import solara
import solara.lab
from mesa.visualization import SolaraViz

from dashboards import views
from dashboards.controls import DEFAULT_PRESET, DEFAULT_SEED, DashboardModel, model_params
from model.model import OutlastModel
from model.scenario import PRESETS

#: The tabs of the main area: a label and the view drawn from the model.
TABS: tuple[tuple[str, Callable[[OutlastModel], solara.Element]], ...] = (
    ("Stability", views.StabilityView),
    ("Regions", views.RegionsView),
    ("Elites", views.ElitesView),
    ("Soldiers", views.SoldiersView),
    ("Fund", views.FundView),
    ("Compare with baseline", views.CompareView),
    ("Sweeps", lambda _model: views.SweepView()),
)


#: SolaraViz's sliders show their value only while dragged; a policy user needs to read them.
PAGE_CSS = """
.v-slider-thumb__label-container { display: block !important; }
.v-navigation-drawer .v-slider { margin-top: 28px; }
"""


def new_model(preset: str = DEFAULT_PRESET, seed: int = DEFAULT_SEED) -> DashboardModel:
    """The model the page starts from, or that a preset's choice rebuilds."""
    return DashboardModel(rng=seed, preset=preset)


@solara.component
def Controls(model: solara.Reactive[OutlastModel], preset: str):
    """Mesa's SolaraViz (play, step, reset, seed and sliders in the sidebar) set to `preset`."""
    seed = model.value.seed if model.value.seed is not None else DEFAULT_SEED
    SolaraViz(
        model,
        components=[],
        model_params=model_params(preset, seed),
        name="outlast: regime stability week by week",
    )


@solara.component
def Dashboard(model: solara.Reactive[OutlastModel], preset: solara.Reactive[str]):
    """The whole page for a reactive model and its preset.

    Choosing a preset rebuilds the model from it (same seed) and builds SolaraViz's controls
    anew, so that its sliders start at the preset's values and its reset keeps them.
    """
    tab = solara.use_reactive(0)
    # SolaraViz keeps the values it resets with in state made once, when its controls mount;
    # they live in the app layout's sidebar, which reuses them for a new SolaraViz in the same
    # place. Leaving the controls out for one render while a preset is applied makes the layout
    # drop them, so the next render mounts them afresh with the preset's values.
    rebuilding = solara.use_reactive(False)

    def choose_preset(name: str) -> None:
        seed = model.value.seed if model.value.seed is not None else DEFAULT_SEED
        rebuilding.set(True)
        preset.set(name)
        model.set(new_model(name, seed))

    def finish_rebuilding() -> None:
        if rebuilding.value:
            rebuilding.set(False)

    solara.use_effect(finish_rebuilding, [rebuilding.value])

    with solara.Sidebar(), solara.Card("Scenario"):
        solara.Select("Preset", value=preset.value, values=list(PRESETS), on_value=choose_preset)
    if not rebuilding.value:
        Controls(model, preset.value)
    solara.Style(PAGE_CSS)
    views.StatusBar(model.value)
    # Tab headers only; the chosen view is drawn below them, and only it re-renders on a step.
    with solara.lab.Tabs(value=tab):
        for label, _ in TABS:
            solara.lab.Tab(label)
    TABS[tab.value][1](model.value)


@solara.component
def Page():
    """The page ``solara run`` serves: one model per browser session."""
    first = solara.use_memo(new_model, dependencies=[])
    model = solara.use_reactive(first)
    preset = solara.use_reactive(DEFAULT_PRESET)
    Dashboard(model, preset)
