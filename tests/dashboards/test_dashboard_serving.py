"""Serving the dashboard: the offline asset cache, and `outlast dashboard`'s checks."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path

import pytest

from dashboards import assets, serve
from outlast.cli import main

ROOT = Path(__file__).resolve().parents[2]


def template_paths() -> list[str]:
    """Every CDN path the installed Solara's page template loads for this ipyvue and ipywidgets."""
    import solara.server.settings

    solara_root = Path(next(iter(find_spec("solara").submodule_search_locations)))
    text = (solara_root / "server/templates/solara.html.j2").read_text(encoding="utf-8")
    major = metadata.version("ipywidgets").split(".")[0]
    found = re.findall(r"{{cdn}}(/[^\"'\s]+)", text)
    found.append(solara.server.settings.assets.fontawesome_path)
    paths = {p.replace("{{ipywidget_major_version}}", major) for p in found}
    required = assets.required_packages()
    return sorted(p for p in paths if any(p.startswith(f"/{r}/") for r in required))


def test_the_required_packages_are_what_solaras_page_asks_for() -> None:
    packages = assets.required_packages()
    vue3 = metadata.version("ipyvue").startswith("3")
    app = "@widgetti/solara-vuetify3-app@" if vue3 else "@widgetti/solara-vuetify-app@"
    other = "@widgetti/solara-vuetify-app@" if vue3 else "@widgetti/solara-vuetify3-app@"
    assert any(p.startswith(app) for p in packages)
    assert not any(p.startswith(other) for p in packages)
    for name in ("requirejs@", "font-awesome@", "vega@", "vega-lite@", "vega-embed@"):
        assert any(p.startswith(name) for p in packages), name


def test_the_cache_is_complete_after_setup() -> None:
    missing = assets.missing_packages()
    assert missing == [], f"run bash scripts/dashboard_assets.sh; missing: {missing}"


def test_every_file_the_page_template_loads_is_in_the_cache() -> None:
    cache = assets.cache_dir()
    paths = template_paths()
    assert any(p.endswith(".min.js") and "solara-vuetify" in p for p in paths)
    assert any(p.startswith("/font-awesome@") for p in paths)
    assert any(p.startswith("/requirejs@") for p in paths)
    for path in paths:
        assert (cache / path.lstrip("/")).is_file(), path


def test_missing_packages_are_those_without_a_package_json(tmp_path) -> None:
    required = assets.required_packages()
    assert assets.missing_packages(tmp_path) == required
    for package in required[1:]:
        (tmp_path / package).mkdir(parents=True)
        (tmp_path / package / "package.json").write_text("{}", encoding="utf-8")
    assert assets.missing_packages(tmp_path) == required[:1]


def test_the_asset_script_is_quick_when_the_cache_is_full() -> None:
    start = time.monotonic()
    done = subprocess.run(
        ["bash", "scripts/dashboard_assets.sh"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "cache complete" in done.stdout
    assert time.monotonic() - start < 10


def test_the_server_environment_points_solara_at_the_cache_and_calls_no_one() -> None:
    env = assets.solara_environment({"PATH": "/bin"})
    assert env["SOLARA_ASSETS_PROXY"] == "True"
    assert Path(env["SOLARA_ASSETS_PROXY_CACHE_DIR"]) == assets.cache_dir()
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["PATH"] == "/bin"


def test_the_server_command_serves_the_app_in_production_on_the_address() -> None:
    command = serve.solara_command("127.0.0.1", 8123)
    assert command[1:5] == ["-m", "solara", "run", "dashboards.app"]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "8123"
    assert "--production" in command


@pytest.fixture
def taken_port():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_a_taken_port_is_one_line_and_exit_status_2(taken_port, capsys, monkeypatch) -> None:
    def never_exec(*_args):
        raise AssertionError("the server must not start on a taken port")

    monkeypatch.setattr(serve.os, "execve", never_exec)
    assert main(["dashboard", "--port", str(taken_port)]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == f"outlast dashboard: error: cannot serve on 127.0.0.1:{taken_port}: Address already in use\n"
    )


@pytest.mark.parametrize(
    ("port", "message"),
    [("0", "port 0 must be in 1 .. 65535"), ("http", "port 'http' is not a whole number")],
)
def test_a_bad_port_is_one_line_and_exit_status_2(port, message, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["dashboard", "--port", port])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err
