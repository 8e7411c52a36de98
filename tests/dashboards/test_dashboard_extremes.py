"""The dashboard at the ends of its sliders, reset while it plays, and where it listens.

Every slider at its minimum and at its maximum goes through the path SolaraViz's reset takes
(`_build_model_init_kwargs`, then ``type(model)(**kwargs)``) and steps with every invariant of
tests/model/invariants.py checked; then all sliders at once at either end, through the page's own
widgets (solara.render). A reset pressed while the model plays must leave a fresh model and no
error. ``outlast dashboard`` serves on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import ipyvuetify as v
import pytest
import solara
from dashboard_helpers import free_port, set_control
from mesa.visualization.solara_viz import _build_model_init_kwargs

from dashboards import serve
from dashboards.app import Dashboard, new_model
from dashboards.controls import SLIDER_FIELDS, DashboardModel, model_params
from model.metrics import METRICS
from outlast.cli import main
from tests.model.invariants import Invariants

#: Sliders other than the one at an end stay here, so that each case builds in a moment.
SMALL = {"n_soldier_agents": 500}
WEEKS = 4


def reset_values(changes: dict) -> dict:
    """What the sidebar holds: the baseline's slider values, small, with `changes`."""
    params = model_params()
    values = {k: (p["value"] if isinstance(p, dict) else p) for k, p in params.items()}
    return {**values, **SMALL, **changes}


def reset_and_step(values: dict, weeks: int = WEEKS) -> DashboardModel:
    """SolaraViz's reset with `values`, then `weeks` steps with every invariant checked."""
    current = new_model()
    kwargs = _build_model_init_kwargs(
        current, values, add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    model = type(current)(**kwargs)
    assert model.input_error is None
    check = Invariants(model)
    for _ in range(weeks):
        check.step()
    return model


def slider_end(name: str, end: str):
    spec = model_params()[name]
    return spec["min"] if end == "min" else spec["max"]


ENDS = [
    (name, end)
    for name in SLIDER_FIELDS
    for end in ("min", "max")
    if (name, end) != ("n_soldier_agents", "max")  # in the all-at-maximum case below
]


@pytest.mark.parametrize(("name", "end"), ENDS, ids=[f"{n}-{e}" for n, e in ENDS])
def test_each_slider_at_either_end_resets_and_steps(name, end):
    value = slider_end(name, end)
    model = reset_and_step(reset_values({name: value}))
    assert getattr(model.params, name) == value


@pytest.mark.parametrize("end", ["min", "max"])
def test_every_slider_at_the_same_end_resets_and_steps(end):
    # All at their maximum includes 2,000,000 soldier agents: built once, stepped twice.
    values = reset_values({name: slider_end(name, end) for name in SLIDER_FIELDS})
    model = reset_and_step(values, weeks=2 if end == "max" else WEEKS)
    for name in SLIDER_FIELDS:
        assert getattr(model.params, name) == values[name]


def alerts(rc) -> list[str]:
    return [str(w.children) for w in rc.find(v.Alert).widgets]


@pytest.fixture
def shown_page():
    model = solara.reactive(new_model())
    preset = solara.reactive("baseline")
    _, rc = solara.render(solara.AppLayout(children=[Dashboard(model, preset)]), handle_error=False)
    return model, rc


def set_sliders(rc, values: dict) -> None:
    for name, value in values.items():
        set_control(rc, name, value)


@pytest.mark.parametrize("end", ["min", "max"])
def test_every_slider_widget_at_one_end_then_reset_and_step(shown_page, end):
    model, rc = shown_page
    values = {name: slider_end(name, end) for name in SLIDER_FIELDS}
    values["horizon_weeks"] = slider_end("horizon_weeks", "max")  # start weeks reach it
    del values["n_soldier_agents"]  # the resolution: a list of agent counts, set to the fewest
    set_sliders(rc, values)
    set_sliders(rc, {"n_soldier_agents": 1_000})
    rc.find(v.Btn, children=["Reset"]).widget.click()
    check = Invariants(model.value)
    for name, value in values.items():
        assert getattr(model.value.params, name) == value, name
    step = rc.find(v.Btn, children=["Step"]).widget
    for _ in range(WEEKS):
        if not model.value.running:
            break
        week = model.value.week
        step.click()
        check.stepped(week)
    assert model.value.week >= 1
    assert not [a for a in alerts(rc) if "error" in a.lower()]


def wait_until(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_reset_while_playing_leaves_a_fresh_model_and_no_error(shown_page, capsys):
    model, rc = shown_page
    set_sliders(rc, {"n_soldier_agents": 1_000})
    rc.find(v.Btn, children=["Reset"]).widget.click()
    for _ in range(3):
        played = model.value
        rc.find(v.Btn, children=["▶ Play"]).widget.click()
        wait_until(lambda m=played: m.week >= 3)
        rc.find(v.Btn, children=["Reset"]).widget.click()
        fresh = model.value
        assert fresh is not played
        time.sleep(0.5)  # what a play loop still running would do meanwhile
        stopped_at = played.week
        time.sleep(0.5)
        assert played.week == stopped_at, "the old model went on playing after the reset"
        assert fresh.week <= 1 and fresh.params.n_soldier_agents == 1_000
        assert rc.find(v.Btn, children=["▶ Play"]).widget, "the page is not paused after the reset"
        for metric in METRICS:
            assert metric.lo <= fresh.metrics[metric.name] <= metric.hi, metric.name
    assert not [a for a in alerts(rc) if "error" in a.lower()]
    assert "Traceback" not in capsys.readouterr().err
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert model.value.week >= 1


def test_outlast_dashboard_serves_on_127_0_0_1_unless_told(monkeypatch):
    served = []
    monkeypatch.setattr(serve.os, "execve", lambda path, args, env: served.append(args))
    port = free_port()
    main(["dashboard", "--port", str(port)])
    main(["dashboard", "--port", str(port), "--host", "0.0.0.0"])
    default, told = served
    assert default[default.index("--host") + 1] == "127.0.0.1"
    assert told[told.index("--host") + 1] == "0.0.0.0"


def listening(port: int) -> list[str]:
    """Local addresses (hex, as /proc/net/tcp shows them) of sockets listening on `port`."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.append(address)
    return found


def test_the_real_server_listens_on_loopback_only(tmp_path):
    port = free_port()
    script = Path(sys.executable).parent / "outlast"
    with (tmp_path / "server.log").open("w") as log:
        server = subprocess.Popen(
            [script, "dashboard", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(lambda: listening(port) or server.poll() is not None, timeout=120)
        assert server.poll() is None, (tmp_path / "server.log").read_text()
        assert listening(port) == ["0100007F"]  # 127.0.0.1, and nothing else
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
