"""What booking and moving an appointment share: the button preamble and the answer
"this time was just taken (or is gone): here are the next free times"."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from telegram import InlineKeyboardButton, Update

from bot.appointments import rules
from bot.appointments.keyboards import times_keyboard
from bot.appointments.service import TakenSeats
from bot.context import HelplineContext
from bot.domain.slots import FreeSlot
from bot.i18n import Translator
from handlers.common import answer_button, consented_user, reply, with_quick_exit
from storage.users import User


async def pressed_by(update: Update, context: HelplineContext) -> tuple[User, Translator] | None:
    """Every booking button starts so: the press is answered, the presser must have
    consented (else they are told so), and their texts are looked up."""
    await answer_button(update)
    user = await consented_user(update, context)
    if user is None:
        return None
    return user, context.services.tr(user.language)


def button_data(update: Update) -> str:
    query = update.callback_query
    return query.data if query is not None and query.data is not None else ""


def unavailable_key(reason: rules.Unavailable) -> str:
    """What the user is told about a time that cannot be booked."""
    return "booking.just_taken" if reason is rules.Unavailable.FULL else "booking.time_unavailable"


async def offer_times(
    update: Update,
    context: HelplineContext,
    tr: Translator,
    seats: TakenSeats,
    *,
    after: datetime,
    lead_key: str,
    slot_data: Callable[[FreeSlot], str],
    footer: Sequence[InlineKeyboardButton],
    skip: datetime | None = None,
) -> None:
    """The next free times after `after` (moving a booked appointment skips its own)."""
    appointments = context.services.appointments
    found = appointments.alternatives(seats, after, skip=skip)
    if not found:
        await reply(
            update,
            tr(lead_key) + "\n\n" + tr("booking.no_alternatives"),
            with_quick_exit([footer], tr),
        )
        return
    markup = times_keyboard(
        tr,
        found,
        seats.service,
        context.services.settings.general.timezone,
        slot_data=slot_data,
        footer=footer,
        with_day=True,
    )
    await reply(update, tr(lead_key) + "\n\n" + tr("booking.alternatives"), markup)
