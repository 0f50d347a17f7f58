"""Which appointment times are free: pure functions over config and booking counts.

Decisions:

* ``TimeRange`` is half-open, ``[start, end)``: 09:00-18:00 contains 09:00 and
  17:59:59 but not 18:00, so a 45-minute slot may start at 17:15 and no later.
  ``end <= start`` means the range wraps past midnight (quiet hours 22:00-08:00,
  a night shift 20:00-08:00); ``end == 00:00`` then reads as 24:00, and
  ``start == end`` is a full 24 hours. Service hours never wrap: ``day_slots``
  rejects such hours with ``ValueError`` (the config check should catch them first),
  except an end of 00:00, which it reads as closing at midnight (24:00).
* Slot lengths and lead times are elapsed time: arithmetic is done in UTC and the
  results are converted to ``tz``. In Asia/Almaty (UTC+5 since 1 March 2024, no
  DST) this equals wall-clock arithmetic; it also stays right in zones with DST.
* Wall times are read in ``tz`` through ``zoneinfo`` (never a fixed offset), so
  09:00 in Almaty is 04:00 UTC today and was 03:00 UTC before 1 March 2024.
* The horizon counts today (the date of ``now`` in ``tz``) as day 0: a day is
  bookable when ``today <= day < today + horizon_days``; with 14 the last bookable
  day is today + 13. Past days are never bookable.
* A slot is offered when it starts at or after ``now + min_lead``.
* ``taken`` counts bookings per slot start. Keys are compared as instants (they
  may come from storage in UTC), never as wall times.
* Closed days: every date the ``holidays`` package lists for Kazakhstan, including
  its "day off (substituted ...)" entries, plus the centre's extra holidays. The
  package does not list the working Saturdays that such transfers create; those
  stay closed unless the weekly hours open Saturdays.
* Naive datetimes are rejected with ``ValueError``: guessing their zone would
  silently shift every slot by hours.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays


@dataclass(frozen=True)
class TimeRange:
    """A daily range of wall-clock times, half-open; wraps past midnight when end <= start."""

    start: time
    end: time

    def __post_init__(self) -> None:
        # Wall times only: the zone comes from the caller's tz, once, in one place.
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("TimeRange takes naive wall-clock times")

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def contains(self, t: time) -> bool:
        if self.crosses_midnight:
            return t >= self.start or t < self.end
        return self.start <= t < self.end


@dataclass(frozen=True)
class FreeSlot:
    start: datetime
    end: datetime
    seats_left: int


def require_aware(moment: datetime, name: str) -> None:
    """Raise ValueError for a naive datetime (shared by the rota and reminder modules)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")


def local_instant(day: date, t: time, tz: ZoneInfo) -> datetime:
    """The instant of wall time ``t`` on ``day`` in ``tz``, as an aware datetime in ``tz``."""
    return datetime.combine(day, t, tzinfo=tz)


def add_elapsed(moment: datetime, delta: timedelta, tz: ZoneInfo) -> datetime:
    """``moment + delta`` in elapsed time, expressed in ``tz``.

    Plain ``+`` on a datetime with a ZoneInfo is wall-clock arithmetic, which is off
    by the DST shift on transition days; going through UTC avoids that.
    """
    return (moment.astimezone(UTC) + delta).astimezone(tz)


def day_slots(
    day: date, hours: TimeRange | None, duration: timedelta, tz: ZoneInfo
) -> list[datetime]:
    """Start times of back-to-back slots that fit entirely inside ``hours`` on ``day``."""
    if duration <= timedelta(0):
        raise ValueError(f"slot duration must be positive, got {duration}")
    if hours is None:
        return []
    closing_day = day
    if hours.crosses_midnight:
        if hours.end != time(0, 0):
            raise ValueError(f"service hours must not cross midnight: {hours}")
        # "18:00-00:00" closes at the end of the day, not the next morning.
        closing_day = day + timedelta(days=1)
    opening = local_instant(day, hours.start, tz).astimezone(UTC)
    closing = local_instant(closing_day, hours.end, tz).astimezone(UTC)
    starts: list[datetime] = []
    start = opening
    while start + duration <= closing:
        starts.append(start.astimezone(tz))
        start += duration
    return starts


@functools.lru_cache(maxsize=32)
def _kz_public_holidays(year: int) -> frozenset[date]:
    # Building the calendar computes lunar and observed dates; once per year is enough.
    return frozenset(holidays.country_holidays("KZ", years=year).keys())


def is_closed_day(day: date, extra_holidays: frozenset[date]) -> bool:
    return day in extra_holidays or day in _kz_public_holidays(day.year)


