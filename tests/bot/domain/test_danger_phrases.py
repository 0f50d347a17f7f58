"""The danger phrase table: every kind of danger has rules, and the rules are compiled."""

from __future__ import annotations

import pytest

from bot.domain.danger_phrases import RULES, DangerKind, rule


def test_every_kind_of_danger_has_a_rule() -> None:
    assert {r.kind for r in RULES} == set(DangerKind)


@pytest.mark.parametrize(
    ("patterns", "text", "matches"),
    [
        (("нож\\w*",), "взял ножом", True),
        (("нож\\w*",), "ножницы", True),  # the table's own patterns exclude these
        (("нож",), "ножницы", False),  # whole words only
        (("убью",), "я убью", True),
    ],
)
def test_a_rule_matches_whole_words(patterns: tuple[str, ...], text: str, matches: bool) -> None:
    compiled = rule(DangerKind.WEAPON, *patterns)
    assert (compiled.pattern.search(text) is not None) is matches


def test_exclusions_are_anchored_where_the_table_says() -> None:
    compiled = rule(DangerKind.KILL_THREAT, "убить", unless_before="время ", unless_after=" время")
    assert compiled.unless_before is not None and compiled.unless_after is not None
    assert compiled.unless_before.search("убить время ") is not None
    assert compiled.unless_before.search("время убить") is None
    assert compiled.unless_after.match("убить время", len("убить")) is not None
