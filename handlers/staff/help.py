"""/help in the staff group: the staff commands and how to answer a case."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.config import Settings
from bot.context import HelplineContext
from handlers.staff.gate import staff_groups, staff_member


async def show_staff_help(update: Update, context: HelplineContext) -> None:
    """Lists the staff commands; admins also see theirs. Outsiders get nothing."""
    services = context.services
    message = update.effective_message
    if message is None or not await staff_member(update, services):
        return
    tr = services.tr(services.settings.staff_language)
    text = tr("staff.help") + "\n\n" + tr("staff_tools.help")
    if await staff_member(update, services, admin=True):
        text += "\n\n" + tr("staff.help_admin")
    await message.reply_text(text)


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    staff_group = staff_groups(settings)
    return [CommandHandler("help", show_staff_help, filters=staff_group)]
