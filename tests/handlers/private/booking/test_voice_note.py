"""A voice message as the note for the specialist (issue 10: someone who cannot write is
never stuck): kept sealed, heard by staff as the bot's own copy under the appointment's
notice and in the agenda, and gone from the staff group and the database after /forget."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from sandbox import SimMessage, SimUser
from tests.conftest import START, Harness, HarnessFactory
from tests.handlers.booking_steps import (
    code_in,
    confirm,
    has_data,
    is_booked,
    press_button_with_data,
    rows,
    slot,
)
from tests.handlers.case_helpers import assert_no_user_identity, plain, settle
from tests.handlers.private.test_forget import file_mentions
from tests.handlers.staff.test_agenda import is_agenda

THURSDAY = date(2026, 12, 3)
SERVICE = {"ru": "Консультация психолога", "kk": "Психолог кеңесі"}


@pytest.mark.parametrize("language", ["ru", "kk"])
async def test_a_booking_with_a_voice_note_reaches_staff_and_forget_takes_it_back(
    bot: Harness, language: str
) -> None:
    user = bot.user("Saule", language_code=language, user_id=77007777)
    await bot.onboard(user, language)
    start = slot(THURSDAY, 10, 30)
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press(SERVICE[language])
    days = await user.wait_for_bot_message(has_data("bk:day:"))
    await press_button_with_data(user, days, f"bk:day:psychologist:{THURSDAY.isoformat()}")
    times = await user.wait_for_bot_message(has_data("bk:time:"))
    await press_button_with_data(user, times, f"bk:time:psychologist:{int(start.timestamp())}")
    asked = await user.wait_for_bot_message(has_data("bk:skipnote"))
    assert asked.text == plain(bot.tr(language, "booking.ask_note", limit=500))
    voice = await user.send_voice(duration=11)
    # Taken as the note: the booking goes on, and the summary says the voice is kept.
    await user.wait_for_bot_message(has_data("bk:naming:"))
    await user.press(bot.tr(language, "booking.button.discreet"))
    summary = await user.wait_for_bot_message(has_data("bk:confirm:"))
    assert plain(bot.tr(language, "booking.summary_voice_note")) in summary.content
    await confirm(user, summary)
    code = code_in(await user.wait_for_bot_message(is_booked))
    await settle(bot)

    # Stored through the sealer, as the written note is.
    [(stored,)] = rows(bot, "SELECT voice_note FROM appointments WHERE code = ?", (code,))
    assert isinstance(stored, str) and bot.services.sealer.open(stored) == voice.file_id
    # The staff group: the notice says a voice note follows; the voice is the bot's own
    # message (never a forward), with the code and nothing of her.
    notice = next(m for m in bot.group.bot_messages() if m.kind == "text" and code in m.content)
    assert plain(bot.tr("kk", "appointment_notice.voice_note")) in notice.content
    copy = await bot.group.wait_for_bot_message(lambda m: m.kind == "voice")
    assert copy.file_id == voice.file_id and copy.forward_origin is None
    assert code in (copy.caption or "")
    assert_no_user_identity(bot, user)
    # The agenda shows it where it shows a written note.
    await bot.staff.send_in(bot.group, "/agenda ертең")
    agenda = await bot.group.wait_for_bot_message(is_agenda)
    assert code in agenda.content
    assert plain(bot.tr("kk", "agenda.voice_note")).strip() in agenda.content

    await user.send("/forget")
    await user.wait_for_bot_message(has_data("forget:yes"))
    await user.press(bot.tr(language, "forget.yes"))
    await user.wait_for_bot_message(lambda m: m.text == plain(bot.tr(language, "forget.done")))
    await settle(bot)
    assert copy.deleted
    assert notice.text == plain(bot.tr("kk", "appointment_notice.erased", code=code))
    assert plain(bot.tr("kk", "agenda.voice_note")).strip() not in agenda.content
    assert rows(bot, "SELECT voice_note FROM appointments WHERE code = ?", (code,)) == [(None,)]
    await bot.services.message_log.flush()
    await bot.services.db.checkpoint()
    leftovers = file_mentions(bot.settings.storage.path, str(user.id), voice.file_id or "-")
    assert leftovers == [], "\n".join(leftovers)


async def test_a_written_note_after_back_replaces_the_voice_note(bot: Harness) -> None:
    """One note: the last one she gave, written or said."""
    user = bot.user()
    await bot.onboard(user, "ru")
    start = slot(THURSDAY, 11, 15)
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press(SERVICE["ru"])
    days = await user.wait_for_bot_message(has_data("bk:day:"))
    await press_button_with_data(user, days, f"bk:day:psychologist:{THURSDAY.isoformat()}")
    times = await user.wait_for_bot_message(has_data("bk:time:"))
    await press_button_with_data(user, times, f"bk:time:psychologist:{int(start.timestamp())}")
    await user.wait_for_bot_message(has_data("bk:skipnote"))
    await user.send_voice(duration=4)
    await user.wait_for_bot_message(has_data("bk:naming:"))
    await user.press(bot.tr("ru", "booking.button.back"))
    await user.wait_for_bot_message(has_data("bk:skipnote"))
    await user.send("про сон")
    await user.wait_for_bot_message(has_data("bk:naming:"))
    await user.press(bot.tr("ru", "booking.button.discreet"))
    summary = await user.wait_for_bot_message(has_data("bk:confirm:"))
    assert plain(bot.tr("ru", "booking.summary_voice_note")) not in summary.content
    await confirm(user, summary)
    code = code_in(await user.wait_for_bot_message(is_booked))
    await settle(bot)
    assert rows(bot, "SELECT voice_note FROM appointments WHERE code = ?", (code,)) == [(None,)]
    assert not any(m.kind == "voice" for m in bot.group.bot_messages())


async def _book_with_voice(
    bot: Harness, user: SimUser, service: str, start: datetime, language: str
) -> tuple[str, SimMessage]:
    """From /book to the code, with a voice message as the note; returns (code, voice)."""
    await user.send("/book")
    offer = await user.wait_for_bot_message(has_data("bk:service:"))
    await press_button_with_data(user, offer, f"bk:service:{service}")
    days = await user.wait_for_bot_message(has_data("bk:day:"))
    await press_button_with_data(user, days, f"bk:day:{service}:{start.date().isoformat()}")
    times = await user.wait_for_bot_message(has_data("bk:time:"))
    await press_button_with_data(user, times, f"bk:time:{service}:{int(start.timestamp())}")
    await user.wait_for_bot_message(has_data("bk:skipnote"))
    voice = await user.send_voice(duration=9)
    await user.wait_for_bot_message(has_data("bk:naming:"))
    await user.press(bot.tr(language, "booking.button.discreet"))
    summary = await user.wait_for_bot_message(has_data("bk:confirm:"))
    await confirm(user, summary)
    return code_in(await user.wait_for_bot_message(is_booked)), voice


async def test_a_voice_note_goes_to_the_group_of_the_appointment_s_centre_only(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.second_group is not None
    dana = bot.user("Dana", "kk")
    await bot.onboard(dana, "kk", center="saryagash")
    start = slot(START.date() + timedelta(days=1), 12)
    code, voice = await _book_with_voice(bot, dana, "saryagash_psychologist", start, "kk")
    await settle(bot)
    copy = await bot.second_group.wait_for_bot_message(lambda m: m.kind == "voice")
    assert copy.file_id == voice.file_id and code in (copy.caption or "")
    assert not any(m.kind == "voice" for m in bot.group.messages())
    await dana.send("/forget")
    await dana.wait_for_bot_message(has_data("forget:yes"))
    await dana.press(bot.tr("kk", "forget.yes"))
    await dana.wait_for_bot_message(lambda m: m.text == plain(bot.tr("kk", "forget.done")))
    await settle(bot)
    assert copy.deleted
