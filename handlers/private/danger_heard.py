"""Danger heard in every state: any text a person writes in a private chat is read for
words of danger, whatever flow is open (or none, or before /start).

On danger words the person gets the emergency numbers at once and one button that sends
this very text to a psychologist now, as an urgent case; that is the one answer to the
text. The listener sits in an early handler group and stops the update there, so no flow,
relay or fallback answers it a second time; the flow the person was in never saw the text
and goes on where it was. The text stays in memory (`UserData`) until the tap: it is
stored only when the person chose to send it. The tap raises the alarm
(`Cases.raise_alarm`, bot/cases/alarm.py), as /sos does.

Where the text already reaches someone who answers danger, the listener stays silent and
lets the text go on, so nobody gets two answers: the request flow's story steps (the
numbers come with the next question) and an open case's conversation relay (it raises the
alarm).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.cases import DangerText, Person
from bot.context import HelplineContext
from bot.domain.triage import find_danger_signals
from bot.rate_limits import URGENT
from handlers.common import (
    MENU_SOS,
    answer_button,
    emergency_numbers,
    language_hint,
    reply,
    strip_buttons,
    with_quick_exit,
)
from handlers.private.alarm_answer import alarm_texts, tell
from handlers.private.request.states import SOS_CONSENT, Awaiting, button
from storage.urgent_lock import mark_urgent

logger = logging.getLogger(__name__)

SEND_DANGER_PREFIX = "danger:send:"
# Texts waiting for a tap, per person; the oldest go first (a person in danger taps the
# newest offer, and memory stays small whatever is typed).
_HELD_KEY = "danger_texts"
_HELD_MAX = 5
# The request flow's steps that take a text as the story and alert on danger themselves.
_STORY_STEPS = frozenset({Awaiting.STORY, Awaiting.REPLY_CHOICE})


def is_urgent_update(update: object) -> bool:
    """A /sos, its buttons, or "send this to a psychologist now": handled before anything
    else waiting, and its database work first (bot/updates.py)."""
    if not isinstance(update, Update):
        return False
    if update.callback_query is not None:
        data = update.callback_query.data or ""
        return data in (MENU_SOS, SOS_CONSENT) or data.startswith(SEND_DANGER_PREFIX)
    words = (update.message.text or "").split() if update.message is not None else []
    return bool(words) and words[0].split("@")[0] == "/sos"


async def listen(update: Update, context: HelplineContext) -> None:
    """Reads the text for danger; on danger words answers with the numbers and the button,
    and that is her one answer: no flow, relay or fallback answers the text too (the flow
    she was in stays where it was). Silent where the text reaches someone who answers
    danger once by themselves: a request's story step, an open case's conversation."""
    message = update.effective_message
    telegram_user = update.effective_user
    if message is None or message.text is None or telegram_user is None:
        return
    if not find_danger_signals(message.text):
        return
    # Whatever this update does next (an answer, a relay into a case) is urgent work.
    mark_urgent()
    services = context.services
    user = await services.users.get(telegram_user.id)
    if _request_flow_takes_story(update, context):
        return
    if user is not None and user.has_consented and not _some_flow_takes(update, context):
        case = await services.cases.open_case_of(user.user_id)
        if case is not None and not case.blocked:
            # The conversation relay adds it to the case and raises the alarm.
            return
    tr = services.tr(user.language if user else language_hint(services, telegram_user))
    token = _hold(context, message.text)
    offer = with_quick_exit([[button(tr("danger.send_now"), SEND_DANGER_PREFIX + token)]], tr)
    await reply(
        update,
        tr("danger.heard", numbers=emergency_numbers(services, tr)),
        offer,
        rate_limit_args=URGENT,
    )
    logger.info("danger words heard outside a story step")
    # Stopping here skips the later groups, the quick exit's note of message ids among
    # them (handlers/private/safety.py): noted here, so a quick exit still deletes it.
    services.message_log.note_update(update)
    raise ApplicationHandlerStop


async def send_now(update: Update, context: HelplineContext) -> None:
    """The tap: the held text raises the alarm (the tap is her consent where she had not
    given it): a new urgent case, or into her open case, which turns urgent. The tap is
    this handler's alone: no flow sees it."""
    query = update.callback_query
    telegram_user = update.effective_user
    assert query is not None and telegram_user is not None
    await answer_button(update)
    await strip_buttons(update, rate_limit_args=URGENT)
    services = context.services
    text = _take(context, (query.data or "")[len(SEND_DANGER_PREFIX) :])
    person = Person(
        telegram_user.id, language_hint(services, telegram_user), _poster_center(context)
    )
    alarm = await services.cases.raise_alarm(person, DangerText(text))
    tr = services.tr(alarm.language)
    # The numbers are on the screen she pressed: not repeated (but to a blocked person).
    keys = alarm.told(numbers_on_screen=True)
    await tell(
        update,
        services,
        alarm,
        [alarm_texts(services, tr, keys, alarm.code)],
        with_quick_exit([], tr),
    )
    raise ApplicationHandlerStop


def _poster_center(context: HelplineContext) -> str | None:
    """A centre a poster's /start link named before she consented: hers now, if she has
    none (bot/cases/alarm.py), so her case goes to that centre, not to every centre."""
    if context.user_data is None:
        return None
    named = context.user_data.preselected_center
    context.user_data.preselected_center = None
    return named


def _hold(context: HelplineContext, text: str) -> str:
    assert context.user_data is not None
    held: dict[str, str] = context.user_data.setdefault(_HELD_KEY, {})
    while len(held) >= _HELD_MAX:
        del held[next(iter(held))]
    token = secrets.token_urlsafe(8)
    held[token] = text
    return token


def _take(context: HelplineContext, token: str) -> str:
    """The held text ("" when a restart or the quick exit forgot it)."""
    held = context.user_data.get(_HELD_KEY, {}) if context.user_data is not None else {}
    text = held.pop(token, "")
    return text if isinstance(text, str) else ""


def _conversations(context: HelplineContext) -> list[ConversationHandler[Any]]:
    return [
        handler
        for handlers in context.application.handlers.values()
        for handler in handlers
        if isinstance(handler, ConversationHandler)
    ]


def _request_flow_takes_story(update: Update, context: HelplineContext) -> bool:
    for conversation in _conversations(context):
        if conversation.name != "request":
            continue
        found = conversation.check_update(update)
        if isinstance(found, tuple) and found[0] in _STORY_STEPS:
            return True
    return False


def _some_flow_takes(update: Update, context: HelplineContext) -> bool:
    """Whether an open flow takes this text (so the conversation relay will not see it)."""
    return any(
        conversation.check_update(update) is not None for conversation in _conversations(context)
    )


def build_early_handlers() -> list[BaseHandler[Update, HelplineContext, None]]:
    private = filters.ChatType.PRIVATE
    text = private & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    return [
        MessageHandler(text, listen),
        CallbackQueryHandler(send_now, pattern=f"^{SEND_DANGER_PREFIX}"),
    ]
