"""The longest run the parameters allow (1,040 weeks, 20 years) keeps every invariant.

Small (500 agents) but long enough, with the leader raising the bonus and sign-ups answering it
strongly, that recruits outgrow the army's first allocation: its arrays and its network grow
mid-run (the guards of extreme recruitment are far away).
"""

from model.model import MAX_SOLDIER_AGENTS, OutlastModel
from model.scenario import Scenario
from tests.model.invariants import Invariants

LONGEST = Scenario.model_fields["horizon_weeks"].json_schema_extra["hi"]


def test_a_1040_week_run_keeps_every_invariant_while_the_army_outgrows_its_arrays(
    record_property,
):
    model = OutlastModel(
        rng=3,
        horizon_weeks=LONGEST,
        n_soldier_agents=500,
        n_elites=30,
        citizens_per_region=20,
        recruits_per_week_at_defaults=20.0,
        recruitment_pay_elasticity=2.0,
        leader_response_threshold=0.0,
        leader_commitment=1.0,
    )
    first_capacity = model.corps.capacity
    check = Invariants(model)
    check.run()
    assert model.week == LONGEST and check.weeks_checked == LONGEST + 1
    assert model.corps.capacity > first_capacity  # the arrays grew
    assert model.corps.size > first_capacity
    assert model.corps.size < MAX_SOLDIER_AGENTS
    record_property("capacity_first_last", (first_capacity, model.corps.capacity))
    record_property("agents_enlisted", model.corps.size)
