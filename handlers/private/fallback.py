"""Last in line: whatever no flow took gets a clear answer and changes nothing."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.config import Settings
from bot.context import HelplineContext
from handlers.common import menu_keyboard, reply, translator_for

logger = logging.getLogger(__name__)

_ANSWERED_AT = "fallback_answered_at"


async def stale_button(update: Update, context: HelplineContext) -> None:
    """Old or forged button data: nothing happens, and the user is told so."""
    assert update.callback_query is not None
    logger.info("ignored a button with unknown data")
    tr = await translator_for(update, context)
    await update.callback_query.answer(tr("fallback.stale_button"), show_alert=False)


async def unknown_command(update: Update, context: HelplineContext) -> None:
    tr = await translator_for(update, context)
    await reply(update, tr("fallback.unknown_command"))


async def unsupported_message(update: Update, context: HelplineContext) -> None:
    """Stickers, photos, files outside a flow: says what the bot understands."""
    if _answered_lately(context):
        return
    tr = await translator_for(update, context)
    await reply(update, tr("fallback.unsupported"), menu_keyboard(tr))


async def text_outside_flow(update: Update, context: HelplineContext) -> None:
    if _answered_lately(context):
        return
    tr = await translator_for(update, context)
    await reply(update, tr("fallback.text_outside_flow"), menu_keyboard(tr))


def _answered_lately(context: HelplineContext) -> bool:
    """One calm answer per `timing.fallback_answer_every`: the person has the menu on the
    screen already; a flood of messages gets one answer, not one per message. (Danger
    words are answered whatever this says: handlers/private/danger_heard.py.)"""
    if context.user_data is None:
        return False
    services = context.services
    now = services.clock.now()
    last = context.user_data.get(_ANSWERED_AT)
    if isinstance(last, datetime) and now - last < services.settings.timing.fallback_answer_every:
        return True
    context.user_data[_ANSWERED_AT] = now
    return False


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    private = filters.ChatType.PRIVATE
    # Edited messages are not handled anywhere: an edit cannot change what was stored.
    new_messages = filters.UpdateType.MESSAGE
    return [
        CallbackQueryHandler(stale_button),
        MessageHandler(private & new_messages & filters.COMMAND, unknown_command),
        MessageHandler(private & new_messages & (filters.TEXT | filters.VOICE), text_outside_flow),
        MessageHandler(private & new_messages, unsupported_message),
    ]
