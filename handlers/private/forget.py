"""/forget: one confirmation, then every trace of the user is erased.

```mermaid
flowchart LR
    forget[/forget] --> confirm{erase everything?}
    confirm -->|forget:yes| erased[data erased, said in the user's language]
    confirm -->|forget:no| kept[nothing changes]
```
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.config import Settings
from bot.context import HelplineContext
from bot.forgetting import forget_user
from handlers.common import reply, strip_buttons, translator_for, with_quick_exit

logger = logging.getLogger(__name__)

FORGET_YES = "forget:yes"
FORGET_NO = "forget:no"


async def ask_to_forget(update: Update, context: HelplineContext) -> None:
    """/forget: says what will be erased and asks once."""
    tr = await translator_for(update, context)
    keyboard = with_quick_exit(
        [
            [InlineKeyboardButton(tr("forget.yes"), callback_data=FORGET_YES)],
            [InlineKeyboardButton(tr("forget.no"), callback_data=FORGET_NO)],
        ],
        tr,
    )
    await reply(update, tr("forget.confirm"), keyboard)


async def forget(update: Update, context: HelplineContext) -> None:
    """Erases the user's data in one transaction, then says so (nothing is left to say it with)."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    tr = await translator_for(update, context)  # the language, read before it is erased
    await query.answer()
    if not _asked_lately(update, context):
        await strip_buttons(update)
        await reply(update, tr("forget.expired"))
        logger.info("an old forget confirmation was pressed: nothing erased")
        return
    await forget_user(context.services, update.effective_user.id)
    if context.user_data is not None:
        context.user_data.clear()
    await strip_buttons(update)
    await reply(update, tr("forget.done"))
    logger.info("a user erased their data")


def _asked_lately(update: Update, context: HelplineContext) -> bool:
    """Whether the pressed question was sent within `timing.forget_confirm_valid`. Telegram
    dates the message; a message it no longer shows (older than 48 h) is dated 0."""
    query = update.callback_query
    assert query is not None
    if query.message is None:
        return False
    services = context.services
    age = services.clock.now() - query.message.date
    return age <= services.settings.timing.forget_confirm_valid


async def keep(update: Update, context: HelplineContext) -> None:
    query = update.callback_query
    assert query is not None
    tr = await translator_for(update, context)
    await query.answer()
    await strip_buttons(update)
    await reply(update, tr("forget.kept"))


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("forget", ask_to_forget, filters=private),
        CallbackQueryHandler(forget, pattern=f"^{FORGET_YES}$"),
        CallbackQueryHandler(keep, pattern=f"^{FORGET_NO}$"),
    ]
