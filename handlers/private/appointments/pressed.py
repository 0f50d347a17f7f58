"""Which appointment a button names, checked: the presser's own, still booked, still
ahead, at the version the message showed; anything else changes nothing and says why."""

from __future__ import annotations

import logging

from telegram import Update

from bot.appointments.keyboards import (
    button,
    user_buttons,
)
from bot.appointments.messages import when
from bot.appointments.service import Outcome, Result
from bot.context import HelplineContext, Services
from bot.i18n import Translator
from handlers.common import (
    MENU_APPOINTMENTS,
    reply,
    with_quick_exit,
)
from handlers.private.booking.shared import pressed_by
from storage.appointments import Appointment
from storage.users import User

logger = logging.getLogger(__name__)


def button_parts(update: Update) -> list[str]:
    query = update.callback_query
    return (query.data or "").split(":") if query is not None else []


def _ids(parts: list[str]) -> tuple[int, int] | None:
    """The (appointment id, version) of "prefix:action:<id>:<version>[:...]"."""
    if len(parts) < 4 or not parts[2].isdigit() or not parts[3].isdigit():
        return None
    return int(parts[2]), int(parts[3])


async def checked(
    update: Update, context: HelplineContext, user: User, tr: Translator
) -> Appointment | None:
    """The presser's own, still booked, still ahead appointment at the button's version."""
    services = context.services
    ids = _ids(button_parts(update))
    if ids is None:
        await refuse(update, services, tr, Result(Outcome.NOT_FOUND))
        return None
    checked = await services.appointments.checked(user.user_id, *ids)
    appointment = checked.appointment
    if not checked.ok or appointment is None:
        await refuse(update, services, tr, checked)
        return None
    if appointment.starts_at <= services.clock.now():
        await reply(update, tr("appointment.past", code=appointment.code))
        return None
    return appointment


async def refuse(update: Update, services: Services, tr: Translator, result: Result) -> None:
    """Why a button changed nothing."""
    logger.info("refused an appointment button (%s)", result.outcome.value)
    appointment = result.appointment
    if result.outcome is Outcome.CANCELLED and appointment is not None:
        await reply(update, tr("appointment.already_cancelled", code=appointment.code))
    elif result.outcome is Outcome.OUTDATED and appointment is not None:
        await reply(
            update,
            tr(
                "appointment.outdated",
                code=appointment.code,
                when=when(
                    tr,
                    appointment.starts_at,
                    appointment.ends_at,
                    services.settings.general.timezone,
                ),
            ),
            user_buttons(tr, appointment),
        )
    else:
        await reply(
            update,
            tr("appointment.not_yours"),
            with_quick_exit([[button(tr("menu.appointments"), MENU_APPOINTMENTS)]], tr),
        )


async def pressed_appointment(
    update: Update, context: HelplineContext
) -> tuple[User, Translator, Appointment] | None:
    """The consented presser, their texts, and the appointment their button names, checked
    (their own, still booked, still ahead, at the button's version); None when refused."""
    found = await pressed_by(update, context)
    if found is None:
        return None
    user, tr = found
    appointment = await checked(update, context, user, tr)
    return None if appointment is None else (user, tr, appointment)
