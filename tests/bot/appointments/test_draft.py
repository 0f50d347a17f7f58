"""The booking draft (bot/appointments/draft.py): each question bumps the revision."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.appointments.draft import DRAFT_LIFETIME, Awaiting, BookingDraft
from tests.conftest import START


def test_asking_records_the_question_and_bumps_the_revision() -> None:
    draft = BookingDraft(1, Awaiting.SERVICE, START)
    assert draft.ask(Awaiting.DAY, START + timedelta(minutes=1)) is Awaiting.DAY
    assert draft.ask(Awaiting.CONFIRMATION, START + timedelta(minutes=2)) is Awaiting.CONFIRMATION
    assert draft.awaiting is Awaiting.CONFIRMATION and draft.revision == 2
    assert draft.touched_at == START + timedelta(minutes=2)


@pytest.mark.parametrize(
    ("idle", "expired"),
    [(timedelta(0), False), (DRAFT_LIFETIME, False), (DRAFT_LIFETIME + timedelta(seconds=1), True)],
)
def test_an_untouched_draft_expires(idle: timedelta, expired: bool) -> None:
    assert BookingDraft(1, Awaiting.NOTE, START).expired(START + idle) is expired
