"""Reading a finished sweep (the output contract) and plotting it, on a synthetic sweep."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from dashboards import sweeps


def test_a_sweep_is_read_with_its_parameters_metrics_and_failed_runs(sweep_dir) -> None:
    sweep = sweeps.load_sweep(sweep_dir)
    assert sweep.name == "payment-by-resolve"
    assert sweep.parameters == ("defection_payment_usd", "western_resolve")
    assert sweep.metrics == ("stability_index", "desertions_total")
    assert sweep.weekly_metrics == ("stability_index", "force_active")
    assert len(sweep.results) == 40
    assert len(sweep.ok) == 39
    assert "p7-s4" not in set(sweep.ok["run_id"])


def test_finished_sweeps_are_found_and_unfinished_ones_ignored(sweep_dir) -> None:
    root = sweep_dir.parent
    (root / "still-running" / "parts").mkdir(parents=True)
    (root / "still-running" / "manifest.json").write_text("{}", encoding="utf-8")
    assert sweeps.find_sweeps(root) == ["payment-by-resolve"]
    assert sweeps.find_sweeps(root / "nowhere") == []


def test_outcome_shares_are_the_runs_shares_by_group(sweep_dir) -> None:
    sweep = sweeps.load_sweep(sweep_dir)
    shares = sweeps.outcome_shares(sweep, "defection_payment_usd")
    assert shares.groupby("group")["share"].sum().to_numpy() == pytest.approx(1.0)
    ok = sweep.ok
    expected = (ok[ok["defection_payment_usd"] == 50_000.0]["outcome"] == "regime_change").mean()
    got = shares.query("group == '50000' and outcome == 'regime_change'")["share"].item()
    assert got == pytest.approx(expected)
    order = shares.drop_duplicates("group").sort_values("order")["group"].tolist()
    assert order == ["0", "10000", "50000", "100000"]


def test_a_continuous_parameter_is_cut_into_at_most_six_groups() -> None:
    values = pd.Series([i / 99 for i in range(100)])
    groups = sweeps.parameter_groups(values)
    assert groups.nunique() == sweeps.MAX_GROUPS
    assert sweeps.parameter_groups(pd.Series([0.3, 0.9, 0.3])).tolist() == ["0.3", "0.9", "0.3"]


def test_weekly_bands_hold_the_mean_and_range_of_the_runs(sweep_dir) -> None:
    sweep = sweeps.load_sweep(sweep_dir)
    bands = sweeps.weekly_bands(sweep, "western_resolve", "stability_index")
    assert set(bands["group"]) == {"0.3", "0.9"}
    assert (bands["low"] <= bands["mean"]).all()
    assert (bands["mean"] <= bands["high"]).all()
    week0 = bands[bands["week"] == 0]
    assert week0["mean"].to_numpy() == pytest.approx(1.0)


def test_the_sweep_charts_are_valid_vega_lite(sweep_dir) -> None:
    sweep = sweeps.load_sweep(sweep_dir)
    for chart in (
        sweeps.outcome_chart(sweep, "western_resolve"),
        sweeps.metric_scatter(sweep, "defection_payment_usd", "desertions_total"),
        sweeps.weekly_chart(sweep, "defection_payment_usd", "force_active"),
    ):
        assert chart.to_dict()  # validates against the schema


def test_a_large_sweep_is_sampled_in_the_scatter(sweep_dir, monkeypatch) -> None:
    monkeypatch.setattr(sweeps, "MAX_POINTS", 10)
    sweep = sweeps.load_sweep(sweep_dir)
    chart = sweeps.metric_scatter(sweep, "defection_payment_usd", "stability_index")
    assert len(chart.data) == 10
    assert "(10 of 39 runs)" in chart.title


def test_the_summary_shows_the_manifests_plain_values(sweep_dir) -> None:
    summary = sweeps.manifest_summary(sweeps.load_sweep(sweep_dir))
    assert summary["runs"] == "40"
    assert summary["design points"] == "8"
    assert summary["master seed"] == "7"  # keys in words, no snake_case on the page
    assert summary["design"] == "kind: grid, seeds per point: 5"


def test_a_results_file_missing_a_column_is_named(sweep_dir) -> None:
    results = pd.read_parquet(sweep_dir / "results.parquet").drop(columns=["outcome"])
    results.to_parquet(sweep_dir / "results.parquet", index=False)
    with pytest.raises(sweeps.SweepError, match=r"lacks the column\(s\) outcome$"):
        sweeps.load_sweep(sweep_dir)


def test_a_broken_manifest_or_results_file_is_one_line(sweep_dir) -> None:
    (sweep_dir / "results.parquet").write_bytes(b"not parquet")
    with pytest.raises(sweeps.SweepError, match="cannot read") as err:
        sweeps.load_sweep(sweep_dir)
    assert "\n" not in str(err.value)
    (sweep_dir / "manifest.json").write_text("{", encoding="utf-8")
    with pytest.raises(sweeps.SweepError, match="is not valid JSON"):
        sweeps.load_sweep(sweep_dir)


def test_a_sweep_without_weekly_metrics_still_loads(sweep_dir) -> None:
    (sweep_dir / "weekly.parquet").unlink()
    sweep = sweeps.load_sweep(sweep_dir)
    assert sweep.weekly_metrics == ()
    assert json.loads((sweep_dir / "manifest.json").read_text())["master_seed"] == 7


def write_preset_sweep(root, ended: dict[str, tuple[int, int]]):
    """A presets sweep (the design of runs/policies.toml): `ended[preset]` = (wars ended, runs)."""
    directory = root / "policies"
    directory.mkdir(parents=True)
    rows = []
    for point_id, (preset, (n_ended, n_runs)) in enumerate(ended.items()):
        for seed in range(n_runs):
            rows.append(
                {
                    "run_id": f"{point_id}-{seed}",
                    "point_id": point_id,
                    "seed": seed,
                    "preset": preset,
                    "war_ended": float(seed < n_ended),
                    "stability_index": 0.5,
                    "outcome": "ongoing",
                    "outcome_week": -1,
                    "status": "ok",
                    "error": None,
                }
            )
    pd.DataFrame(rows).to_parquet(directory / "results.parquet", index=False)
    manifest = {"design": {"kind": "presets", "parameters": ["preset"]}}
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return directory


def test_a_presets_sweep_plots_p_war_ended_per_preset_with_wilson_intervals(tmp_path) -> None:
    from statsmodels.stats.proportion import proportion_confint

    ended = {"baseline": (0, 40), "combined": (8, 40), "exile": (3, 20)}
    sweep = sweeps.load_sweep(write_preset_sweep(tmp_path, ended))
    assert sweep.parameters == ("preset",)
    shares = sweeps.war_ended_shares(sweep, "preset")
    # In the design's order (baseline first), not alphabetical; counts and intervals per preset.
    assert list(shares["group"]) == ["baseline", "combined", "exile"]
    for row in shares.itertuples():
        n_ended, n_runs = ended[row.group]
        assert (row.ended, row.runs) == (n_ended, n_runs)
        low, high = proportion_confint(n_ended, n_runs, method="wilson")
        assert (row.low, row.high) == pytest.approx((low, high))
    spec = sweeps.war_ended_chart(sweep, "preset").to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "rule"]
    # The other charts take a preset (a name, not a number) as their dimension too; the
    # outcomes' bars (several rows per preset) in the same design order as P(war ended)'s, each
    # with its number of runs.
    outcomes = sweeps.outcome_chart(sweep, "preset").to_dict()
    order = {"field": "order", "op": "min"}
    assert outcomes["encoding"]["x"]["sort"] == order
    assert spec["layer"][0]["encoding"]["x"]["sort"] == order
    runs = sweeps.outcome_shares(sweep, "preset").groupby("group")["runs"].first()
    assert runs.to_dict() == {name: n for name, (_, n) in ended.items()}
    sweeps.metric_scatter(sweep, "preset", "stability_index").to_dict()


def test_the_sweeps_folder_is_the_projects_wherever_the_server_starts(tmp_path, monkeypatch):
    from dashboards import views

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OUTLAST_SWEEPS_DIR", raising=False)
    project = views.PROJECT_SWEEPS
    assert views.sweeps_folder() == str(project)
    assert (project.parent / "policies.toml").is_file()
    monkeypatch.setenv("OUTLAST_SWEEPS_DIR", str(tmp_path))
    assert views.sweeps_folder() == str(tmp_path)


def test_an_empty_sweeps_folder_says_how_to_make_a_sweep(tmp_path) -> None:
    import ipyvuetify as v
    import solara

    from dashboards import views

    _, rc = solara.render(views.SweepView(str(tmp_path)), handle_error=False)
    empty = (
        f"No finished sweep in '{tmp_path}' (a folder holding manifest.json and results.parquet)."
    )
    assert rc.find(v.Alert, children=[empty]).widget
    assert "outlast sweep runs/policies.toml" in views.HOW_TO_SWEEP


def test_the_sweeps_tab_opens_on_the_projects_main_experiment_when_found():
    assert sweeps.default_sweep(["defection_payment", "fund_price", "policies"]) == "policies"
    assert sweeps.default_sweep(["defection_payment", "roads"]) == "defection_payment"
    assert sweeps.default_sweep([]) is None
