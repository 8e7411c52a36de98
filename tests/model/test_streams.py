"""The run's random streams (model/streams.py): independent, placed by week, spawned from the seed."""

from __future__ import annotations

import numpy as np

from model.model import OutlastModel
from model.streams import SUBSYSTEMS, WEEK_STRIDE, RandomStreams

TINY = {"n_soldier_agents": 2_000, "n_elites": 30, "horizon_weeks": 6, "citizens_per_region": 200}


def test_each_subsystem_has_its_own_stream_spawned_from_the_seed_in_the_documented_order():
    streams = RandomStreams(np.random.SeedSequence(42))
    for i, name in enumerate(SUBSYSTEMS):
        expected = np.random.Generator(
            np.random.PCG64(np.random.SeedSequence(42, spawn_key=(i,)))
        ).random(4)
        assert np.array_equal(getattr(streams, name).random(4), expected), name
    first = {
        name: getattr(RandomStreams(np.random.SeedSequence(42)), name).random()
        for name in SUBSYSTEMS
    }
    assert len(set(first.values())) == len(SUBSYSTEMS)


def test_a_week_draws_the_same_numbers_whatever_was_drawn_before():
    a, b = RandomStreams(np.random.SeedSequence(7)), RandomStreams(np.random.SeedSequence(7))
    a.army.random(10)  # week 0 draws differ in number
    b.army.random(12_345)
    b.elites.standard_normal(3)
    a.start_week(5)
    b.start_week(5)
    for name in SUBSYSTEMS:
        assert np.array_equal(getattr(a, name).random(3), getattr(b, name).random(3)), name
    # Week 5 starts 5 strides past the stream's start, and weeks differ from each other.
    fresh = RandomStreams(np.random.SeedSequence(7))
    bit_generator = fresh.army.bit_generator
    bit_generator.advance(5 * WEEK_STRIDE)
    a.start_week(5)
    assert np.array_equal(np.random.Generator(bit_generator).random(3), a.army.random(3))
    a.start_week(6)
    b.start_week(5)
    assert not np.array_equal(a.army.random(3), b.army.random(3))


def test_the_model_draws_nothing_from_mesas_generator():
    """Mesa's ``model.rng`` is left to Mesa: the model's draws all come from its streams."""
    model = OutlastModel(rng=3, **TINY)
    before = model.rng.bit_generator.state
    model.run_model()
    assert model.rng.bit_generator.state == before


def test_a_seed_an_equal_generator_and_a_seed_typed_as_text_give_the_same_run():
    runs = []
    for rng in (5, "5", np.random.default_rng(5)):
        model = OutlastModel(rng=rng, **TINY)
        model.run_model()
        runs.append(model.weekly_table())
    assert runs[0].equals(runs[1])
    assert runs[0].equals(runs[2])


def test_one_generator_passed_to_two_models_gives_them_different_streams():
    rng = np.random.default_rng(8)
    first, second = OutlastModel(rng=rng, **TINY), OutlastModel(rng=rng, **TINY)
    assert first.streams.army.random() != second.streams.army.random()
