"""Experiment files: designs, run seeds, and one-line errors for bad files."""

import textwrap
from pathlib import Path

import numpy as np
import pytest

from model.scenario import PRESETS
from outlast.cli import main
from outlast.experiments.design import ExperimentError, load_experiment, run_seed

SMALL = {"n_soldier_agents": 500, "horizon_weeks": 10}


def write(tmp_path: Path, body: str, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


GRID = """
    preset = "defection_fund"
    seeds = 3
    master_seed = 7
    [parameters]
    n_soldier_agents = 500
    horizon_weeks = 10
    [design]
    kind = "grid"
    [design.parameters.defection_payment_usd]
    values = [0, 20000, 50000]
    [design.parameters.n_factions]
    range = [2, 6]
    levels = 3
    [keep]
    final = ["force_active", "war_ended"]
    weekly = ["stability_index"]
"""


def test_grid_expands_every_combination_with_one_seed_per_run(tmp_path):
    exp = load_experiment(write(tmp_path, GRID))
    assert exp.name == "exp"
    assert len(exp.points) == 9 and len(exp.runs) == 27
    assert exp.points["defection_payment_usd"].tolist()[:3] == [0.0, 0.0, 0.0]
    assert exp.points["n_factions"].tolist()[:3] == [2, 4, 6]
    assert exp.points["n_factions"].dtype == np.int64
    assert exp.runs["run_id"].tolist() == list(range(27))
    assert exp.runs["seed"].is_unique
    for row in exp.runs.itertuples():
        assert row.seed == run_seed(7, row.point_id, row.seed_index)
        assert row.run_id == row.point_id * 3 + row.seed_index
    s = exp.scenarios[5]
    assert s.defection_payment_usd == 20000.0 and s.n_factions == 6
    # The preset's other values and the [parameters] overrides are in every point.
    assert s.seized_asset_fund_usd == PRESETS["defection_fund"]["seized_asset_fund_usd"]
    assert s.n_soldier_agents == 500


def test_run_seeds_depend_only_on_master_seed_point_and_seed_index(tmp_path):
    path = write(tmp_path, GRID)
    full, fewer = load_experiment(path), load_experiment(path, seeds=2)
    assert len(fewer.runs) == 18
    merged = fewer.runs.merge(full.runs, on=["point_id", "seed_index"], suffixes=("", "_full"))
    assert (merged["seed"] == merged["seed_full"]).all()
    other = load_experiment(write(tmp_path, GRID.replace("master_seed = 7", "master_seed = 8")))
    assert not set(other.runs["seed"]) & set(full.runs["seed"])
    assert all(0 <= s < 2**63 for s in full.runs["seed"])


@pytest.mark.parametrize(
    ("kind", "samples", "expected_points"),
    [
        ("lhs", 10, 10),
        ("sobol", 8, 8 * (2 + 2)),  # Saltelli: N (D + 2) without second-order indices
        ("morris", 3, 3 * (2 + 1)),  # N trajectories of D + 1 points
    ],
)
def test_sampled_designs_have_salib_sizes_stay_in_range_and_repeat(
    tmp_path, kind, samples, expected_points
):
    body = f"""
        seeds = 2
        master_seed = 11
        [parameters]
        n_soldier_agents = 500
        [design]
        kind = "{kind}"
        samples = {samples}
        [design.parameters.western_resolve]
        range = [0.1, 0.9]
        [design.parameters.n_elites]
        range = [40, 200]
        [keep]
        final = ["stability_index"]
    """
    exp = load_experiment(write(tmp_path, body))
    assert len(exp.points) == expected_points and len(exp.runs) == 2 * expected_points
    assert exp.points["western_resolve"].between(0.1, 0.9).all()
    assert exp.points["n_elites"].between(40, 200).all()
    assert exp.points["n_elites"].dtype == np.int64
    assert [s.western_resolve for s in exp.scenarios] == exp.points["western_resolve"].tolist()
    again = load_experiment(write(tmp_path, body, "again.toml"))
    assert again.points.equals(exp.points)
    reseeded = load_experiment(write(tmp_path, body.replace("= 11", "= 12"), "other.toml"))
    assert not reseeded.points.equals(exp.points)


def test_presets_design_has_one_point_per_preset_with_the_shared_parameters(tmp_path):
    exp = load_experiment(
        write(
            tmp_path,
            """
        seeds = 4
        master_seed = 1
        [parameters]
        horizon_weeks = 12
        [design]
        kind = "presets"
        presets = ["baseline", "exile", "combined"]
        [keep]
        final = ["war_ended"]
    """,
        )
    )
    assert exp.points["preset"].tolist() == ["baseline", "exile", "combined"]
    assert len(exp.runs) == 12
    assert exp.scenarios[1].exile_support == PRESETS["exile"]["exile_support"]
    assert exp.scenarios[2].western_resolve == PRESETS["combined"]["western_resolve"]
    assert all(s.horizon_weeks == 12 for s in exp.scenarios)


def test_scenarios_design_lists_points_each_a_preset_with_its_own_overrides(tmp_path):
    exp = load_experiment(
        write(
            tmp_path,
            """
        seeds = 2
        master_seed = 1
        [parameters]
        horizon_weeks = 12
        [design]
        kind = "scenarios"
        [[design.points]]
        preset = "exile"
        [[design.points]]
        preset = "exile"
        parameters = { exile_support = 1.0, horizon_weeks = 20 }
        [[design.points]]
        [keep]
        final = ["war_ended"]
        regions = true
    """,
        )
    )
    assert exp.points["preset"].tolist() == ["exile", "exile", "baseline"]
    assert exp.points["overrides"].tolist() == ["", "exile_support=1.0, horizon_weeks=20", ""]
    assert exp.scenarios[0].exile_support == PRESETS["exile"]["exile_support"]
    # A point's own overrides win over [parameters], which win over its preset.
    assert [s.exile_support for s in exp.scenarios[1:]] == [1.0, 0.0]
    assert [s.horizon_weeks for s in exp.scenarios] == [12, 20, 12]
    assert exp.keep_regions and len(exp.runs) == 6


def test_the_shipped_experiments_are_valid():
    runs = Path(__file__).resolve().parents[2] / "runs"
    policies = load_experiment(runs / "policies.toml")
    assert set(policies.points["preset"]) >= {
        "baseline",
        "combined",
        "combined-no-exile",
        "combined-no-minorities",
        "combined-no-fund",
        "combined-no-resolve",
        "exile-backfire",
        "backlash",
    }
    assert policies.seeds >= 40
    payment = load_experiment(runs / "defection_payment.toml")
    assert payment.design_parameters == ["defection_payment_usd", "seized_asset_fund_usd"]


def test_every_shipped_experiment_file_loads():
    # runs/README.md tells readers to regenerate with these files: each must load as what it is.
    from outlast.analysis.history_matching import load_match

    runs = Path(__file__).resolve().parents[2] / "runs"
    files = sorted(runs.glob("*.toml"))
    assert {f.stem for f in files} >= {"policies", "roads", "robustness", "fund_price"}
    for path in files:
        if path.stem.startswith("history_matching"):
            load_match(path)
            continue
        exp = load_experiment(path)
        assert len(exp.runs) > 0, path.name
    roads = load_experiment(runs / "roads.toml")
    assert len(roads.points) == 9 and roads.seeds == 40
    assert all(s.exile_support == 0.0 for s in roads.scenarios)


HEAD = "seeds = 2\nmaster_seed = 1\n"
KEEP = '[keep]\nfinal = ["war_ended"]\n'
GRID_ONE = '[design]\nkind = "grid"\n[design.parameters.western_resolve]\nvalues = [0.5]\n'

BAD_FILES = [
    ("", "is empty"),
    ("seeds = [", "is not valid TOML"),
    (HEAD + KEEP, "'design' is missing"),
    (HEAD + '[design]\nkind = "factorial"\n' + KEEP, "'design.kind' = 'factorial'"),
    (HEAD + "colour = 1\n" + GRID_ONE + KEEP, "unknown key 'colour'"),
    ("seeds = 0\nmaster_seed = 1\n" + GRID_ONE + KEEP, "'seeds' = 0"),
    ("seeds = 2\nmaster_seed = -1\n" + GRID_ONE + KEEP, "'master_seed' = -1"),
    (HEAD + 'preset = "nope"\n' + GRID_ONE + KEEP, "unknown preset 'nope'"),
    (
        HEAD + "[parameters]\nwestern_resolv = 1\n" + GRID_ONE + KEEP,
        "did you mean 'western_resolve'",
    ),
    (HEAD + "[parameters]\nhorizon_weeks = 0\n" + GRID_ONE + KEEP, "'horizon_weeks' = 0"),
    (
        HEAD + '[design]\nkind = "grid"\n[design.parameters.resolve]\nvalues = [1]\n' + KEEP,
        "unknown parameter 'resolve'",
    ),
    (
        HEAD
        + '[design]\nkind = "grid"\n[design.parameters.western_resolve]\nvalues = [0.5, 2]\n'
        + KEEP,
        "'western_resolve' = 2",
    ),
    (
        HEAD + '[design]\nkind = "grid"\n[design.parameters.western_resolve]\nvalues = []\n' + KEEP,
        "values is empty",
    ),
    (HEAD + '[design]\nkind = "grid"\n' + KEEP, "needs [design.parameters.NAME]"),
    (
        HEAD + '[design]\nkind = "lhs"\nsamples = 4\n[design.parameters.western_resolve]\n'
        "range = [0.5, 0.2]\n" + KEEP,
        "needs lo < hi",
    ),
    (
        HEAD + '[design]\nkind = "lhs"\nsamples = 4\n[design.parameters.western_resolve]\n'
        "range = [0.5, 1.2]\n" + KEEP,
        "'western_resolve' = 1.2 is not allowed: 0 to 1",
    ),
    (
        HEAD
        + '[design]\nkind = "lhs"\n[design.parameters.western_resolve]\nrange = [0, 1]\n'
        + KEEP,
        "needs design.samples",
    ),
    (
        HEAD + '[design]\nkind = "sobol"\nsamples = 100\n[design.parameters.western_resolve]\n'
        "range = [0, 1]\n" + KEEP,
        "power of 2",
    ),
    (
        HEAD
        + '[design]\nkind = "lhs"\nsamples = 4\n[design.parameters.initial_force_regional_mix]\n'
        "range = [0, 1]\n" + KEEP,
        "not numeric",
    ),
    (
        HEAD + '[design]\nkind = "presets"\npresets = ["baseline", "exiles"]\n' + KEEP,
        "unknown preset 'exiles'",
    ),
    (
        HEAD + 'preset = "exile"\n[design]\nkind = "presets"\npresets = ["baseline"]\n' + KEEP,
        "remove 'preset'",
    ),
    (
        HEAD + 'preset = "exile"\n[design]\nkind = "scenarios"\n[[design.points]]\n' + KEEP,
        "a 'scenarios' design takes its presets from design.points; remove 'preset'",
    ),
    (HEAD + '[design]\nkind = "scenarios"\n' + KEEP, "needs [[design.points]]"),
    (
        HEAD + '[design]\nkind = "scenarios"\n[[design.points]]\npreset = "exiles"\n' + KEEP,
        "design point 0 (preset 'exiles'): unknown preset 'exiles'",
    ),
    (
        HEAD + '[design]\nkind = "scenarios"\n[[design.points]]\n'
        "parameters = { legitimacy = 2 }\n" + KEEP,
        "design point 0 (preset 'baseline'): parameter 'legitimacy' = 2",
    ),
    (
        HEAD + GRID_ONE + '[[design.points]]\npreset = "exile"\n' + KEEP,
        "design.points is only for kind = 'scenarios', not 'grid'",
    ),
    (HEAD + "[parameters]\nwestern_resolve = 0.4\n" + GRID_ONE + KEEP, "both in [parameters]"),
    (
        HEAD + '[parameters]\nshare_mobilised = 0.3\n[design]\nkind = "grid"\n'
        "[design.parameters.share_contract]\nvalues = [0.5, 0.8]\n" + KEEP,
        "design point (share_contract=0.8): share_mobilised + share_contract must be at most 1",
    ),
    (HEAD + GRID_ONE + '[keep]\nfinal = ["stabilty_index"]\n', "did you mean 'stability_index'"),
    (HEAD + GRID_ONE + '[keep]\nweekly = ["unrest", "unrest"]\n', "lists a metric twice"),
]


@pytest.mark.parametrize(("body", "message"), BAD_FILES)
def test_a_bad_experiment_file_is_refused_with_its_reason(tmp_path, body, message):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ExperimentError, match=None) as err:
        load_experiment(path)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_cli_refuses_a_malformed_experiment_in_one_line_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(HEAD + GRID_ONE + '[keep]\nfinal = ["nope"]\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("outlast sweep: error: ")
    assert "unknown metric 'nope'" in captured.err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]
