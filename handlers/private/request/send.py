"""Entering and leaving the request flow, and "Send": the draft becomes a case."""

from __future__ import annotations

from telegram import Update

from bot.cases import DailyLimitReached, OpenedCase
from bot.context import HelplineContext, Services
from bot.domain.alarm import NUMBERS, status_after, what_she_is_told
from bot.i18n import Translator
from handlers.common import (
    answer_button,
    consented_user,
    emergency_numbers,
    menu_keyboard,
    reply,
    strip_buttons,
    translator_for,
)
from handlers.private.alarm_answer import alarm_texts
from handlers.private.request.prompts import ask_category
from handlers.private.request.states import END, Awaiting, draft_of, drop_draft
from storage.users import User


async def refusal(services: Services, user: User, tr: Translator) -> str | None:
    """Why no new case can be opened now (blocked, open case, daily limit), or None."""
    cases = services.cases
    if await cases.is_user_blocked(user.user_id):
        return tr("request.not_accepted", numbers=emergency_numbers(services, tr))
    open_case = await cases.open_case_of(user.user_id)
    if open_case is not None:
        return tr("request.already_open", code=open_case.code)
    if await cases.cases_today(user.user_id) >= services.settings.limits.cases_per_day:
        return tr("request.daily_limit", numbers=emergency_numbers(services, tr))
    return None


async def start_request(update: Update, context: HelplineContext) -> Awaiting | int:
    """/request or the menu: checks consent, an open case and the daily limit; asks the category."""
    await answer_button(update)
    user = await consented_user(update, context)
    if user is None:
        return END
    tr = context.services.tr(user.language)
    refused = await refusal(context.services, user, tr)
    if refused is not None:
        await reply(update, refused)
        return END
    drop_draft(context)
    draft_of(context)
    return await ask_category(update, tr)


async def cancel(update: Update, context: HelplineContext) -> int:
    """/cancel or Cancel: forgets the draft; nothing was stored."""
    await answer_button(update)
    await strip_buttons(update)
    drop_draft(context)
    tr = await translator_for(update, context)
    await reply(update, tr("request.cancelled"), menu_keyboard(tr))
    return END


async def end_silently(update: Update, context: HelplineContext) -> int:
    """The quick exit ran: the draft goes, nothing is said (the exit left its message)."""
    drop_draft(context)
    return END


async def cancel_outside_flow(update: Update, context: HelplineContext) -> None:
    tr = await translator_for(update, context)
    await reply(update, tr("request.nothing_to_cancel"), menu_keyboard(tr))


async def confirm(update: Update, context: HelplineContext) -> int:
    """Send: stores the case with its card and alerts, then tells the user the code."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    await query.answer()
    await strip_buttons(update)
    services = context.services
    user = await services.users.get(update.effective_user.id)
    draft = draft_of(context)
    if user is None or not user.has_consented or not draft.category:
        drop_draft(context)
        tr = await translator_for(update, context)
        await reply(update, tr("consent.required"))
        return END
    tr = services.tr(user.language)
    refused = await refusal(services, user, tr)
    if refused is not None:
        drop_draft(context)
        await reply(update, refused)
        return END
    try:
        opened = await services.cases.open_request(
            user_id=user.user_id,
            language=user.language,
            category=draft.category,
            story_texts=draft.texts,
            story_voice=draft.voices,
            screen=draft.screen,
            reply_by=draft.reply_by,
            callback_phone=draft.phone,
            not_safe_to_talk=draft.not_safe,
        )
    except DailyLimitReached:
        drop_draft(context)
        await reply(update, tr("request.daily_limit", numbers=emergency_numbers(services, tr)))
        return END
    numbers_shown = draft.numbers_shown
    drop_draft(context)
    await _tell_opened(update, services, tr, opened, numbers_shown)
    return END


async def _tell_opened(
    update: Update, services: Services, tr: Translator, opened: OpenedCase, numbers_shown: bool
) -> None:
    case = opened.case
    if case.urgent:
        # The numbers are the first thing an urgent user sees, unless the flow showed them
        # already (when the danger came up): the same block twice is skimmed over. What
        # she is told is the alarm's word (bot/domain/alarm.py), as after a /sos.
        status = status_after(taken=case.taken_at is not None, on_duty=bool(opened.on_duty))
        keys = what_she_is_told(status, numbers_on_screen=numbers_shown, asked_nothing=False)
        numbers = [emergency_numbers(services, tr)] if NUMBERS in keys else []
        said = alarm_texts(services, tr, tuple(k for k in keys if k != NUMBERS), case.code)
        await services.cases.tell_user(case, [*numbers, said])
        return
    key = "request.opened_call" if case.reply_by == "call" else "request.opened"
    await reply(update, tr(key, code=case.code))
