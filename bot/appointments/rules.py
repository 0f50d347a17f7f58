"""Booking rules beyond bot/domain/slots.py: which seat a button may take, day windows.

Pure functions over the config and booking counts; no I/O, no Telegram.

Decisions:

* A button names a slot by its start as a Unix timestamp. It is only honoured when
  that instant is one of the service's slots that ``bot.domain.slots.free_slots`` offers
  now: a forged, outdated or past time gets "no longer available", never a booking
  at an odd time.
* The per-user daily limit counts bookings made since local midnight in the centre's
  zone (a reschedule is not a new booking).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import BookingSettings, Service
from bot.domain.reminder_schedule import reminder_due_times
from bot.domain.slots import FreeSlot, bookable_days, free_slots, local_instant, next_free_slots

# How many free days one message offers; more are paged.
DAYS_PER_PAGE = 6
# How many alternatives "this time was just taken" offers.
ALTERNATIVES = 3
# The longest note for the specialist; longer is refused with a clear answer.
NOTE_MAX_LENGTH = 500


def day_window(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) of a local day."""
    start = local_instant(day, time(0, 0), tz).astimezone(UTC)
    end = local_instant(day + timedelta(days=1), time(0, 0), tz).astimezone(UTC)
    return start, end


def horizon_window(
    now: datetime, booking: BookingSettings, tz: ZoneInfo
) -> tuple[datetime, datetime]:
    """The UTC instants that cover every bookable day (for counting taken seats)."""
    today = now.astimezone(tz).date()
    start, _ = day_window(today, tz)
    _, end = day_window(today + timedelta(days=max(booking.horizon_days, 1)), tz)
    return start, end


def local_midnight(now: datetime, tz: ZoneInfo) -> datetime:
    return day_window(now.astimezone(tz).date(), tz)[0]


def open_days(
    service: Service,
    taken: Mapping[datetime, int],
    now: datetime,
    booking: BookingSettings,
    tz: ZoneInfo,
) -> list[date]:
    return bookable_days(
        weekly_hours=service.hours,
        duration=service.duration,
        capacity=service.capacity,
        taken=taken,
        now=now,
        min_lead=booking.min_lead,
        horizon_days=booking.horizon_days,
        extra_holidays=booking.holidays,
        tz=tz,
    )


def slots_on(
    service: Service,
    day: date,
    taken: Mapping[datetime, int],
    now: datetime,
    booking: BookingSettings,
    tz: ZoneInfo,
) -> list[FreeSlot]:
    return free_slots(
        day=day,
        weekly_hours=service.hours,
        duration=service.duration,
        capacity=service.capacity,
        taken=taken,
        now=now,
        min_lead=booking.min_lead,
        horizon_days=booking.horizon_days,
        extra_holidays=booking.holidays,
        tz=tz,
    )


def offered_slot(
    service: Service,
    start: datetime,
    taken: Mapping[datetime, int],
    now: datetime,
    booking: BookingSettings,
    tz: ZoneInfo,
) -> FreeSlot | None:
    """The free slot starting at `start`, or None if that time is not offered now."""
    day = start.astimezone(tz).date()
    return next(
        (slot for slot in slots_on(service, day, taken, now, booking, tz) if slot.start == start),
        None,
    )


class Unavailable(enum.Enum):
    """Why a chosen time cannot be booked now."""

    # It would be offered, but its seats are taken.
    FULL = "full"
    # Not offered whatever is taken: too close to now, past, closed, forged.
    GONE = "gone"


def why_unavailable(
    service: Service,
    start: datetime,
    taken: Mapping[datetime, int],
    now: datetime,
    booking: BookingSettings,
    tz: ZoneInfo,
) -> Unavailable | None:
    """None if the time at `start` can be booked now; else FULL ("just taken") or GONE."""
    if offered_slot(service, start, taken, now, booking, tz) is not None:
        return None
    if offered_slot(service, start, {}, now, booking, tz) is not None:
        return Unavailable.FULL
    return Unavailable.GONE


def alternatives(
    service: Service,
    after: datetime,
    taken: Mapping[datetime, int],
    now: datetime,
    booking: BookingSettings,
    tz: ZoneInfo,
) -> list[FreeSlot]:
    """The next free times after a slot that was just taken."""
    return next_free_slots(
        weekly_hours=service.hours,
        duration=service.duration,
        capacity=service.capacity,
        taken=taken,
        now=now,
        min_lead=booking.min_lead,
        horizon_days=booking.horizon_days,
        extra_holidays=booking.holidays,
        tz=tz,
        after=after,
        limit=ALTERNATIVES,
    )


def planned_reminders(
    start: datetime, now: datetime, booking: BookingSettings, tz: ZoneInfo
) -> list[tuple[timedelta, datetime]]:
    return reminder_due_times(
        appointment_start=start,
        offsets=booking.reminders,
        quiet_hours=booking.quiet_hours,
        tz=tz,
        booked_at=now,
    )


def page_of(days: list[date], page: int) -> tuple[list[date], int]:
    """The days of one page and the page actually shown (clamped to what exists)."""
    pages = max(1, -(-len(days) // DAYS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    return days[page * DAYS_PER_PAGE : (page + 1) * DAYS_PER_PAGE], page


def page_count(days: list[date]) -> int:
    return max(1, -(-len(days) // DAYS_PER_PAGE))


def timestamp(moment: datetime) -> int:
    """How a slot start travels in button data."""
    return int(moment.timestamp())


def from_timestamp(value: str, tz: ZoneInfo) -> datetime | None:
    if not value.isdigit() or len(value) > 11:
        return None
    return datetime.fromtimestamp(int(value), UTC).astimezone(tz)


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def over_daily_limit(made_today: int, daily_limit: int) -> bool:
    """The one place of the daily booking limit: asked before the flow starts and again,
    inside the booking's transaction, before the seat is taken."""
    return made_today >= daily_limit
