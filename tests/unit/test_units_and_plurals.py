"""Values typed with the indicator's unit after the number; units agreed with the number."""

from __future__ import annotations

import pytest

from revue.domain.french import NBSP, quantity, singular
from revue.domain.parsing import parse_number


@pytest.mark.parametrize(
    ("raw", "unit", "value"),
    [
        ("251 points", "points", 251),
        ("251points", "points", 251),
        ("1 point", "points", 1),
        ("12 Demandes", "demandes", 12),
        ("12 demandes ", "demandes", 12),
        ("87,5 %", "%", 87.5),
        ("87,5", "%", 87.5),
        ("3 conseils de cycle", "conseils de cycle", 3),
        ("2 sollicitations", "sollicitations", 2),
        ("4 élèves", "élèves", 4),
        ("4 eleves", "élèves", 4),
        ("", "points", None),
    ],
)
def test_the_unit_may_follow_the_number(raw: str, unit: str, value: float | None) -> None:
    assert parse_number(raw, unit) == value


@pytest.mark.parametrize(
    ("raw", "unit"),
    [("12 pommes", "points"), ("points", "points"), ("12 xpoints", "points"), ("douze", "points")],
)
def test_anything_else_is_refused(raw: str, unit: str) -> None:
    with pytest.raises(ValueError):
        parse_number(raw, unit)


def test_without_a_unit_the_old_behaviour_holds() -> None:
    assert parse_number("87,5 %") == 87.5
    with pytest.raises(ValueError):
        parse_number("251 points")


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (1, "conseils", "1 conseil"),
        (0, "demandes", "0 demande"),
        (1.5, "points", "1,5 point"),
        (2, "demandes", "2 demandes"),
        (12, "conseils de cycle", "12 conseils de cycle"),
        (1, "conseils de cycle", "1 conseil de cycle"),
        (1, "%", "1 %"),
        (1, "travaux", "1 travaux"),
    ],
)
def test_units_agree_with_the_number(value: float, unit: str, shown: str) -> None:
    assert quantity(value, unit) == shown.replace(" ", NBSP, 1)


def test_singular_keeps_words_that_are_not_plurals() -> None:
    assert singular("%") == "%"
    assert singular("classes") == "classe"
