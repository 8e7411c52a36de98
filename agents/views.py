"""Mesa agents whose state lives in the columns of a numpy-backed population.

Many agents of one kind (soldiers, elites) are stepped as arrays for speed. Each one is still a
`mesa.Agent` registered with the model; its attributes are properties that read and write one row
of its population's arrays, so per-agent code and vectorized code see the same state.
"""

from __future__ import annotations

from typing import Any

import mesa


class ArrayColumn:
    """A descriptor exposing one row of a population array as an agent attribute.

    Args:
        column: Name of the array on the population object.
        cast: Converts the stored numpy scalar to a Python value on read.

    """

    def __init__(self, column: str, cast: type = float) -> None:
        self.column = column
        self.cast = cast

    def __get__(self, agent: ArrayAgent | None, owner: type) -> Any:
        if agent is None:
            return self
        return self.cast(getattr(agent.population, self.column)[agent.index])

    def __set__(self, agent: ArrayAgent, value: Any) -> None:
        getattr(agent.population, self.column)[agent.index] = value


class ArrayAgent(mesa.Agent):
    """A mesa.Agent that is a view on row `index` of `population`'s arrays."""

    def __init__(self, model: mesa.Model, population: Any, index: int) -> None:
        super().__init__(model)
        self.population = population
        self.index = int(index)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(index={self.index}, unique_id={self.unique_id})"
