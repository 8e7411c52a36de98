"""The baseline a run is compared with: the same seed and parameters, with no Western levers.

The baseline run is kept beside the dashboard's model (in a weak mapping, so it goes when the
model goes) and advanced to the model's week only when the comparison is looked at, so it costs
nothing while the other views are shown.
"""

from __future__ import annotations

import threading
import weakref

import pandas as pd

from dashboards.controls import DEFAULT_PRESET, LEVER_FIELDS, preset_values
from model.model import OutlastModel
from model.scenario import Scenario


def baseline_scenario(params: Scenario) -> Scenario:
    """`params` with every Western lever as in the baseline preset; everything else unchanged."""
    baseline = preset_values(DEFAULT_PRESET)
    return params.with_overrides({name: baseline[name] for name in LEVER_FIELDS})


def changed_levers(params: Scenario) -> dict[str, tuple[object, object]]:
    """The levers `params` sets differently from the baseline: name -> (current, baseline)."""
    baseline = preset_values(DEFAULT_PRESET)
    return {
        name: (getattr(params, name), baseline[name])
        for name in LEVER_FIELDS
        if getattr(params, name) != baseline[name]
    }


class BaselineRun:
    """The baseline twin of a model: same seed, same parameters but the levers.

    Args:
        model: The model to compare; it must have been built from an integer seed.

    """

    def __init__(self, model: OutlastModel) -> None:
        if model.seed is None:
            raise ValueError("a baseline needs the model's integer seed; this model has none")
        self.model = OutlastModel(rng=model.seed, scenario_obj=baseline_scenario(model.params))
        self._lock = threading.Lock()

    def advance_to(self, week: int) -> None:
        """Step the baseline until it reaches `week` or stops (a play thread may be drawing)."""
        with self._lock:
            while self.model.running and self.model.week < week:
                self.model.step()

    def weekly(self, up_to_week: int) -> pd.DataFrame:
        """The baseline's weekly metrics up to `up_to_week`."""
        self.advance_to(up_to_week)
        table = self.model.weekly_table()
        return table[table["week"] <= up_to_week]


_baselines: weakref.WeakKeyDictionary[OutlastModel, BaselineRun] = weakref.WeakKeyDictionary()
_baselines_lock = threading.Lock()


def baseline_for(model: OutlastModel) -> BaselineRun:
    """The baseline twin of `model`, made on first use and kept while `model` lives."""
    with _baselines_lock:
        run = _baselines.get(model)
        if run is None:
            run = _baselines[model] = BaselineRun(model)
        return run
