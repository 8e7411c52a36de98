"""Seeds and whole numbers typed as text: one parser for the command line and the dashboard."""

from __future__ import annotations

from model.scenario import ScenarioError

#: The seed of a run when none is given (`outlast run`, `outlast validate`, the dashboard).
DEFAULT_SEED = 20261125
#: Seeds are numpy SeedSequence entropy stored as signed 64-bit integers in results tables.
MAX_SEED = 2**63 - 1


def parse_whole_number(
    text: str, low: int, high: int | None = None, what: str = "", high_label: str | None = None
) -> int:
    """A whole number typed as text, checked against its range.

    Args:
        text: What was typed.
        low: The smallest value allowed.
        high: The largest value allowed (None: no upper bound).
        what: What the number is, to start the error message ("seed", "port").
        high_label: How to write `high` in the message (e.g. "2^63-1").

    Returns:
        The number.

    Raises:
        ScenarioError: One line naming the text and the allowed range.

    Examples:
        >>> parse_whole_number("8765", 1, 65535, "port")
        8765

    """
    prefix = f"{what} " if what else ""
    try:
        value = int(text.strip())
    except ValueError:
        raise ScenarioError(f"{prefix}'{text}' is not a whole number") from None
    if high is None and value < low:
        raise ScenarioError(f"{prefix}'{text}' must be at least {low}")
    if high is not None and not low <= value <= high:
        raise ScenarioError(f"{prefix}{value} must be in {low} .. {high_label or high}")
    return value


def parse_seed(text: str) -> int:
    """A seed typed as text (the command line, SolaraViz's seed box), as an int.

    Raises:
        ScenarioError: If the text is not a whole number from 0 to 2^63 - 1.

    """
    return parse_whole_number(text, 0, MAX_SEED, "seed", "2^63-1")
