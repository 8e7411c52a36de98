"""docs/MODEL.md keeps the parameter table generated from the Scenario."""

from pathlib import Path

from model.scenario import parameter_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "MODEL.md"


def test_parameter_table_matches_the_scenario():
    text = DOCS.read_text(encoding="utf-8")
    start = text.index("<!-- params:start -->") + len("<!-- params:start -->")
    end = text.index("<!-- params:end -->")
    assert text[start:end].strip() == parameter_markdown().strip(), (
        "regenerate the table with `outlast params --format markdown`"
    )


def test_every_army_and_region_parameter_is_explained_in_the_text():
    """The parameters from the army to the regions' unrest are each named outside the table."""
    from model.scenario import field_names

    names = field_names()
    army = names[names.index("n_soldier_agents") : names.index("discrimination_grievance") + 1]
    text = DOCS.read_text(encoding="utf-8")
    prose = text[: text.index("<!-- params:start -->")] + text[text.index("<!-- params:end -->") :]
    missing = [name for name in army if f"`{name}`" not in prose]
    assert not missing, f"not explained in docs/MODEL.md: {missing}"
