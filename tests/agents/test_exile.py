from dataclasses import replace

import mesa
import numpy as np
import pytest

from agents.exile import ExileRule, GovernmentInExile
from model.scenario import Scenario

#: Fast talks, with every effect of the stance, the battlefield and the Kremlin's counter-moves
#: off; tests switch on the one they study.
RULE = replace(
    ExileRule.from_scenario(Scenario()),
    support=0.8,
    formation_week=4,
    progress_per_week=0.05,
    noise=0.02,
    friction=0.05,
    setback=0.15,
    uptake=0.1,
    offer=0.5,
    stance_kyiv_penalty=0.0,
    stance_elite_weight=0.0,
    battlefield_weight=0.0,
    rival_opposition=0.0,
    contact_repression=0.0,
    foreign_agent_label=0.0,
)
SEEDS = range(20)


def talks(weeks=200, seed=0, army_decline=0.0, repression=0.0, **kw):
    gov = GovernmentInExile(mesa.Model(rng=seed), replace(RULE, **kw))
    rng = np.random.default_rng(seed)
    history = []
    for week in range(1, weeks + 1):
        gov.negotiate(week, rng, army_decline, repression)
        history.append((gov.formed, gov.progress, gov.agreement, gov.credibility))
    return gov, history


def weeks_to_agree(weeks=400, **kw):
    """Mean week of agreement over seeds (the horizon when none is reached)."""
    agreed = [talks(weeks, seed, **kw)[0].agreement_week for seed in SEEDS]
    return np.mean([w if w > 0 else weeks for w in agreed])


def test_unsupported_it_never_forms():
    gov, history = talks(support=0.0)
    assert not any(formed for formed, *_ in history)
    assert gov.visibility == 0.0 and gov.outside_option() == 0.0


def test_it_forms_at_its_week_and_progress_stays_in_unit_interval():
    _, history = talks(formation_week=10)
    assert [formed for formed, *_ in history[:9]] == [False] * 9
    assert history[9][0]
    assert all(0.0 <= p <= 1.0 for _, p, _, _ in history)


def test_an_agreement_is_final_and_its_terms_gain_credibility():
    gov, history = talks()
    agreed = [a for _, _, a, _ in history]
    first = agreed.index(True)
    assert all(agreed[first:])
    credibility = [c for *_, c in history[first:]]
    # Word spreads from the week after the agreement.
    assert credibility[0] == 0.0 and np.all(np.diff(credibility) > 0) and credibility[-1] <= 1.0
    assert gov.outside_option() == 0.5 * 0.8 * gov.credibility


def test_no_outside_option_before_an_agreement():
    gov, _ = talks(weeks=3)
    assert gov.formed is False or not gov.agreement
    assert gov.outside_option() == 0.0


def test_nationalist_friction_delays_agreement():
    assert weeks_to_agree(friction=0.25) > weeks_to_agree(friction=0.0) + 10


@pytest.mark.parametrize(
    ("slower", "faster"),
    [
        # The stance slows the talks through Kyiv's willingness...
        ({"stance": 1.0, "stance_kyiv_penalty": 0.6}, {"stance": 0.0, "stance_kyiv_penalty": 0.6}),
        # ... the Kremlin's rival "opposition" splits the exile's following ...
        ({"rival_opposition": 0.5}, {"rival_opposition": 0.0}),
        # ... repression hunts its contacts ...
        ({"contact_repression": 0.8, "repression": 1.0}, {"contact_repression": 0.8}),
        # ... and a losing Russian army makes Kyiv keener.
        ({"battlefield_weight": 2.0}, {"battlefield_weight": 2.0, "army_decline": 0.3}),
    ],
)
def test_what_slows_or_speeds_the_talks_with_kyiv(slower, faster):
    assert weeks_to_agree(**slower) > weeks_to_agree(**faster) + 5


@pytest.mark.parametrize(
    ("off", "moved"),
    [
        ({"stance_kyiv_penalty": 0.0}, {"stance": 1.0}),
        ({"contact_repression": 0.0}, {"repression": 1.0}),
        ({"battlefield_weight": 0.0}, {"army_decline": 0.5}),
    ],
)
def test_each_effect_on_the_talks_switches_off_at_zero(off, moved):
    # Same seeds, same draws: with the effect off, moving its driver changes nothing at all.
    for seed in range(5):
        assert talks(seed=seed, **off)[1] == talks(seed=seed, **off, **moved)[1]


def credibility_after(weeks=300, **kw):
    return np.mean([talks(weeks, seed, **kw)[0].credibility for seed in SEEDS])


def test_nationalist_credentials_raise_the_agreements_credibility_among_elites():
    credentialed = credibility_after(stance=1.0, stance_elite_weight=0.6)
    moderate = credibility_after(stance=0.0, stance_elite_weight=0.6)
    assert credentialed > moderate + 0.4
    assert credibility_after(stance=1.0) == credibility_after(stance=0.0)  # weight 0: off


def test_labelling_as_foreign_agents_slows_its_credibility():
    assert credibility_after(weeks=140, foreign_agent_label=0.8) < credibility_after(weeks=140)


def test_defections_lend_credibility_up_to_one():
    gov, _ = talks(defection_credibility_gain=2.0)
    before = gov.credibility
    gov.welcome_defectors(0.1)
    assert gov.credibility == pytest.approx(min(1.0, before + 0.2))
    gov.welcome_defectors(1.0)
    assert gov.credibility == 1.0
    off, _ = talks(defection_credibility_gain=0.0)
    before = off.credibility
    off.welcome_defectors(0.5)
    assert off.credibility == before
