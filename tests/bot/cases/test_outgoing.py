"""Where a message about a case goes in the staff group, and how it is addressed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.cases.outgoing import CARD_KINDS, CARD_PURPOSES, GROUP_KINDS, html, placement
from storage.cases import Case

CASE = Case(
    id=7,
    code="7KQ-M2F",
    user_id=42,
    language="ru",
    category="crisis",
    urgent=False,
    urgent_reasons=(),
    urgent_at=None,
    story=None,
    story_voice=(),
    screen=None,
    reply_by="chat",
    callback_phone=None,
    status="open",
    blocked=False,
    user_unreachable=False,
    created_at=datetime(2026, 12, 2, 5, 0, tzinfo=UTC),
    taken_at=None,
    taken_by=None,
    taken_by_name=None,
    closed_at=None,
    escalation_step=0,
    next_escalation_at=None,
    card_message_id=None,
    topic_id=None,
)
UNDER_CARD = {"reply_parameters": {"message_id": 55, "allow_sending_without_reply": True}}


@pytest.mark.parametrize(
    ("topic_id", "card_message_id", "reply_to_card", "expected"),
    [
        (None, None, True, {}),  # the card is not delivered yet: the group's main thread
        (None, 55, True, UNDER_CARD),
        (None, 55, False, {}),
        (9, 55, True, {"message_thread_id": 9}),  # a forum: always the case's topic
        (9, None, False, {"message_thread_id": 9}),
    ],
)
def test_placement(
    topic_id: int | None, card_message_id: int | None, reply_to_card: bool, expected: Any
) -> None:
    case = replace(CASE, topic_id=topic_id, card_message_id=card_message_id)
    assert placement(case, reply_to_card=reply_to_card) == expected


def test_html_params_carry_the_keyboard_as_a_dict() -> None:
    assert html("<b>x</b>") == {"text": "<b>x</b>", "parse_mode": "HTML"}
    assert html("x", message_id=3)["message_id"] == 3


def test_every_card_purpose_is_linked_as_a_card_kind_the_store_reads_back() -> None:
    """A card sent under a purpose whose kind the store does not read as a card would
    never lose its button nor say who took the case."""
    assert sorted(GROUP_KINDS[purpose] for purpose in CARD_PURPOSES) == sorted(CARD_KINDS)
