"""Moving a booked appointment: free days, free times, "move?", the move.

No conversation state: every button carries the appointment, its version and the
choice so far, and nothing is typed, so each press is checked again on its own.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from telegram import Update
from telegram.error import TelegramError

from bot.appointments import rules
from bot.appointments.dates import day_long
from bot.appointments.keyboards import (
    KEEP,
    MOVE,
    appointment_data,
    button,
    days_keyboard,
    times_keyboard,
    user_buttons,
)
from bot.appointments.messages import details, when
from bot.appointments.service import Outcome, TakenSeats
from bot.config import Service
from bot.context import HelplineContext, Services
from bot.i18n import Safe, Translator
from handlers.common import (
    reply,
    strip_buttons,
    with_quick_exit,
)
from handlers.private.appointments.pressed import button_parts, pressed_appointment, refuse
from handlers.private.booking.shared import offer_times, unavailable_key
from storage.appointments import Appointment


def _service_of(services: Services, appointment: Appointment) -> Service | None:
    return services.settings.service(appointment.service_id)


def _rs(prefix: str, appointment: Appointment, tail: str | int) -> str:
    return f"rs:{prefix}:{appointment.id}:{appointment.version}:{tail}"


async def _ask_new_day(
    update: Update,
    context: HelplineContext,
    tr: Translator,
    appointment: Appointment,
    *,
    lead: str | None = None,
    page: int = 0,
    edit: bool = False,
) -> None:
    services = context.services
    service = _service_of(services, appointment)
    stop = button(tr("appointment.button.keep_time"), appointment_data(KEEP, appointment))
    if service is None:
        await reply(update, tr("appointment.service_gone", code=appointment.code))
        return
    tz = services.settings.general.timezone
    days = services.appointments.open_days(await services.appointments.taken_seats(service))
    if not days:
        await reply(
            update,
            tr("appointment.no_days_to_move", code=appointment.code),
            with_quick_exit([[stop]], tr),
        )
        return
    markup = days_keyboard(
        tr,
        days,
        page,
        day_data=lambda day: _rs("day", appointment, day.isoformat()),
        page_data=lambda number: _rs("page", appointment, number),
        footer=[stop],
    )
    query = update.callback_query
    if edit and query is not None:
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(markup)
        return
    text = tr(
        "appointment.ask_new_day",
        code=appointment.code,
        when=when(tr, appointment.starts_at, appointment.ends_at, tz),
    )
    await reply(update, f"{lead}\n\n{text}" if lead else text, markup)


async def ask_new_day(update: Update, context: HelplineContext) -> None:
    """ap:move: the free days of the same service."""
    pressed = await pressed_appointment(update, context)
    if pressed is None:
        return
    _user, tr, appointment = pressed
    await strip_buttons(update)
    await _ask_new_day(update, context, tr, appointment)


async def page_new_days(update: Update, context: HelplineContext) -> None:
    """rs:page:<id>:<version>:<n>: other free days, in the same message."""
    pressed = await pressed_appointment(update, context)
    parts = button_parts(update)
    if pressed is None or len(parts) != 5 or not parts[4].isdigit():
        return
    _user, tr, appointment = pressed
    await _ask_new_day(update, context, tr, appointment, page=int(parts[4]), edit=True)


async def ask_new_time(update: Update, context: HelplineContext) -> None:
    """rs:day:<id>:<version>:<date>: the free times of that day."""
    pressed = await pressed_appointment(update, context)
    if pressed is None:
        return
    _user, tr, appointment = pressed
    parts = button_parts(update)
    day = rules.parse_day(parts[4]) if len(parts) == 5 else None
    services = context.services
    service = _service_of(services, appointment)
    await strip_buttons(update)
    if day is None or service is None:
        await _ask_new_day(update, context, tr, appointment, lead=tr("booking.day_unavailable"))
        return
    seats = await services.appointments.taken_seats(service)
    slots = [
        slot
        for slot in services.appointments.slots_on(seats, day)
        if slot.start != appointment.starts_at
    ]
    if not slots:
        await _ask_new_day(update, context, tr, appointment, lead=tr("booking.day_unavailable"))
        return
    markup = times_keyboard(
        tr,
        slots,
        service,
        services.settings.general.timezone,
        slot_data=lambda slot: _rs("time", appointment, rules.timestamp(slot.start)),
        footer=[
            button(tr("booking.button.back"), appointment_data(MOVE, appointment)),
            button(tr("appointment.button.keep_time"), appointment_data(KEEP, appointment)),
        ],
    )
    await reply(
        update,
        tr("appointment.ask_new_time", day=day_long(day, tr.language), code=appointment.code),
        markup,
    )


async def ask_move(update: Update, context: HelplineContext) -> None:
    """rs:time:<id>:<version>:<start>: asks to confirm the move."""
    pressed = await pressed_appointment(update, context)
    if pressed is None:
        return
    _user, tr, appointment = pressed
    services = context.services
    tz = services.settings.general.timezone
    parts = button_parts(update)
    start = rules.from_timestamp(parts[4], tz) if len(parts) == 5 else None
    service = _service_of(services, appointment)
    await strip_buttons(update)
    if start is None or service is None:
        await _ask_new_day(update, context, tr, appointment, lead=tr("booking.time_unavailable"))
        return
    seats = await services.appointments.taken_seats(service)
    slot = services.appointments.offered_slot(seats, start)
    if slot is None:
        await _offer_new_times(
            update, context, tr, appointment, seats, start, "booking.time_unavailable"
        )
        return
    markup = with_quick_exit(
        [
            [button(tr("appointment.button.move_yes"), _rs("ok", appointment, parts[4]))],
            [
                button(
                    tr("booking.button.back"),
                    _rs("day", appointment, slot.start.astimezone(tz).date().isoformat()),
                ),
                button(tr("appointment.button.keep_time"), appointment_data(KEEP, appointment)),
            ],
        ],
        tr,
    )
    await reply(
        update,
        tr(
            "appointment.ask_move",
            code=appointment.code,
            old=when(tr, appointment.starts_at, appointment.ends_at, tz),
            new=when(tr, slot.start, slot.end, tz),
        ),
        markup,
    )


async def _offer_new_times(
    update: Update,
    context: HelplineContext,
    tr: Translator,
    appointment: Appointment,
    seats: TakenSeats,
    after: datetime,
    lead_key: str,
) -> None:
    await offer_times(
        update,
        context,
        tr,
        seats,
        after=after,
        lead_key=lead_key,
        slot_data=lambda slot: _rs("time", appointment, rules.timestamp(slot.start)),
        footer=[
            button(tr("booking.button.other_day"), appointment_data(MOVE, appointment)),
            button(tr("appointment.button.keep_time"), appointment_data(KEEP, appointment)),
        ],
        skip=appointment.starts_at,
    )


async def move(update: Update, context: HelplineContext) -> None:
    """rs:ok:<id>:<version>:<start>: takes the new seat, frees the old, tells staff."""
    pressed = await pressed_appointment(update, context)
    if pressed is None:
        return
    user, tr, appointment = pressed
    services = context.services
    settings = services.settings
    tz = settings.general.timezone
    parts = button_parts(update)
    start = rules.from_timestamp(parts[4], tz) if len(parts) == 5 else None
    service = _service_of(services, appointment)
    await strip_buttons(update)
    if start is None or service is None:
        await _ask_new_day(update, context, tr, appointment, lead=tr("booking.time_unavailable"))
        return
    appointments = services.appointments
    seats = await appointments.taken_seats(service)
    slot = appointments.offered_slot(seats, start)
    if slot is None:
        reason = appointments.why_unavailable(seats, start)
        await _offer_new_times(
            update,
            context,
            tr,
            appointment,
            seats,
            start,
            unavailable_key(reason or rules.Unavailable.GONE),
        )
        return
    result = await appointments.move(user.user_id, appointment.id, appointment.version, slot)
    if result.outcome is Outcome.SLOT_TAKEN:
        seats = await appointments.taken_seats(service)
        await _offer_new_times(update, context, tr, appointment, seats, start, "booking.just_taken")
        return
    if result.outcome is Outcome.SAME_TIME:
        await reply(update, tr("appointment.same_time", code=appointment.code))
        return
    if result.outcome is Outcome.OVERLAP and result.other is not None:
        await _ask_new_day(
            update,
            context,
            tr,
            appointment,
            lead=tr(
                "booking.overlap",
                code=result.other.code,
                when=when(tr, result.other.starts_at, None, tz),
            ),
        )
        return
    if not result.ok or result.appointment is None:
        await refuse(update, services, tr, result)
        return
    await reply(
        update,
        tr("appointment.moved", details=Safe(details(settings, tr, result.appointment))),
        user_buttons(tr, result.appointment),
    )
