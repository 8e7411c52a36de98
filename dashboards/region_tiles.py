"""A tile-grid map of Russia's 85 regions: one square per region, placed roughly where it lies.

Each region's capital is placed on a grid by an optimal assignment (scipy's
``linear_sum_assignment``) that keeps tiles as close as possible to the capitals' positions,
after stretching the dense west: a position is half the rank of the capital's longitude (or
latitude) among all capitals and half its scaled value (log longitude, latitude). The result keeps
neighbours together (the North Caucasus in one row, Siberia and the Far East to the east) while
giving each of the many small European regions its own tile.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.stats import rankdata

#: Latitude and longitude (degrees, rounded to 0.1) of each region's capital or administrative
#: centre, by the region codes of model/data/regions.csv. Display only; from public gazetteers.
CAPITALS: dict[str, tuple[float, float]] = {
    "AD": (44.6, 40.1), "ALT": (53.3, 83.8), "AL": (52.0, 86.0), "AMU": (50.3, 127.5),
    "ARK": (64.5, 40.5), "AST": (46.3, 48.0), "BA": (54.7, 56.0), "BEL": (50.6, 36.6),
    "BRY": (53.2, 34.4), "BU": (51.8, 107.6), "CE": (43.3, 45.7), "CHE": (55.2, 61.4),
    "CHU": (64.7, 177.5), "CU": (56.1, 47.2), "UA-43": (45.0, 34.1), "DA": (43.0, 47.5),
    "IN": (43.2, 44.8), "IRK": (52.3, 104.3), "IVA": (57.0, 41.0), "KB": (43.5, 43.6),
    "KGD": (54.7, 20.5), "KL": (46.3, 44.3), "KLU": (54.5, 36.3), "KAM": (53.0, 158.6),
    "KC": (44.2, 42.0), "KR": (61.8, 34.4), "KEM": (55.4, 86.1), "KHA": (48.5, 135.1),
    "KK": (53.7, 91.4), "KHM": (61.0, 69.0), "KIR": (58.6, 49.7), "KO": (61.7, 50.8),
    "KOS": (57.8, 40.9), "KDA": (45.0, 39.0), "KYA": (56.0, 92.9), "KGN": (55.4, 65.3),
    "KRS": (51.7, 36.2), "LEN": (59.6, 30.1), "LIP": (52.6, 39.6), "MAG": (59.6, 150.8),
    "ME": (56.6, 47.9), "MO": (54.2, 45.2), "MOW": (55.8, 37.6), "MOS": (55.8, 37.3),
    "MUR": (69.0, 33.1), "NEN": (67.6, 53.0), "NIZ": (56.3, 44.0), "SE": (43.0, 44.7),
    "NGR": (58.5, 31.3), "NVS": (55.0, 82.9), "OMS": (55.0, 73.4), "ORE": (51.8, 55.1),
    "ORL": (53.0, 36.1), "PNZ": (53.2, 45.0), "PER": (58.0, 56.2), "PRI": (43.1, 131.9),
    "PSK": (57.8, 28.3), "ROS": (47.2, 39.7), "RYA": (54.6, 39.7), "SA": (62.0, 129.7),
    "SAK": (47.0, 142.7), "SAM": (53.2, 50.1), "SAR": (51.5, 46.0), "UA-40": (44.6, 33.5),
    "SMO": (54.8, 32.0), "SPE": (59.9, 30.3), "STA": (45.0, 42.0), "SVE": (56.8, 60.6),
    "TAM": (52.7, 41.5), "TA": (55.8, 49.1), "TOM": (56.5, 85.0), "TUL": (54.2, 37.6),
    "TY": (51.7, 94.5), "TVE": (56.9, 35.9), "TYU": (57.2, 65.5), "UD": (56.8, 53.2),
    "ULY": (54.3, 48.4), "VLA": (56.1, 40.4), "VGG": (48.7, 44.5), "VLG": (59.2, 39.9),
    "VOR": (51.7, 39.2), "YAN": (66.5, 66.6), "YAR": (57.6, 39.9), "YEV": (48.8, 132.9),
    "ZAB": (52.0, 113.5),
}  # fmt: skip

GRID_COLUMNS = 16
GRID_ROWS = 9
#: Westernmost longitude offset for the log stretch of longitudes (Kaliningrad is at 20.5 E).
LONGITUDE_ORIGIN = 15.0


def _unit(values: np.ndarray) -> np.ndarray:
    return (values - values.min()) / (values.max() - values.min())


@cache
def tile_grid() -> pd.DataFrame:
    """One row per region code: its tile's ``column`` (west to east) and ``row`` (north to south).

    Deterministic: the same codes always get the same tiles.
    """
    codes = list(CAPITALS)
    lat = np.array([CAPITALS[c][0] for c in codes])
    lon = np.array([CAPITALS[c][1] for c in codes])
    x = 0.5 * _unit(rankdata(lon)) + 0.5 * _unit(np.log(lon - LONGITUDE_ORIGIN))
    y = 0.5 * _unit(rankdata(-lat)) + 0.5 * _unit(-lat)
    cell_x, cell_y = (a.ravel() for a in np.meshgrid(np.arange(GRID_COLUMNS), np.arange(GRID_ROWS)))
    cost = (x[:, None] * (GRID_COLUMNS - 1) - cell_x) ** 2
    cost += (y[:, None] * (GRID_ROWS - 1) - cell_y) ** 2
    region, cell = linear_sum_assignment(cost)
    return pd.DataFrame(
        {"iso": [codes[i] for i in region], "column": cell_x[cell], "row": cell_y[cell]}
    )
