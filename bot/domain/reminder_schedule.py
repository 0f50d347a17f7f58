"""When each appointment reminder goes out: offsets, quiet hours, late sending.

Decisions:

* A reminder's time is ``appointment_start - offset`` in elapsed time (24 h before
  means 24 hours, computed through UTC); quiet hours are local wall times in ``tz``,
  half-open like every ``TimeRange``: with 22:00-08:00, 22:00 is quiet, 08:00 is not.
* A reminder due inside quiet hours moves *earlier*, to the last minute before
  those quiet hours began (due 07:00 with 22:00-08:00 → 21:59 the evening before).
  Earlier rather than at 08:00, because a reminder moved later may come too close
  to the appointment (or after it) to be useful, and a message at night on a
  shared phone is what quiet hours exist to prevent.
* A reminder whose (moved) time falls before ``booked_at`` is dropped, not sent at
  once: someone who books 3 hours ahead has just seen the confirmation, and a
  "24 hours before" reminder arriving immediately is noise. A reminder due at or
  after the appointment start (an offset of zero or less) is dropped too.
* Two reminders landing on the same instant (usually both pushed to the same
  minute before quiet hours) collapse into one, which keeps the larger offset as
  its identity; results are in chronological order.
* A reminder missed while the bot was down is sent late if the appointment is
  still ahead (``now < appointment_start``), otherwise skipped: a reminder of an
  appointment that has begun is useless. The job should still respect quiet
  hours for a late one: ``quiet_hours_end`` says when it may go out, and the job
  asks ``should_send_late`` again at that time.
* Quiet hours with ``start == end`` would cover the whole day; scheduling around
  them is impossible, so ``reminder_due_times`` and ``quiet_hours_end`` reject them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.slots import TimeRange, add_elapsed, local_instant, require_aware

# Moved reminders go out this long before quiet hours begin ("the last minute").
_BEFORE_QUIET = timedelta(minutes=1)


def _reject_whole_day(quiet_hours: TimeRange) -> None:
    if quiet_hours.start == quiet_hours.end:
        raise ValueError(f"quiet hours cannot cover the whole day: {quiet_hours}")


def in_quiet_hours(moment: datetime, quiet_hours: TimeRange | None, tz: ZoneInfo) -> bool:
    require_aware(moment, "moment")
    if quiet_hours is None:
        return False
    return quiet_hours.contains(moment.astimezone(tz).time())


def _quiet_period_start_date(local: datetime, quiet_hours: TimeRange) -> date:
    """The date on which the quiet period containing ``local`` began."""
    if quiet_hours.crosses_midnight and local.time() < quiet_hours.start:
        # The after-midnight part belongs to the evening before.
        return local.date() - timedelta(days=1)
    return local.date()


def quiet_hours_start(moment: datetime, quiet_hours: TimeRange, tz: ZoneInfo) -> datetime:
    """When the quiet period containing ``moment`` began (``moment`` must be inside it)."""
    local = moment.astimezone(tz)
    return local_instant(_quiet_period_start_date(local, quiet_hours), quiet_hours.start, tz)


def quiet_hours_end(moment: datetime, quiet_hours: TimeRange | None, tz: ZoneInfo) -> datetime:
    """The earliest time at or after ``moment`` outside quiet hours, in ``tz``.

    ``moment`` itself when it is not quiet; otherwise the end of its quiet period
    (23:00 or 07:00 with 22:00-08:00 → 08:00 the next or the same morning).
    """
    require_aware(moment, "moment")
    local = moment.astimezone(tz)
    if quiet_hours is None or not quiet_hours.contains(local.time()):
        return local
    _reject_whole_day(quiet_hours)
    began = _quiet_period_start_date(local, quiet_hours)
    # A wrapping period ends on the day after it began (end 00:00 reads as 24:00).
    ends_on = began + timedelta(days=1) if quiet_hours.crosses_midnight else began
    return local_instant(ends_on, quiet_hours.end, tz)


def reminder_due_times(
    *,
    appointment_start: datetime,
    offsets: Sequence[timedelta],
    quiet_hours: TimeRange | None,
    tz: ZoneInfo,
    booked_at: datetime,
) -> list[tuple[timedelta, datetime]]:
    """``(offset, send time)`` pairs in chronological order (see the module docstring)."""
    require_aware(appointment_start, "appointment_start")
    require_aware(booked_at, "booked_at")
    if quiet_hours is not None:
        _reject_whole_day(quiet_hours)
    start_utc = appointment_start.astimezone(UTC)
    booked_utc = booked_at.astimezone(UTC)
    by_time: dict[datetime, timedelta] = {}
    for offset in offsets:
        due = add_elapsed(appointment_start, -offset, tz)
        if quiet_hours is not None and quiet_hours.contains(due.time()):
            due = add_elapsed(quiet_hours_start(due, quiet_hours, tz), -_BEFORE_QUIET, tz)
        due_utc = due.astimezone(UTC)
        if due_utc < booked_utc or due_utc >= start_utc:
            continue
        # Keyed by the UTC instant, so equal instants meet whatever their wall time.
        if due_utc not in by_time or offset > by_time[due_utc]:
            by_time[due_utc] = offset
    return [(offset, due.astimezone(tz)) for due, offset in sorted(by_time.items())]


def should_send_late(*, due: datetime, now: datetime, appointment_start: datetime) -> bool:
    """Whether a reminder due at ``due`` and not yet sent should go out at ``now``.

    False when it is not due yet (``now < due``): it is then not late, only early.
    """
    require_aware(due, "due")
    require_aware(now, "now")
    require_aware(appointment_start, "appointment_start")
    return due.astimezone(UTC) <= now.astimezone(UTC) < appointment_start.astimezone(UTC)
