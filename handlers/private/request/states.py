"""What the request flow waits for, its button data, and the draft in the user's memory."""

from __future__ import annotations

import enum

from telegram import InlineKeyboardButton
from telegram.ext import ConversationHandler

from bot.context import HelplineContext
from bot.domain.request_draft import RequestDraft
from bot.i18n import Translator


class Awaiting(enum.IntEnum):
    """The request flow's states, each named for what the bot waits for."""

    CATEGORY = enum.auto()
    SAFETY_ANSWER = enum.auto()
    SCREEN_CHOICE = enum.auto()
    SCREEN_ANSWER = enum.auto()
    OTHER_DANGER = enum.auto()
    OTHER_CHILD = enum.auto()
    STORY = enum.auto()
    REPLY_CHOICE = enum.auto()
    PHONE = enum.auto()
    CONFIRMATION = enum.auto()


END = ConversationHandler.END

BACK = "req:back"
CANCEL = "req:cancel"
SOS_CONSENT = "sos:consent"
SEND = "req:send"


def draft_of(context: HelplineContext) -> RequestDraft:
    """The user's draft; a fresh one if the flow has none (a restart forgot it)."""
    assert context.user_data is not None
    if context.user_data.request_draft is None:
        context.user_data.request_draft = RequestDraft()
    return context.user_data.request_draft


def drop_draft(context: HelplineContext) -> None:
    if context.user_data is not None:
        context.user_data.request_draft = None


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def nav(tr: Translator, back: bool = True) -> list[InlineKeyboardButton]:
    row = [button(tr("request.back"), BACK)] if back else []
    return [*row, button(tr("request.cancel"), CANCEL)]
