"""What appointments look like (bot/appointments/messages.py): reminders discreet unless
chosen, staff notices never naming who, the reminder offsets in words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.appointments.messages import (
    offsets_text,
    relative_when,
    reminder,
    staff_notice,
    staff_voice_note,
)
from tests.bot.appointments.presentation import NOON, appointment, settings, tr
from tests.conftest import ALMATY, STAFF_CHAT_ID


@pytest.mark.parametrize(
    ("offsets", "shown"),
    [
        ([timedelta(hours=2), timedelta(hours=24)], "24 часа, 2 часа"),
        ([timedelta(days=2)], "2 дня"),
        ([timedelta(hours=1)], "1 час"),
        ([timedelta(minutes=30)], "30 минут"),
        ([timedelta(seconds=45)], "45 секунд"),
        ([], ""),
    ],
)
def test_offsets_in_words(offsets: list[timedelta], shown: str) -> None:
    assert offsets_text(tr("ru"), offsets) == shown


@pytest.mark.parametrize(
    ("days_before", "shown"),
    [(0, "сегодня в 12:00"), (1, "завтра в 12:00")],
)
def test_relative_when(days_before: int, shown: str) -> None:
    now = NOON - timedelta(days=days_before, hours=1)
    assert relative_when(tr("ru"), NOON, now, ALMATY).lower() == shown


@pytest.mark.parametrize(("named", "service_shown"), [(False, False), (True, True)])
def test_a_reminder_names_the_service_only_when_chosen(named: bool, service_shown: bool) -> None:
    message = reminder(
        settings(), tr("ru"), appointment(name_in_reminders=named), NOON - timedelta(hours=2)
    )
    assert message.chat_id == 700123456 and message.purpose == "appointment_reminder"
    assert "7KQ-M2F" in message.params["text"]
    assert ("Консультация психолога" in message.params["text"]) is service_shown
    # A reminder is a private screen too: the quick exit is its last button.
    rows = message.params["reply_markup"]["inline_keyboard"]
    assert rows[-1][0]["callback_data"] == "menu:exit"


@pytest.mark.parametrize("kind", ["new", "cancelled", "moved"])
def test_a_staff_notice_never_says_who(kind: str) -> None:
    notice = staff_notice(
        settings(),
        tr("kk"),
        appointment(note="<b>сын</b>"),
        kind,
        previous_start=NOON - timedelta(days=1),
    )
    assert notice.chat_id == STAFF_CHAT_ID and notice.purpose == "appointment_notice"
    assert "7KQ-M2F" in notice.params["text"] and "700123456" not in notice.params["text"]
    # The note (user text) is escaped, and only a new booking carries it.
    assert "<b>сын</b>" not in notice.params["text"]
    assert ("&lt;b&gt;сын" in notice.params["text"]) is (kind == "new")


def test_a_voice_note_is_announced_in_the_notice_and_sent_as_the_bots_own_voice() -> None:
    with_voice = appointment(voice_note="voice-file-1")
    notice = staff_notice(settings(), tr("ru"), with_voice, "new")
    assert "Голосовое сообщение для специалиста" in notice.params["text"]
    voice = staff_voice_note(settings(), tr("ru"), with_voice)
    # sendVoice by the file id: the bot's own message, never a forward naming her.
    assert (voice.method, voice.chat_id, voice.purpose) == (
        "sendVoice",
        STAFF_CHAT_ID,
        "appointment_voice",
    )
    assert voice.params["voice"] == "voice-file-1" and "7KQ-M2F" in voice.params["caption"]
    assert "from_chat_id" not in voice.params
    # Cancelled and moved notices say nothing of the note, written or said.
    for kind in ("cancelled", "moved"):
        text = staff_notice(
            settings(), tr("ru"), with_voice, kind, previous_start=NOON - timedelta(days=1)
        ).params["text"]
        assert "Голосовое" not in text
