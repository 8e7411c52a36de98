"""What the page hands over: the run's tables (CSV, Parquet), its scenario as TOML, a command line.

The scenario is written as the preset plus the parameters that differ from it, so that the file
and the command are short and read as what the user changed; either reproduces the run exactly
with ``outlast run`` (the same Scenario and seed).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import shlex
from typing import Any

import pandas as pd

from model.scenario import PRESETS, Scenario


def toml_value(value: Any) -> str:
    """A parameter's value as TOML (strings as JSON basic strings, dates as TOML dates)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return "inf" if value > 0 else ("-inf" if value < 0 else "nan")
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value))


def scenario_overrides(params: Scenario, preset: str) -> dict[str, Any]:
    """The parameters of `params` that differ from `preset`'s values, by name."""
    base = Scenario(**PRESETS[preset]).model_dump()
    now = params.model_dump()
    return {name: value for name, value in now.items() if value != base[name]}


def scenario_toml(params: Scenario, preset: str, seed: int | None) -> str:
    """The run's scenario as an `outlast run --config` file: its preset and what differs."""
    lines = [
        "# Scenario exported from the outlast dashboard.",
        f"# Reproduce the run: outlast run --config THIS_FILE --seed {seed}"
        if seed is not None
        else "# Reproduce the run: outlast run --config THIS_FILE",
        f"preset = {toml_value(preset)}",
        "",
        "[parameters]",
    ]
    lines += [f"{k} = {toml_value(v)}" for k, v in scenario_overrides(params, preset).items()]
    return "\n".join(lines) + "\n"


def _cli_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def command_line(params: Scenario, preset: str, seed: int | None) -> str:
    """An ``outlast run`` command line that reproduces the run.

    Examples:
        >>> from model.scenario import make_scenario, preset_overrides
        >>> s = make_scenario({**preset_overrides("combined"), "western_resolve": 0.55})
        >>> command_line(s, "combined", 7)
        'outlast run --preset combined --set western_resolve=0.55 --seed 7'

    """
    parts = ["outlast", "run", "--preset", preset]
    for name, value in scenario_overrides(params, preset).items():
        parts += ["--set", f"{name}={_cli_value(value)}"]
    if seed is not None:
        parts += ["--seed", str(seed)]
    return shlex.join(parts)


def csv_bytes(table: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV."""
    return table.to_csv(index=False).encode("utf-8")


def parquet_bytes(table: pd.DataFrame) -> bytes:
    """A table as Parquet (pyarrow)."""
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    return buffer.getvalue()
