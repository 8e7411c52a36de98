"""Screenshots of every tab of the dashboard at 1280 and 1920 px, into docs/screenshots/.

Run: .venv/bin/python scripts/dashboard_screenshots.py  (serves `outlast dashboard` on a free
127.0.0.1 port, drives Debian's Chromium with Playwright, stops the server afterwards). The page
runs the `combined` preset for 20 weeks with a 20-seed ensemble of the default scenario.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
TABS = ("Stability", "Many seeds", "Regions", "Elites", "Soldiers", "Fund",
        "Compare with baseline", "Sweeps", "Export", "About")  # fmt: skip
WIDTHS = (1280, 1920)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    """Serve, visit, screenshot, stop."""
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "outlast", "dashboard", "--port", str(port)],
        env={**os.environ, "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(180):
            try:
                urllib.request.urlopen(url + "readyz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium"), args=["--no-sandbox"], headless=True
            )
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(url)
            page.get_by_text("Week 0 of").wait_for(timeout=120_000)
            page.locator(".v-select").filter(has_text="Preset").click()
            page.get_by_role("option", name="combined", exact=True).click()
            page.get_by_text("Week 0 of").wait_for()
            for week in range(1, 21):
                page.get_by_role("button", name="Step").click()
                page.get_by_text(f"Week {week} of").wait_for()
            page.get_by_text("Over 20 seeds:").wait_for(timeout=900_000)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 1000})
                for tab in TABS:
                    page.get_by_role("tab", name=tab).click()
                    page.wait_for_timeout(1500)
                    name = tab.lower().replace(" ", "-")
                    page.screenshot(path=OUT / f"{name}-{width}.png", full_page=True)
                    print(f"docs/screenshots/{name}-{width}.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
