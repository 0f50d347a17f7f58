"""The feedback question's buttons, and its optional line of text.

The line is taken only right after an answer, and only if it is the very next thing she
writes: any command or other button first, a request or a case in progress, or words of
danger, and the text goes on to the flows (and their triage) as if nothing was asked.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.context import HelplineContext
from bot.domain.triage import has_danger_words
from bot.feedback import ANSWER_PATTERN, FEEDBACK_PREFIX, SKIP_COMMENT
from handlers.common import menu_keyboard, reply, strip_buttons, translator_for

# In the person's memory only: what the awaited line is about, and since when.
_AWAITING_LINE: Final = "feedback_line"
_LINE_WAIT: Final = timedelta(minutes=30)


async def answer_feedback(update: Update, context: HelplineContext) -> None:
    """Stores the answer (without any id); offers the optional line, or Skip."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.data is not None and user is not None
    services = context.services
    _, token, answer = query.data.split(":")
    async with services.write() as tx:
        about = await services.feedback.answer(tx, token=token, user_id=user.id, answer=answer)
    tr = await translator_for(update, context)
    if about is None:
        await query.answer(tr("fallback.stale_button"))
        return
    await query.answer()
    await strip_buttons(update)
    if context.user_data is not None:
        context.user_data[_AWAITING_LINE] = (about, services.clock.now())
    skip = InlineKeyboardMarkup(
        [[InlineKeyboardButton(tr("feedback.skip"), callback_data=SKIP_COMMENT)]]
    )
    # Each answer its own thanks: "what was good" would mock a "did not help".
    await reply(update, tr(f"feedback.thanks.{answer}"), skip)


async def skip_line(update: Update, context: HelplineContext) -> None:
    """No line: thanks, and the menu."""
    await _forget_line(update, context)
    if update.callback_query is not None:
        await update.callback_query.answer()
    await strip_buttons(update)
    tr = await translator_for(update, context)
    await reply(update, tr("feedback.done"), menu_keyboard(tr))


async def take_line(update: Update, context: HelplineContext) -> None:
    """The next text after an answer is the line, unless it must go to the flows."""
    awaited: Any = context.user_data.pop(_AWAITING_LINE, None) if context.user_data else None
    message = update.effective_message
    user = update.effective_user
    if awaited is None or message is None or message.text is None or user is None:
        return
    about, since = awaited
    services = context.services
    now: datetime = services.clock.now()
    if (
        now - since > _LINE_WAIT
        or has_danger_words(message.text)
        or (context.user_data is not None and context.user_data.request_draft is not None)
        or await services.cases.open_case_of(user.id) is not None
    ):
        return
    async with services.write() as tx:
        await services.feedback.add_comment(tx, about=about, text=message.text)
    tr = await translator_for(update, context)
    await reply(update, tr("feedback.done"), menu_keyboard(tr))
    # Taken: the flows (group 0) do not see it.
    raise ApplicationHandlerStop


async def voice_for_line(update: Update, context: HelplineContext) -> None:
    """A voice message where the optional line is awaited: the line is kept without a
    name, and a voice is the person herself, so it is not kept; she is told so in plain
    words (the answer is stored already), and the line is still awaited. A request or a
    case in progress takes the voice as usual."""
    awaited: Any = context.user_data.get(_AWAITING_LINE) if context.user_data else None
    user = update.effective_user
    if awaited is None or user is None:
        return
    services = context.services
    _, since = awaited
    if (
        services.clock.now() - since > _LINE_WAIT
        or (context.user_data is not None and context.user_data.request_draft is not None)
        or await services.cases.open_case_of(user.id) is not None
    ):
        return
    tr = await translator_for(update, context)
    skip = InlineKeyboardMarkup(
        [[InlineKeyboardButton(tr("feedback.skip"), callback_data=SKIP_COMMENT)]]
    )
    await reply(update, tr("feedback.voice_not_kept"), skip)
    raise ApplicationHandlerStop


async def _forget_line(update: Update, context: HelplineContext) -> None:
    """Anything else first: no line is awaited any more."""
    if context.user_data is not None:
        context.user_data.pop(_AWAITING_LINE, None)


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    return [
        CallbackQueryHandler(answer_feedback, pattern=ANSWER_PATTERN),
        CallbackQueryHandler(skip_line, pattern=f"^{SKIP_COMMENT}$"),
    ]


def build_line_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    """For a group before the flows: the line is taken before they see it."""
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(
            private & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, take_line
        ),
        MessageHandler(private & filters.UpdateType.MESSAGE & filters.VOICE, voice_for_line),
    ]


def build_leaving_handlers(
    settings: Settings,
) -> list[BaseHandler[Update, HelplineContext, None]]:
    """For a group after the flows: any other command or button ends the wait."""
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(private & filters.COMMAND, _forget_line),
        CallbackQueryHandler(_forget_line, pattern=rf"^(?!{FEEDBACK_PREFIX})"),
    ]
