"""History matching (`outlast match`): implausibility, the filter, the sampler, the command.

The filter tests run the default scenario (calibrated to the matched figures) and one with
desertion far too high in their real calibration runs (52 and 81 weeks, two seeds) at reduced
resolution; the end-to-end test runs a cut-down file (a handful of points, two seeds, short
horizons, small armies) through the command.
"""

import contextlib
import io
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.scenario import Scenario, make_scenario
from outlast.analysis.history_matching import (
    FIGURE_NAMES,
    MatchConfig,
    MatchSpec,
    implausibility,
    largest,
    run_points,
)
from outlast.cli import main
from outlast.experiments.engine import LocalBackend
from outlast.experiments.uncertainties import (
    prior_box,
    sample_box,
    sampled_fields,
    survivors_box,
)

#: Calibration runs at reduced resolution: the same forces in fewer, larger agents.
SMALL_RUNS = {
    "baseline": {"n_soldier_agents": 4_000, "soldiers_per_agent": 150.0},
    "hotline": {"n_soldier_agents": 19_000, "soldiers_per_agent": 10.0},
}


def cli(*args: str) -> tuple[int, str, str]:
    """Run `outlast ARGS` in this process: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(args))
        except SystemExit as exc:
            status = exc.code
    return status, out.getvalue(), err.getvalue()


def config(**spec) -> MatchConfig:
    values = {"name": "hm-test", "master_seed": 11, "seeds": 2, "samples": [2], **spec}
    return MatchConfig(MatchSpec(**values), Path("hm-test.toml"), "")


def test_implausibility_on_constructed_numbers():
    # |10 - 7| / sqrt(1 + 2 + 6) = 1
    assert implausibility(10.0, 7.0, 1.0, 2.0, 6.0) == pytest.approx(1.0)
    # Seed spread widens the denominator: the same gap is less implausible.
    assert implausibility(10.0, 7.0, 0.5, 0.5, 0.0) == pytest.approx(3.0)
    assert implausibility(10.0, 7.0, 0.5, 0.5, 8.0) == pytest.approx(1.0)
    assert math.isnan(implausibility(math.nan, 7.0, 1.0, 1.0, 1.0))
    assert implausibility(1.0, 2.0, 0.0, 0.0, 0.0) == math.inf


def test_largest_ignores_figures_not_judged():
    values = np.array([[1.0, np.nan, 5.0, 2.0], [np.nan, np.nan, np.nan, 0.5]])
    assert largest(values, 1).tolist() == [5.0, 0.5]
    assert largest(values, 2).tolist() == [2.0, 0.0]


def test_lhs_points_are_valid_scenarios_within_bounds():
    box = prior_box()
    assert set(box) == set(sampled_fields())
    points = sample_box(box, 40, seed=3)
    for row in points.to_dict("records"):
        s = make_scenario({k: v.item() if hasattr(v, "item") else v for k, v in row.items()})
        assert s.peer_ties % 2 == 0
    for name, r in box.items():
        if r.kind != "choice":
            assert points[name].between(r.lo, r.hi).all(), name
    # A Latin hypercube: each tenth of a plain float field's range holds exactly 4 of 40 points.
    u = (points["leave_threshold_mean"] - 0.0) / 5.0
    assert np.bincount((u * 10).astype(int), minlength=10).tolist() == [4] * 10


def test_survivors_box_is_within_the_prior_and_narrows_a_cut_parameter():
    prior = prior_box()
    points = sample_box(prior, 30, seed=5)
    kept = points[points["leave_threshold_mean"] < 1.0]
    box = survivors_box(prior, kept, widen=0.1)
    assert box["leave_threshold_mean"].hi <= 1.2
    for name, r in prior.items():
        if r.kind != "choice":
            assert r.lo <= box[name].lo <= box[name].hi <= r.hi


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    """The default scenario and one with desertion far too high, in their calibration runs."""
    defaults = {name: Scenario.model_fields[name].default for name in sampled_fields()}
    # No threshold and no fear of punishment: soldiers leave at the slightest push.
    bad = {
        **defaults,
        "leave_threshold_mean": 0.0,
        "leave_threshold_sd": 0.0,
        "punishment_weight": 0.0,
    }
    points = pd.DataFrame([defaults, bad])
    table, outcome = run_points(
        config(runs=SMALL_RUNS), points, 1, LocalBackend(1), tmp_path_factory.mktemp("hm")
    )
    assert outcome.n_failed == 0
    return table


def test_filter_keeps_the_calibrated_default_scenario(judged):
    good = judged.iloc[0]
    assert good["I_max"] < 3.0, {n: good[f"I_{n}"] for n in FIGURE_NAMES}
    assert bool(good["plausible"])


def test_filter_rejects_desertion_far_too_high(judged):
    bad = judged.iloc[1]
    # Several times FACTS.md's "well under 1% a month" (calibrated: about 0.25%).
    assert bad["desertion_rate_baseline_model"] > 0.02
    assert bad["I_desertion_rate_baseline"] > 3.0
    assert not bool(bad["plausible"])


CUT_DOWN = """\
name = "hm-cut"
master_seed = 4
seeds = 2
samples = [3, 2]
refocus_min = 2
ensemble = "{ensemble}"

