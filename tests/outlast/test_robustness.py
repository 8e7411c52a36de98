"""Robustness experiments: policies x futures with common seeds, their checks, engine and report."""

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.scenario import Scenario
from outlast.cli import main
from outlast.experiments import engine
from outlast.experiments.design import ExperimentError, load_experiment, run_seed
from outlast.experiments.engine import LocalBackend, run_sweep
from outlast.experiments.futures import lhs_futures, lhs_names

#: Three futures that differ in two uncertainties and one calibrated parameter.
FUTURES = """future_id,rally_effect,exile_progress_per_week,leave_threshold_mean
0,0.1,0.02,0.4
1,0.4,0.05,0.3
2,0.0,0.08,0.5
"""

#: Two policies: none, and the exile government formed in week 30 (a lever that acts late).
EXPERIMENT = """
    name = "tiny-robustness"
    seeds = 2
    master_seed = 31
    [parameters]
    n_soldier_agents = 2000
    horizon_weeks = 40
    citizens_per_region = 200
    [design]
    kind = "robustness"
    futures = "futures.csv"
    policies = [
        "baseline",
        {{ name = "exile-late", preset = "baseline", set = {{ exile_support = 0.8, exile_formation_week = 30 }} }},
    ]
    {extra}
"""


def experiment_file(tmp_path: Path, extra: str = "", futures: str = FUTURES) -> Path:
    (tmp_path / "futures.csv").write_text(futures, encoding="utf-8")
    path = tmp_path / "robust.toml"
    path.write_text(textwrap.dedent(EXPERIMENT.format(extra=extra)), encoding="utf-8")
    return path


def test_the_design_runs_every_policy_on_every_future_with_common_seeds(tmp_path):
    exp = load_experiment(experiment_file(tmp_path))
    assert len(exp.points) == 6 and len(exp.runs) == 12
    assert exp.points["policy"].tolist() == ["baseline"] * 3 + ["exile-late"] * 3
    assert exp.points["future_id"].tolist() == [0, 1, 2] * 2
    assert {"exile_support", "exile_formation_week", "rally_effect"} <= set(exp.points.columns)
    runs = exp.runs.merge(exp.points, on="point_id")
    # One (future, seed): the same seed under every policy; different across futures and seeds.
    by_policy = runs.pivot_table(index=["future_id", "seed_index"], columns="policy", values="seed")
    assert (by_policy["baseline"] == by_policy["exile-late"]).all()
    assert by_policy["baseline"].is_unique
    for row in runs.itertuples():
        assert row.seed == run_seed(31, row.future_id, row.seed_index)
    # A point's scenario: the base, then the policy's levers, then the future's values.
    s = exp.scenarios[4]  # exile-late, future 1
    assert (s.exile_support, s.exile_formation_week) == (0.8, 30)
    assert (s.rally_effect, s.exile_progress_per_week, s.leave_threshold_mean) == (0.4, 0.05, 0.3)
    assert s.n_soldier_agents == 2000 and exp.scenarios[1].exile_support == 0.0
    assert exp.robustness["reference"] == "baseline"
    assert exp.robustness["uncertainties"] == [
        "rally_effect",
        "exile_progress_per_week",
        "leave_threshold_mean",
    ]


def test_another_ensemble_is_another_experiment(tmp_path):
    first = load_experiment(experiment_file(tmp_path))
    changed = load_experiment(experiment_file(tmp_path, futures=FUTURES.replace("0.4,", "0.5,")))
    assert first.text == changed.text and first.sha256 != changed.sha256


def test_a_latin_hypercube_of_futures_stays_in_bounds_and_meets_the_joint_constraints():
    futures = lhs_futures(40, seed=3)
    assert futures["future_id"].tolist() == list(range(40))
    for name in lhs_names():
        extra = Scenario.model_fields[name].json_schema_extra
        assert futures[name].between(extra["lo"], extra["hi"]).all(), name
    for row in futures.drop(columns="future_id").to_dict("records"):
        Scenario(**row)  # raises if a joint constraint is broken
    assert lhs_futures(40, seed=3).equals(futures)


