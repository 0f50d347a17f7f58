"""Safety on a shared phone: the quick exit, and noting message ids so it can work.

Order matters, and app.py wires it so: the ids of incoming messages are noted first
(group -2), the quick exit wipes the chat next (group -1), and only then do the flows
(group 0) see /exit, so that a flow in progress ends without storing anything.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, TypeHandler, filters

from bot.config import Settings
from bot.context import HelplineContext
from handlers.common import MENU_EXIT, translator_for

logger = logging.getLogger(__name__)

# Telegram lets a bot delete private-chat messages for 48 hours, 100 ids per call.
DELETE_WINDOW = timedelta(hours=48)
DELETE_BATCH = 100


async def note_incoming(update: Update, context: HelplineContext) -> None:
    """Notes the id of every message a user sends, so a quick exit can delete it; and
    anything she does after a quick exit (but the exit itself) lets held messages go."""
    context.services.message_log.note_update(update)
    chat = update.effective_chat
    if chat is None or chat.type != "private" or _is_quick_exit(update):
        return
    if update.message is not None or update.callback_query is not None:
        await context.services.contact_safety.heard_from(chat.id)


def _is_quick_exit(update: Update) -> bool:
    if update.callback_query is not None:
        return update.callback_query.data == MENU_EXIT
    text = update.message.text if update.message is not None else None
    return text is not None and text.split("@")[0].strip() == "/exit"


async def quick_exit(update: Update, context: HelplineContext) -> None:
    """Deletes the chat's messages the bot can, and leaves one neutral message."""
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        return
    services = context.services
    if update.callback_query is not None:
        await update.callback_query.answer()
    # Remembered a week: no feedback question reaches a phone that may be shared.
    await services.feedback.note_quick_exit(chat.id)
    # Staff are told at once, and what they send waits until she writes again.
    await services.contact_safety.left_in_hurry(chat.id)
    ids = await services.message_log.ids_since(chat.id, services.clock.now() - DELETE_WINDOW)
    for start in range(0, len(ids), DELETE_BATCH):
        try:
            await services.bot.delete_messages(chat.id, ids[start : start + DELETE_BATCH])
        except TelegramError as error:
            # Some may be too old or gone already; the rest of the batches still go.
            logger.warning("quick exit: a delete batch failed: %s", type(error).__name__)
    await services.message_log.forget_chat(chat.id)
    if context.user_data is not None:
        # Drafts of an unfinished flow go too: nothing of it may be stored.
        context.user_data.clear()
    tr = await translator_for(update, context)
    await chat.send_message(tr("safety.neutral"))
    logger.info("quick exit done")


async def swallow(update: Update, context: HelplineContext) -> None:
    """The quick exit already ran (group -1); nothing else may answer /exit."""


def build_early_handlers(
    settings: Settings,
) -> dict[int, list[BaseHandler[Update, HelplineContext, None]]]:
    private = filters.ChatType.PRIVATE
    return {
        -2: [TypeHandler(Update, note_incoming)],
        -1: [
            CommandHandler("exit", quick_exit, filters=private),
            CallbackQueryHandler(quick_exit, pattern=f"^{MENU_EXIT}$"),
        ],
    }


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("exit", swallow, filters=private),
        CallbackQueryHandler(swallow, pattern=f"^{MENU_EXIT}$"),
    ]
