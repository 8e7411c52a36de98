"""The page's words and the ensemble's numbers, without a browser: headline, verdict, command,
units, and the ensemble against the sweep engine on the same seeds."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from dashboards import ensemble as ens
from dashboards.compare import baseline_scenario
from dashboards.export import command_line, scenario_overrides, scenario_toml
from dashboards.formatting import format_amount, format_value, parse_amount, plain_label, tooltip
from dashboards.verdict import CoupFact, RunFacts, verdict
from model.metrics import METRICS
from model.scenario import Scenario, make_scenario, preset_overrides

SMALL = {
    "n_soldier_agents": 2_000,
    "soldiers_per_agent": 300.0,
    "horizon_weeks": 40,
    "citizens_per_region": 200,
}


def results(current: list[int], baseline: list[int], weeks: list[int]) -> pd.DataFrame:
    n = len(current)
    return pd.DataFrame(
        {
            "arm": ["current levers"] * n + ["baseline"] * n,
            "status": "ok",
            "war_ended": [float(x) for x in current + baseline],
            "outcome_week": weeks + [-1] * n,
        }
    )


def test_the_headline_gives_counts_wilson_intervals_and_the_median_week() -> None:
    weeks = [73, 106, 88] + [-1] * 17
    text = ens.headline(results([1, 1, 1] + [0] * 17, [0] * 20, weeks))
    assert text.startswith("War ended in 3 of 20 seeds (15%, 95% interval 5% to 36%)")
    assert "against 0 of 20 (0%, 95% interval 0% to 16%) without them" in text
    assert "median week of the end, among the 3 runs in which it ended, was 88" in text
    assert "(weeks 73 to 106)" in text


def test_the_headline_tells_ends_by_negotiation_from_ends_after_a_coup() -> None:
    weeks = [73, 106, 88] + [-1] * 7
    table = results([1, 1, 1] + [0] * 7, [0] * 10, weeks)
    table["regime_change"] = 0.0
    table.loc[1, "regime_change"] = 1.0  # the second run of the levers ended after a coup
    table.loc[5, "regime_change"] = 1.0  # a coup whose successor went on with the war
    text = ens.headline(table)
    assert "With the levers 2 of the 3 ended by negotiation and 1 after a regime change." in text


def test_the_headline_leaves_out_failed_runs() -> None:
    table = results([1, 0], [0, 0], [10, -1])
    table.loc[1, "status"] = "failed"
    assert ens.headline(table).startswith("War ended in 1 of 1 seeds")


def facts(**changes) -> RunFacts:
    base = dict(
        week=73,
        horizon_weeks=156,
        running=False,
        outcome="ended_by_negotiation",
        outcome_week=73,
        war_ended=True,
        threat=0.52,
        tolerance=0.48,
        threat_parts={
            "elite_pressure": (0.41, 0.25),
            "army_strain": (0.6, 0.1),
            "unrest": (0.05, 0.1),
            "economic_strain": (0.3, 0.1),
        },
        coup_threshold=0.3,
    )
    return RunFacts(**{**base, **changes})


def test_the_verdict_names_the_threshold_and_the_largest_pressures_first() -> None:
    head, why = verdict(facts())
    assert head == "The leader ended the war by negotiation in week 73."
    assert why.startswith("The leader's threat 0.52 passed his tolerance 0.48 in week 73: ")
    assert why.index("elites pressing 41%") < why.index("army strain 0.60") < why.index("economic")
    assert "unrest" not in why  # the fourth pressure is left out


def test_the_verdict_of_a_coup_gives_the_conspirators_share_and_the_threshold() -> None:
    coups = (CoupFact(40, 0.33, 0.2, False), CoupFact(61, 0.35, 0.4, True))
    head, why = verdict(
        facts(outcome="regime_change", outcome_week=61, coups=coups, successor_stance="ends_war")
    )
    assert head == "The war ended after a coup in week 61."
    assert "Conspirators held 35% of elite power, past the coup threshold of 30%, in week 61" in why
    assert "the new regime ended the war" in why
    assert "1 coup attempt(s) failed (week 40)" in why


def test_the_verdict_of_a_run_going_on_gives_the_margin() -> None:
    head, why = verdict(facts(outcome="ongoing", outcome_week=-1, running=True, threat=0.2))
    assert head == "Week 73: the war goes on."
    assert "0.20 is 0.28 below his tolerance 0.48" in why


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (5e9, "USD", "$5 bn"),
        (1.45e8, "USD/week", "$145 m per week"),
        (1e6, "RUB", "1.0 m RUB"),
        (3e6, "RUB", "3.0 m RUB"),
        (50_000, "USD/soldier", "$50,000 per soldier"),
        (0.3, "share of elite power", "30% of elite power"),
        (0.0025, "probability/week", "0.25% a week"),
        (156, "weeks", "156 weeks (3.0 years)"),
        (0.04, "police per citizen", "0.04 police per citizen"),
    ],
)
def test_values_read_with_their_units(value, unit, text) -> None:
    assert format_value(value, unit) == text


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("5000000000", 5e9),
        ("5,000,000,000", 5e9),
        ("5000000000.0", 5e9),
        ("5e9", 5e9),
        ("$5 bn", 5e9),
        ("5 billion USD", 5e9),
        ("145m", 1.45e8),
        ("1.0 m RUB", 1e6),
        ("50,000", 5e4),
        ("0", 0.0),
    ],
)
def test_a_number_box_takes_amounts_as_people_write_them(text, amount) -> None:
    assert parse_amount(text) == pytest.approx(amount)
    assert parse_amount(format_amount(amount)) == amount  # what the box shows it reads back


@pytest.mark.parametrize("text", ["", "lots", "5 zillion", "$", "5e", "1.2.3"])
def test_a_number_box_refuses_what_is_not_an_amount_in_one_line(text) -> None:
    with pytest.raises(ValueError, match=r"is not an amount: type a number such as .* 5 bn$"):
        parse_amount(text)


def test_every_metric_and_slider_parameter_has_a_plain_label_and_a_tooltip() -> None:
    from dashboards.controls import SLIDER_FIELDS

    for name in (*SLIDER_FIELDS, *(m.name for m in METRICS)):
        assert "_" not in plain_label(name), name
        assert len(tooltip(name)) > 20, name
    assert tooltip("western_resolve").startswith(
        Scenario.model_fields["western_resolve"].description
    )
    # Bounds with their units, roles in words.
    fund = tooltip("seized_asset_fund_usd")
    assert "From $0 to $300 bn." in fund and "e+" not in fund
    assert "Role: lever (a Western policy choice)." in fund


def test_the_command_line_and_the_toml_rebuild_the_same_scenario(tmp_path) -> None:
    scenario = make_scenario(
        {**preset_overrides("combined"), **SMALL, "western_resolve": 0.55, "exile_support": 0.0}
    )
    line = command_line(scenario, "combined", 7)
    assert line.startswith("outlast run --preset combined --set ")
    assert line.endswith(" --seed 7")
    from model.scenario import load_scenario

    overrides = [part for part in line.split() if "=" in part]
    assert load_scenario(preset="combined", overrides=overrides) == scenario
    # Only what differs from the preset (citizens_per_region is at its default, 200).
    assert {"western_resolve", "exile_support", *SMALL} - {"citizens_per_region"} == set(
        scenario_overrides(scenario, "combined")
    )
    path = tmp_path / "s.toml"
    path.write_text(scenario_toml(scenario, "combined", 7), encoding="utf-8")
    assert load_scenario(config=path) == scenario


def test_the_censored_bands_drop_a_run_after_its_end() -> None:
    weekly = pd.DataFrame(
        {
            "arm": "baseline",
            "seed_index": [0, 0, 0, 1, 1],
            "week": [0, 1, 2, 0, 1],
            "unrest": [0.1, 0.2, 0.3, 0.5, 0.9],
        }
    )
    bands = ens.censored_bands(weekly, ["unrest"]).set_index("week")
    assert bands.loc[2, "runs"] == 1
    assert bands.loc[2, "median"] == pytest.approx(0.3)  # the run that ended is not carried
    assert bands.loc[1, "median"] == pytest.approx(0.55)


def test_the_ensemble_equals_outlast_sweep_of_the_same_seeds(tmp_path) -> None:
    scenario = make_scenario({**preset_overrides("combined"), **SMALL})
    result = ens.run_ensemble(scenario, baseline_scenario(scenario), 7, 3, workers=1)
    current = result.results[result.results["arm"] == "current levers"].sort_values("seed_index")
    base = result.results[result.results["arm"] == "baseline"].sort_values("seed_index")
    assert current["seed"].tolist() == base["seed"].tolist()  # common random numbers
    experiment = tmp_path / "ensemble.toml"
    overrides = scenario_overrides(scenario, "combined")
    experiment.write_text(ens.sweep_experiment_toml("e", "combined", overrides, 7, 3))
    out = tmp_path / "out"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "outlast",
            "sweep",
            str(experiment),
            "--workers",
            "1",
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    swept = pd.read_parquet(out / "results.parquet").sort_values("seed_index")
    assert swept["seed"].tolist() == current["seed"].tolist()
    for column in ("war_ended", "stability_index", "outcome_week"):
        assert swept[column].tolist() == current[column].tolist(), column


def test_the_seed_count_box_takes_whole_numbers_in_range_only() -> None:
    from dashboards.app import seed_count

    assert [seed_count(t) for t in ("8", " 20 ", "1,00", "0")] == [8, 20, 100, 0]
    assert [seed_count(t) for t in ("", "-1", "2.5", "201", "lots")] == [None] * 5
