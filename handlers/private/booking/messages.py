"""What the user writes during a booking: a note for the specialist, or text where a
button is expected. Whatever looks meant for the psychologist of an open case goes to
the case first, so nothing meant for staff is refused or taken as a note."""

from __future__ import annotations

import html
import re

from telegram import Update

from bot.appointments import rules
from bot.appointments.draft import Awaiting
from bot.context import HelplineContext
from bot.i18n import Translator
from handlers.common import reply, translator_for
from handlers.private.booking.questions import ask_again, ask_naming, ask_note, live_draft
from handlers.private.conversation import to_case


class NotForBooking(Exception):
    """The update is not the booking's after all (its draft is gone): the booking ends and
    the other flows answer it, as if no booking ever was."""


async def note_text(update: Update, context: HelplineContext) -> Awaiting:
    """A note for the specialist, written or a voice message: kept (in memory until
    confirmed); asks about reminders."""
    assert update.effective_user is not None and update.message is not None
    draft = live_draft(context)
    if draft is None or draft.slot is None:
        # Wiped (the quick exit clears drafts) or expired.
        raise NotForBooking
    tr = await translator_for(update, context)
    text = (update.message.text or "").strip()
    in_case = await _has_open_case(context, update.effective_user.id)
    if in_case and (
        not text
        or len(text) > rules.NOTE_MAX_LENGTH
        or _replies_to_psychologist(update, context, tr)
    ):
        # A voice message, a photo, a long letter or an answer to the psychologist is
        # most likely meant for the psychologist, not a note: it goes to the case
        # (checked before the note's own rules, so nothing meant for staff is refused).
        await to_case(update, context)
        return await ask_note(update, context, tr, draft)
    voice = update.message.voice
    if not text and voice is not None:
        # Her note said aloud (for someone who cannot write). Like a request's voice story
        # it is not triaged (nothing to read): staff hear it with the appointment's notice.
        draft.voice_note, draft.note = voice.file_id, None
        draft.note_decided = True
        return await ask_naming(update, context, tr, draft)
    if not text:
        # A sticker, a photo or a file where a note (words or a voice message) is asked for.
        await reply(update, tr("booking.note_text_only"))
        return Awaiting.NOTE
    if len(text) > rules.NOTE_MAX_LENGTH:
        await reply(
            update, tr("booking.note_too_long", limit=rules.NOTE_MAX_LENGTH, length=len(text))
        )
        return Awaiting.NOTE
    # A note with words of danger never gets here: it was answered with the numbers and
    # "send to a psychologist now" (handlers/private/danger_heard.py), and the note is
    # still asked for.
    draft.note, draft.voice_note = text, None
    draft.note_decided = True
    return await ask_naming(update, context, tr, draft)


async def expecting_button(update: Update, context: HelplineContext) -> Awaiting:
    """Text (or a sticker ...) where a button is expected: says so, asks again."""
    assert update.effective_user is not None
    draft = live_draft(context)
    if draft is None:
        raise NotForBooking
    tr = await translator_for(update, context)
    if await _has_open_case(context, update.effective_user.id):
        # Most likely an answer to the psychologist: it goes to the case, and the
        # booking asks its question again.
        await to_case(update, context)
        return await ask_again(update, context, tr, draft)
    await reply(update, tr("booking.use_buttons"))
    return await ask_again(update, context, tr, draft)


async def _has_open_case(context: HelplineContext, user_id: int) -> bool:
    return await context.services.cases.open_case_of(user_id) is not None


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _replies_to_psychologist(update: Update, context: HelplineContext, tr: Translator) -> bool:
    """A Telegram reply to the bot's message that relays the psychologist's words."""
    message = update.effective_message
    replied = message.reply_to_message if message is not None else None
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return False
    shown = replied.text or replied.caption or ""
    return shown.startswith(_plain(tr("conversation.staff_label")))