[runs.baseline]
n_soldier_agents = 1000
soldiers_per_agent = 600.0
horizon_weeks = 12
citizens_per_region = 200

[runs.hotline]
n_soldier_agents = 2000
soldiers_per_agent = 95.0
horizon_weeks = 20
citizens_per_region = 200

[runs.coups]
horizon_weeks = 12
"""


def test_cut_down_run_writes_ensemble_and_report(tmp_path):
    ensemble = tmp_path / "ens" / "plausible.csv"
    toml = tmp_path / "hm.toml"
    toml.write_text(CUT_DOWN.format(ensemble=ensemble), encoding="utf-8")
    out = tmp_path / "out"
    status, _, stderr = cli("match", str(toml), "--workers", "1", "--out", str(out), "--quiet")
    assert status == 0, stderr
    table = pd.read_csv(ensemble)
    assert list(table.columns) == ["future_id", *sampled_fields()]
    points = pd.read_csv(out / "points.csv")
    assert len(table) == int(points["plausible"].sum())
    assert table["future_id"].tolist() == list(range(len(table)))
    info = json.loads(ensemble.with_suffix(".json").read_text())
    assert info["futures"] == len(table)
    assert info["threshold"] == 3.0 and info["seeds"] == 2
    assert info["points_per_wave"][0] == 3 and info["waves"] in (1, 2)
    assert info["experiment"]["file"] == str(toml) and "git_commit" in info
    report = (out / "report.md").read_text()
    for section in ("## Waves", "## Figures", "## Held-out checks"):
        assert section in report
    for name in ("waves", "figures", "ranges", "constraints", "held_out"):
        assert (out / f"{name}.csv").exists()
    waves = pd.read_csv(out / "waves.csv")
    assert waves["points"].iloc[0] == 3 and waves["runs"].iloc[0] == 3 * 3 * 2
    # Run again: every wave's runs are found finished, and the ensemble is the same.
    status, stdout, _ = cli("match", str(toml), "--workers", "1", "--out", str(out), "--quiet")
    assert status == 0 and "(0 run now" in stdout
    assert pd.read_csv(ensemble).equals(table)
    # The time of the session that ran the runs is kept, not that of reading them again.
    again = json.loads(ensemble.with_suffix(".json").read_text())
    assert again["seconds"] == info["seconds"] > 0


@pytest.mark.parametrize(
    ("text", "flags", "message"),
    [
        (
            'samples = [3]\nseeds = 2\nmaster_seed = 1\nname = "x"\nwaves = 2\n',
            [],
            "unknown key 'waves'",
        ),
        ('samples = [3]\nseeds = 1\nmaster_seed = 1\nname = "x"\n', [], "'seeds'"),
        ('seeds = 2\nmaster_seed = 1\nname = "x"\n', [], "'samples' is missing"),
        (
            'samples = [3]\nseeds = 2\nmaster_seed = 1\nname = "x"\n'
            "[runs.baseline]\nleave_threshold_mean = 1.0\n",
            [],
            "only run settings",
        ),
        (
            'samples = [3]\nseeds = 2\nmaster_seed = 1\nname = "x"\n[runs.elsewhere]\n',
            [],
            "unknown run kind",
        ),
        ('samples = [3]\nseeds = 2\nmaster_seed = 1\nname = "x"\n', ["--waves", "0"], "--waves"),
        ('samples = [3]\nseeds = 2\nmaster_seed = 1\nname = "x"\n', ["--waves", "99"], "--waves"),
        ("samples = [3\n", [], "hm.toml"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, text, flags, message):
    toml = tmp_path / "hm.toml"
    toml.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    ensemble = tmp_path / "ens.csv"
    status, _, stderr = cli(
        "match", str(toml), "--out", str(out), "--ensemble", str(ensemble), *flags
    )
    assert status == 2
    assert len(stderr.strip().splitlines()) == 1 and message in stderr
    assert not out.exists() and not ensemble.exists()


def test_ensemble_must_be_a_csv(tmp_path):
    toml = tmp_path / "hm.toml"
    toml.write_text('samples = [3]\nseeds = 2\nmaster_seed = 1\nname = "x"\n', encoding="utf-8")
    status, _, stderr = cli("match", str(toml), "--ensemble", str(tmp_path / "e.txt"))
    assert status == 2 and ".csv" in stderr and len(stderr.strip().splitlines()) == 1


def test_matching_given_the_calibration_samples_no_calibrated_field(tmp_path):
    uncertain = sampled_fields(("uncertainty",))
    calibrated = set(sampled_fields()) - set(uncertain)
    assert calibrated and not calibrated & set(prior_box(("uncertainty",)))
    ensemble = tmp_path / "ens" / "given.csv"
    toml = tmp_path / "hm.toml"
    text = CUT_DOWN.format(ensemble=ensemble).replace(
        'ensemble = "', 'sample_roles = ["uncertainty"]\nensemble = "', 1
    )
    toml.write_text(text, encoding="utf-8")
    status, _, stderr = cli(
        "match",
        str(toml),
        "--workers",
        "1",
        "--out",
        str(tmp_path / "out"),
        "--quiet",
        "--waves",
        "1",
    )
    assert status == 0, stderr
    assert list(pd.read_csv(ensemble).columns) == ["future_id", *uncertain]


def test_an_unknown_role_to_sample_is_refused_with_one_line(tmp_path):
    toml = tmp_path / "hm.toml"
    toml.write_text(
        CUT_DOWN.format(ensemble=tmp_path / "e.csv").replace(
            'ensemble = "', 'sample_roles = ["lever"]\nensemble = "', 1
        ),
        encoding="utf-8",
    )
    status, _, stderr = cli("match", str(toml), "--out", str(tmp_path / "out"))
    assert status == 2 and "sample_roles" in stderr and len(stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_local_prior_keeps_each_default_inside_a_tenth_of_its_bounds():
    from outlast.experiments.uncertainties import around_defaults

    full = prior_box(("uncertainty",))
    local = around_defaults(full, 0.1)
    assert around_defaults(full, 1.0) is full
    for name, r in local.items():
        if r.kind == "choice":
            assert r.choices == full[name].choices
            continue
        f, default = full[name], float(Scenario.model_fields[name].default)
        assert f.lo <= r.lo <= default <= r.hi <= f.hi
        assert math.isclose(r.hi - r.lo, 0.1 * (f.hi - f.lo), rel_tol=1e-9, abs_tol=1e-12)
