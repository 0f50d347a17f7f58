"""The buttons of appointments: what each carries, and the keyboards built from them.

Button data names an appointment by its id and the version it had when the message was
made (a move bumps it), and a slot by its start as a Unix timestamp: every press is
checked again, so an old or forged button changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.appointments import rules
from bot.appointments.dates import day_label
from bot.config import Service
from bot.domain.slots import FreeSlot
from bot.i18n import Translator
from bot.keyboards import MAX_BUTTONS, with_quick_exit
from storage.appointments import Appointment

COME = "ap:come"
MOVE = "ap:move"
CANCEL = "ap:cancel"
CANCEL_YES = "ap:cancel_yes"
KEEP = "ap:keep"
# Attendance marks on the agenda.
CAME = "ag:came"
NO_SHOW = "ag:miss"


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def appointment_data(prefix: str, appointment: Appointment) -> str:
    return f"{prefix}:{appointment.id}:{appointment.version}"


def user_buttons(tr: Translator, appointment: Appointment) -> InlineKeyboardMarkup:
    return with_quick_exit(
        [
            [
                InlineKeyboardButton(
                    tr("appointment.button.move"), callback_data=appointment_data(MOVE, appointment)
                ),
                InlineKeyboardButton(
                    tr("appointment.button.cancel"),
                    callback_data=appointment_data(CANCEL, appointment),
                ),
            ]
        ],
        tr,
    )


def reminder_buttons(tr: Translator, appointment: Appointment) -> InlineKeyboardMarkup:
    """I'll come, Reschedule / Cancel, and the quick exit: a reminder is a private screen too."""
    return with_quick_exit(
        [
            [
                InlineKeyboardButton(
                    tr("reminder.button.come"), callback_data=appointment_data(COME, appointment)
                )
            ],
            [
                InlineKeyboardButton(
                    tr("appointment.button.move"), callback_data=appointment_data(MOVE, appointment)
                ),
                InlineKeyboardButton(
                    tr("appointment.button.cancel"),
                    callback_data=appointment_data(CANCEL, appointment),
                ),
            ],
        ],
        tr,
    )


def days_keyboard(
    tr: Translator,
    days: list[date],
    page: int,
    *,
    day_data: Callable[[date], str],
    page_data: Callable[[int], str],
    footer: Sequence[InlineKeyboardButton],
) -> InlineKeyboardMarkup:
    """Free days, two per row, paged, then the footer (Back, Cancel), then the quick exit."""
    shown, page = rules.page_of(days, page)
    rows = [
        [button(day_label(day, tr.language), day_data(day)) for day in shown[i : i + 2]]
        for i in range(0, len(shown), 2)
    ]
    pages = rules.page_count(days)
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(button(tr("booking.button.earlier"), page_data(page - 1)))
        if page < pages - 1:
            nav.append(button(tr("booking.button.later"), page_data(page + 1)))
        rows.append(nav)
    rows.append(list(footer))
    return with_quick_exit(rows, tr)


def slot_label(tr: Translator, slot: FreeSlot, service: Service, tz: ZoneInfo) -> str:
    time_text = slot.start.astimezone(tz).strftime("%H:%M")
    if service.capacity > 1:
        return tr.plural("booking.slot_with_seats", slot.seats_left, time=time_text)
    return time_text


def times_keyboard(
    tr: Translator,
    slots: Sequence[FreeSlot],
    service: Service,
    tz: ZoneInfo,
    *,
    slot_data: Callable[[FreeSlot], str],
    footer: Sequence[InlineKeyboardButton],
    with_day: bool = False,
) -> InlineKeyboardMarkup:
    """Free times, three per row (one per row for group services or with the day).

    Then the footer and the quick exit. Telegram refuses more than 100 buttons: a day
    with more free times than fit (very short slots) shows its earliest ones.
    """
    per_row = 1 if service.capacity > 1 or with_day else 3
    slots = slots[: MAX_BUTTONS - len(footer) - 1]

    def label(slot: FreeSlot) -> str:
        text = slot_label(tr, slot, service, tz)
        if with_day:
            return f"{day_label(slot.start.astimezone(tz).date(), tr.language)}, {text}"
        return text

    rows = [
        [button(label(slot), slot_data(slot)) for slot in slots[i : i + per_row]]
        for i in range(0, len(slots), per_row)
    ]
    rows.append(list(footer))
    return with_quick_exit(rows, tr)
