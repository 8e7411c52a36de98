"""Helpers shared by the dashboard tests: the browser's command line, free ports, a sweep."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import numpy as np
import pandas as pd

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Where a missing page asset would be fetched from: a closed local port, so a file absent from
#: the cache fails the page instead of quietly coming from the internet.
NO_CDN = "http://127.0.0.1:9/"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_sweep(root: Path, name: str = "payment-by-resolve") -> Path:
    """A small finished sweep in the output contract: 8 design points x 5 seeds, one failed run.

    The outcome is drawn with a chance of regime change that rises with the defection payment,
    so the sweep page has something to show; the numbers mean nothing about the model.
    """
    rng = np.random.default_rng(0)
    directory = root / name
    directory.mkdir(parents=True)
    rows, weekly = [], []
    points = [(p, r) for p in (0.0, 10_000.0, 50_000.0, 100_000.0) for r in (0.3, 0.9)]
    for point_id, (payment, resolve) in enumerate(points):
        for seed in range(5):
            run_id = f"p{point_id}-s{seed}"
            change = rng.random() < 0.1 + payment / 150_000
            stability = rng.uniform(0.2, 0.5) if change else rng.uniform(0.5, 0.9)
            rows.append(
                {
                    "run_id": run_id,
                    "point_id": point_id,
                    "seed": seed,
                    "defection_payment_usd": payment,
                    "western_resolve": resolve,
                    "stability_index": stability,
                    "desertions_total": rng.uniform(1e3, 1e5),
                    "outcome": "regime_change" if change else "ongoing",
                    "outcome_week": 20 if change else -1,
                    "status": "ok",
                    "error": None,
                }
            )
            for week in range(30):
                weekly.append(
                    {
                        "run_id": run_id,
                        "point_id": point_id,
                        "week": week,
                        "stability_index": 1.0 - (1.0 - stability) * week / 29,
                        "force_active": 600_000 - 1_000 * week,
                    }
                )
    rows[-1].update(status="failed", error="ValueError: boom", stability_index=None)
    pd.DataFrame(rows).to_parquet(directory / "results.parquet", index=False)
    pd.DataFrame(weekly).to_parquet(directory / "weekly.parquet", index=False)
    manifest = {
        "experiment": name,
        "design": {"kind": "grid", "seeds_per_point": 5},
        "master_seed": 7,
        "git_commit": "abc123",
    }
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return directory


def set_control(rc, name: str, value) -> None:
    """Set the page's control of Scenario field `name` (slider, number box or resolution)."""
    import ipyvuetify as v

    from dashboards.formatting import plain_label

    if name == "n_soldier_agents":
        select = rc.find(v.Select, label="Resolution").widget
        (choice,) = [k for k in select.items if k.startswith(f"{value:,} agents")]
        select.v_model = choice
        return
    prefix = plain_label(name) + ":"
    sliders = [w for w in rc.find(v.Slider).widgets if str(w.label).startswith(prefix)]
    if sliders:
        sliders[0].v_model = value
        return
    (box,) = [w for w in rc.find(v.TextField).widgets if str(w.label).startswith(prefix)]
    box.v_model = str(value)
    box.fire_event("keyup.enter", None)


def write_tiny_robustness(root: Path) -> Path:
    """tests/outlast/test_robustness.py's tiny robustness experiment run into `root`.

    2 policies (baseline, exile-late) x 3 futures x 2 seeds of 2,000 soldier agents for 40 weeks:
    about 7 s in this process.
    """
    from outlast.experiments.design import load_experiment
    from outlast.experiments.engine import LocalBackend, run_sweep
    from tests.outlast.test_robustness import experiment_file

    work = root / "experiment"
    work.mkdir(parents=True)
    exp = load_experiment(experiment_file(work))
    out = root / "sweeps" / exp.name
    run_sweep(exp, out, LocalBackend(1), progress=False)
    return out


