"""Who is on duty, whom to alert at each escalation step, when the next shift starts.

Decisions:

* A rota shift is a set of weekdays (0 = Monday) and a ``TimeRange`` of local
  wall times in ``tz``. A shift that wraps past midnight belongs to the weekday it
  starts on: 20:00-08:00 on Monday covers Monday 20:00 to Tuesday 07:59:59, not
  Tuesday 08:00 (ranges are half-open) and not Monday 07:00.
* Manual duty (``/duty`` in the staff group) lasts until ``/duty off`` (the caller
  then drops it from ``manual``) or until ``max_manual`` has passed since it was
  taken, whichever comes first. The expiry exists because a forgotten ``/duty``
  would otherwise route urgent cases, silently and for days, to someone who went
  home or to sleep; expiring hands them back to the rota and the backups.
* ``on_duty`` lists manual people first, most recent ``/duty`` first (the person
  who just said "I take it" is the one surely awake), then rota people in rota
  order; each person once.
* Escalation: step 0 alerts the on-duty people; from step 1 on, the on-duty people
  and *all* backups at once. The alternative, one more backup per step, would keep
  an urgent case waiting ``escalate_after`` minutes longer for every backup who is
  not reached; alerting everyone at step 1 reaches a human fastest, at the cost of
  waking a few extra people, which is the right trade for a danger alert. When
  nobody is on duty, step 0 already goes to the backups, for the same reason: an
  alert to nobody would waste a whole escalation period.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.slots import TimeRange, require_aware


@dataclass(frozen=True)
class DutyShift:
    user_id: int
    weekdays: frozenset[int]
    hours: TimeRange


@dataclass(frozen=True)
class ManualDuty:
    user_id: int
    since: datetime


def _unique(ids: Iterable[int]) -> list[int]:
    # dict keeps insertion order: first occurrence wins.
    return list(dict.fromkeys(ids))


def manual_duty_active(duty: ManualDuty, *, now: datetime, max_manual: timedelta) -> bool:
    """Whether a ``/duty`` taken at ``duty.since`` still holds at ``now``.

    A ``since`` slightly in the future (clock skew between hosts) counts as active.
    """
    require_aware(duty.since, "ManualDuty.since")
    # Elapsed time through UTC: within one ZoneInfo, "-" would give wall-clock time.
    return now.astimezone(UTC) - duty.since.astimezone(UTC) < max_manual


def shift_covers(shift: DutyShift, *, now: datetime, tz: ZoneInfo) -> bool:
    require_aware(now, "now")
    local = now.astimezone(tz)
    t = local.time()
    today = local.weekday()
    if not shift.hours.crosses_midnight:
        return today in shift.weekdays and shift.hours.contains(t)
    # The evening part belongs to today's shift, the morning part to yesterday's.
    if t >= shift.hours.start:
        return today in shift.weekdays
    yesterday = (today - 1) % 7
    return t < shift.hours.end and yesterday in shift.weekdays


def on_duty(
    *,
    now: datetime,
    tz: ZoneInfo,
    rota: Sequence[DutyShift],
    manual: Sequence[ManualDuty],
    max_manual: timedelta,
) -> list[int]:
    """User ids on duty at ``now``: manual ones (latest first), then the rota's, no repeats."""
    require_aware(now, "now")
    active = [d for d in manual if manual_duty_active(d, now=now, max_manual=max_manual)]
    # sorted() is stable: equal ``since`` keeps the given order.
    latest_first = sorted(active, key=lambda d: d.since, reverse=True)
    from_rota = [s.user_id for s in rota if shift_covers(s, now=now, tz=tz)]
    return _unique([d.user_id for d in latest_first] + from_rota)


def escalation_targets(*, step: int, on_duty: Sequence[int], backups: Sequence[int]) -> list[int]:
    """Whom to alert at ``step`` (0 = first alert, k = k-th re-alert), in order, no repeats."""
    if step < 0:
        raise ValueError(f"escalation step must be >= 0, got {step}")
    if step == 0 and on_duty:
        return _unique(on_duty)
    return _unique([*on_duty, *backups])
