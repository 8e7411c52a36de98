"""Screenshots of every tab of the dashboard at 1280 and 1920 px, into docs/screenshots/.

Run: .venv/bin/python scripts/dashboard_screenshots.py [--sweeps runs/output]

It serves the dashboard (Solara, production mode, on a free 127.0.0.1 port, from the local asset
cache) with a small scenario (2,000 soldier agents standing for the same army, 40 weeks, 200
citizens per region) and an 8-seed ensemble, so that it finishes in a few minutes on a loaded
2-core machine; makes a tiny presets sweep (runs/policies.toml's design: two presets, two seeds)
for the Sweeps tab and a tiny robustness experiment (runs/robustness.toml's design: three
policies, four futures, two seeds) for the Robustness tab; drives Debian's Chromium with
Playwright through the `combined` preset for 20 weeks; and stops the server. Each PNG is
quantised to 256 colours to stay small.

With ``--sweeps DIR`` the Sweeps and Robustness tabs show the finished experiments in DIR instead
(the project's own, ``runs/output`` after ``outlast sweep runs/policies.toml`` and
``runs/robustness.toml``), so the pictures show what the project found rather than toy runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboards.assets import solara_environment  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
TABS = ("Stability", "Many seeds", "Regions", "Elites", "Soldiers", "Fund",
        "Compare with baseline", "Sweeps", "Robustness", "Export", "About")  # fmt: skip
WIDTHS = (1280, 1920)
#: Tabs that read a finished sweep, and the chart that shows they have drawn it.
READY = {"Sweeps": "sweep-weekly", "Robustness": "robustness-verdicts"}
#: Window heights (px) for tabs longer than 1000 px.
TALL = {"Sweeps": 2300, "Robustness": 3300, "About": 1600}
WEEKS = 20
#: The page's small scenario and ensemble (the army's size is the default's: 2,000 x 300).
PAGE = """
from dashboards import app

app.START_OVERRIDES.update(
    {"n_soldier_agents": 2000, "soldiers_per_agent": 300.0, "horizon_weeks": 40,
     "citizens_per_region": 200}
)
app.START_ENSEMBLE_SEEDS = 8
Page = app.Page
"""
#: The page's small scenario as an experiment file's [parameters] table.
PARAMETERS = """
[parameters]
horizon_weeks = 40
n_soldier_agents = 2000
soldiers_per_agent = 300.0
citizens_per_region = 200
"""
SWEEP = """
description = "runs/policies.toml's design, tiny, for the dashboard's screenshots"
master_seed = 20261125
seeds = 2
""" + PARAMETERS + """
[design]
kind = "presets"
presets = ["baseline", "defection_fund", "combined"]

[keep]
final = ["force_active", "war_ended", "stability_index", "desertions_total"]
weekly = ["force_active", "stability_index", "unrest"]
"""


#: runs/robustness.toml's design, tiny, for the Robustness tab: 3 policies x 4 futures x 2 seeds.
ROBUSTNESS = """
description = "runs/robustness.toml's design, tiny, for the dashboard's screenshots"
master_seed = 20261125
seeds = 2
preset = "baseline"
""" + PARAMETERS + """
[design]
kind = "robustness"
futures = "futures.csv"
reference = "baseline"
policies = ["baseline", "exile", "combined"]
"""
#: Four futures that differ in the rally effect and the exile government's progress.
FUTURES = """future_id,rally_effect,exile_progress_per_week,leave_threshold_mean
0,0.1,0.02,0.4
1,0.4,0.05,0.3
2,0.0,0.08,0.5
3,0.2,0.04,0.35
"""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sweep_into(folder: Path, experiment_name: str, text: str) -> None:
    """Write an experiment file into `folder` and sweep it into `folder`/sweeps/NAME."""
    experiment = folder / f"{experiment_name}.toml"
    experiment.write_text(text, encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "outlast", "sweep", str(experiment), "--workers", "1",
         "--out", str(folder / "sweeps" / experiment_name), "--quiet"],
        check=True, cwd=ROOT,
    )  # fmt: skip


def make_sweep(folder: Path) -> None:
    """The tiny presets sweep in `folder`/sweeps/policies."""
    sweep_into(folder, "policies", SWEEP)


def make_robustness(folder: Path) -> None:
    """The tiny robustness experiment in `folder`/sweeps/robustness (its futures beside it)."""
    (folder / "futures.csv").write_text(FUTURES, encoding="utf-8")
    sweep_into(folder, "robustness", ROBUSTNESS)


def shrink(path: Path) -> None:
    """Quantise a screenshot to 256 colours (charts and text lose nothing visible)."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main() -> None:
    """Sweep (unless given finished sweeps), serve, visit, screenshot, stop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sweeps", type=Path, help="a folder of finished sweeps to show instead of tiny ones"
    )
    args = parser.parse_args()
    if args.sweeps is not None and not args.sweeps.is_dir():
        parser.exit(2, f"dashboard_screenshots: error: --sweeps {args.sweeps} is not a folder\n")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.sweeps is None:
            make_sweep(folder)
            make_robustness(folder)
        (folder / "screenshot_page.py").write_text(PAGE, encoding="utf-8")
        port = free_port()
        env = {
            **solara_environment(),
            "PYTHONPATH": str(ROOT),
            "OUTLAST_SWEEPS_DIR": str(
                (folder / "sweeps") if args.sweeps is None else args.sweeps.resolve()
            ),
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "solara", "run", str(folder / "screenshot_page.py"),
             "--host", "127.0.0.1", "--port", str(port), "--production", "--no-open"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # stopped as a group: the ensemble's workers with it
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/"
        try:
            for _ in range(360):
                try:
                    urllib.request.urlopen(url + "readyz", timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
            shoot(url)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)


def shoot(url: str) -> None:
    """Drive the page through the `combined` preset and screenshot every tab at each width."""
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox"], headless=True
        )
        page = browser.new_page(viewport={"width": WIDTHS[0], "height": 1000})
        page.goto(url)
        page.get_by_text("Week 0 of").wait_for(timeout=180_000)
        page.locator(".v-select").filter(has_text="Preset").click()
        page.get_by_role("option", name="combined", exact=True).click()
        page.get_by_text("Week 0 of").wait_for()
        page.wait_for_timeout(2000)
        for week in range(1, WEEKS + 1):
            page.get_by_role("button", name="Step").click()
            page.get_by_text(f"Week {week} of").wait_for(timeout=60_000)
        page.get_by_text("Over 8 seeds:").wait_for(timeout=900_000)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 1000})
            for tab in TABS:
                # The page scrolls inside Solara's layout, so a long tab is pictured whole in a
                # window as tall as it is.
                page.set_viewport_size({"width": width, "height": TALL.get(tab, 1000)})
                page.get_by_role("tab", name=tab).click()
                if tab in READY:  # a tab that reads a sweep: wait for its last chart
                    page.locator(f".outlast-chart-{READY[tab]} svg").first.wait_for(
                        timeout=120_000
                    )
                page.wait_for_timeout(2500)
                path = OUT / f"{tab.lower().replace(' ', '-')}-{width}.png"
                page.screenshot(path=path, full_page=True)
                shrink(path)
                print(f"{path.relative_to(ROOT)} {path.stat().st_size / 1024:.0f} KiB")
        browser.close()


if __name__ == "__main__":
    main()
