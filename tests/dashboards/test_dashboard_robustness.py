"""The Robustness tab: the report's numbers, backfires shown as such, PRIM boxes, the empty state.

A tiny robustness experiment (tests/outlast/test_robustness.py's: 2 policies x 3 futures x 2
seeds) is run once for this module; the tab's tables must equal what `outlast report` writes for
it. Constructed results with known verdicts and a known box check what the tab says about them,
and one browser test opens the tab in headless Chromium.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import ipyvuetify as v
import pandas as pd
import pytest
import solara
from dashboard_helpers import (
    CHROMIUM,
    assert_fits_the_window,
    known_box_results,
    write_sweep,
    write_tiny_robustness,
)

from dashboards import robustness_charts as rcharts
from dashboards import robustness_data as rdata
from dashboards import robustness_view as rview
from outlast.analysis.robustness import read_robustness
from outlast.analysis.robustness_report import write_robustness_report
from tests.outlast.test_robustness import constructed_results


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """The tiny robustness experiment, finished, in <tmp>/sweeps/tiny-robustness."""
    return write_tiny_robustness(tmp_path_factory.mktemp("robustness"))


def _alerts(rc) -> list[str]:
    return [" ".join(map(str, w.children)) for w in rc.find(v.Alert).widgets]


def test_robustness_experiments_are_found_and_other_sweeps_ignored(tiny) -> None:
    folder = tiny.parent
    write_sweep(folder, "a-grid-sweep")  # a finished sweep of another design kind
    (folder / "unfinished").mkdir()
    assert rdata.find_robustness(folder) == ["tiny-robustness"]
    assert rdata.find_robustness(folder / "absent") == []


def test_the_tabs_numbers_are_the_reports(tiny, tmp_path) -> None:
    """Every number of the tab, against the files and Markdown `outlast report` writes."""
    write_robustness_report(tiny, tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    tables = rdata.load_tables(tiny)
    assert not isinstance(tables, str), tables
    report = pd.read_csv(tmp_path / "robustness_distributions.csv")
    for outcome in rdata.OUTCOME_CHOICES.values():
        rows = rdata.outcome_rows(tables, outcome).set_index("policy")
        theirs = report[report["outcome"] == outcome].set_index("policy")
        assert list(rows.index) == ["baseline", "exile-late"]
        for column in ("n_runs", "n_futures", "pooled", "pooled_low", "pooled_high", "q10",
                       "q50", "q90", "mean_low", "mean_high"):  # fmt: skip
            pd.testing.assert_series_equal(
                rows[column], theirs.loc[rows.index, column], check_dtype=False, check_names=False
            )
        for r in rows.itertuples():  # the same row of text as the report's table
            assert f"| {r.Index} | {r.n_runs} | {r.pooled_text} | {r.mean_text} | " in md
    comparison = pd.read_csv(tmp_path / "robustness_comparison.csv").set_index("policy")
    backfire = rdata.backfire_rows(tables).set_index("policy")
    assert list(backfire.index) == ["exile-late"]
    for column in ("n_futures", "better", "worse", "unclear", "p_worse_futures_high"):
        assert backfire.at["exile-late", column] == pytest.approx(
            comparison.at["exile-late", column]
        )
    hard = report[(report["outcome"] == "hardline_successor") & (report["policy"] == "exile-late")]
    assert backfire.at["exile-late", "hardline_pooled"] == pytest.approx(hard["pooled"].iloc[0])
    # Scenario discovery: the report's sentence for the package, word for word.
    found = rdata.prim_box(tables, "exile-late", rdata.ENDS_WAR)
    assert isinstance(found, str) and "of 3 futures, fewer than the 10 a box needs" in found
    assert rdata.no_box_line(found) in md


def test_a_policy_worse_than_the_baseline_in_a_future_shows_as_a_backfire() -> None:
    """Constructed: 'bad' brings a hard-line successor in every seed of future 0 (6 of 6 lost)."""
    tables = rdata.tables_of(constructed_results())
    rows = rdata.backfire_rows(tables).set_index("policy")
    assert rows.loc["bad", ["worse", "better", "unclear", "n_futures"]].tolist() == [1, 1, 1, 3]
    assert rows.loc["good", ["worse", "better"]].tolist() == [0, 1]
    assert rows.at["bad", "worse_text"].startswith("1 of 3 (0.33 [")
    assert rows.at["bad", "hardline_pooled"] == pytest.approx(6 / 18)
    assert rows.at["good", "hardline_pooled"] == 0
    # The chart draws bad's backfire share to the left of zero, its better share to the right.
    spec = rcharts.verdict_chart(rdata.backfire_rows(tables), "baseline")
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    bad = data[data["policy"] == "bad"].set_index("verdict")["share"]
    assert bad["worse (backfire)"] == pytest.approx(-1 / 3)
    assert bad["better"] == pytest.approx(1 / 3)
    # Its box question: 'bad backfires' holds in 1 of 3 futures, too few for a box.
    outcome, flags = rdata.question_outcome(tables, "bad", rdata.BACKFIRES)
    assert flags.tolist() == [True, False, False] and "bad backfires" in outcome
    assert rdata.questions(tables, "baseline") == (rdata.ENDS_WAR,)


def test_a_policy_with_few_runs_is_flagged_as_a_small_sample() -> None:
    tables = rdata.tables_of(constructed_results())  # 18 runs a policy
    rows = rdata.outcome_rows(tables, "war_ended")
    assert rows["small_sample"].all()
    _, rc = solara.render(rview.RobustnessResultsView(tables), handle_error=False)
    assert any("Small sample: baseline, good, bad, same" in a for a in _alerts(rc))


def test_prim_finds_the_known_box_and_the_tab_calls_it_significant() -> None:
    tables = rdata.tables_of(known_box_results())
    box = rdata.prim_box(tables, "package", rdata.ENDS_WAR)
    assert not isinstance(box, str), box
    assert box.significant
    limits = box.limits.set_index("dimension")
    assert "leave_threshold_mean" not in limits.index  # the parameter that does not matter
    assert 0.55 <= limits.at["rally_effect", "low"] <= 0.65
    assert box.density > 0.9 and box.coverage > 0.8
    line = rdata.box_line(box)
    assert "; significant." in line and "rally_effect >=" in line
    assert rdata.prim_box(tables, "package", rdata.ENDS_WAR) is box  # cached
    _, rc = solara.render(rview.BoxPart(box), handle_error=False)
    assert line in _alerts(rc)


def test_no_box_says_so_with_the_counts() -> None:
    tables = rdata.tables_of(known_box_results(n_futures=40))
    found = rdata.prim_box(tables, "package", rdata.BACKFIRES)  # never worse: 0 of 40
    assert rdata.no_box_line(found) == (
        "No box: 'package backfires (worse than baseline beyond seed noise)' holds in 0 of 40 "
        "futures, fewer than the 10 a box needs."
    )


def test_an_empty_folder_says_how_to_make_a_robustness_experiment(tmp_path) -> None:
    write_sweep(tmp_path, "a-grid-sweep")  # a sweep, but not a robustness experiment
    _, rc = solara.render(rview.RobustnessView(str(tmp_path)), handle_error=False)
    assert any(f"No robustness experiment in '{tmp_path}'" in a for a in _alerts(rc))
    assert "outlast sweep runs/robustness.toml" in rview.HOW_TO_ROBUSTNESS


def test_loading_is_cached_until_the_results_change(tiny) -> None:
    first = rdata.load_tables(tiny)
    assert rdata.load_tables(tiny) is first
    results = tiny / "results.parquet"
    stamp = results.stat().st_mtime_ns
    try:
        os.utime(results, ns=(stamp + 10**9, stamp + 10**9))
        again = rdata.load_tables(tiny)
        assert again is not first
        assert again.results.runs.equals(read_robustness(tiny).runs)
    finally:
        os.utime(results, ns=(stamp, stamp))


def test_a_broken_robustness_folder_is_one_line(tmp_path, tiny) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_bytes((tiny / "manifest.json").read_bytes())
    (broken / "results.parquet").write_text("not parquet", encoding="utf-8")
    loaded = rdata.load_tables(broken)
    assert isinstance(loaded, str) and "\n" not in loaded and "cannot read" in loaded


# ---- in the browser -------------------------------------------------------------------------


@pytest.fixture
def robustness_page(solara_server, solara_app, page_session, tiny, monkeypatch) -> Iterator:
    """The dashboard in the browser with the tiny experiment in its sweeps folder."""
    monkeypatch.setenv("OUTLAST_SWEEPS_DIR", str(tiny.parent))
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            errors.append(message.text)

    page_session.on("console", on_console)
    page_session.on("pageerror", lambda exc: errors.append(str(exc)))
    with solara_app("dashboards.app:Page"):
        page_session.goto(solara_server.base_url)
        page_session.get_by_text("Week 0 of").wait_for(timeout=60_000)
        page_session.errors = errors
        yield page_session
        page_session.goto("about:blank")
    page_session.remove_listener("console", on_console)


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_the_robustness_tab_shows_the_experiment_in_the_browser(
    robustness_page, tiny, artifacts
) -> None:
    page = robustness_page
    page.get_by_role("tab", name="Robustness").click()
    started = time.monotonic()
    for name in ("robustness-pooled", "robustness-futures", "robustness-verdicts"):
        page.locator(f".outlast-chart-{name} .vega-embed svg").first.wait_for(timeout=60_000)
    tables = rdata.load_tables(tiny)
    shown = page.locator(".outlast-robustness-outcomes").inner_text()
    for row in rdata.outcome_rows(tables, "war_ended").itertuples():
        assert row.pooled_text in shown and row.policy in shown
    backfire = rdata.backfire_rows(tables).iloc[0]
    assert backfire["worse_text"] in page.locator(".outlast-robustness-backfires").inner_text()
    found = rdata.prim_box(tables, "exile-late", rdata.ENDS_WAR)
    page.get_by_text(rdata.no_box_line(found)).wait_for(timeout=30_000)
    page.get_by_text("With 2 seeds a future cannot be judged").wait_for()
    assert time.monotonic() - started < 60
    page.screenshot(path=artifacts / "view-robustness.png", full_page=True)
    # With its tables and charts drawn, the tab fits the narrowest window the page is made for
    # and a wide one, and each chart is drawn within its box.
    try:
        for width in (1280, 1920):
            page.set_viewport_size({"width": width, "height": 1000})
            page.wait_for_timeout(500)
            assert_fits_the_window(page, f"Robustness at {width} px")
            for name in ("robustness-pooled", "robustness-futures", "robustness-verdicts"):
                box = page.locator(f".outlast-chart-{name}").first.bounding_box()
                drawn = page.locator(f".outlast-chart-{name} .vega-embed").first.bounding_box()
                assert drawn["x"] + drawn["width"] <= box["x"] + box["width"] + 1, (name, width)
    finally:
        page.set_viewport_size({"width": 1600, "height": 1100})
    assert page.errors == [], page.errors


def test_the_tab_opens_on_the_projects_main_experiment_when_found():
    from dashboards.robustness_view import default_experiment

    assert default_experiment(["fund_price", "robustness", "zeta"]) == "robustness"
    assert default_experiment(["fund_price", "zeta"]) == "fund_price"
    assert default_experiment([]) is None
