"""What appointments look like in messages: to the user, in reminders, to the staff group.

Shared by the booking handlers, the reminder job and the agenda. Staff messages carry
the code, the service and the time, never who booked; reminders carry no service name
unless the user asked for it (a shared phone shows message previews to whoever holds it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.booking import clock, day_long, relative_day
from bot.config import Settings
from bot.i18n import Safe, Translator
from bot.keyboards import with_quick_exit
from storage.appointments import Appointment, Outgoing

PURPOSE_STAFF_NOTICE = "appointment_notice"
PURPOSE_REMINDER = "appointment_reminder"
PURPOSE_AGENDA = "agenda"

# Button data of an appointment: the id and the version it had when the message was made.
COME = "ap:come"
MOVE = "ap:move"
CANCEL = "ap:cancel"
CANCEL_YES = "ap:cancel_yes"
KEEP = "ap:keep"
# Attendance marks on the agenda.
CAME = "ag:came"
NO_SHOW = "ag:miss"

# Telegram allows 100 buttons in a message; two per entry, and some room.
_ENTRIES_PER_AGENDA_MESSAGE = 40
# Telegram allows 4096 characters; the HTML source is measured (it is never shorter than
# what is shown), with room to spare.
_AGENDA_MESSAGE_LENGTH = 3800
# A note in the agenda is cut to this many characters (the whole note is in the notice).
AGENDA_NOTE_LENGTH = 150


def appointment_data(prefix: str, appointment: Appointment) -> str:
    return f"{prefix}:{appointment.id}:{appointment.version}"


def when(tr: Translator, start: datetime, end: datetime | None, tz: ZoneInfo) -> str:
    """ "четверг, 3 декабря, 10:00–10:45"."""
    local_day = start.astimezone(tz).date()
    if end is None:
        return tr("appointment.when", day=day_long(local_day, tr.language), time=clock(start, tz))
    return tr(
        "appointment.when_range",
        day=day_long(local_day, tr.language),
        start=clock(start, tz),
        end=clock(end, tz),
    )


def relative_when(tr: Translator, start: datetime, now: datetime, tz: ZoneInfo) -> str:
    """ "завтра в 10:00" / "ертең, 10:00"; a date when it is further away."""
    days = relative_day(start, now, tz)
    time_text = clock(start, tz)
    if days == 0:
        return tr("appointment.today_at", time=time_text)
    if days == 1:
        return tr("appointment.tomorrow_at", time=time_text)
    return tr(
        "appointment.when",
        day=day_long(start.astimezone(tz).date(), tr.language),
        time=time_text,
    )


def service_name(settings: Settings, appointment: Appointment, tr: Translator) -> str:
    service = settings.service(appointment.service_id)
    return service.name.get(tr.language) if service else appointment.service_id


def details(settings: Settings, tr: Translator, appointment: Appointment) -> str:
    """The full description the user sees on request: what, when, where, the code."""
    tz = settings.general.timezone
    center = settings.center(appointment.center_id)
    return tr(
        "appointment.details",
        service=service_name(settings, appointment, tr),
        when=when(tr, appointment.starts_at, appointment.ends_at, tz),
        center=center.name.get(tr.language) if center else appointment.center_id,
        address=center.address.get(tr.language) if center else "",
        phone=center.phone if center else "",
        code=appointment.code,
    )


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


def reminder(
    settings: Settings, tr: Translator, appointment: Appointment, now: datetime
) -> Outgoing:
    """ "Reminder: tomorrow at 10:00, code 7KQ-M2F", discreet unless the user opted in."""
    assert appointment.user_id is not None
    tz = settings.general.timezone
    moment = relative_when(tr, appointment.starts_at, now, tz)
    if appointment.name_in_reminders:
        text = tr(
            "reminder.named",
            when=moment,
            service=service_name(settings, appointment, tr),
            code=appointment.code,
        )
    else:
        text = tr("reminder.discreet", when=moment, code=appointment.code)
    return Outgoing(
        chat_id=appointment.user_id,
        params={
            "text": text,
            "parse_mode": "HTML",
            "reply_markup": reminder_buttons(tr, appointment).to_dict(),
        },
        purpose=PURPOSE_REMINDER,
    )


def staff_notice(
    settings: Settings,
    tr: Translator,
    appointment: Appointment,
    kind: str,
    previous_start: datetime | None = None,
) -> Outgoing:
    """New, cancelled or moved: code, service, time; never who."""
    tz = settings.general.timezone
    params = {
        "code": appointment.code,
        "service": service_name(settings, appointment, tr),
        "when": when(tr, appointment.starts_at, appointment.ends_at, tz),
    }
    if kind == "moved" and previous_start is not None:
        text = tr(
            "appointment_notice.moved",
            previous=when(tr, previous_start, None, tz),
            **params,
        )
    elif kind == "cancelled":
        text = tr("appointment_notice.cancelled", **params)
    else:
        text = tr("appointment_notice.new", **params)
        if appointment.note:
            text += "\n" + tr("appointment_notice.note", note=appointment.note)
    return Outgoing(
        chat_id=settings.telegram.staff_chat_id,
        params={"text": text, "parse_mode": "HTML"},
        purpose=PURPOSE_STAFF_NOTICE,
    )


def staff_notices(
    settings: Settings, tr: Translator, kind: str, previous_start: datetime | None = None
) -> _NoticeBuilder:
    return _NoticeBuilder(settings, tr, kind, previous_start)


class _NoticeBuilder:
    """The `notices` callable the repository calls with the stored appointment."""

    def __init__(
        self, settings: Settings, tr: Translator, kind: str, previous_start: datetime | None
    ) -> None:
        self._settings = settings
        self._tr = tr
        self._kind = kind
        self._previous_start = previous_start

    def __call__(self, appointment: Appointment) -> Sequence[Outgoing]:
        return [
            staff_notice(self._settings, self._tr, appointment, self._kind, self._previous_start)
        ]


# ------------------------------------------------------------------ the agenda


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