BAD = [
    (
        {"extra": "policy_grid = { rally_effect = [0.1, 0.2] }"},
        "design.policy_grid sets 'rally_effect' (uncertainty); a policy may set only levers",
    ),
    (
        {"extra": 'reference = "nobody"'},
        "design.reference = 'nobody' is not one of the policies",
    ),
    (
        {"futures": "future_id,western_resolve\n0,0.5\n"},
        "'western_resolve' is a lever, not an uncertainty",
    ),
    (
        {"futures": "future_id,horizon_weeks\n0,50\n"},
        "'horizon_weeks' is a setting, not an uncertainty",
    ),
    ({"futures": "future_id,rally_efect\n0,0.5\n"}, "did you mean 'rally_effect'"),
    ({"futures": "future_id,rally_effect\n0,0.5\n2,0.1\n"}, "must hold 0..1, each once"),
    ({"futures": "rally_effect\n0.5\n"}, "has no 'future_id' column"),
    ({"futures": "future_id,rally_effect\n0,\n1,0.2\n"}, "'rally_effect' is empty for future_id 0"),
    ({"futures": "future_id,rally_effect\n0,high\n"}, "'rally_effect' needs numbers"),
    ({"futures": "future_id,rally_effect\n0,1.5\n"}, "future_id 0: parameter 'rally_effect' = 1.5"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_a_bad_robustness_design_is_refused_with_one_line(tmp_path, change, message):
    path = experiment_file(tmp_path, **change)
    with pytest.raises(ExperimentError) as err:
        load_experiment(path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_policy_that_sets_an_uncertainty_stops_the_cli_with_exit_2(tmp_path, capsys):
    path = experiment_file(tmp_path)
    text = path.read_text().replace('\n    "baseline",', '\n    "baseline", "backlash",')
    path.write_text(text)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "policy 'backlash': preset 'backlash' sets 'rally_effect' (uncertainty)" in err
    assert "a policy may set only levers" in err
    assert not out.exists()


def test_a_future_file_that_sets_a_lever_stops_the_cli_with_exit_2(tmp_path, capsys):
    path = experiment_file(tmp_path, futures="future_id,exile_support\n0,0.5\n")
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'exile_support' is a lever, not an uncertainty" in err
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny experiment run in this process, one run per batch."""
    tmp = tmp_path_factory.mktemp("robust")
    exp = load_experiment(experiment_file(tmp))
    run_sweep(exp, tmp / "one", LocalBackend(1), batch_size=1, progress=False)
    return exp, tmp


def tables(out: Path) -> list[pd.DataFrame]:
    return [pd.read_parquet(out / name) for name in ("results.parquet", "weekly.parquet")]


def test_a_robustness_experiment_gives_the_same_results_on_two_workers(tiny):
    exp, tmp = tiny
    run_sweep(exp, tmp / "two", LocalBackend(2), batch_size=5, progress=False)
    for one, two in zip(tables(tmp / "one"), tables(tmp / "two"), strict=True):
        pd.testing.assert_frame_equal(one, two, check_exact=True)
    manifest = json.loads((tmp / "one" / "manifest.json").read_text())
    assert manifest["design"]["kind"] == "robustness"
    assert manifest["design"]["robustness"]["policies"] == ["baseline", "exile-late"]


def test_common_seeds_give_identical_weeks_until_the_lever_acts(tiny):
    _, tmp = tiny
    results, weekly = tables(tmp / "one")
    weekly = weekly.merge(results[["run_id", "policy", "future_id", "seed_index"]], on="run_id")
    # The exile government forms in week 30: until then both policies draw the same numbers.
    wide = weekly.pivot_table(
        index=["future_id", "seed_index", "week"], columns="policy", values="force_active"
    )
    before = wide[wide.index.get_level_values("week") < 30]
    assert (before["baseline"] == before["exile-late"]).all()


def test_a_robustness_sweep_resumes_after_an_interruption(tiny, tmp_path, monkeypatch):
    exp, tmp = tiny
    real = engine.run_batch
    calls = []

    def stop_after_two(*args, **kwargs):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "run_batch", stop_after_two)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(exp, tmp_path / "out", LocalBackend(1), batch_size=3, progress=False)
    monkeypatch.setattr(engine, "run_batch", real)
    done = run_sweep(exp, tmp_path / "out", LocalBackend(1), progress=False)
    assert (done.n_done_before, done.n_run_now) == (6, 6)
    for resumed, whole in zip(tables(tmp_path / "out"), tables(tmp / "one"), strict=True):
        pd.testing.assert_frame_equal(resumed, whole, check_exact=True)


def test_outlast_report_writes_the_robustness_tables_with_the_right_counts(tiny, capsys):
    _, tmp = tiny
    assert main(["report", str(tmp / "one")]) == 0
    report = tmp / "one" / "report"
    runs = pd.read_csv(report / "robustness_runs.csv")
    assert len(runs) == 12 and set(runs["policy"]) == {"baseline", "exile-late"}
    per_future = pd.read_csv(report / "robustness_per_future.csv")
    assert len(per_future) == 6 and (per_future["n_seeds"] == 2).all()
    assert len(pd.read_csv(report / "robustness_futures.csv")) == 3
    dist = pd.read_csv(report / "robustness_distributions.csv")
    assert len(dist) == 6 and (dist["n_runs"] == 6).all() and (dist["n_futures"] == 3).all()
    comparison = pd.read_csv(report / "robustness_comparison.csv")
    assert comparison["policy"].tolist() == ["exile-late"]
    assert comparison["n_futures"].tolist() == [3]
    assert len(pd.read_csv(report / "robustness_verdicts.csv")) == 3
    assert len(pd.read_csv(report / "robustness_regret.csv")) == 2
    md = (report / "report.md").read_text()
    assert "2 policies x 3 futures x 2 seeds = 12 runs (0 failed)" in md
    assert "With 2 seeds no future can be judged" in md
    for figure in ("distributions", "backfire", "regret"):
        assert (report / f"robustness_{figure}.png").stat().st_size > 0
        assert f"robustness_{figure}.png" in md
    # Discovery and sensitivity are reported (3 futures are too few to find anything), and the
    # fund's price says why it was not run: these policies do not vary the fund.
    for heading in ("## Scenario discovery", "## Sensitivity", "## The fund's price"):
        assert heading in md
    assert "do not vary the fund's settings" in md


def test_robustness_report_writes_each_figure_in_every_format_asked(tiny, tmp_path):
    _, tmp = tiny
    out = tmp_path / "report"
    assert main(["report", str(tmp / "one"), "--format", "svg,pdf", "--out", str(out)]) == 0
    md = (out / "report.md").read_text()
    assert "Each figure in svg, pdf; shown here as svg." in md
    for figure in ("distributions", "backfire", "regret"):
        assert (out / f"robustness_{figure}.svg").read_text().lstrip().startswith("<?xml")
        assert (out / f"robustness_{figure}.pdf").read_bytes().startswith(b"%PDF")
        assert not (out / f"robustness_{figure}.png").exists()
        assert f"(robustness_{figure}.svg)" in md and ".png" not in md


def test_a_grid_of_fund_settings_gets_its_price_in_the_report(tmp_path):
    grid = """
    [design.policy_grid]
    defection_payment_usd = [0, 50000]
    offer_reach_per_week = [0.0, 0.05]
    """
    path = experiment_file(tmp_path, extra=textwrap.dedent(grid))
    text = path.read_text().replace("    policies = [\n", "    policies = [\n", 1)
    text = text.replace("horizon_weeks = 40", "horizon_weeks = 20")
    text = text.replace(
        '{ name = "exile-late", preset = "baseline", set = { exile_support = 0.8, '
        "exile_formation_week = 30 } },",
        "",
    )
    path.write_text(text, encoding="utf-8")
    exp = load_experiment(path)
    run_sweep(exp, tmp_path / "out", LocalBackend(1), progress=False)
    assert main(["report", str(tmp_path / "out"), "--quiet"]) == 0
    md = (tmp_path / "out" / "report" / "report.md").read_text()
    price = md.split("## The fund's price", 1)[1]
    assert "Not run" not in price and "Not done" not in price
    assert (tmp_path / "out" / "report" / "fund_frontier.png").stat().st_size > 0


def constructed_results() -> "RobustnessResults":  # noqa: F821 (imported below)
    """4 policies x 3 futures x 6 seeds with known outcomes (see the test below)."""
    from outlast.analysis.robustness import RobustnessResults, per_future_table

    policies = ["baseline", "good", "bad", "same"]
    ended = {p: np.zeros((3, 6), bool) for p in policies}
    hard = {p: np.zeros((3, 6), bool) for p in policies}
    ended["baseline"][2, :2] = True  # the reference ends the war in 2 seeds of future 2
    ended["same"][2, :2] = True  # a copy of the reference
    ended["good"][0, :] = True  # every seed of future 0
    ended["good"][1, :3] = True  # 3 of 6 in future 1
    hard["bad"][0, :] = True  # a hard-line successor in every seed of future 0
    ended["bad"][1, :] = True  # every seed of future 1
    rows = []
    for p in policies:
        for f in range(3):
            for s in range(6):
                rows.append(
                    {
                        "run_id": len(rows),
                        "policy": p,
                        "future_id": f,
                        "seed_index": s,
                        "war_ended": ended[p][f, s],
                        "regime_change": hard[p][f, s],
                        "hardline_successor": hard[p][f, s],
                        "end_week": 50.0 if ended[p][f, s] else np.nan,
                        "weeks_of_war": 50.0 if ended[p][f, s] else 100.0,
                        "force_ratio_final": 1.0,
                        "force_ratio_2y": 1.0,
                    }
                )
    runs = pd.DataFrame(rows)
    return RobustnessResults(
        root=Path("."),
        manifest={"seeds": 6},
        runs=runs,
        futures=pd.DataFrame({"future_id": range(3), "rally_effect": [0.1, 0.2, 0.3]}),
        per_future=per_future_table(runs, policies),
        failed=pd.Series(0, index=policies),
        policies=policies,
        reference="baseline",
        levers=[],
        uncertainties=["rally_effect"],
        horizon_weeks=100,
    )


def test_the_measures_find_the_known_gains_backfires_and_regrets():
    from outlast.analysis.robustness import (
        comparison_table,
        distribution_table,
        regret_table,
        time_table,
        verdicts,
    )

    res = constructed_results()
    v = verdicts(res).set_index(["policy", "future_id"])["verdict"]
    # good: 6 of 6 pairs won in future 0 (p = 1/64); 3 won, 3 tied in future 1 (p = 1/8); 2 lost
    # in future 2 (p = 1/4). bad: 6 lost in future 0 (hard-line), 6 won in future 1, 2 lost in
    # future 2.
    assert v["good"].tolist() == ["better", "no clear difference", "no clear difference"]
    assert v["bad"].tolist() == ["worse", "better", "no clear difference"]
    assert (v["same"] == "no clear difference").all()
    table = comparison_table(res).set_index("policy")
    assert table.loc["good", ["better", "worse", "unclear"]].tolist() == [1, 0, 2]
    assert table.loc["bad", ["better", "worse", "unclear"]].tolist() == [1, 1, 1]
    assert table.loc["good", "mean_gain"] == pytest.approx(7 / 18)
    assert table.loc["bad", "mean_gain"] == pytest.approx(2 / 9)
    assert table.loc["good", "mean_gain_low"] <= 7 / 18 <= table.loc["good", "mean_gain_high"]
    # The bootstrap resamples one set of seeds for every policy: a copy of the reference gains
    # exactly nothing in every resample.
    assert table.loc["same", ["mean_gain_low", "mean_gain_high"]].tolist() == [0.0, 0.0]
    assert table.loc["good", "min_p"] == 0.5**6
    lo, hi = table.loc["bad", ["p_worse_futures_low", "p_worse_futures_high"]]
    assert 0 < lo < 1 / 3 < hi < 1

    regret = regret_table(res).set_index("policy")
    assert regret["mean_regret"].tolist() == pytest.approx([2 / 3, 5 / 18, 4 / 9, 2 / 3])
    assert regret["max_regret"].tolist() == pytest.approx([1, 0.5, 1, 1])
    assert regret["best_futures"].tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 3, 1 / 3])

    dist = distribution_table(res).set_index(["policy", "outcome"])
    assert dist.loc[("good", "war_ended"), "pooled"] == pytest.approx(0.5)
    assert dist.loc[("good", "war_ended"), "q50"] == pytest.approx(0.5)
    assert dist.loc[("bad", "hardline_successor"), "pooled"] == pytest.approx(1 / 3)
    assert dist.loc[("bad", "hardline_successor"), "futures_all"] == pytest.approx(1 / 3)
    low, high = dist.loc[("good", "war_ended"), ["pooled_low", "pooled_high"]]
    assert 0.25 < low < 0.5 < high < 0.75  # Wilson over 18 runs

    time = time_table(res).set_index("policy")
    assert time.loc["good", "n_ended"] == 9 and time.loc["good", "median_end_week"] == 50
    assert time.loc["good", "weeks_of_war"] == pytest.approx((50 + 75 + 100) / 3)
    assert time.loc["bad", "n_ended"] == 6 and time.loc["baseline", "n_ended"] == 2


def test_the_shipped_robustness_experiment_is_valid_with_a_placeholder_ensemble(tmp_path):
    shipped = Path(__file__).resolve().parents[2] / "runs" / "robustness.toml"
    (tmp_path / "ensembles").mkdir()
    lhs_futures(4, seed=1).to_csv(tmp_path / "ensembles" / "plausible.csv", index=False)
    copy = tmp_path / "robustness.toml"
    copy.write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    exp = load_experiment(copy)
    assert exp.robustness["reference"] == "baseline"
    assert {"baseline", "combined", "combined-no-exile"} <= set(exp.robustness["policies"])
    assert len(exp.runs) == len(exp.robustness["policies"]) * 4 * exp.seeds
    assert exp.seeds >= 5  # fewer seeds and the sign test can judge no future


def test_futures_with_outcomes_joins_a_policys_shares_and_verdicts_to_the_futures():
    from outlast.analysis.robustness import futures_with_outcomes

    table = futures_with_outcomes(constructed_results(), "bad")
    assert table["future_id"].tolist() == [0, 1, 2]
    assert table["rally_effect"].tolist() == [0.1, 0.2, 0.3]
    assert table["p_war_ended"].tolist() == [0.0, 1.0, 0.0]
    assert table["verdict"].tolist() == ["worse", "better", "no clear difference"]
    with pytest.raises(ExperimentError, match="no policy 'nope'"):
        futures_with_outcomes(constructed_results(), "nope")
