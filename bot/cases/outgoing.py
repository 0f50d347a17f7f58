"""How a message about a case is addressed: the outbox purposes, the staff group's
placement (the case's forum topic, or under its card), and the user's chat.

Identity rule: whatever goes to the staff group is built from the case (code, category,
texts) and never from the Telegram user.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.domain.language import Language
from storage.cases import Case
from storage.cases.messages import CARD_KINDS as CARD_KINDS
from storage.unit_of_work import OutboxWriter, Transaction
from storage.users import UserRepository

# The write boundary (Services.write): a change and its outbox rows in one transaction,
# delivery woken after COMMIT.
Write = Callable[[], AbstractAsyncContextManager[Transaction]]

# Outbox purposes; the delivery hooks (bot/cases/delivery_hooks.py) are registered for them.
CARD = "case_card"  # the first card in the staff group
REPOST = "case_repost"  # a re-alert nobody took
# Reposts whose first line stays true once the case is taken: their own kinds keep it.
NOW_URGENT = "case_now_urgent"  # the alert when a case turns urgent later
SOS_AGAIN = "case_sos_again"  # "Danger now" pressed again on an open case
PART = "case_part"  # the rest of a long card, the story's voice notes
RELAY = "case_relay"  # the user's messages, in batches
NOTICE = "case_notice"  # what the bot tells staff about a case
CARD_EDIT = "case_card_edit"
TOPIC_CLOSE = "case_topic_close"
DUTY_ALERT = "case_duty_alert"  # a direct message to the on-duty psychologist or a backup
TO_USER = "case_user"  # anything for the user: staff replies, "taken", "closed"
STAFF_ANSWER = "case_staff_answer"  # the last part of a staff reply: staff see it arrive
ANSWER_MARK = "case_answer_mark"  # a reaction on the staff member's answer: it arrived
# The bot's answer to what she just did (the numbers after /sos, "alerted"): never held
# for her safety, unlike what staff write or cause (bot/contact_safety.py).
ANSWER_TO_USER = "case_user_answer"
REGION = "case_region"  # the region group: an urgent case its centre has not taken
HANDOVER = "case_handover"  # the old centre's card, edited to say where the case went
ERASED = "case_erased"  # forget-me: cards made code-free, the case's messages deleted

# What a delivered group message is linked as (case_staff_messages.kind).
GROUP_KINDS = {
    CARD: "card",
    REPOST: "repost",
    NOW_URGENT: "now_urgent",
    SOS_AGAIN: "sos_again",
    PART: "relay",
    RELAY: "relay",
    NOTICE: "notice",
    # Linked so that forget-me finds it; a reply there reaches nobody.
    REGION: "region",
}
# The staff-group messages that carry a case's buttons, as sent and as linked.
CARD_PURPOSES = (CARD, REPOST, NOW_URGENT, SOS_AGAIN)

SEND_METHOD: dict[str, str] = {
    "voice": "sendVoice",
    "photo": "sendPhoto",
    "document": "sendDocument",
}


def html(text: str, markup: InlineKeyboardMarkup | None = None, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"text": text, "parse_mode": "HTML", **extra}
    if markup is not None:
        params["reply_markup"] = markup.to_dict()
    return params


def placement(case: Case, *, reply_to_card: bool, home: bool = True) -> dict[str, Any]:
    """Where a message about the case goes in the staff group: its topic, or under its card.

    Not `home`: a group that hears a case without a centre beside another one, where the
    card's message id would point at some other message."""
    if not home:
        return {}
    if case.topic_id is not None:
        return {"message_thread_id": case.topic_id}
    if reply_to_card and case.card_message_id is not None:
        return {
            "reply_parameters": {
                "message_id": case.card_message_id,
                "allow_sending_without_reply": True,
            }
        }
    return {}


async def to_staff(
    outbox: OutboxWriter,
    staff_chat_id: int,
    case: Case,
    params: dict[str, Any],
    purpose: str,
    method: str = "sendMessage",
) -> int:
    return await outbox.add(
        chat_id=staff_chat_id,
        method=method,
        params=params,
        purpose=purpose,
        ref=case.id,
        # Everything about an urgent case overtakes booking notices in the group's queue.
        priority=1 if case.urgent else 0,
    )


async def to_user(
    outbox: OutboxWriter,
    case: Case,
    params: dict[str, Any],
    method: str = "sendMessage",
    purpose: str = TO_USER,
) -> int:
    assert case.user_id is not None
    return await outbox.add(
        chat_id=case.user_id,
        method=method,
        params=params,
        purpose=purpose,
        ref=case.id,
        priority=1 if case.urgent else 0,
    )


async def user_language(users: UserRepository, case: Case) -> Language:
    """The language the user chose last, else the one the case was opened in."""
    if case.user_id is None:
        return case.language
    user = await users.get(case.user_id)
    return user.language if user else case.language
