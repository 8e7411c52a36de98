"""The public Python API: `import outlast` from anywhere, `simulate`, the version, EMA Workbench."""

from __future__ import annotations

import subprocess
import sys
import warnings
from importlib import metadata

import pandas as pd
import pytest

import outlast
from model.scenario import ScenarioError

SMALL = {"n_soldier_agents": 500, "n_elites": 30, "citizens_per_region": 20}


def test_version_is_the_installed_distributions():
    assert outlast.__version__ == metadata.version("outlast")
    done = subprocess.run(
        [sys.executable, "-m", "outlast", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"outlast {outlast.__version__}"


def test_the_api_names_what_it_promises():
    from model.model import OutlastModel
    from model.scenario import Scenario
    from outlast.experiments.design import load_experiment

    assert outlast.OutlastModel is OutlastModel
    assert outlast.Scenario is Scenario
    assert outlast.load_experiment is load_experiment
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = outlast.nothing


def test_simulate_is_a_pure_function_of_its_arguments():
    a = outlast.simulate(preset="combined", seed=5, weeks=6, **SMALL)
    b = outlast.simulate(preset="combined", seed=5, weeks=6, **SMALL)
    c = outlast.simulate(preset="combined", seed=6, weeks=6, **SMALL)
    assert a["summary"] == b["summary"]
    pd.testing.assert_frame_equal(a["weekly"], b["weekly"])
    pd.testing.assert_frame_equal(a["regions"], b["regions"])
    assert not a["weekly"].equals(c["weekly"])
    assert len(a["weekly"]) == 7 and a["summary"]["weeks_run"] == 6
    assert a["scenario"].exile_support > 0  # the preset applied


def test_simulate_equals_the_model_run_by_hand():
    result = outlast.simulate(seed=9, weeks=5, **SMALL)
    model = outlast.OutlastModel(rng=9, horizon_weeks=5, **SMALL)
    model.run_model()
    pd.testing.assert_frame_equal(result["weekly"], model.weekly_table())


def test_simulate_refuses_a_bad_parameter_in_one_line():
    with pytest.raises(ScenarioError, match="unknown parameter 'no_such_lever'"):
        outlast.simulate(no_such_lever=1)
    with pytest.raises(ScenarioError, match="unknown preset 'nonsense'"):
        outlast.simulate(preset="nonsense")


CHECK = (
    "import outlast; "
    "r = outlast.simulate(preset='combined', seed=1, weeks=10, n_soldier_agents=500); "
    "print(outlast.__version__, r['summary']['outcome'])"
)


def test_import_outlast_works_beside_a_users_own_model_py(tmp_path):
    # Mesa's own examples keep model.py and agents.py beside app.py: they must not hide ours.
    (tmp_path / "model.py").write_text("raise RuntimeError('the user model was imported')\n")
    (tmp_path / "agents.py").write_text("raise RuntimeError('the user agents were imported')\n")
    (tmp_path / "script.py").write_text(CHECK.replace("; ", "\n") + "\n")
    for argv in ([sys.executable, "-c", CHECK], [sys.executable, "script.py"]):
        done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == [outlast.__version__, "ongoing"]


def test_a_users_model_imported_first_is_named_in_one_clear_error(tmp_path):
    (tmp_path / "model.py").write_text("NAME = 'mine'\n")
    code = "import model; import outlast"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "a module named 'model'" in done.stderr and "import outlast first" in done.stderr


def outlast_for_ema(seed: int = 1, **params: float) -> dict[str, float]:
    """The few-line adapter: EMA Workbench calls this with one experiment's values."""
    summary = outlast.simulate(seed=seed, **params)["summary"]
    return {
        "min_stability_index": summary["min_stability_index"],
        "surrenders_total": summary["surrenders_total"],
    }


def test_ema_workbench_runs_outlast_through_a_few_line_adapter():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "ipyparallel not installed"
        ema = pytest.importorskip("ema_workbench")
    model = ema.Model("outlast", function=outlast_for_ema)
    model.uncertainties = [ema.RealParameter("offer_trust", 0.1, 0.9)]
    model.levers = [ema.RealParameter("defection_payment_usd", 0, 100_000)]
    model.constants = [
        ema.Constant("seed", 3),
        ema.Constant("horizon_weeks", 6),
        *(ema.Constant(k, v) for k, v in SMALL.items()),
    ]
    model.outcomes = [
        ema.ScalarOutcome("min_stability_index"),
        ema.ScalarOutcome("surrenders_total"),
    ]
    experiments, outcomes = ema.perform_experiments(model, scenarios=2, policies=2)
    assert len(experiments) == 4
    assert outcomes["min_stability_index"].shape == (4,)
    # Each row is the same run as calling outlast directly with that row's values.
    row = experiments.iloc[3]
    direct = outlast_for_ema(
        seed=3,
        horizon_weeks=6,
        offer_trust=float(row["offer_trust"]),
        defection_payment_usd=float(row["defection_payment_usd"]),
        **SMALL,
    )
    assert outcomes["surrenders_total"][3] == direct["surrenders_total"]
    assert outcomes["min_stability_index"][3] == direct["min_stability_index"]
