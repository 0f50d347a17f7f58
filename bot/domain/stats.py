"""Monthly figures for the centre's reports: pure, from anonymous facts only.

A fact never carries a user id or a text: category, urgent or not, when it was opened
and taken, which service, whether the person came. These survive "forget me".
"""

from __future__ import annotations

import bisect
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
    # The centre that works it (None: heard by every centre, never taken).
    center_id: str | None = None


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


@dataclass(frozen=True)
class CaseGroup:
    month: int  # the month's place in the period (0 for a month's report)
    category: str
    urgent: bool
    closed: bool
    count: int


@dataclass(frozen=True)
class AppointmentGroup:
    month: int  # the month's place in the period (0 for a month's report)
    service_id: str
    cancelled: bool
    attendance: str | None
    count: int


@dataclass(frozen=True)
class TakenCase:
    urgent: bool
    created_at: datetime
    taken_at: datetime


@dataclass(frozen=True)
class PeriodCounts:
    """A period's facts counted: all the figures need, without one object per fact (a
    year of a busy region is some 40,000 facts; storage counts them in SQL). Groups come
    in the order their first fact appears in time, the order equal counts are shown in."""

    cases: tuple[CaseGroup, ...]
    taken: tuple[TakenCase, ...]  # each taken case, in time order: the medians need them
    appointments: tuple[AppointmentGroup, ...]


def counts_of(
    cases: Sequence[CaseFact],
    appointments: Sequence[AppointmentFact],
    month_starts: Sequence[datetime] = (),
) -> PeriodCounts:
    """The counts of facts given in time order: what storage counts in SQL.

    `month_starts` are the instants the period's second, third... months begin at (none
    for a month's report): a fact's month is the number of them it is not before.
    """
    case_counts = Counter(
        (
            bisect.bisect_right(month_starts, fact.created_at),
            fact.category,
            fact.urgent,
            fact.closed_at is not None,
        )
        for fact in cases
    )
    appointment_counts = Counter(
        (
            bisect.bisect_right(month_starts, fact.starts_at),
            fact.service_id,
            fact.cancelled,
            fact.attendance,
        )
        for fact in appointments
    )
    return PeriodCounts(
        cases=tuple(CaseGroup(*key, count) for key, count in case_counts.items()),
        taken=tuple(
            TakenCase(fact.urgent, fact.created_at, fact.taken_at)
            for fact in cases
            if fact.taken_at is not None
        ),
        appointments=tuple(
            AppointmentGroup(*key, count) for key, count in appointment_counts.items()
        ),
    )


def _minutes(taken: Sequence[TakenCase]) -> list[float]:
    return [(case.taken_at - case.created_at).total_seconds() / 60 for case in taken]


def monthly_figures(
    month: date, cases: Sequence[CaseFact], appointments: Sequence[AppointmentFact]
) -> MonthlyFigures:
    """Figures of the facts given (the caller picks the month's facts)."""
    return figures_of(month, counts_of(cases, appointments))


def figures_of(month: date, counts: PeriodCounts) -> MonthlyFigures:
    """The figures of a period's counts, over all its months."""
    minutes = _minutes(counts.taken)
    urgent_minutes = _minutes([case for case in counts.taken if case.urgent])
    # Filled in the groups' order, so equal counts keep the order of their first fact.
    by_category: dict[str, int] = {}
    for group in counts.cases:
        by_category[group.category] = by_category.get(group.category, 0) + group.count
    by_service: dict[str, int] = {}
    booked = cancelled = came = no_shows = 0
    for item in counts.appointments:
        if item.cancelled:
            cancelled += item.count
            continue
        booked += item.count
        came += item.count if item.attendance == "came" else 0
        no_shows += item.count if item.attendance == "no_show" else 0
        by_service[item.service_id] = by_service.get(item.service_id, 0) + item.count
    return MonthlyFigures(
        month=month.replace(day=1),
        cases=sum(group.count for group in counts.cases),
        by_category=by_category,
        urgent=sum(group.count for group in counts.cases if group.urgent),
        taken=len(minutes),
        median_minutes_to_take=statistics.median(minutes) if minutes else None,
        worst_minutes_to_take=max(minutes) if minutes else None,
        median_minutes_to_take_urgent=statistics.median(urgent_minutes) if urgent_minutes else None,
        appointments=booked,
        cancelled=cancelled,
        came=came,
        no_shows=no_shows,
        by_service=by_service,
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
