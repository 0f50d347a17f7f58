"""What several flows share: the user's language, consent, the menu, emergency numbers."""

from __future__ import annotations

import contextlib
import weakref
from collections import OrderedDict

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram import User as TelegramUser
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.context import HelplineContext, Services
from bot.domain.case_rules import MessageKind
from bot.domain.language import Language
from bot.domain.send_schedule import Priority
from bot.i18n import Safe, Translator
from bot.keyboards import QUICK_EXIT
from bot.keyboards import with_quick_exit as with_quick_exit
from storage.users import User

MENU_REQUEST = "menu:request"
MENU_SOS = "menu:sos"
MENU_BOOK = "menu:book"
MENU_APPOINTMENTS = "menu:appointments"
MENU_LANGUAGE = "menu:language"
MENU_HELP = "menu:help"
MENU_CONTACTS = "menu:contacts"
MENU_CENTER = "menu:center"
MENU_HOURS = "menu:hours"  # when it is safe to write to her (handlers/private/contact_safety.py)
MENU_EXIT = QUICK_EXIT


def language_hint(services: Services, telegram_user: TelegramUser | None) -> Language:
    """The language to use before the user chose one."""
    code = (telegram_user.language_code or "") if telegram_user else ""
    if code.startswith("ru"):
        return "ru"
    if code.startswith("kk"):
        return "kk"
    return services.settings.general.default_language


async def translator_for(update: Update, context: HelplineContext) -> Translator:
    services = context.services
    user = update.effective_user
    stored = await services.users.get(user.id) if user else None
    language = stored.language if stored else language_hint(services, user)
    return services.tr(language)


def emergency_numbers(services: Services, tr: Translator) -> Safe:
    lines = [tr("emergency.title")]
    lines += [
        tr("emergency.line", number=n.number, name=n.name.get(tr.language))
        for n in services.settings.emergency_numbers
    ]
    return Safe("\n".join(lines))


def menu_keyboard(tr: Translator, *, with_center: bool = False) -> InlineKeyboardMarkup:
    """The main menu; `with_center` (a region of several centres) offers changing hers."""

    def button(key: str, data: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(tr(key), callback_data=data)

    rows = [
        [button("menu.sos", MENU_SOS)],
        [button("menu.request", MENU_REQUEST)],
        [button("menu.book", MENU_BOOK), button("menu.appointments", MENU_APPOINTMENTS)],
        [button("menu.contacts", MENU_CONTACTS)],
        [button("menu.hours", MENU_HOURS)],
        [button("menu.language", MENU_LANGUAGE), button("menu.help", MENU_HELP)],
    ]
    if with_center:
        rows.append([button("menu.center", MENU_CENTER)])
    return with_quick_exit(rows, tr)


async def consented_user(update: Update, context: HelplineContext) -> User | None:
    """The user if they gave consent; otherwise asks for it and returns None."""
    telegram_user = update.effective_user
    if telegram_user is None:
        return None
    user = await context.services.users.get(telegram_user.id)
    if user is not None and user.has_consented:
        return user
    tr = await translator_for(update, context)
    await reply(update, tr("consent.required"))
    return None


async def reply(
    update: Update,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    rate_limit_args: Priority | None = None,
) -> None:
    """Answers in the chat the update came from (a message or a button press);
    ``rate_limit_args=URGENT`` for anything about an urgent case."""
    chat = update.effective_chat
    if chat is None:
        return
    bot = update.get_bot()
    if rate_limit_args is not None and isinstance(bot, ExtBot):
        await bot.send_message(chat.id, text, reply_markup=markup, rate_limit_args=rate_limit_args)
        return
    await chat.send_message(text, reply_markup=markup)


async def answer_button(update: Update, text: str | None = None) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text)


async def strip_buttons(update: Update, *, rate_limit_args: Priority | None = None) -> None:
    """Removes the keyboard of the message whose button was pressed. A double tap or an
    old message cannot be edited again; nothing depends on it, so that is not an error."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    message = query.message
    # A message without a keyboard, or one stripped already (the second press of a double
    # tap carries the keyboard it was pressed on): an edit would only meet Telegram's
    # "message is not modified".
    if isinstance(message, Message) and message.reply_markup is None:
        return
    bot = update.get_bot()
    if not _STRIPPED.first_time(bot, message.chat.id, message.message_id):
        return
    with contextlib.suppress(TelegramError):
        if rate_limit_args is not None and isinstance(bot, ExtBot):
            await bot.edit_message_reply_markup(
                query.message.chat.id, query.message.message_id, rate_limit_args=rate_limit_args
            )
        else:
            await query.edit_message_reply_markup(None)


class _StrippedMessages:
    """The messages whose keyboard each running bot removed lately (memory only, bounded:
    a double tap comes within seconds). Keyed by the bot object itself: two bots (a
    restart, a test's fresh emulator) never share what they stripped."""

    LIMIT = 2_000

    def __init__(self) -> None:
        self._by_bot: dict[int, tuple[weakref.ref[object], OrderedDict[tuple[int, int], None]]] = {}

    def first_time(self, bot: object, chat_id: int, message_id: int) -> bool:
        entry = self._by_bot.get(id(bot))
        if entry is None or entry[0]() is not bot:
            entry = (weakref.ref(bot), OrderedDict())
            self._by_bot[id(bot)] = entry
            self._by_bot = {k: v for k, v in self._by_bot.items() if v[0]() is not None}
        seen = entry[1]
        key = (chat_id, message_id)
        if key in seen:
            return False
        seen[key] = None
        if len(seen) > self.LIMIT:
            seen.popitem(last=False)
        return True


_STRIPPED = _StrippedMessages()


def relayable_content(message: Message) -> tuple[MessageKind, str | None, str | None] | None:
    """(kind, text or caption, file id) of what a case relays; None for anything else."""
    if message.text is not None:
        return "text", message.text, None
    if message.voice is not None:
        return "voice", message.caption, message.voice.file_id
    if message.photo:
        return "photo", message.caption, message.photo[-1].file_id
    if message.document is not None:
        return "document", message.caption, message.document.file_id
    return None
