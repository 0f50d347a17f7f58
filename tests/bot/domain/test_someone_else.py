"""The rules of a request about someone else, by table."""

from __future__ import annotations

import pytest

from bot.domain.someone_else import is_about_other, needs_numbers_first


@pytest.mark.parametrize(
    ("answers", "numbers_first"),
    [
        ({"other_in_danger": True, "child_at_risk": False}, True),
        ({"other_in_danger": False, "child_at_risk": True}, True),
        ({"other_in_danger": None, "child_at_risk": None}, False),
        ({"other_in_danger": False, "child_at_risk": False}, False),
        ({"other_in_danger": None}, False),
    ],
)
def test_numbers_first_on_any_yes(answers: dict[str, bool | None], numbers_first: bool) -> None:
    assert is_about_other(answers)
    assert needs_numbers_first(answers) is numbers_first


def test_a_risk_screen_is_not_about_someone_else() -> None:
    assert not is_about_other({"weapon": True})
