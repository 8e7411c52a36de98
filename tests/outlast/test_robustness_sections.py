"""The robustness report's sections on constructed results: tables, figures with units and n."""

import importlib.util
import sys

import numpy as np
import pandas as pd
import pytest

from outlast.analysis import robustness_figures
from outlast.analysis.discovery import EMA_MISSING
from outlast.analysis.robustness_sections import (
    discovery_section,
    fund_price_section,
    sensitivity_section,
)

needs_ema = pytest.mark.skipif(
    importlib.util.find_spec("ema_workbench") is None, reason="needs the extra ema"
)
N_FUTURES, N_SEEDS = 400, 20


def constructed_results() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The package ends the war where exile_outside_option > 0.6; the fund backfires where
    offer_trust < 0.3 (it ends nothing there, the baseline ends 60%)."""
    rng = np.random.default_rng(0)
    futures = pd.DataFrame(
        {
            "future_id": range(N_FUTURES),
            "exile_outside_option": rng.random(N_FUTURES),
            "offer_trust": rng.random(N_FUTURES),
            "leader_commitment": rng.random(N_FUTURES),
            "coup_resilience": rng.random(N_FUTURES),
        }
    )
    p_end = {
        "baseline": np.full(N_FUTURES, 0.6),
        "combined": np.where(futures["exile_outside_option"] > 0.6, 0.9, 0.1),
        "fund": np.where(futures["offer_trust"] < 0.3, 0.0, 0.6),
    }
    rows = []
    for policy, p in p_end.items():
        ended = rng.binomial(N_SEEDS, p) / N_SEEDS
        rows.append(
            pd.DataFrame(
                {
                    "policy": policy,
                    "future_id": futures["future_id"],
                    "n_seeds": N_SEEDS,
                    "p_war_ended": ended,
                    "p_regime_change": 0.0,
                    "p_hardline": 0.0,
                }
            )
        )
    return futures, pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def results() -> tuple[pd.DataFrame, pd.DataFrame]:
    return constructed_results()


@pytest.fixture
def drawn(monkeypatch):
    """The figures drawn, kept for inspection."""
    figures = []
    save = robustness_figures._save

    def keep(fig, path):
        figures.append(fig)
        return save(fig, path)

    monkeypatch.setattr(robustness_figures, "_save", keep)
    return figures


def assert_labelled(fig) -> None:
    """Every plotting axes has an x label and a y label (or tick labels) and the title says n."""
    texts = [fig.get_suptitle()] + [
        ax.get_title(loc) for ax in fig.axes for loc in ("left", "center")
    ]
    assert any("n = " in t for t in texts), texts
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            assert ax.get_ylabel()
            continue
        # A label of the whole figure (supxlabel, supylabel) labels every panel.
        assert ax.get_xlabel() or (fig._supxlabel and fig._supxlabel.get_text())
        assert (
            ax.get_ylabel()
            or (fig._supylabel and fig._supylabel.get_text())
            or any(t.get_text() for t in ax.get_yticklabels())
        )


@needs_ema
def test_discovery_section_finds_both_boxes(results, tmp_path, drawn):
    futures, per_future = results
    section = discovery_section(futures, per_future, tmp_path)
    boxes = section.tables["prim_boxes"].set_index("outcome")
    assert len(boxes) == 2
    assert (boxes["significant"] == "yes").all()
    ends, backfire = boxes.index
    assert "exile_outside_option >=" in boxes.at[ends, "box"]
    assert "offer_trust <=" in boxes.at[backfire, "box"]
    assert boxes.at[ends, "density"] > 0.9 and boxes.at[ends, "coverage"] > 0.8
    assert len(section.files) == 4 and all(p.exists() for p in section.files)
    for fig in drawn:
        assert_labelled(fig)
    assert f"PRIM (EMA Workbench) over {N_FUTURES} futures" in section.body


def test_discovery_section_without_ema_workbench_is_one_line(results, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)
    monkeypatch.setitem(sys.modules, "ema_workbench.analysis", None)
    section = discovery_section(*results, tmp_path)
    assert section.body == f"Not done: {EMA_MISSING}.\n"
    assert not section.files and not list(tmp_path.iterdir())


def test_sensitivity_section_ranks_the_deciding_parameter(results, tmp_path, drawn):
    section = sensitivity_section(*results, tmp_path, policies=["combined"])
    table = section.tables["pawn_combined"]
    assert table.iloc[0]["parameter"] == "exile_outside_option"
    assert table["above_noise"].tolist() == [True, False, False, False]
    assert "Beyond noise: exile_outside_option." in section.body
    assert [p.name for p in section.files] == ["pawn_combined_p_war_ended.png"]
    assert_labelled(drawn[0])
    assert "(utility)" in drawn[0].axes[0].get_yticklabels()[0].get_text()  # units from Scenario


def fund_grid() -> pd.DataFrame:
    """2 payments x 2 reaches x 2 trusts over 30 futures; the army shrinks (in 3 of 4 seeds) in
    20 futures where payment x reach x trust is at least 1,500, else in none."""
    rows = []
    for payment in (10_000.0, 100_000.0):
        for reach in (0.01, 0.05):
            for trust in (0.3, 0.7):
                works = payment * reach * trust >= 100_000 * 0.05 * 0.3
                for future in range(30):
                    rows.append(
                        {
                            "policy": f"{payment} {reach} {trust}",
                            "future_id": future,
                            "n_seeds": 4,
                            "defection_payment_usd": payment,
                            "offer_reach_per_week": reach,
                            "offer_trust": trust,
                            "p_army_shrank": 0.75 if works and future < 20 else 0.25,
                            "fund_spent_usd": payment * reach * 1e6 * (1 + trust),
                        }
                    )
    return pd.DataFrame(rows)


def test_fund_price_section_answers_with_the_cheapest_setting(tmp_path, drawn):
    section = fund_price_section(fund_grid(), tmp_path)
    table = section.tables["fund_price"]
    assert table["reaches"].sum() == 2  # 100k at reach 0.05, trust 0.3 and 0.7
    # Trust is an uncertainty, not the West's to buy: the answer is given for each trust.
    assert (
        "- With offer_trust = 0.3: the cheapest setting reaching the target is "
        "defection_payment_usd = 100,000, offer_reach_per_week = 0.05: the army shrinks in "
        "0.67 [0.49, 0.81] of 30 futures, at an expected USD 6.5bn (2.2% of the frozen assets)."
    ) in section.body
    assert "- With offer_trust = 0.7: the cheapest setting reaching the target is" in (section.body)
    assert table["cheapest"].sum() == 2
    assert section.files[0].exists()
    assert_labelled(drawn[0])


def test_fund_price_section_says_what_is_missing(tmp_path):
    rows = pd.DataFrame({"policy": ["a"], "future_id": [0], "n_seeds": [2], "p_war_ended": [0.5]})
    section = fund_price_section(rows, tmp_path)
    assert section.body.startswith("Not done: the results lack defection_payment_usd")


@needs_ema
def test_discovery_section_takes_the_paired_verdicts_when_given(results, tmp_path):
    futures, per_future = results
    # The robustness analysis's paired verdicts: the fund is worse where leader_commitment > 0.7.
    verdicts = pd.DataFrame(
        {
            "policy": "fund",
            "future_id": futures["future_id"],
            "verdict": np.where(futures["leader_commitment"] > 0.7, "worse", "no clear difference"),
        }
    )
    section = discovery_section(futures, per_future, tmp_path, verdicts=verdicts)
    boxes = section.tables["prim_boxes"].set_index("outcome")
    assert (
        "leader_commitment >="
        in boxes.at["fund backfires (worse than baseline beyond seed noise)", "box"]
    )
    assert "the robustness analysis's verdict" in section.body


def test_fund_price_section_reads_the_force_at_two_years_too(tmp_path):
    rows = fund_grid().rename(columns={"p_army_shrank": "p_force_below_start_2y"})
    section = fund_price_section(rows, tmp_path)
    assert "was below its starting size in week 104" in section.body
    assert section.tables["fund_price"]["reaches"].sum() == 2


def test_file_stems_of_a_grids_policies_do_not_collide():
    from outlast.analysis.robustness_sections import _slug

    names = [
        f"defection_payment_usd={p} offer_reach_per_week={r}"
        for p in (0, 25000)
        for r in (0.01, 0.05)
    ]
    stems = [_slug(n) for n in names]
    assert len(set(stems)) == len(stems)
    assert _slug("combined-no-exile") == "combined_no_exile"