def _open_days(now: datetime, horizon_days: int, tz: ZoneInfo) -> Iterator[date]:
    today = now.astimezone(tz).date()
    for offset in range(max(horizon_days, 0)):
        yield today + timedelta(days=offset)


def _earliest_start(now: datetime, min_lead: timedelta) -> datetime:
    # In UTC, so comparing with slot starts in tz compares instants, not wall times.
    return now.astimezone(UTC) + min_lead


def _counts_by_instant(taken: Mapping[datetime, int]) -> dict[datetime, int]:
    counts: dict[datetime, int] = {}
    for start, count in taken.items():
        require_aware(start, "taken slot start")
        # Normalising to UTC makes keys from any zone meet; within one ZoneInfo,
        # Python compares wall times, which would be wrong around a DST fold.
        key = start.astimezone(UTC)
        # Adding up (not overwriting) errs on the side of "full": never double-book.
        counts[key] = counts.get(key, 0) + count
    return counts


def _free_slots_on(
    day: date,
    *,
    weekly_hours: Mapping[int, TimeRange],
    duration: timedelta,
    capacity: int,
    counts: Mapping[datetime, int],
    earliest: datetime,
    extra_holidays: frozenset[date],
    tz: ZoneInfo,
) -> list[FreeSlot]:
    if is_closed_day(day, extra_holidays):
        return []
    result: list[FreeSlot] = []
    for start in day_slots(day, weekly_hours.get(day.weekday()), duration, tz):
        if start < earliest:
            continue
        seats_left = capacity - counts.get(start.astimezone(UTC), 0)
        if seats_left > 0:
            result.append(FreeSlot(start, add_elapsed(start, duration, tz), seats_left))
    return result


def free_slots(
    *,
    day: date,
    weekly_hours: Mapping[int, TimeRange],
    duration: timedelta,
    capacity: int,
    taken: Mapping[datetime, int],
    now: datetime,
    min_lead: timedelta,
    horizon_days: int,
    extra_holidays: frozenset[date],
    tz: ZoneInfo,
) -> list[FreeSlot]:
    """Slots on ``day`` a user may still book, in time order (see the module docstring)."""
    require_aware(now, "now")
    today = now.astimezone(tz).date()
    if not today <= day < today + timedelta(days=horizon_days):
        return []
    return _free_slots_on(
        day,
        weekly_hours=weekly_hours,
        duration=duration,
        capacity=capacity,
        counts=_counts_by_instant(taken),
        earliest=_earliest_start(now, min_lead),
        extra_holidays=extra_holidays,
        tz=tz,
    )


def bookable_days(
    *,
    weekly_hours: Mapping[int, TimeRange],
    duration: timedelta,
    capacity: int,
    taken: Mapping[datetime, int],
    now: datetime,
    min_lead: timedelta,
    horizon_days: int,
    extra_holidays: frozenset[date],
    tz: ZoneInfo,
) -> list[date]:
    """Days within the horizon that have at least one free slot, in date order."""
    require_aware(now, "now")
    counts = _counts_by_instant(taken)
    return [
        day
        for day in _open_days(now, horizon_days, tz)
        if _free_slots_on(
            day,
            weekly_hours=weekly_hours,
            duration=duration,
            capacity=capacity,
            counts=counts,
            earliest=_earliest_start(now, min_lead),
            extra_holidays=extra_holidays,
            tz=tz,
        )
    ]


def next_free_slots(
    *,
    weekly_hours: Mapping[int, TimeRange],
    duration: timedelta,
    capacity: int,
    taken: Mapping[datetime, int],
    now: datetime,
    min_lead: timedelta,
    horizon_days: int,
    extra_holidays: frozenset[date],
    tz: ZoneInfo,
    after: datetime,
    limit: int = 3,
) -> list[FreeSlot]:
    """Up to ``limit`` free slots starting at or after ``after``, across days in the horizon.

    Answers "this time was just taken, here are the next free times"; the usual
    ``min_lead`` and horizon rules still apply, so ``after`` in the past is harmless.
    """
    require_aware(now, "now")
    require_aware(after, "after")
    if limit <= 0:
        return []
    counts = _counts_by_instant(taken)
    first_day = after.astimezone(tz).date()
    found: list[FreeSlot] = []
    for day in _open_days(now, horizon_days, tz):
        if day < first_day:
            continue
        for slot in _free_slots_on(
            day,
            weekly_hours=weekly_hours,
            duration=duration,
            capacity=capacity,
            counts=counts,
            earliest=max(_earliest_start(now, min_lead), after.astimezone(UTC)),
            extra_holidays=extra_holidays,
            tz=tz,
        ):
            found.append(slot)
            if len(found) == limit:
                return found
    return found
