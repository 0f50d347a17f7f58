"""The staff group's agenda as messages: one service's day per message, with marks.

Entries carry the code, the time, the marks and a shortened note, never who booked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.appointments.dates import clock, day_long
from bot.appointments.keyboards import CAME, NO_SHOW
from bot.config import Settings
from bot.i18n import Safe, Translator
from storage.appointments import Appointment

PURPOSE_AGENDA = "agenda"
# An agenda message redrawn by forget-me (its ref is the agenda record, like the sending's).
PURPOSE_AGENDA_ERASED = "agenda_erased"

# Telegram allows 100 buttons in a message; two per entry, and some room.
_ENTRIES_PER_AGENDA_MESSAGE = 40
# Telegram allows 4096 characters; the HTML source is measured (it is never shorter than
# what is shown), with room to spare.
_AGENDA_MESSAGE_LENGTH = 3800
# A note in the agenda is cut to this many characters (the whole note is in the notice).
AGENDA_NOTE_LENGTH = 150


def agenda_groups(
    appointments: Sequence[Appointment],
) -> list[tuple[str, str, list[Appointment]]]:
    """(centre, service, entries) in the order storage gave them (centre, service, time)."""
    groups: list[tuple[str, str, list[Appointment]]] = []
    for appointment in appointments:
        if groups and groups[-1][:2] == (appointment.center_id, appointment.service_id):
            groups[-1][2].append(appointment)
        else:
            groups.append((appointment.center_id, appointment.service_id, [appointment]))
    return groups


def _entry_line(tr: Translator, appointment: Appointment, tz: ZoneInfo) -> str:
    marks = []
    if appointment.attendance == "came":
        marks.append(tr("agenda.mark.came"))
    elif appointment.attendance == "no_show":
        marks.append(tr("agenda.mark.no_show"))
    elif appointment.confirmed_at is not None:
        marks.append(tr("agenda.mark.confirmed"))
    line = tr(
        "agenda.entry",
        time=clock(appointment.starts_at, tz),
        code=appointment.code,
        marks=Safe(" ".join(marks)),
    ).rstrip()
    if appointment.note:
        line += "\n" + tr("agenda.note", note=shorten(appointment.note, AGENDA_NOTE_LENGTH))
    elif appointment.voice_note:
        # The voice itself is in the group, under the appointment's notice.
        line += "\n" + tr("agenda.voice_note")
    return line


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, "…" at the end when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def agenda_message(
    settings: Settings,
    tr: Translator,
    day: date,
    center_id: str,
    service_id: str,
    entries: Sequence[Appointment],
    *,
    with_buttons: bool,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One service's day: a line per appointment and "came"/"did not come" buttons."""
    tz = settings.general.timezone
    center = settings.center(center_id)
    service = settings.service(service_id)
    lines = [
        tr(
            "agenda.title",
            day=day_long(day, tr.language),
            center=center.name.get(tr.language) if center else center_id,
            service=service.name.get(tr.language) if service else service_id,
            count=len(entries),
        )
    ]
    lines += [_entry_line(tr, entry, tz) for entry in entries]
    if not with_buttons:
        return "\n".join(lines), None
    rows = [
        [
            InlineKeyboardButton(
                tr("agenda.button.came", code=entry.code), callback_data=f"{CAME}:{entry.id}"
            ),
            InlineKeyboardButton(
                tr("agenda.button.no_show", code=entry.code), callback_data=f"{NO_SHOW}:{entry.id}"
            ),
        ]
        for entry in entries
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _chunk_bounds(
    settings: Settings, tr: Translator, day: date, entries: Sequence[Appointment]
) -> list[tuple[int, int]]:
    """[first, end) of each message of one service's day: at most 40 entries and
    ``_AGENDA_MESSAGE_LENGTH`` characters each (an entry is never split)."""
    if not entries:
        return []
    tz = settings.general.timezone
    title, _ = agenda_message(
        settings, tr, day, entries[0].center_id, entries[0].service_id, [], with_buttons=False
    )
    # The title's count grows by a few digits at most.
    room = _AGENDA_MESSAGE_LENGTH - len(title) - 8
    bounds: list[tuple[int, int]] = []
    first, used = 0, 0
    for index, entry in enumerate(entries):
        size = len(_entry_line(tr, entry, tz)) + 1
        if index > first and (index - first >= _ENTRIES_PER_AGENDA_MESSAGE or used + size > room):
            bounds.append((first, index))
            first, used = index, 0
        used += size
    bounds.append((first, len(entries)))
    return bounds


@dataclass(frozen=True)
class AgendaPart:
    """One agenda message and the appointments it lists, in order (forget-me redraws it)."""

    text: str
    markup: InlineKeyboardMarkup | None
    appointment_ids: tuple[int, ...]


def agenda_chunks(
    settings: Settings,
    tr: Translator,
    day: date,
    center_id: str,
    service_id: str,
    entries: Sequence[Appointment],
) -> list[AgendaPart]:
    """One service's day, split into messages within Telegram's button and length limits."""
    parts = []
    for first, end in _chunk_bounds(settings, tr, day, entries):
        chunk = entries[first:end]
        text, markup = agenda_message(
            settings, tr, day, center_id, service_id, chunk, with_buttons=True
        )
        parts.append(AgendaPart(text, markup, tuple(entry.id for entry in chunk)))
    return parts


def agenda_chunk_with(
    settings: Settings,
    tr: Translator,
    day: date,
    entries: Sequence[Appointment],
    appointment_id: int,
) -> AgendaPart | None:
    """The agenda message (of one service's day) that holds this appointment, redrawn,
    with the appointments it now lists (forget-me must know them)."""
    index = next((i for i, entry in enumerate(entries) if entry.id == appointment_id), None)
    if index is None:
        return None
    first, end = next(b for b in _chunk_bounds(settings, tr, day, entries) if b[0] <= index < b[1])
    chunk = entries[first:end]
    text, markup = agenda_message(
        settings, tr, day, chunk[0].center_id, chunk[0].service_id, chunk, with_buttons=True
    )
    return AgendaPart(text, markup, tuple(entry.id for entry in chunk))


def agenda_messages(
    settings: Settings,
    tr: Translator,
    day: date,
    appointments: Sequence[Appointment],
) -> list[AgendaPart]:
    """The whole day's agenda: one message (or more) per centre and service."""
    if not appointments:
        return [AgendaPart(tr("agenda.empty", day=day_long(day, tr.language)), None, ())]
    messages = []
    for center_id, service_id, entries in agenda_groups(appointments):
        messages += agenda_chunks(settings, tr, day, center_id, service_id, entries)
    return messages


def message_params(text: str, markup: InlineKeyboardMarkup | None) -> dict[str, Any]:
    """sendMessage / editMessageText parameters of an agenda message."""
    return {
        "text": text,
        "parse_mode": "HTML",
        **({"reply_markup": markup.to_dict()} if markup is not None else {}),
    }
