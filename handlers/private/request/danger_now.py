""" "Danger now" (/sos): the numbers at once, then an urgent case and who was alerted."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.cases import NUMBERS, AlarmStatus, Person, Sos
from bot.context import HelplineContext
from bot.rate_limits import URGENT
from handlers.common import (
    answer_button,
    emergency_numbers,
    language_hint,
    reply,
    strip_buttons,
    with_quick_exit,
)
from handlers.private.alarm_answer import alarm_texts, tell
from handlers.private.request.states import END, SOS_CONSENT, button, drop_draft

logger = logging.getLogger(__name__)

# How long /sos waits for the numbers sent directly before it goes on to open the case:
# a rate-limited Telegram (429) may hold a send for minutes, and the alert must not wait.
# Numbers not sent by then go with the status through the outbox (retried, in order).
NUMBERS_WAIT = 3.0


async def consent_and_sos(update: Update, context: HelplineContext) -> int:
    """The one-tap consent under /sos: the tap is the consent (stored with the language by
    the alarm); the numbers are on the screen just above, so the answer does not repeat them."""
    return await _alert(update, context, numbers_on_screen=True)


async def sos(update: Update, context: HelplineContext) -> int:
    """One tap: the numbers at once, sent directly; then the alarm (a new urgent case, or
    the open case turns urgent) and what it says, with the quick exit on the last message."""
    return await _alert(update, context, numbers_on_screen=False)


async def _alert(update: Update, context: HelplineContext, numbers_on_screen: bool) -> int:
    await answer_button(update)
    drop_draft(context)
    services = context.services
    telegram_user = update.effective_user
    assert telegram_user is not None
    hint = language_hint(services, telegram_user)
    try:
        user = await services.users.get(telegram_user.id)
    except Exception:
        # Even with the database gone, the numbers go out (and the user is told the truth).
        logger.exception("/sos could not read the user")
        tr = services.tr(hint)
        await reply(
            update,
            f"{emergency_numbers(services, tr)}\n\n{tr('sos.failed')}",
            with_quick_exit([], tr),
            rate_limit_args=URGENT,
        )
        return END
    language = user.language if user else hint
    tr = services.tr(language)
    quick_exit = with_quick_exit([], tr)
    numbers = emergency_numbers(services, tr)
    # The numbers confirm nothing, so they wait for nothing: not the rota, not the database.
    # They go while the alarm is raised (the card and the alerts do not wait for them). If
    # Telegram fails them, or holds them back, they go with the status through the outbox
    # (retried, in order).
    sending = (
        None
        if numbers_on_screen
        else asyncio.create_task(_send_numbers(update, numbers, quick_exit))
    )

    async def numbers_left() -> list[str]:
        left: list[str] = [] if sending is None or await sending else [numbers]
        # The pressed message loses its buttons only now: the quick exit is on screen.
        await strip_buttons(update, rate_limit_args=URGENT)
        return left

    person = Person(telegram_user.id, language)
    try:
        alarm = await services.cases.raise_alarm(person, Sos(consents=numbers_on_screen))
    except Exception:
        # The user has the numbers; they are told to use them, and the error is logged.
        logger.exception("an urgent alarm could not be raised")
        await reply(
            update,
            "\n\n".join([*await numbers_left(), tr("sos.failed")]),
            quick_exit,
            rate_limit_args=URGENT,
        )
        return END
    tr = services.tr(alarm.language)
    keys = alarm.told(numbers_on_screen=numbers_on_screen)
    left = await numbers_left()
    # The numbers go as a message of their own (when not sent directly), the status after.
    lead = left if NUMBERS in keys else []
    status = alarm_texts(services, tr, tuple(k for k in keys if k != NUMBERS), alarm.code)
    markup = quick_exit
    if alarm.status is AlarmStatus.NO_CONSENT:
        # Nothing may be stored without consent, but the numbers are always given, and
        # consent is one tap away: someone in danger must not walk through /start first.
        markup = with_quick_exit([[button(tr("sos.consent_and_alert"), SOS_CONSENT)]], tr)
    await tell(update, services, alarm, [*lead, status], markup)
    return END


async def _send_numbers(update: Update, numbers: str, quick_exit: InlineKeyboardMarkup) -> bool:
    """The numbers sent directly; False if Telegram failed them or held them too long."""
    try:
        async with asyncio.timeout(NUMBERS_WAIT):
            await reply(update, numbers, quick_exit, rate_limit_args=URGENT)
    except (TelegramError, TimeoutError) as error:
        logger.warning("the emergency numbers could not be sent directly: %s", type(error).__name__)
        return False
    return True
