"""The figures a chart and a workbook show, counted from anonymous facts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.stats import AppointmentFact, CaseFact
from bot.reports.figures import (
    FEEDBACK_ANSWERS,
    REPORT_CATEGORIES,
    CategoryCount,
    FeedbackFact,
    MonthCount,
    ServiceCount,
    report_figures,
    summary_lines,
)
from bot.reports.period import Period

ALMATY = ZoneInfo("Asia/Almaty")  # UTC+5
LABELS = {"psychologist": "Психолог", "doctor": "Врач", "training": "Тренинг"}


def case(category: str, urgent: bool, at: datetime, taken_after: float | None = None) -> CaseFact:
    taken = at + timedelta(minutes=taken_after) if taken_after is not None else None
    return CaseFact("ABC-DEF", at, category, urgent, taken, None)


def visit(
    service: str, at: datetime, attendance: str | None = None, cancelled: bool = False
) -> AppointmentFact:
    return AppointmentFact("GHJ-KLM", at, "sairam", service, cancelled, attendance)


T = datetime(2026, 11, 10, 6, 0, tzinfo=UTC)


def test_categories_split_by_urgency_all_listed_in_order() -> None:
    figures = report_figures(
        Period(2026, 11),
        [
            case("violence", True, T),
            case("violence", False, T),
            case("violence", True, T),
            case("crisis", False, T),
            case("unknown", True, T),
            case("retired_category", False, T),  # from an older version of the bot
        ],
        [],
        [],
        tz=ALMATY,
        service_labels=LABELS,
    )
    assert figures.categories == (
        CategoryCount("violence", 2, 1),
        CategoryCount("crisis", 0, 1),
        CategoryCount("addiction", 0, 0),
        CategoryCount("someone_else", 0, 0),
        CategoryCount("other", 0, 0),
        CategoryCount("unknown", 1, 0),
        CategoryCount("retired_category", 0, 1),
    )
    assert [c.category for c in figures.categories][: len(REPORT_CATEGORIES)] == list(
        REPORT_CATEGORIES
    )
    assert figures.months == ()


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ([], [ServiceCount(s, LABELS[s], 0, 0, 0, 0) for s in LABELS]),
        (
            [
                visit("doctor", T, "came"),
                visit("doctor", T, "no_show"),
                visit("doctor", T),
                visit("doctor", T, cancelled=True),
                visit("psychologist", T, "came"),
                visit("removed", T, "came"),
            ],
            [
                ServiceCount("psychologist", "Психолог", 1, 1, 0, 0),
                ServiceCount("doctor", "Врач", 3, 1, 1, 1),
                ServiceCount("training", "Тренинг", 0, 0, 0, 0),
                ServiceCount("removed", "removed", 1, 1, 0, 0),
            ],
        ),
    ],
)
def test_services_in_config_order_with_attendance(
    facts: list[AppointmentFact], expected: list[ServiceCount]
) -> None:
    figures = report_figures(Period(2026, 11), [], facts, [], tz=ALMATY, service_labels=LABELS)
    assert list(figures.services) == expected
    doctor = next(s for s in figures.services if s.service_id == "doctor")
    assert doctor.unmarked == (1 if facts else 0)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([], [("good", 0), ("neutral", 0), ("bad", 0)]),
        (["good", "good", "bad"], [("good", 2), ("neutral", 0), ("bad", 1)]),
    ],
)
def test_feedback_has_its_place_also_at_zero(
    answers: list[str], expected: list[tuple[str, int]]
) -> None:
    feedback = [FeedbackFact(T, "case", answer) for answer in answers]
    figures = report_figures(Period(2026, 11), [], [], feedback, tz=ALMATY, service_labels={})
    assert [(f.answer, f.count) for f in figures.feedback] == expected
    assert [f.answer for f in figures.feedback] == list(FEEDBACK_ANSWERS)
    assert figures.feedback_total == len(answers)


def test_a_year_by_local_month() -> None:
    # 19:30 UTC on 31 January is 00:30 on 1 February in Almaty: February's.
    new_years_eve = datetime(2026, 1, 31, 19, 30, tzinfo=UTC)
    figures = report_figures(
        Period(2026),
        [
            case("violence", True, datetime(2026, 1, 5, 6, tzinfo=UTC), 3),
            case("crisis", False, new_years_eve, 10),
            case("other", False, datetime(2026, 11, 30, 18, 59, tzinfo=UTC)),
        ],
        [
            visit("doctor", datetime(2026, 2, 3, 5, tzinfo=UTC), "came"),
            visit("doctor", datetime(2026, 2, 4, 5, tzinfo=UTC), "no_show"),
            visit("doctor", datetime(2026, 2, 5, 5, tzinfo=UTC), cancelled=True),
        ],
        [],
        tz=ALMATY,
        service_labels=LABELS,
    )
    assert len(figures.months) == 12
    assert figures.months[0] == MonthCount(date(2026, 1, 1), 1, 1, 0, 0, 0)
    assert figures.months[1] == MonthCount(date(2026, 2, 1), 1, 0, 2, 1, 1)
    assert figures.months[10] == MonthCount(date(2026, 11, 1), 1, 0, 0, 0, 0)
    assert sum(m.cases for m in figures.months) == figures.totals.cases == 3
    assert figures.totals.taken == 2


def test_summary_lines_in_report_order() -> None:
    facts = [
        case("violence", True, T, 2),
        case("crisis", False, T, 30),
        case("other", False, T),
    ]
    closed = CaseFact("ABC-DEF", T, "other", False, T, T + timedelta(hours=1))
    figures = report_figures(
        Period(2026, 11),
        [*facts, closed],
        [visit("doctor", T, "came"), visit("doctor", T), visit("doctor", T, cancelled=True)],
        [],
        tz=ALMATY,
        service_labels=LABELS,
    )
    assert [
        (line.key.removeprefix("report.total."), line.value) for line in summary_lines(figures)
    ] == [
        ("cases", 4),
        ("urgent", 1),
        ("taken", 3),
        ("closed", 1),
        ("median_take", 2.0),
        ("median_take_urgent", 2.0),
        ("worst_take", 30.0),
        ("appointments", 2),
        ("came", 1),
        ("no_show", 0),
        ("unmarked", 1),
        ("cancelled", 1),
        ("feedback", 0),
    ]


def test_nothing_taken_has_no_minutes() -> None:
    figures = report_figures(
        Period(2026, 11), [case("other", False, T)], [], [], tz=ALMATY, service_labels={}
    )
    values = {line.key: line.value for line in summary_lines(figures)}
    assert values["report.total.median_take"] is None
    assert values["report.total.worst_take"] is None