def known_box_results(n_futures: int = 200, seeds: int = 2):
    """A constructed robustness result where `package` ends the war exactly when rally_effect > 0.6.

    Two policies (baseline: never; package: in every seed of the futures with rally_effect above
    0.6), futures uniform in rally_effect and in a parameter that does not matter
    (leave_threshold_mean): PRIM must find rally_effect >= about 0.6, significant.
    """
    from outlast.analysis.robustness import RobustnessResults, per_future_table

    rng = np.random.default_rng(5)
    futures = pd.DataFrame(
        {
            "future_id": range(n_futures),
            "rally_effect": rng.uniform(0, 1, n_futures),
            "leave_threshold_mean": rng.uniform(0.2, 0.6, n_futures),
        }
    )
    policies = ["baseline", "package"]
    rows = []
    for policy in policies:
        for future in futures.itertuples():
            ended = policy == "package" and future.rally_effect > 0.6
            for seed in range(seeds):
                rows.append(
                    {"run_id": len(rows), "policy": policy, "future_id": future.future_id,
                     "seed_index": seed, "war_ended": ended, "regime_change": False,
                     "hardline_successor": False, "end_week": 50.0 if ended else np.nan,
                     "weeks_of_war": 50.0 if ended else 100.0, "force_ratio_final": 1.0,
                     "force_ratio_2y": 1.0}
                )  # fmt: skip
    runs = pd.DataFrame(rows)
    return RobustnessResults(
        root=Path("."),
        manifest={"seeds": seeds},
        runs=runs,
        futures=futures,
        per_future=per_future_table(runs, policies),
        failed=pd.Series(0, index=policies),
        policies=policies,
        reference="baseline",
        levers=[],
        uncertainties=["rally_effect", "leave_threshold_mean"],
        horizon_weeks=100,
    )


#: The page's layout as a reader sees it: whether the document is wider than the window, which
#: sidebar controls or labels reach outside the sidebar or are cut short (an ellipsis, a label
#: clipped by its box), and how wide the Elites tab's network panel is against its grid.
LAYOUT_JS = """() => {
  const page = document.documentElement;
  const drawer = document.querySelector('.v-navigation-drawer').getBoundingClientRect();
  const shown = (el) => {
    const r = el.getBoundingClientRect(), style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.opacity !== '0';
  };
  const name = (el) => (el.closest('.v-input') || el).textContent.trim().slice(0, 80);
  const outside = [], clipped = [];
  for (const el of document.querySelectorAll(
      '.v-navigation-drawer .v-input, .v-navigation-drawer .v-label, '
      + '.v-navigation-drawer input, .v-navigation-drawer .v-slider-thumb')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.left < drawer.left - 1 || r.right > drawer.right + 1) outside.push(name(el));
    if (el.classList.contains('v-label') && (el.scrollWidth > el.clientWidth + 1
        || el.scrollHeight > el.clientHeight + 1)) clipped.push(name(el));
  }
  const grid = document.querySelector('.outlast-chart-elites');
  const network = grid && grid.querySelector('.outlast-chart');
  return {
    documentWidth: page.scrollWidth, windowWidth: page.clientWidth, outside, clipped,
    networkShare: network ? network.getBoundingClientRect().width
      / grid.getBoundingClientRect().width : null,
  };
}"""


def assert_fits_the_window(page, where: str) -> None:
    """No part of the page is wider than the window; the sidebar holds its controls, uncut."""
    layout = page.evaluate(LAYOUT_JS)
    assert layout["documentWidth"] <= layout["windowWidth"], (
        f"{where}: the page is {layout['documentWidth']} px wide in a "
        f"{layout['windowWidth']} px window"
    )
    assert layout["outside"] == [], f"{where}: outside the sidebar: {layout['outside']}"
    assert layout["clipped"] == [], f"{where}: labels cut short: {layout['clipped']}"
    if layout["networkShare"] is not None:
        # The network is the tab's main figure: two of three columns, not one cell of a grid.
        assert layout["networkShare"] >= 0.6, f"{where}: network {layout['networkShare']:.0%}"
