"""The compiled unit-network builder gives exactly the network its definition gives.

The reference below is the definition written plainly in numpy (the draws in the same order, every
tie in both directions, sorted and made unique); the builder must return the same CSR arrays.
"""

import numpy as np
import pytest

from agents.unit_network import number_units, unit_ties


def reference_unit_ties(n_slots, unit_size, ties, rewire_prob, rng):
    slots = np.arange(n_slots)
    unit_start = (slots // unit_size) * unit_size
    this_unit_size = np.minimum(unit_size, n_slots - unit_start)
    local = slots - unit_start
    rows, cols = [], []
    for offset in range(1, ties // 2 + 1):
        target_local = (local + offset) % this_unit_size
        rewired = rng.random(n_slots) < rewire_prob
        place = rng.random(n_slots)
        target_local[rewired] = (place * this_unit_size)[rewired]  # truncated, as a cast does
        target = unit_start + target_local
        tied = target != slots
        rows += [slots[tied], target[tied]]
        cols += [target[tied], slots[tied]]
    pairs = np.unique(np.stack([np.concatenate(rows), np.concatenate(cols)], axis=1), axis=0)
    indptr = np.searchsorted(pairs[:, 0], np.arange(n_slots + 1))
    return indptr, pairs[:, 1]


@pytest.mark.parametrize(
    ("n_slots", "unit_size", "ties", "rewire_prob"),
    [
        (1_000, 50, 8, 0.2),
        (5_003, 7, 6, 1.0),  # every tie rewired; a short last unit
        (999, 100, 8, 0.05),
        (10, 10, 4, 0.5),
        (13, 5, 4, 0.3),  # a last unit of 3 slots, shorter than the ring's reach
        (20_000, 3, 2, 0.7),
        (4_000, 100, 40, 0.0),
        (1, 10, 2, 0.5),
    ],
)
def test_builder_gives_the_reference_network(n_slots, unit_size, ties, rewire_prob):
    indptr, indices = unit_ties(n_slots, unit_size, ties, rewire_prob, np.random.default_rng(3))
    ref_indptr, ref_indices = reference_unit_ties(
        n_slots, unit_size, ties, rewire_prob, np.random.default_rng(3)
    )
    assert np.array_equal(indptr, ref_indptr)
    assert np.array_equal(indices, ref_indices)


def test_builder_draws_as_many_numbers_as_the_reference():
    rng_a, rng_b = np.random.default_rng(9), np.random.default_rng(9)
    unit_ties(2_000, 40, 6, 0.3, rng_a)
    reference_unit_ties(2_000, 40, 6, 0.3, rng_b)
    assert rng_a.random() == rng_b.random()


@pytest.mark.parametrize(("first_slot", "unit_size"), [(0, 100), (250, 100), (99, 100), (7, 1)])
def test_units_are_numbered_by_slot(first_slot, unit_size):
    units = np.empty(1_000, dtype=np.int32)
    number_units(units, first_slot, unit_size)
    assert np.array_equal(units, np.arange(first_slot, first_slot + 1_000) // unit_size)
