"""First contact: language, consent, the main menu, help.

```mermaid
flowchart LR
    start[/start] -->|no language yet| lang{language?}
    lang -->|lang:kk / lang:ru| consent{consent?}
    start -->|no consent yet| consent
    consent -->|consent:more| details[the full detail the law asks for, same question]
    details -->|consent:yes| menu
    consent -->|consent:yes, one centre or chosen by the poster's link| menu[main menu]
    consent -->|consent:yes, several centres| center{centre?}
    center -->|center:ID| menu
    consent -->|consent:no| declined[numbers, /start to return]
    start -->|consented| menu
    menu -->|menu:center| center
```

Nothing about the user but the chosen language is stored before consent. A region of
several centres asks her centre once, after consent, by district name; `/start ID` (the
t.me/bot?start=ID link on a centre's poster) chooses it for her (kept in memory until
consent, stored after).
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
    MENU_CENTER,
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
CENTER_PREFIX = "center:"


def _several_centers(settings: Settings) -> bool:
    return len(settings.centers) > 1


def _centers_keyboard(settings: Settings, tr: Translator) -> InlineKeyboardMarkup:
    return with_quick_exit(
        [
            [InlineKeyboardButton(c.name.get(tr.language), callback_data=f"{CENTER_PREFIX}{c.id}")]
            for c in settings.centers
        ],
        tr,
    )


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


async def show_menu(
    update: Update,
    tr: Translator,
    title_key: str = "menu.title",
    *,
    context: HelplineContext | None = None,
    before: str = "",
) -> None:
    several = context is not None and _several_centers(context.services.settings)
    await reply(update, before + tr(title_key), menu_keyboard(tr, with_center=several))


async def start(update: Update, context: HelplineContext) -> None:
    """/start: asks the language on first contact, then consent, else shows the menu.
    `/start ID` (a centre's poster link) chooses that centre."""
    assert update.effective_user is not None
    services = context.services
    user = await services.users.get(update.effective_user.id)
    tr = await translator_for(update, context)
    named = context.args[0] if context.args else None
    if named is not None and services.settings.center(named) is not None:
        if user is not None and user.has_consented:
            await services.users.set_center(user.user_id, named)
            await show_menu(update, tr, context=context, before=_chosen(context, tr, named))
            return
        if context.user_data is not None:
            context.user_data.preselected_center = named
    if user is None:
        await reply(update, tr("language.prompt"), _language_keyboard(tr))
    elif not user.has_consented:
        await _ask_consent(update, context, tr)
    elif _several_centers(services.settings) and user.center_id is None:
        await reply(update, tr("center.prompt"), _centers_keyboard(services.settings, tr))
    else:
        await show_menu(update, tr, context=context)


def _chosen(context: HelplineContext, tr: Translator, center_id: str) -> str:
    center = context.services.settings.center(center_id)
    name = center.name.get(tr.language) if center is not None else center_id
    return tr("center.chosen", center=name) + "\n\n"


async def ask_center(update: Update, context: HelplineContext) -> None:
    """The menu's "my centre": offers the centres by district name."""
    await answer_button(update)
    tr = await translator_for(update, context)
    await reply(update, tr("center.prompt"), _centers_keyboard(context.services.settings, tr))


async def choose_center(update: Update, context: HelplineContext) -> None:
    """Stores her centre (after consent only), then shows the menu."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    services = context.services
    center_id = query.data.removeprefix(CENTER_PREFIX)
    user = await services.users.get(update.effective_user.id)
    tr = await translator_for(update, context)
    if services.settings.center(center_id) is None or user is None or not user.has_consented:
        await query.answer(tr("fallback.stale_button"))
        return
    await services.users.set_center(user.user_id, center_id)
    await query.answer()
    await strip_buttons(update)
    await show_menu(update, tr, context=context, before=_chosen(context, tr, center_id))


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
        await show_menu(update, tr, "language.changed", context=context)
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
    settings = services.settings
    if _several_centers(settings):
        user_id = update.effective_user.id
        named = None
        if context.user_data is not None:
            named, context.user_data.preselected_center = context.user_data.preselected_center, None
        user = await services.users.get(user_id)
        if named is not None and settings.center(named) is not None:
            await services.users.set_center(user_id, named)
            before = tr("consent.accepted") + "\n\n" + _chosen(context, tr, named)
            await show_menu(update, tr, context=context, before=before)
            return
        if user is not None and user.center_id is None:
            text = tr("consent.accepted") + "\n\n" + tr("center.prompt")
            await reply(update, text, _centers_keyboard(settings, tr))
            return
    await show_menu(update, tr, "consent.accepted", context=context)


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
        CallbackQueryHandler(ask_center, pattern=f"^{MENU_CENTER}$"),
        CallbackQueryHandler(choose_center, pattern=rf"^{CENTER_PREFIX}[a-z0-9_-]{{1,32}}$"),
    ]
