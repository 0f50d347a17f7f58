"""My appointments: the list with codes; "I'll come", cancel (after "are you sure?"), keep."""

from __future__ import annotations

from telegram import Update

from bot.appointments.keyboards import (
    CANCEL_YES,
    KEEP,
    appointment_data,
    button,
    user_buttons,
)
from bot.appointments.messages import details, when
from bot.context import HelplineContext
from handlers.common import (
    MENU_BOOK,
    menu_keyboard,
    reply,
    strip_buttons,
    with_quick_exit,
)
from handlers.private.appointments.pressed import pressed_appointment, refuse
from handlers.private.booking.shared import pressed_by

_LISTED = 10


async def list_appointments(update: Update, context: HelplineContext) -> None:
    """/appointments or the menu: each upcoming appointment with its code and buttons."""
    pressed = await pressed_by(update, context)
    if pressed is None:
        return
    user, tr = pressed
    services = context.services
    upcoming = await services.appointments.store.upcoming_for_user(
        user.user_id, services.clock.now()
    )
    if not upcoming:
        await reply(
            update,
            tr("appointment.none"),
            with_quick_exit([[button(tr("menu.book"), MENU_BOOK)]], tr),
        )
        return
    await reply(update, tr.plural("appointment.list_title", len(upcoming)))
    for appointment in upcoming[:_LISTED]:
        await reply(
            update, details(services.settings, tr, appointment), user_buttons(tr, appointment)
        )
    if len(upcoming) > _LISTED:
        await reply(update, tr.plural("appointment.more", len(upcoming) - _LISTED))


# ------------------------------------------------------------------ I'll come


async def will_come(update: Update, context: HelplineContext) -> None:
    """ap:come: notes that the user will come (staff see it on the agenda)."""
    pressed = await pressed_appointment(update, context)
    if pressed is None:
        return
    user, tr, appointment = pressed
    services = context.services
    result = await services.appointments.confirm_coming(
        user.user_id, appointment.id, appointment.version
    )
    if not result.ok or result.appointment is None:
        await refuse(update, services, tr, result)
        return
    await strip_buttons(update)
    center = services.settings.center(appointment.center_id)
    await reply(
        update,
        tr(
            "appointment.will_come",
            when=when(tr, appointment.starts_at, None, services.settings.general.timezone),
            address=center.address.get(tr.language) if center else "",
            code=appointment.code,
        ),
        user_buttons(tr, result.appointment),
    )


# ------------------------------------------------------------------ cancel


async def ask_cancel(update: Update, context: HelplineContext) -> None:
    """ap:cancel: asks to be sure (a tap on a reminder is easily a mistake)."""
    pressed = await pressed_appointment(update, context)
    if pressed is None:
        return
    _user, tr, appointment = pressed
    tz = context.services.settings.general.timezone
    markup = with_quick_exit(
        [
            [
                button(
                    tr("appointment.button.cancel_yes"), appointment_data(CANCEL_YES, appointment)
                ),
                button(tr("appointment.button.keep"), appointment_data(KEEP, appointment)),
            ]
        ],
        tr,
    )
    await reply(
        update,
        tr(
            "appointment.ask_cancel",
            code=appointment.code,
            when=when(tr, appointment.starts_at, appointment.ends_at, tz),
        ),
        markup,
    )


async def cancel(update: Update, context: HelplineContext) -> None:
    """ap:cancel_yes: cancels; the seat is free for others at once; staff are told."""
    pressed = await pressed_appointment(update, context)
    if pressed is None:
        return
    user, tr, appointment = pressed
    services = context.services
    settings = services.settings
    result = await services.appointments.cancel(user.user_id, appointment.id, appointment.version)
    if not result.ok:
        await refuse(update, services, tr, result)
        return
    await strip_buttons(update)
    await reply(
        update,
        tr(
            "appointment.cancelled",
            code=appointment.code,
            when=when(tr, appointment.starts_at, None, settings.general.timezone),
        ),
        with_quick_exit([[button(tr("menu.book"), MENU_BOOK)]], tr),
    )


async def keep(update: Update, context: HelplineContext) -> None:
    """ap:keep: nothing changes."""
    pressed = await pressed_appointment(update, context)
    if pressed is None:
        return
    _user, tr, appointment = pressed
    await strip_buttons(update)
    await reply(update, tr("appointment.kept", code=appointment.code), menu_keyboard(tr))
