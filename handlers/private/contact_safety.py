"""What she tells us about her safety: "it is safe to talk now" (the button on a staff
answer while she said it was not), and the hours it is safe to write to her (the menu).

```mermaid
flowchart TD
    menu[menu: When to write to me] --> W{morning / day / evening / any time}
    W -->|any time| saved[(hours cleared)]
    W -->|a window| D{every day / weekdays only}
    D --> stored[(hours stored; held messages judged afresh; staff told)]
    talk[button on a staff answer: safe to talk now] --> cases[(her cases stop warning; staff told)]
```
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.cases.safety_notices import SAFE_AGAIN
from bot.config import Settings
from bot.contact_safety import describe_hours
from bot.context import HelplineContext
from bot.domain.contact_safety import SAFE_WINDOWS, SafeHours
from bot.i18n import Translator
from handlers.common import (
    MENU_HOURS,
    answer_button,
    consented_user,
    menu_keyboard,
    reply,
    strip_buttons,
    with_quick_exit,
)
from storage.users import User

_HOURS = "hours:"
_ANY = "any"
_DAYS = ("all", "weekdays")


async def _her(update: Update, context: HelplineContext) -> User | None:
    """The press answered; she, if she consented and it is her private chat (a villager's
    screen never goes to a group)."""
    await answer_button(update)
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        return None
    return await consented_user(update, context)


def _button(tr: Translator, key: str, data: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(tr(key), callback_data=data)]


async def ask_hours(update: Update, context: HelplineContext) -> None:
    """Offers the windows (and "any time"); nothing is stored before a choice."""
    user = await _her(update, context)
    if user is None:
        return
    tr = context.services.tr(user.language)
    rows = [_button(tr, f"safe_hours.{name}", f"{_HOURS}{name}") for name in SAFE_WINDOWS]
    rows.append(_button(tr, "safe_hours.any", f"{_HOURS}{_ANY}"))
    await reply(update, tr("safe_hours.ask"), with_quick_exit(rows, tr))


async def choose_window(update: Update, context: HelplineContext) -> None:
    """A window asks "every day or weekdays only?"; "any time" is stored at once."""
    user = await _her(update, context)
    query = update.callback_query
    if user is None or query is None or query.data is None:
        return
    await strip_buttons(update)
    tr = context.services.tr(user.language)
    name = query.data.removeprefix(_HOURS)
    if name == _ANY:
        await context.services.contact_safety.set_hours(user.user_id, None)
        await reply(update, tr("safe_hours.saved_any"), menu_keyboard(tr))
        return
    rows = [_button(tr, f"safe_hours.days_{days}", f"{_HOURS}{name}:{days}") for days in _DAYS]
    await reply(update, tr("safe_hours.ask_days"), with_quick_exit(rows, tr))


async def choose_days(update: Update, context: HelplineContext) -> None:
    """Stores the hours; what waits for her is judged afresh by them."""
    user = await _her(update, context)
    query = update.callback_query
    if user is None or query is None or query.data is None:
        return
    await strip_buttons(update)
    name, days = query.data.removeprefix(_HOURS).split(":")
    hours = SafeHours(SAFE_WINDOWS[name], weekdays_only=days == "weekdays")
    await context.services.contact_safety.set_hours(user.user_id, hours)
    tr = context.services.tr(user.language)
    text = tr("safe_hours.saved", hours=describe_hours(tr, hours))
    await reply(update, text, menu_keyboard(tr))


async def safe_to_talk_again(update: Update, context: HelplineContext) -> None:
    """She says it is safe to talk now: staff may offer a call again."""
    user = await _her(update, context)
    if user is None:
        return
    await strip_buttons(update)
    await context.services.cases.safe_to_talk_again(user.user_id)
    await reply(update, context.services.tr(user.language)("safe_talk.noted"))


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    windows = "|".join(SAFE_WINDOWS)
    return [
        CallbackQueryHandler(ask_hours, pattern=f"^{MENU_HOURS}$"),
        CallbackQueryHandler(choose_window, pattern=f"^{_HOURS}({windows}|{_ANY})$"),
        CallbackQueryHandler(choose_days, pattern=f"^{_HOURS}({windows}):({'|'.join(_DAYS)})$"),
        CallbackQueryHandler(safe_to_talk_again, pattern=f"^{SAFE_AGAIN}$"),
    ]
