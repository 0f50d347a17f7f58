"""The request steps' pure parts: what counts as a call-back number."""

from __future__ import annotations

import pytest

from handlers.private.request.steps import looks_like_phone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+7 701 234 56 78", True),
        ("87012345678", True),
        ("8 (701) 234-56-78", True),
        ("12345", False),  # too short
        ("+7 701 ABC 56 78", False),  # letters
        ("(((((((((())))))", False),  # enough characters, no digits
        ("", False),
    ],
)
def test_a_call_back_number_has_ten_digits_or_more(text: str, expected: bool) -> None:
    assert looks_like_phone(text) is expected
