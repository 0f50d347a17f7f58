"""The booking's buttons: each one keeps its choice in the draft and asks the next question.

Every choice is checked again against the config and the database: old, forged or
outdated buttons get a clear answer and change nothing.
"""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError

from bot.appointments import rules
from bot.appointments.draft import BookingDraft
from bot.context import HelplineContext
from bot.i18n import Translator
from handlers.common import menu_keyboard, reply, strip_buttons
from handlers.private.booking.questions import (
    END,
    UNCHANGED,
    Next,
    ask_center,
    ask_day,
    ask_naming,
    ask_note,
    ask_service,
    ask_time,
    days_markup,
    draft_for,
    live_draft,
    offer_alternatives,
    say_interrupted,
    say_stale,
    show_summary,
)
from handlers.private.booking.shared import button_data, pressed_by


async def start(update: Update, context: HelplineContext) -> Next:
    """/book or the menu: checks the daily limit, asks the centre (or the service)."""
    pressed = await pressed_by(update, context)
    if pressed is None:
        return END
    user, tr = pressed
    services = context.services
    if await services.appointments.daily_limit_reached(user.user_id):
        await reply(update, limit_text(context, tr), menu_keyboard(tr))
        return END
    assert context.user_data is not None
    context.user_data.booking = None
    draft = draft_for(update, context)
    centers = services.settings.centers
    # Her own centre first; the others are one button away.
    own = services.settings.center(user.center_id) if user.center_id else None
    if len(centers) == 1 or own is not None:
        return await ask_service(update, context, tr, draft, own or centers[0])
    return await ask_center(update, context, tr, draft)


def limit_text(context: HelplineContext, tr: Translator) -> str:
    services = context.services
    centers = services.settings.centers
    return tr(
        "booking.daily_limit",
        limit=services.appointments.daily_limit,
        phone=centers[0].phone if centers else "",
    )


async def back_to_centers(update: Update, context: HelplineContext) -> Next:
    """bk:centers: the list of centres again."""
    pressed = await pressed_by(update, context)
    if pressed is None:
        return UNCHANGED
    _user, tr = pressed
    await strip_buttons(update)
    return await ask_center(update, context, tr, draft_for(update, context))


async def choose_center(update: Update, context: HelplineContext) -> Next:
    """bk:center:<id> (or Back to the services): asks the service."""
    pressed = await pressed_by(update, context)
    if pressed is None:
        return UNCHANGED
    _user, tr = pressed
    data = button_data(update).split(":")
    center = context.services.settings.center(data[2]) if len(data) == 3 else None
    if center is None:
        await say_stale(update, tr)
        return UNCHANGED
    await strip_buttons(update)
    return await ask_service(update, context, tr, draft_for(update, context), center)


async def choose_service(update: Update, context: HelplineContext) -> Next:
    """bk:service:<id> (or Back to the days): asks the day."""
    pressed = await pressed_by(update, context)
    if pressed is None:
        return UNCHANGED
    _user, tr = pressed
    data = button_data(update).split(":")
    service = context.services.settings.service(data[2]) if len(data) == 3 else None
    if service is None:
        await say_stale(update, tr)
        return UNCHANGED
    await strip_buttons(update)
    return await ask_day(update, context, tr, draft_for(update, context), service)


async def page_days(update: Update, context: HelplineContext) -> Next:
    """bk:page:<service>:<n>: the same question, other days (the message is edited)."""
    pressed = await pressed_by(update, context)
    if pressed is None:
        return UNCHANGED
    _user, tr = pressed
    appointments = context.services.appointments
    data = button_data(update).split(":")
    service = context.services.settings.service(data[2]) if len(data) == 4 else None
    query = update.callback_query
    if service is None or not data[3].isdigit() or query is None:
        await say_stale(update, tr)
        return UNCHANGED
    days = appointments.open_days(await appointments.taken_seats(service))
    if not days:
        await strip_buttons(update)
        return await ask_day(update, context, tr, draft_for(update, context), service)
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(days_markup(tr, service, days, int(data[3])))
    return UNCHANGED


