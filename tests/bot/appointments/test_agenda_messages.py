"""The agenda as messages (bot/appointments/agenda_messages.py): within Telegram's limits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.appointments.agenda_messages import (
    agenda_chunk_with,
    agenda_messages,
    message_params,
    shorten,
)
from tests.bot.appointments.presentation import NOON, appointment, settings, tr


@pytest.mark.parametrize(
    ("text", "limit", "shown"),
    [("коротко", 10, "коротко"), ("ровно", 5, "ровно"), ("длинный текст", 6, "длинн…")],
)
def test_shorten(text: str, limit: int, shown: str) -> None:
    assert shorten(text, limit) == shown


def test_an_empty_day_is_one_message_without_buttons() -> None:
    (part,) = agenda_messages(settings(), tr("kk"), NOON.date(), [])
    assert part.markup is None and part.appointment_ids == ()


def test_a_long_day_is_split_within_the_button_limit() -> None:
    entries = [
        appointment(id=n, code=f"AAA-{n:03d}", starts_at=NOON + timedelta(minutes=n))
        for n in range(1, 91)
    ]
    parts = agenda_messages(settings(), tr("kk"), NOON.date(), entries)
    assert [len(part.appointment_ids) for part in parts] == [40, 40, 10]
    assert all(part.markup is not None and len(part.markup.inline_keyboard) <= 40 for part in parts)
    assert [i for part in parts for i in part.appointment_ids] == list(range(1, 91))
    redrawn = agenda_chunk_with(settings(), tr("kk"), NOON.date(), entries, 55)
    assert redrawn is not None and redrawn.appointment_ids == tuple(range(41, 81))
    assert agenda_chunk_with(settings(), tr("kk"), NOON.date(), entries, 999) is None


def test_long_notes_keep_each_message_under_telegram_length() -> None:
    entries = [
        appointment(
            id=n, code=f"BBB-{n:03d}", note="ж" * 400, starts_at=NOON + timedelta(minutes=n)
        )
        for n in range(1, 31)
    ]
    parts = agenda_messages(settings(), tr("ru"), NOON.date(), entries)
    assert len(parts) > 1 and all(len(part.text) <= 4096 for part in parts)


def test_message_params_carry_the_buttons_only_when_there_are_some() -> None:
    assert message_params("x", None) == {"text": "x", "parse_mode": "HTML"}
