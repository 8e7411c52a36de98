"""outlast: can Western policy make continuing the war riskier for the Kremlin than ending it.

The public API, for notebooks, scripts and exploratory-modelling tools (EMA Workbench, SALib):

- `simulate` runs one scenario and returns its summary and its weekly and regional tables;
- `OutlastModel` is the Mesa model itself; `Scenario` holds every parameter;
- `load_experiment` reads an experiment file (runs/*.toml) into its design and runs;
- `__version__` is the installed version.

Examples:
    >>> import outlast
    >>> result = outlast.simulate(preset="combined", seed=1, weeks=4, n_soldier_agents=500)
    >>> result["summary"]["outcome"]
    'ongoing'

"""

from __future__ import annotations

import importlib
import sys
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model.model import OutlastModel
    from model.scenario import Scenario
    from outlast.experiments.design import load_experiment

#: The folder that holds outlast and its sibling packages (the checkout, or site-packages).
_INSTALL_ROOT = Path(__file__).resolve().parent.parent
#: The simulation's packages, top-level beside outlast (ARCHITECTURE.md's layout).
_SIMULATION_PACKAGES = ("agents", "model")


def _bind_installed(name: str) -> ModuleType:
    """Import the installed package `name`, not a same-named module of the user's.

    A script or notebook beside its own ``model.py`` (Mesa's examples have one) puts that folder
    first on ``sys.path``, which would hide outlast's ``model`` package. Importing it with the
    install root first binds the name to outlast's package for this process.

    Raises:
        ImportError: If another module of that name was imported before outlast.

    """
    module = sys.modules.get(name)
    if module is None:
        sys.path.insert(0, str(_INSTALL_ROOT))
        try:
            module = importlib.import_module(name)
        finally:
            sys.path.remove(str(_INSTALL_ROOT))
    where = getattr(module, "__file__", None)
    if where is None or Path(where).resolve().parent.parent != _INSTALL_ROOT:
        raise ImportError(
            f"a module named '{name}' ({where or 'no file'}) was imported before outlast and "
            f"hides outlast's own '{name}' package; import outlast first, or rename your module"
        )
    return module


for _name in _SIMULATION_PACKAGES:
    _bind_installed(_name)

try:
    __version__: str = metadata.version("outlast")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["OutlastModel", "Scenario", "__version__", "load_experiment", "simulate"]


def simulate(
    preset: str | None = None,
    seed: int | None = None,
    weeks: int | None = None,
    **params: Any,
) -> dict[str, Any]:
    """Run one scenario to its outcome or horizon: a plain function of its inputs.

    The same arguments give bit-identical results in any process, so EMA Workbench, SALib or a
    loop over seeds can call it directly (see the README's "In Python").

    Args:
        preset: A preset whose values apply before `params` (default: none, the defaults).
        seed: The run's seed (default: `model.seeds.DEFAULT_SEED`).
        weeks: The horizon in weeks (`horizon_weeks`), if not the scenario's.
        **params: Any Scenario field, by name.

    Returns:
        ``{"summary": dict, "weekly": DataFrame, "regions": DataFrame, "scenario": Scenario}``:
        the outcome and final metrics, one row per week, one row per region.

    Raises:
        model.scenario.ScenarioError: A ValueError naming a bad parameter, value or preset.

    """
    from model.scenario import make_scenario, preset_overrides
    from model.seeds import DEFAULT_SEED
    from outlast.experiments.runner import run_simulation

    values = {**(preset_overrides(preset) if preset else {}), **params}
    if weeks is not None:
        values["horizon_weeks"] = weeks
    scenario = make_scenario(values)
    result = run_simulation(scenario, DEFAULT_SEED if seed is None else seed)
    return {
        "summary": result.summary,
        "weekly": result.weekly,
        "regions": result.regions,
        "scenario": scenario,
    }


def __getattr__(name: str) -> Any:
    """The model, the Scenario and the experiment loader, imported when first asked for.

    ``import outlast`` stays quick for the command line, which needs none of them to refuse bad
    input.
    """
    if name == "OutlastModel":
        from model.model import OutlastModel

        return OutlastModel
    if name == "Scenario":
        from model.scenario import Scenario

        return Scenario
    if name == "load_experiment":
        from outlast.experiments.design import load_experiment

        return load_experiment
    raise AttributeError(f"module 'outlast' has no attribute '{name}'")
