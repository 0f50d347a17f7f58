"""The staff group's day: /agenda and the "came" / "did not come" marks.

Only members of the staff group, and only in it: for anyone else nothing visible
happens (no "you are not staff"). Every use is recorded in the audit log; marks are
stored on the appointment for the monthly figures (no-shows) and can be corrected by
pressing the other button.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import date, timedelta

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.appointment_messages import (
    CAME,
    NO_SHOW,
    agenda_chunk_with,
    agenda_message,
    agenda_messages,
)
from bot.booking import day_window
from bot.config import Settings
from bot.context import HelplineContext
from handlers.staff.gate import staff_member
from storage.appointments import Attendance, Outcome
from storage.audit import record

logger = logging.getLogger(__name__)

# "/agenda tomorrow" in the words staff use.
_TOMORROW = {"tomorrow", "завтра", "ертең", "ертен", "+1"}
# The dates /agenda accepts.
_FIRST_YEAR, _LAST_YEAR = 2000, 2100


async def show_agenda(update: Update, context: HelplineContext) -> None:
    """/agenda [tomorrow|YYYY-MM-DD]: the day's appointments with attendance buttons."""
    services = context.services
    user = update.effective_user
    if user is None or not await staff_member(update, services):
        return
    settings = services.settings
    tz = settings.general.timezone
    now = services.clock.now()
    today = now.astimezone(tz).date()
    day = today
    args = context.args or []
    if args:
        word = args[0].strip().lower()
        if word in _TOMORROW:
            day = today + timedelta(days=1)
        else:
            parsed = _parse_day(word)
            if parsed is None:
                tr = services.tr(settings.general.default_language)
                await _say(update, tr("agenda.usage"))
                return
            day = parsed
    start, end = day_window(day, tz)
    appointments = await services.appointments.booked_between(start, end)
    async with services.write() as tx:
        await record(
            tx.connection, at=now, actor_id=user.id, action="agenda", detail=day.isoformat()
        )
    tr = services.tr(settings.general.default_language)
    # Marks make sense from the day itself on, not for a day still to come.
    marks = day <= today
    chat = update.effective_chat
    assert chat is not None
    for part in agenda_messages(settings, tr, day, appointments):
        # Remembered BEFORE it is sent, so that a forget-me meanwhile knows of it and
        # forget-me can later take a note out of this message.
        record_id = await services.appointments.record_agenda_message(
            chat.id, None, day.isoformat(), marks, part.appointment_ids
        )
        sent = await _say(update, part.text, part.markup if marks else None)
        if sent is None or record_id is None:
            continue
        await services.appointments.agenda_delivered(record_id, sent.message_id)
        await _redraw_if_erased(update, context, record_id, sent, part.text)


async def _redraw_if_erased(
    update: Update, context: HelplineContext, record_id: int, sent: Message, shown: str
) -> None:
    """A forget-me while the message was on its way could not edit it (no message id
    yet): what it lists is read again and the message redrawn if it changed."""
    services = context.services
    settings = services.settings
    agenda = await services.appointments.agenda_message(record_id)
    if agenda is None or not agenda.entries:
        return
    first = agenda.entries[0]
    text, markup = agenda_message(
        settings,
        services.tr(settings.general.default_language),
        date.fromisoformat(agenda.day),
        first.center_id,
        first.service_id,
        agenda.entries,
        with_buttons=agenda.with_buttons,
    )
    if text != shown:
        with contextlib.suppress(TelegramError):
            await sent.edit_text(text, reply_markup=markup)


def _parse_day(word: str) -> date | None:
    """A YYYY-MM-DD date in the years 2000-2100, or None (a typo must not crash the day's
    window computation at the ends of the calendar)."""
    try:
        day = date.fromisoformat(word)
    except ValueError:
        return None
    return day if _FIRST_YEAR <= day.year <= _LAST_YEAR else None


async def _say(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    chat = update.effective_chat
    if chat is None:
        return None
    message = update.effective_message
    thread = message.message_thread_id if message is not None and message.is_topic_message else None
    return await chat.send_message(text, reply_markup=markup, message_thread_id=thread)


async def mark_attendance(update: Update, context: HelplineContext) -> None:
    """ag:came:<id> / ag:miss:<id>: stores the mark (audited) and updates the message."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    services = context.services
    settings = services.settings
    message = query.message
    if user is None or not await staff_member(update, services):
        await query.answer()
        return
    tr = services.tr(settings.general.default_language)
    action, _, raw_id = (query.data or "").removeprefix("ag:").partition(":")
    mark: Attendance = "came" if action == "came" else "no_show"
    appointment = await services.appointments.get(int(raw_id)) if raw_id.isdigit() else None
    tz = settings.general.timezone
    now = services.clock.now()
    if appointment is None:
        await query.answer(tr("agenda.unknown"))
        return
    day = appointment.starts_at.astimezone(tz).date()
    if day > now.astimezone(tz).date():
        await query.answer(tr("agenda.too_early"))
        return
    result = await services.appointments.mark_attendance(
        appointment.id, mark, actor_id=user.id, now=now
    )
    if result.outcome is Outcome.CANCELLED:
        await query.answer(tr("agenda.cancelled", code=appointment.code))
        return
    if not result.ok:
        await query.answer(tr("agenda.unknown"))
        return
    logger.info("attendance marked")
    await query.answer(
        tr(
            "agenda.marked_came" if mark == "came" else "agenda.marked_no_show",
            code=appointment.code,
        )
    )
    # The message shows the service's day; redraw the part holding this entry.
    start, end = day_window(day, tz)
    entries = [
        entry
        for entry in await services.appointments.booked_between(start, end)
        if (entry.center_id, entry.service_id) == (appointment.center_id, appointment.service_id)
    ]
    redrawn = agenda_chunk_with(settings, tr, day, entries, appointment.id)
    if redrawn is None or message is None:
        return
    # The redraw may list appointments booked after the message went out (with their
    # notes): forget-me must know of them, so they are recorded before the edit.
    await services.appointments.replace_agenda_entries(
        message.chat.id, message.message_id, day.isoformat(), redrawn.appointment_ids
    )
    # "Not modified" when the same mark is pressed twice: nothing to redraw.
    with contextlib.suppress(TelegramError):
        await query.edit_message_text(redrawn.text, reply_markup=redrawn.markup)


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    staff_chat = filters.Chat(settings.telegram.staff_chat_id)
    return [
        CommandHandler("agenda", show_agenda, filters=staff_chat),
        CallbackQueryHandler(mark_attendance, pattern=f"^(?:{CAME}|{NO_SHOW}):\\d{{1,12}}$"),
    ]
