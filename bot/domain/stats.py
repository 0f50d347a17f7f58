"""Monthly figures for the centre's reports: pure, from anonymous facts only.

A fact never carries a user id or a text: category, urgent or not, when it was opened
and taken, which service, whether the person came. These survive "forget me".
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class CaseFact:
    code: str
    created_at: datetime
    category: str
    urgent: bool
    taken_at: datetime | None
    closed_at: datetime | None
    # Why it was urgent (bot.triage.UrgencyReason values): kinds, never the words themselves.
    urgent_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class AppointmentFact:
    code: str
    starts_at: datetime
    center_id: str
    service_id: str
    cancelled: bool
    attendance: str | None  # came, no_show, or None (not marked)


@dataclass(frozen=True)
class MonthlyFigures:
    month: date  # the first day
    cases: int
    by_category: dict[str, int]
    urgent: int
    taken: int
    # Minutes from opening to "I take it" (all taken cases; urgent ones apart).
    median_minutes_to_take: float | None
    worst_minutes_to_take: float | None
    median_minutes_to_take_urgent: float | None
    appointments: int  # booked and not cancelled
    cancelled: int
    came: int
    no_shows: int
    by_service: dict[str, int]


def month_bounds(month: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The month as instants: from local midnight of its first day to the next month's."""
    start = datetime.combine(month.replace(day=1), time(0), tzinfo=tz)
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start, datetime.combine(following, time(0), tzinfo=tz)


def _minutes(facts: Sequence[CaseFact]) -> list[float]:
    return [
        (fact.taken_at - fact.created_at).total_seconds() / 60
        for fact in facts
        if fact.taken_at is not None
    ]


def monthly_figures(
    month: date, cases: Sequence[CaseFact], appointments: Sequence[AppointmentFact]
) -> MonthlyFigures:
    """Figures of the facts given (the caller picks the month's facts)."""
    minutes = _minutes(cases)
    urgent_minutes = _minutes([fact for fact in cases if fact.urgent])
    kept = [a for a in appointments if not a.cancelled]
    return MonthlyFigures(
        month=month.replace(day=1),
        cases=len(cases),
        by_category=dict(Counter(fact.category for fact in cases)),
        urgent=sum(fact.urgent for fact in cases),
        taken=len(minutes),
        median_minutes_to_take=statistics.median(minutes) if minutes else None,
        worst_minutes_to_take=max(minutes) if minutes else None,
        median_minutes_to_take_urgent=statistics.median(urgent_minutes) if urgent_minutes else None,
        appointments=len(kept),
        cancelled=len(appointments) - len(kept),
        came=sum(a.attendance == "came" for a in kept),
        no_shows=sum(a.attendance == "no_show" for a in kept),
        by_service=dict(Counter(a.service_id for a in kept)),
    )


def bar(value: int, largest: int, width: int = 12) -> str:
    """A text bar for a chart inside a Telegram message."""
    if largest <= 0 or value <= 0:
        return ""
    return "▇" * max(1, round(width * value / largest))


def figures_csv(
    cases: Sequence[CaseFact], appointments: Sequence[AppointmentFact], tz: ZoneInfo
) -> str:
    """One row per case and per appointment, anonymous, in local time, for a spreadsheet."""

    def local(moment: datetime | None) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["kind", "code", "date", "category_or_service", "urgent", "taken", "closed", "status"]
    )
    for fact in cases:
        writer.writerow(
            [
                "case",
                fact.code,
                local(fact.created_at),
                fact.category,
                "yes" if fact.urgent else "no",
                local(fact.taken_at),
                local(fact.closed_at),
                "closed" if fact.closed_at else "open",
            ]
        )
    for appointment in appointments:
        status = "cancelled" if appointment.cancelled else (appointment.attendance or "booked")
        writer.writerow(
            [
                "appointment",
                appointment.code,
                local(appointment.starts_at),
                appointment.service_id,
                "",
                "",
                "",
                status,
            ]
        )
    return out.getvalue()
