import mesa
import numpy as np

from agents.exile import ExileRule, GovernmentInExile

TALKS = {"progress_per_week": 0.05, "noise": 0.02, "friction": 0.05, "setback": 0.15}


def talks(support=0.8, formation=4, weeks=200, seed=0, **kw):
    rule = ExileRule(
        support=support, formation_week=formation, uptake=0.1, offer=0.5, **{**TALKS, **kw}
    )
    gov = GovernmentInExile(mesa.Model(rng=seed), rule)
    rng = np.random.default_rng(seed)
    history = []
    for week in range(1, weeks + 1):
        gov.negotiate(week, rng)
        history.append((gov.formed, gov.progress, gov.agreement, gov.credibility))
    return gov, history


def test_unsupported_it_never_forms():
    gov, history = talks(support=0.0)
    assert not any(formed for formed, *_ in history)
    assert gov.visibility == 0.0 and gov.outside_option() == 0.0


def test_it_forms_at_its_week_and_progress_stays_in_unit_interval():
    _, history = talks(formation=10)
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
    def weeks_to_agree(friction):
        weeks = []
        for seed in range(20):
            gov, _ = talks(friction=friction, seed=seed, weeks=400)
            weeks.append(gov.agreement_week if gov.agreement else 400)
        return np.mean(weeks)

    assert weeks_to_agree(0.25) > weeks_to_agree(0.0) + 10
