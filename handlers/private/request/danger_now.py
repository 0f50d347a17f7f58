""" "Danger now" (/sos): the numbers at once, then an urgent case and who was alerted."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.cases import Case
from bot.cases.intake import DailyLimitReached
from bot.context import HelplineContext, Services
from bot.domain.case_rules import UNKNOWN_CATEGORY
from bot.domain.triage import UrgencyReason
from bot.rate_limits import URGENT
from handlers.common import (
    answer_button,
    emergency_numbers,
    language_hint,
    reply,
    strip_buttons,
    with_quick_exit,
)
from handlers.private.request.send import urgent_status
from handlers.private.request.states import END, SOS_CONSENT, button, drop_draft

logger = logging.getLogger(__name__)

# How long /sos waits for the numbers sent directly before it goes on to open the case:
# a rate-limited Telegram (429) may hold a send for minutes, and the alert must not wait.
# Numbers not sent by then go with the status through the outbox (retried, in order).
NUMBERS_WAIT = 3.0


async def consent_and_sos(update: Update, context: HelplineContext) -> int:
    """The one-tap consent under /sos: stores the language and the consent, then alerts."""
    services = context.services
    telegram_user = update.effective_user
    assert telegram_user is not None
    now = services.clock.now()
    if await services.users.get(telegram_user.id) is None:
        await services.users.set_language(
            telegram_user.id, language_hint(services, telegram_user), now
        )
    await services.users.give_consent(telegram_user.id, now)
    # The numbers are on the screen just above the button: the alert does not repeat them.
    return await _alert(update, context, numbers_on_screen=True)


async def sos(update: Update, context: HelplineContext) -> int:
    """One tap: the numbers at once, sent directly; then an urgent case (or the open case
    turns urgent) and who was alerted, with the quick exit on the last message."""
    return await _alert(update, context, numbers_on_screen=False)


async def _alert(update: Update, context: HelplineContext, numbers_on_screen: bool) -> int:
    await answer_button(update)
    drop_draft(context)
    services = context.services
    telegram_user = update.effective_user
    assert telegram_user is not None
    try:
        user = await services.users.get(telegram_user.id)
    except Exception:
        # Even with the database gone, the numbers go out (and the user is told the truth).
        logger.exception("/sos could not read the user")
        tr = services.tr(language_hint(services, telegram_user))
        await reply(
            update,
            f"{emergency_numbers(services, tr)}\n\n{tr('sos.failed')}",
            with_quick_exit([], tr),
            rate_limit_args=URGENT,
        )
        return END
    tr = services.tr(user.language) if user else services.tr(language_hint(services, telegram_user))
    quick_exit = with_quick_exit([], tr)
    numbers = emergency_numbers(services, tr)
    # The numbers confirm nothing, so they wait for nothing: not the rota, not the database.
    # They go while the case is opened (the card and the alerts do not wait for them). If
    # Telegram fails them, or holds them back, they go with the status through the outbox
    # (retried, in order): every message below asks `numbers_left()` first.
    sending = (
        None
        if numbers_on_screen
        else asyncio.create_task(_send_numbers(update, numbers, quick_exit))
    )
    left: list[str] | None = None

    async def numbers_left() -> list[str]:
        nonlocal left
        if left is None:
            left = [] if sending is None or await sending else [numbers]
            # The pressed message loses its buttons only now: the quick exit is on screen.
            await strip_buttons(update, rate_limit_args=URGENT)
        return left

    if user is None or not user.has_consented:
        # Nothing may be stored without consent, but the numbers are always given, and
        # consent is one tap away: someone in danger must not walk through /start first.
        one_tap = with_quick_exit([[button(tr("sos.consent_and_alert"), SOS_CONSENT)]], tr)
        await reply(
            update,
            "\n\n".join([*await numbers_left(), tr("sos.no_consent")]),
            one_tap,
            rate_limit_args=URGENT,
        )
        return END
    cases = services.cases
    if await cases.is_user_blocked(user.user_id):
        if await numbers_left():
            await reply(update, numbers, quick_exit, rate_limit_args=URGENT)
        return END
    open_case = await cases.open_case_of(user.user_id)
    if open_case is not None:
        on_duty = await _sos_on_open_case(services, open_case)
        status = urgent_status(tr, open_case, on_duty)
        await cases.intake.tell_user(open_case, [*await numbers_left(), status], quick_exit)
        return END
    try:
        opened = await cases.intake.open_case(
            user_id=user.user_id,
            language=user.language,
            category=UNKNOWN_CATEGORY,
            story_texts=[],
            story_voice=[],
            screen=None,
            reply_by="chat",
            callback_phone=None,
            sos=True,
        )
    except DailyLimitReached:
        text = tr("request.daily_limit_sos")
        await reply(
            update, "\n\n".join([*await numbers_left(), text]), quick_exit, rate_limit_args=URGENT
        )
        return END
    except Exception:
        # The user has the numbers; they are told to use them, and the error is logged.
        logger.exception("an urgent case could not be opened")
        await reply(
            update,
            "\n\n".join([*await numbers_left(), tr("sos.failed")]),
            quick_exit,
            rate_limit_args=URGENT,
        )
        return END
    status = urgent_status(tr, opened.case, opened.on_duty)
    await cases.intake.tell_user(
        opened.case,
        [*await numbers_left(), status + "\n\n" + tr("sos.write_if_you_can")],
        quick_exit,
    )
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


async def _sos_on_open_case(services: Services, case: Case) -> list[int]:
    intake = services.cases.intake
    if not case.urgent:
        changed = await intake.make_urgent(case, [UrgencyReason.SOS_BUTTON])
        if changed is not None:
            return changed.on_duty
    # A double tap (the status is only shown again) alerts nobody a second time.
    await intake.sos_again(case)
    return await intake.on_duty_now(case.center_id)
