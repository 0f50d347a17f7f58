"""Danger heard in every state: any text a person writes in a private chat is read for
words of danger, whatever flow is open (or none, or before /start).

On danger words the person gets the emergency numbers at once and one button that sends
this very text to a psychologist now, as an urgent case. The listener sits in an early
handler group and never stops the update, so the flow the person was in still gets the
text and goes on where it was. The text stays in memory (`UserData`) until the tap: it is
stored only when the person chose to send it.

Where the text already reaches someone who reacts to danger, the listener stays silent,
so nobody gets the numbers twice: the request flow's story steps (they alert themselves)
and an open case's conversation relay (it turns the case urgent).
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

from bot.cases import Case
from bot.cases.intake import DailyLimitReached
from bot.context import HelplineContext, Services
from bot.domain.case_rules import UNKNOWN_CATEGORY
from bot.domain.triage import UrgencyReason, find_danger_signals
from bot.i18n import Translator
from handlers.common import (
    MENU_SOS,
    answer_button,
    emergency_numbers,
    language_hint,
    reply,
    strip_buttons,
    with_quick_exit,
)
from handlers.private.request.send import urgent_status
from handlers.private.request.states import SOS_CONSENT, Awaiting, button
from storage.urgent_lock import mark_urgent
from storage.users import User

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
    """Reads the text for danger; on danger words answers with the numbers and the button.
    Never stops the update: the flow's own handler runs next, as if nobody had listened."""
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
            # The conversation relay adds it to the case and alerts (bot/cases/relay.py).
            return
    tr = services.tr(user.language if user else language_hint(services, telegram_user))
    token = _hold(context, message.text)
    offer = with_quick_exit([[button(tr("danger.send_now"), SEND_DANGER_PREFIX + token)]], tr)
    await reply(update, tr("danger.heard", numbers=emergency_numbers(services, tr)), offer)
    logger.info("danger words heard outside a story step")


async def send_now(update: Update, context: HelplineContext) -> None:
    """The tap: consent where it was not given, then the text as an urgent case (or into
    the open case, which turns urgent). The tap is this handler's alone: no flow sees it."""
    query = update.callback_query
    telegram_user = update.effective_user
    assert query is not None and telegram_user is not None
    await answer_button(update)
    await strip_buttons(update)
    services = context.services
    text = _take(context, (query.data or "")[len(SEND_DANGER_PREFIX) :])
    user = await _consenting_user(services, telegram_user)
    await _poster_center(context, user)
    tr = services.tr(user.language)
    quick_exit = with_quick_exit([], tr)
    cases = services.cases
    if await cases.is_user_blocked(user.user_id):
        await reply(update, emergency_numbers(services, tr), quick_exit)
        raise ApplicationHandlerStop
    case = await cases.open_case_of(user.user_id)
    if case is not None:
        await _into_open_case(services, tr, case, text)
        raise ApplicationHandlerStop
    try:
        opened = await cases.intake.open_case(
            user_id=user.user_id,
            language=user.language,
            category=UNKNOWN_CATEGORY,
            story_texts=[text] if text else [],
            story_voice=[],
            screen=None,
            reply_by="chat",
            callback_phone=None,
            # A text forgotten by a restart still alerts: the person asked for help now.
            sos=not text,
        )
    except DailyLimitReached:
        await reply(update, tr("request.daily_limit_sos"), quick_exit)
        raise ApplicationHandlerStop from None
    status = urgent_status(tr, opened.case, opened.on_duty)
    await cases.intake.tell_user(opened.case, [status], quick_exit)
    raise ApplicationHandlerStop


async def _into_open_case(services: Services, tr: Translator, case: Case, text: str) -> None:
    cases = services.cases
    if text:
        await cases.relay.add_user_message(case, "text", text, None)
    reasons = [UrgencyReason.DANGER_WORDS if text else UrgencyReason.SOS_BUTTON]
    on_duty: list[int]
    turned = await cases.intake.make_urgent(case, reasons, text or None)
    if turned is not None:
        on_duty = turned.on_duty
    else:
        await cases.intake.sos_again(case)
        on_duty = await cases.intake.on_duty_now(case.center_id)
    await cases.intake.tell_user(case, [urgent_status(tr, case, on_duty)], with_quick_exit([], tr))


async def _consenting_user(services: Services, telegram_user: Any) -> User:
    """The person, with the consent stored by this tap where it was not given yet (the
    button said the text goes to a psychologist: pressing it is the consent, as under /sos)."""
    now = services.clock.now()
    user = await services.users.get(telegram_user.id)
    if user is None:
        await services.users.set_language(
            telegram_user.id, language_hint(services, telegram_user), now
        )
    if user is None or not user.has_consented:
        await services.users.give_consent(telegram_user.id, now)
        user = await services.users.get(telegram_user.id)
    assert user is not None
    return user


async def _poster_center(context: HelplineContext, user: User) -> None:
    """A centre a poster's /start link named before she consented is hers now: her case
    goes to that centre, not to every centre of the region."""
    named = context.user_data.preselected_center if context.user_data is not None else None
    if named is None or user.center_id is not None:
        return
    assert context.user_data is not None
    context.user_data.preselected_center = None
    if context.services.settings.center(named) is not None:
        await context.services.users.set_center(user.user_id, named)


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
