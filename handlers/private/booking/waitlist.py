"""The waitlist's buttons: "tell me when a seat frees" under a full slot's answer, and
the offer's "book" when a seat was freed and held for her (bot/appointments/waitlist.py)."""

from __future__ import annotations

from telegram import Update

from bot.appointments import rules
from bot.appointments.keyboards import button
from bot.appointments.messages import details
from bot.appointments.waitlist import JOIN_PREFIX, TAKE_PREFIX
from bot.context import HelplineContext
from bot.i18n import Safe
from handlers.common import MENU_APPOINTMENTS, reply, strip_buttons, with_quick_exit
from handlers.private.booking.questions import END, UNCHANGED, Next, drop_draft, say_stale
from handlers.private.booking.shared import button_data, pressed_by


async def join(update: Update, context: HelplineContext) -> Next:
    """wl:join:<service>:<start>: she waits for a seat at that time."""
    pressed = await pressed_by(update, context)
    if pressed is None:
        return UNCHANGED
    user, tr = pressed
    services = context.services
    service_id, _, stamp = button_data(update).removeprefix(JOIN_PREFIX).partition(":")
    service = services.settings.service(service_id)
    start = rules.from_timestamp(stamp, services.settings.general.timezone)
    if service is None or start is None:
        await say_stale(update, tr)
        return UNCHANGED
    appointments = services.appointments
    seats = await appointments.taken_seats(service)
    outcome = await appointments.waitlist.join(user.user_id, service, start, dict(seats.taken))
    await strip_buttons(update)
    drop_draft(context)
    await reply(update, tr(f"waitlist.{outcome}"), with_quick_exit([], tr))
    return END


async def take(update: Update, context: HelplineContext) -> Next:
    """wl:take:<entry>: the held seat is booked, or the offer has run out."""
    pressed = await pressed_by(update, context)
    if pressed is None:
        return UNCHANGED
    user, tr = pressed
    services = context.services
    entry_id = int(button_data(update).removeprefix(TAKE_PREFIX))
    result = await services.appointments.take_held_seat(user.user_id, entry_id)
    await strip_buttons(update)
    if not result.ok or result.appointment is None:
        await reply(update, tr("waitlist.expired"), with_quick_exit([], tr))
        return END
    markup = with_quick_exit(
        [
            [button(tr("menu.appointments"), MENU_APPOINTMENTS)],
            [button(tr("booking.button.menu"), "bk:menu")],
        ],
        tr,
    )
    text = tr(
        "booking.booked",
        details=Safe(details(services.settings, tr, result.appointment)),
        code=result.appointment.code,
    )
    await reply(update, text, markup)
    return END