async def choose_day(update: Update, context: HelplineContext) -> Next:
    """bk:day:<service>:<date> (or Back to the times): asks the time."""
    pressed = await pressed_by(update, context)
    if pressed is None:
        return UNCHANGED
    _user, tr = pressed
    data = button_data(update).split(":")
    service = context.services.settings.service(data[2]) if len(data) == 4 else None
    day = rules.parse_day(data[3]) if len(data) == 4 else None
    if service is None or day is None:
        await say_stale(update, tr)
        return UNCHANGED
    await strip_buttons(update)
    return await ask_time(update, context, tr, draft_for(update, context), service, day)


async def choose_time(update: Update, context: HelplineContext) -> Next:
    """bk:time:<service>:<start>: keeps the time, asks for a note."""
    return await _take_time(update, context, keep_details=False)


async def choose_alternative(update: Update, context: HelplineContext) -> Next:
    """bk:alt:<service>:<start>: another time after "just taken"; the note is kept."""
    return await _take_time(update, context, keep_details=True)


async def _take_time(update: Update, context: HelplineContext, *, keep_details: bool) -> Next:
    pressed = await pressed_by(update, context)
    if pressed is None:
        return UNCHANGED
    _user, tr = pressed
    services = context.services
    tz = services.settings.general.timezone
    data = button_data(update).split(":")
    service = services.settings.service(data[2]) if len(data) == 4 else None
    start = rules.from_timestamp(data[3], tz) if len(data) == 4 else None
    if service is None or start is None:
        await say_stale(update, tr)
        return UNCHANGED
    draft = draft_for(update, context)
    seats = await services.appointments.taken_seats(service)
    slot = services.appointments.offered_slot(seats, start)
    await strip_buttons(update)
    if slot is None:
        full = services.appointments.why_unavailable(seats, start) is rules.Unavailable.FULL
        return await offer_alternatives(
            update,
            context,
            tr,
            draft,
            seats,
            start,
            "booking.time_unavailable",
            full=start if full else None,
        )
    keep = keep_details and draft.note_decided and draft.service_id == service.id
    draft.service_id = service.id
    draft.center_id = service.center
    draft.day = slot.start.astimezone(tz).date()
    draft.slot = slot
    if keep:
        return await show_summary(update, context, tr, draft)
    draft.note = draft.voice_note = None
    draft.note_decided = False
    return await ask_note(update, context, tr, draft)


async def back_to_note(update: Update, context: HelplineContext) -> Next:
    """bk:note: Back from the reminder choice to the note."""
    found = await _draft_with_time(update, context)
    if found is None:
        return UNCHANGED
    draft, tr = found
    await strip_buttons(update)
    return await ask_note(update, context, tr, draft)


async def skip_note(update: Update, context: HelplineContext) -> Next:
    """bk:skipnote: no note; asks about reminders."""
    found = await _draft_with_time(update, context)
    if found is None:
        return UNCHANGED
    draft, tr = found
    await strip_buttons(update)
    draft.note = draft.voice_note = None
    draft.note_decided = True
    return await ask_naming(update, context, tr, draft)


async def choose_naming(update: Update, context: HelplineContext) -> Next:
    """bk:naming:0|1: keeps the choice, shows the summary."""
    found = await _draft_with_time(update, context)
    if found is None:
        return UNCHANGED
    draft, tr = found
    await strip_buttons(update)
    draft.name_in_reminders = button_data(update).endswith(":1")
    return await show_summary(update, context, tr, draft)


async def back_to_naming(update: Update, context: HelplineContext) -> Next:
    """bk:naming: Back from the summary."""
    found = await _draft_with_time(update, context)
    if found is None:
        return UNCHANGED
    draft, tr = found
    await strip_buttons(update)
    return await ask_naming(update, context, tr, draft)


async def _draft_with_time(
    update: Update, context: HelplineContext
) -> tuple[BookingDraft, Translator] | None:
    """For buttons that only make sense inside a live booking with a chosen time."""
    pressed = await pressed_by(update, context)
    if pressed is None:
        return None
    _user, tr = pressed
    draft = live_draft(context)
    if draft is None or draft.slot is None:
        await strip_buttons(update)
        await say_interrupted(update, tr)
        return None
    return draft, tr
