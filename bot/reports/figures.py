"""The figures a chart and a workbook show, counted from anonymous facts (pure).

Everything here is a count or a duration: no text a person wrote, no user id, no code.
Labels are looked up later, in the staff language, by whoever draws the figures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from bot.domain.case_rules import CATEGORIES, UNKNOWN_CATEGORY
from bot.domain.stats import (
    AppointmentFact,
    AppointmentGroup,
    CaseFact,
    CaseGroup,
    MonthlyFigures,
    PeriodCounts,
    counts_of,
    figures_of,
    month_bounds,
)
from bot.reports.period import Period

# Every category has its row, also at zero, so months compare line by line.
REPORT_CATEGORIES: Final = (*CATEGORIES, UNKNOWN_CATEGORY)
# The three answers of the feedback question (bot/feedback.py); reports show every row,
# also at zero, rather than leaving the section out.
FEEDBACK_ANSWERS: Final = ("good", "neutral", "bad")


@dataclass(frozen=True)
class FeedbackFact:
    given_at: datetime
    about: str  # "case" or "appointment"
    answer: str  # one of FEEDBACK_ANSWERS


@dataclass(frozen=True)
class CategoryCount:
    category: str
    urgent: int
    not_urgent: int

    @property
    def total(self) -> int:
        return self.urgent + self.not_urgent


@dataclass(frozen=True)
class ServiceCount:
    service_id: str
    label: str  # the service's name in the staff language
    booked: int  # not cancelled
    came: int
    no_show: int
    cancelled: int

    @property
    def unmarked(self) -> int:
        return self.booked - self.came - self.no_show


@dataclass(frozen=True)
class FeedbackCount:
    answer: str
    count: int


@dataclass(frozen=True)
class MonthCount:
    month: date  # the first day
    cases: int
    urgent: int
    appointments: int  # not cancelled
    came: int
    no_show: int


@dataclass(frozen=True)
class ReportFigures:
    period: Period
    totals: MonthlyFigures  # over the whole period, a year included
    closed: int
    categories: tuple[CategoryCount, ...]
    services: tuple[ServiceCount, ...]
    feedback: tuple[FeedbackCount, ...]  # every answer, in FEEDBACK_ANSWERS order
    months: tuple[MonthCount, ...]  # a year's twelve months; empty for a month

    @property
    def feedback_total(self) -> int:
        return sum(item.count for item in self.feedback)


def report_figures(
    period: Period,
    cases: Sequence[CaseFact],
    appointments: Sequence[AppointmentFact],
    feedback: Sequence[FeedbackFact],
    *,
    tz: ZoneInfo,
    service_labels: Mapping[str, str],
) -> ReportFigures:
    """Figures of the facts given in time order (the caller picks the period's facts).

    `service_labels` lists the configured services in their order; a service found only in
    old facts (removed from the config since) follows, named by its id.
    """
    counts = counts_of(cases, appointments, month_starts(period, tz))
    return figures_of_counts(period, counts, feedback, service_labels=service_labels)


def month_starts(period: Period, tz: ZoneInfo) -> tuple[datetime, ...]:
    """The instants the period's months after the first begin at (local midnight)."""
    return tuple(month_bounds(month, tz)[0] for month in period.months[1:])


def figures_of_counts(
    period: Period,
    counts: PeriodCounts,
    feedback: Sequence[FeedbackFact],
    *,
    service_labels: Mapping[str, str],
) -> ReportFigures:
    """Figures of the period's counts (storage counts them in SQL; counts_of counts facts)."""
    return ReportFigures(
        period=period,
        totals=figures_of(period.first_day, counts),
        closed=sum(group.count for group in counts.cases if group.closed),
        categories=_categories(counts.cases),
        services=_services(counts.appointments, service_labels),
        feedback=_feedback(feedback),
        months=_months(period, counts) if period.is_year else (),
    )


def _categories(cases: Sequence[CaseGroup]) -> tuple[CategoryCount, ...]:
    urgent: Counter[str] = Counter()
    calm: Counter[str] = Counter()
    for group in cases:
        (urgent if group.urgent else calm)[group.category] += group.count
    extra = sorted((urgent.keys() | calm.keys()) - set(REPORT_CATEGORIES))
    return tuple(
        CategoryCount(category, urgent[category], calm[category])
        for category in (*REPORT_CATEGORIES, *extra)
    )


def _services(
    appointments: Sequence[AppointmentGroup], labels: Mapping[str, str]
) -> tuple[ServiceCount, ...]:
    found = {group.service_id for group in appointments}
    order = [*labels, *sorted(found - labels.keys())]
    counts = []
    for service_id in order:
        own = [group for group in appointments if group.service_id == service_id]
        kept = [group for group in own if not group.cancelled]
        counts.append(
            ServiceCount(
                service_id=service_id,
                label=labels.get(service_id, service_id),
                booked=sum(group.count for group in kept),
                came=sum(group.count for group in kept if group.attendance == "came"),
                no_show=sum(group.count for group in kept if group.attendance == "no_show"),
                cancelled=sum(group.count for group in own if group.cancelled),
            )
        )
    return tuple(counts)


def _feedback(feedback: Sequence[FeedbackFact]) -> tuple[FeedbackCount, ...]:
    counts = Counter(fact.answer for fact in feedback)
    extra = sorted(counts.keys() - set(FEEDBACK_ANSWERS))
    return tuple(FeedbackCount(answer, counts[answer]) for answer in (*FEEDBACK_ANSWERS, *extra))


def _months(period: Period, counts: PeriodCounts) -> tuple[MonthCount, ...]:
    months = []
    for index, month in enumerate(period.months):
        own_cases = [group for group in counts.cases if group.month == index]
        kept = [
            group for group in counts.appointments if group.month == index and not group.cancelled
        ]
        months.append(
            MonthCount(
                month=month,
                cases=sum(group.count for group in own_cases),
                urgent=sum(group.count for group in own_cases if group.urgent),
                appointments=sum(group.count for group in kept),
                came=sum(group.count for group in kept if group.attendance == "came"),
                no_show=sum(group.count for group in kept if group.attendance == "no_show"),
            )
        )
    return tuple(months)


@dataclass(frozen=True)
class SummaryLine:
    key: str  # a text key: report.total.*
    value: int | float | None  # None: nothing to measure (no case taken yet)
    indented: bool = False  # a part of the line above


def summary_lines(figures: ReportFigures) -> tuple[SummaryLine, ...]:
    """The headline figures, in the order a monthly report lists them."""
    totals = figures.totals

    def minutes(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return (
        SummaryLine("report.total.cases", totals.cases),
        SummaryLine("report.total.urgent", totals.urgent, indented=True),
        SummaryLine("report.total.taken", totals.taken, indented=True),
        SummaryLine("report.total.closed", figures.closed, indented=True),
        SummaryLine("report.total.median_take", minutes(totals.median_minutes_to_take)),
        SummaryLine(
            "report.total.median_take_urgent",
            minutes(totals.median_minutes_to_take_urgent),
            indented=True,
        ),
        SummaryLine(
            "report.total.worst_take", minutes(totals.worst_minutes_to_take), indented=True
        ),
        SummaryLine("report.total.appointments", totals.appointments),
        SummaryLine("report.total.came", totals.came, indented=True),
        SummaryLine("report.total.no_show", totals.no_shows, indented=True),
        SummaryLine(
            "report.total.unmarked",
            totals.appointments - totals.came - totals.no_shows,
            indented=True,
        ),
        SummaryLine("report.total.cancelled", totals.cancelled),
        SummaryLine("report.total.feedback", figures.feedback_total),
    )
