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
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.appointments.keyboards import CAME, NO_SHOW
from bot.config import Settings
from bot.context import HelplineContext
from handlers.staff.gate import staff_groups, staff_member
from storage.appointments import Attendance

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
                tr = services.tr(settings.staff_language)
                await _say(update, tr("agenda.usage"))
                return
            day = parsed
    chat = update.effective_chat
    assert chat is not None
    # Marks make sense from the day itself on, not for a day still to come.
    marks = day <= today
    agenda = services.appointments.agenda
    for recorded in await agenda.open_day(day, actor_id=user.id, chat_id=chat.id, with_marks=marks):
        part = recorded.part
        sent = await _say(update, part.text, part.markup if marks else None)
        if sent is None or recorded.record_id is None:
            continue
        await agenda.remember_delivered(recorded.record_id, sent.message_id)
        redrawn = await agenda.redrawn_if_erased(recorded.record_id, part.text)
        if redrawn is not None:
            text, markup = redrawn
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
    tr = services.tr(settings.staff_language)
    action, _, raw_id = (query.data or "").removeprefix("ag:").partition(":")
    mark: Attendance = "came" if action == "came" else "no_show"
    done = await services.appointments.agenda.mark(
        int(raw_id),
        mark,
        actor_id=user.id,
        chat_id=message.chat.id if message is not None else None,
        message_id=message.message_id if message is not None else None,
    )
    if done.outcome == "unknown":
        await query.answer(tr("agenda.unknown"))
        return
    if done.outcome == "too_early":
        await query.answer(tr("agenda.too_early"))
        return
    if done.outcome == "cancelled":
        await query.answer(tr("agenda.cancelled", code=done.code))
        return
    await query.answer(
        tr(
            "agenda.marked_came" if mark == "came" else "agenda.marked_no_show",
            code=done.code,
        )
    )
    if done.redrawn is None or message is None:
        return
    # "Not modified" when the same mark is pressed twice: nothing to redraw.
    with contextlib.suppress(TelegramError):
        await query.edit_message_text(done.redrawn.text, reply_markup=done.redrawn.markup)


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    staff_chat = staff_groups(settings)
    return [
        CommandHandler("agenda", show_agenda, filters=staff_chat),
        CallbackQueryHandler(mark_attendance, pattern=f"^(?:{CAME}|{NO_SHOW}):\\d{{1,12}}$"),
    ]
