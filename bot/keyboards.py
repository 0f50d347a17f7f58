"""The quick exit, the last row of every keyboard a villager sees in a private chat.

Someone who shares a phone with the person who hurts them must be able to wipe the chat
from whatever screen is open when that person walks in, so every private-chat keyboard
ends with the same button, in the same place. It lives here, not in handlers/, because
reminders (built by the reminder job in bot/) carry it too. Staff-group keyboards (case
cards, the agenda, /stats) never get it: the quick exit works in private chats only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator

# The button's data; handlers/safety.py answers it before any flow sees it.
QUICK_EXIT = "menu:exit"
# Telegram refuses a message with more inline buttons than this (the quick exit included).
MAX_BUTTONS = 100


def quick_exit_button(tr: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(tr("menu.exit"), callback_data=QUICK_EXIT)


def with_quick_exit(
    rows: Iterable[Sequence[InlineKeyboardButton]], tr: Translator
) -> InlineKeyboardMarkup:
    """The rows (empty ones dropped), then the quick exit alone on the last row."""
    kept = [list(row) for row in rows if row]
    return InlineKeyboardMarkup([*kept, [quick_exit_button(tr)]])
