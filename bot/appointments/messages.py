"""What appointments look like in messages: to the user, in reminders, to the staff group.

Shared by the booking handlers, the reminder job and the agenda. Staff messages carry
the code, the service and the time, never who booked; reminders carry no service name
unless the user asked for it (a shared phone shows message previews to whoever holds it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.appointments.dates import clock, day_long, relative_day
from bot.appointments.keyboards import reminder_buttons
from bot.config import Settings
from bot.i18n import Translator
from storage.appointments import Appointment

PURPOSE_STAFF_NOTICE = "appointment_notice"
# A voice note, sent to the staff group under the notice of the new appointment.
PURPOSE_STAFF_VOICE = "appointment_voice"
PURPOSE_REMINDER = "appointment_reminder"


@dataclass(frozen=True)
class Outgoing:
    """A message for the outbox: to whom, its parameters, and why (a sendMessage unless
    `method` says otherwise)."""

    chat_id: int
    params: dict[str, Any]
    purpose: str
    method: str = "sendMessage"


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
        elif appointment.voice_note:
            text += "\n" + tr("appointment_notice.voice_note")
    return Outgoing(
        chat_id=staff_chat_of(settings, appointment.center_id),
        params={"text": text, "parse_mode": "HTML"},
        purpose=PURPOSE_STAFF_NOTICE,
    )


def staff_chat_of(settings: Settings, center_id: str) -> int:
    """The staff group of the appointment's centre: another centre's never hears of it."""
    side = settings.staff_side(center_id)
    return side.staff_chat_id if side is not None else settings.telegram.staff_chat_id


def staff_voice_note(settings: Settings, tr: Translator, appointment: Appointment) -> Outgoing:
    """Her voice note for the staff group: the bot's own voice message, sent by the file
    id (never a forward, which would name her), captioned with the booking code only.
    Not triaged: words said aloud cannot be read, as with a request's voice story."""
    assert appointment.voice_note is not None
    return Outgoing(
        chat_id=staff_chat_of(settings, appointment.center_id),
        params={
            "voice": appointment.voice_note,
            "caption": tr("appointment_notice.voice_caption", code=appointment.code),
            "parse_mode": "HTML",
        },
        purpose=PURPOSE_STAFF_VOICE,
        method="sendVoice",
    )


def offsets_text(tr: Translator, offsets: Sequence[timedelta]) -> str:
    """When reminders come, in words: "24 часа, 2 часа"."""
    parts = []
    for offset in sorted(offsets, reverse=True):
        seconds = int(offset.total_seconds())
        # "24 hours" reads better than "1 day" for a reminder the day before.
        if seconds % 86400 == 0 and seconds >= 2 * 86400:
            parts.append(tr.plural("booking.offset_days", seconds // 86400))
        elif seconds % 3600 == 0:
            parts.append(tr.plural("booking.offset_hours", seconds // 3600))
        elif seconds % 60 == 0:
            parts.append(tr.plural("booking.offset_minutes", seconds // 60))
        else:
            parts.append(tr.plural("booking.offset_seconds", seconds))
    return ", ".join(parts)
