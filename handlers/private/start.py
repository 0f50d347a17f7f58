"""First contact: language, consent, the main menu, help.

```mermaid
flowchart LR
    start[/start] -->|no language yet| lang{language?}
    lang -->|lang:kk / lang:ru| consent{consent?}
    start -->|no consent yet| consent
    consent -->|consent:more| details[the full detail the law asks for, same question]
    details -->|consent:yes| menu
    consent -->|consent:yes| menu[main menu]
    consent -->|consent:no| declined[numbers, /start to return]
    start -->|consented| menu
```

Nothing about the user but the chosen language is stored before consent.
"""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.config import Settings
from bot.context import HelplineContext
from bot.domain.language import LANGUAGES, Language
from bot.i18n import Translator
from handlers.common import (
    MENU_HELP,
    MENU_LANGUAGE,
    answer_button,
    emergency_numbers,
    menu_keyboard,
    reply,
    strip_buttons,
    translator_for,
    with_quick_exit,
)

CONSENT_YES = "consent:yes"
CONSENT_NO = "consent:no"
CONSENT_MORE = "consent:more"


def _language_keyboard(tr: Translator) -> InlineKeyboardMarkup:
    # The quick exit even here, before consent: the very first screen may be the one on
    # display when someone walks in, and the exit stores nothing (it only deletes).
    return with_quick_exit(
        [
            [
                InlineKeyboardButton(tr(f"language.{code}"), callback_data=f"lang:{code}")
                for code in LANGUAGES
            ]
        ],
        tr,
    )


def _consent_keyboard(tr: Translator, *, details_shown: bool = False) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(tr("consent.accept"), callback_data=CONSENT_YES),
            InlineKeyboardButton(tr("consent.decline"), callback_data=CONSENT_NO),
        ]
    ]
    if not details_shown:
        rows.append([InlineKeyboardButton(tr("consent.more"), callback_data=CONSENT_MORE)])
    return with_quick_exit(rows, tr)


async def _ask_consent(update: Update, context: HelplineContext, tr: Translator) -> None:
    # One short screen in words a villager uses; the detail the law asks for (who keeps
    # the data, why, what, how long, where) is one tap away, not a wall of legal text.
    await reply(update, tr("consent.request"), _consent_keyboard(tr))


async def show_consent_details(update: Update, context: HelplineContext) -> None:
    """The "more about the data" button: the full detail, in place, with the same question."""
    query = update.callback_query
    assert query is not None
    services = context.services
    tr = await translator_for(update, context)
    operator = (
        services.settings.centers[0].name.get(tr.language) if services.settings.centers else ""
    )
    await query.answer()
    days = services.settings.privacy.retention_days
    term = tr.plural("consent.days", days, count=days)
    text = tr("consent.details", operator=operator, days=term)
    markup = _consent_keyboard(tr, details_shown=True)
    # A double tap finds the detail already shown: not an error, and nothing to resend.
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(text, reply_markup=markup)


async def show_menu(update: Update, tr: Translator, title_key: str = "menu.title") -> None:
    await reply(update, tr(title_key), menu_keyboard(tr))


async def start(update: Update, context: HelplineContext) -> None:
    """/start: asks the language on first contact, then consent, else shows the menu."""
    assert update.effective_user is not None
    user = await context.services.users.get(update.effective_user.id)
    tr = await translator_for(update, context)
    if user is None:
        await reply(update, tr("language.prompt"), _language_keyboard(tr))
    elif not user.has_consented:
        await _ask_consent(update, context, tr)
    else:
        await show_menu(update, tr)


async def ask_language(update: Update, context: HelplineContext) -> None:
    """/language or the menu button: offers both languages."""
    await answer_button(update)
    tr = await translator_for(update, context)
    await reply(update, tr("language.prompt"), _language_keyboard(tr))


async def choose_language(update: Update, context: HelplineContext) -> None:
    """Stores the chosen language; asks consent next if it was never given."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    code = query.data.removeprefix("lang:")
    language: Language = "kk" if code == "kk" else "ru"
    services = context.services
    user = await services.users.set_language(
        update.effective_user.id, language, services.clock.now()
    )
    tr = services.tr(language)
    await query.answer(tr("language.changed"))
    await strip_buttons(update)
    if user.has_consented:
        await show_menu(update, tr, "language.changed")
    else:
        await _ask_consent(update, context, tr)


async def give_consent(update: Update, context: HelplineContext) -> None:
    """Stores consent, then shows the main menu."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    services = context.services
    stored = await services.users.give_consent(update.effective_user.id, services.clock.now())
    tr = await translator_for(update, context)
    await query.answer()
    await strip_buttons(update)
    if not stored:
        await reply(update, tr("language.prompt"), _language_keyboard(tr))
        return
    await show_menu(update, tr, "consent.accepted")


async def decline_consent(update: Update, context: HelplineContext) -> None:
    """Keeps nothing but the language and says where to call instead."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    services = context.services
    await services.users.withdraw_consent(update.effective_user.id)
    tr = await translator_for(update, context)
    await query.answer()
    await strip_buttons(update)
    await reply(update, tr("consent.declined", numbers=emergency_numbers(services, tr)))


async def show_help(update: Update, context: HelplineContext) -> None:
    """/help or the menu button: commands, what a quick exit does, the emergency numbers."""
    await answer_button(update)
    tr = await translator_for(update, context)
    await reply(
        update, tr("help.text", numbers=emergency_numbers(context.services, tr)), menu_keyboard(tr)
    )


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("start", start, filters=private),
        CommandHandler("language", ask_language, filters=private),
        CommandHandler("help", show_help, filters=private),
        CallbackQueryHandler(choose_language, pattern=r"^lang:(kk|ru)$"),
        CallbackQueryHandler(give_consent, pattern=f"^{CONSENT_YES}$"),
        CallbackQueryHandler(decline_consent, pattern=f"^{CONSENT_NO}$"),
        CallbackQueryHandler(show_consent_details, pattern=f"^{CONSENT_MORE}$"),
        CallbackQueryHandler(ask_language, pattern=f"^{MENU_LANGUAGE}$"),
        CallbackQueryHandler(show_help, pattern=f"^{MENU_HELP}$"),
    ]
