"""Fixtures of the dashboard tests: Debian's Chromium for Playwright, a local-only Solara server.

Browser tests use pytest-ipywidgets' in-process Solara server (`solara_server`, `solara_app`) and
its session page (`page_session`), with Playwright launching the system's Chromium (Playwright's
own browser download is not available here).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_helpers import CHROMIUM, CHROMIUM_ARGS, NO_CDN, free_port, write_sweep

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"


def pytest_configure(config: pytest.Config) -> None:
    """Serve on 127.0.0.1 at a free port (other test runs may share the machine), call no one."""
    import solara.server.settings
    import solara.settings

    from dashboards.assets import cache_dir

    config.option.solara_host = "127.0.0.1"
    config.option.solara_port = free_port()
    solara.server.settings.telemetry.mixpanel_enable = False
    solara.server.settings.assets.proxy_cache_dir = cache_dir()
    solara.settings.assets.cdn = NO_CDN


@pytest.fixture(autouse=True)
def no_ensemble_unless_asked(request, monkeypatch) -> None:
    """Pages open with the ensemble off (0 seeds), unless a test is marked ``ensemble``.

    The ensemble runs 2 x 20 runs of the default scenario in worker processes: on a machine
    shared by many test runs only the tests about it should pay for it.
    """
    from dashboards import app

    if request.node.get_closest_marker("ensemble") is None:
        monkeypatch.setattr(app, "START_ENSEMBLE_SEEDS", 0)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    """Launch Debian's Chromium, headless, with no background traffic."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (./setup --tests installs it)")
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """A page large enough for the dashboard's sidebar and charts."""
    return {**browser_context_args, "viewport": {"width": 1600, "height": 1100}}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder the browser tests save screenshots in (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def sweep_dir(tmp_path: Path) -> Path:
    """A finished synthetic sweep under tmp_path/output."""
    return write_sweep(tmp_path / "output")
