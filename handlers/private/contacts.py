"""/contacts and the menu's "Where else to get help": the referrals, grouped by kind, in
the villager's language. Nothing is stored and no consent is needed: it is a phone book."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.config import Settings
from bot.context import HelplineContext
from bot.referrals import referrals_for, render_directory
from handlers.common import MENU_CONTACTS, answer_button, menu_keyboard, reply, translator_for


async def _center_of(update: Update, context: HelplineContext) -> str | None:
    """The villager's centre: the only one when there is one, else the one she chose.
    None (several centres, none chosen yet) shows the referrals of no one centre."""
    settings = context.services.settings
    if len(settings.centers) == 1:
        return settings.centers[0].id
    person = update.effective_user
    user = await context.services.users.get(person.id) if person is not None else None
    return user.center_id if user is not None else None


async def show_contacts(update: Update, context: HelplineContext) -> None:
    """Lists where else to get help, then the menu again."""
    await answer_button(update)
    tr = await translator_for(update, context)
    settings = context.services.settings
    shown = referrals_for(settings.referrals, await _center_of(update, context))
    await reply(update, render_directory(tr, shown), menu_keyboard(tr))


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("contacts", show_contacts, filters=private),
        CallbackQueryHandler(show_contacts, pattern=f"^{MENU_CONTACTS}$"),
    ]
