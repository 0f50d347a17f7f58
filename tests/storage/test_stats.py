"""The figures counted in SQL are the counts of the facts, order of ties and months included."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.stats import counts_of, figures_of
from bot.reports.figures import figures_of_counts, month_starts, report_figures
from bot.reports.period import Period
from storage.db import Database, to_db_time
from storage.stats import StatsRepository
from tests.reports_demo import fill_busy_year

ALMATY = ZoneInfo("Asia/Almaty")
START = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
END = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "stats.sqlite3")
    yield database
    await database.close()


async def _case(
    db: Database,
    code: str,
    at: datetime,
    category: str,
    urgent: bool,
    minutes: float | None,
    closed: bool = False,
) -> None:
    taken = None if minutes is None else to_db_time(at + timedelta(minutes=minutes))
    closed_at = to_db_time(at + timedelta(days=1)) if closed else None
    await db.execute(
        "INSERT INTO cases (code, language, category, urgent, created_at, taken_at, closed_at) "
        "VALUES (?, 'ru', ?, ?, ?, ?, ?)",
        (code, category, int(urgent), to_db_time(at), taken, closed_at),
    )


async def _appointment(
    db: Database, code: str, at: datetime, service: str, status: str, attendance: str | None
) -> None:
    await db.execute(
        "INSERT INTO appointments (code, center_id, service_id, starts_at, ends_at, status, "
        "booked_at, attendance) VALUES (?, 'sairam', ?, ?, ?, ?, ?, ?)",
        (
            code,
            service,
            to_db_time(at),
            to_db_time(at + timedelta(hours=1)),
            status,
            to_db_time(START),
            attendance,
        ),
    )


async def test_counts_in_sql_are_the_counts_of_the_facts(db: Database) -> None:
    day = START + timedelta(days=3)
    # Inserted out of time order; equal counts, equal times across services (one slot
    # start for several services), and rows outside the month on both sides.
    await _case(db, "AAA-AAA", day + timedelta(hours=5), "crisis", False, 40, closed=True)
    await _case(db, "AAA-AAB", day, "violence", True, 2.5)
    await _case(db, "AAA-AAC", day + timedelta(hours=1), "crisis", True, None)
    await _case(db, "AAA-AAD", day + timedelta(hours=2), "violence", False, 300, closed=True)
    await _case(db, "AAA-AAE", day + timedelta(hours=3), "other", False, 7)
    await _case(db, "AAA-AAF", START - timedelta(microseconds=1), "addiction", False, 1)
    await _case(db, "AAA-AAG", END, "addiction", False, 1)
    slot = day + timedelta(hours=4)
    await _appointment(db, "BBB-BBA", slot, "psychologist", "booked", "no_show")
    await _appointment(db, "BBB-BBB", slot, "lawyer", "booked", "came")
    await _appointment(db, "BBB-BBC", slot, "training", "cancelled", None)
    await _appointment(db, "BBB-BBD", day, "training", "booked", None)
    await _appointment(db, "BBB-BBE", slot + timedelta(hours=1), "psychologist", "booked", None)
    await _appointment(db, "BBB-BBF", slot + timedelta(hours=2), "lawyer", "cancelled", None)
    await _appointment(db, "BBB-BBG", END, "doctor", "booked", "came")

    stats = StatsRepository(db)
    counted = await stats.counts(START, END)
    expected = counts_of(
        await stats.case_facts(START, END), await stats.appointment_facts(START, END)
    )
    assert counted == expected
    assert sum(group.count for group in counted.cases if group.closed) == 2
    figures = figures_of(START.date(), counted)
    assert list(figures.by_category.items()) == [("violence", 2), ("crisis", 2), ("other", 1)]
    # At the same start time, the first stored comes first (the facts' order).
    assert list(figures.by_service.items()) == [
        ("training", 1),
        ("psychologist", 2),
        ("lawyer", 1),
    ]
    assert (figures.appointments, figures.cancelled, figures.came, figures.no_shows) == (
        4,
        2,
        1,
        1,
    )


async def test_counts_of_one_centre_are_the_counts_of_its_own_facts(db: Database) -> None:
    day = START + timedelta(days=3)
    await _case(db, "AAA-AAA", day, "crisis", True, 5)
    await _case(db, "AAA-AAB", day + timedelta(hours=1), "violence", False, None)
    await _case(db, "AAA-AAC", day + timedelta(hours=2), "other", True, 9)
    # An early /sos nobody took has no centre: no centre's figures count it.
    await _case(db, "AAA-AAD", day + timedelta(hours=3), "other", True, None)
    for code, center in (("AAA-AAA", "saryagash"), ("AAA-AAB", "saryagash"), ("AAA-AAC", "sairam")):
        await db.execute("UPDATE cases SET center_id = ? WHERE code = ?", (center, code))
    await _appointment(db, "BBB-BBA", day, "psychologist", "booked", "came")
    await _appointment(db, "BBB-BBB", day, "lawyer", "booked", None)
    await db.execute("UPDATE appointments SET center_id = 'saryagash' WHERE code = 'BBB-BBB'")

    stats = StatsRepository(db)
    cases = await stats.case_facts(START, END)
    appointments = await stats.appointment_facts(START, END)
    for center in ("sairam", "saryagash"):
        counted = await stats.counts(START, END, center_id=center)
        expected = counts_of(
            [c for c in cases if c.center_id == center],
            [a for a in appointments if a.center_id == center],
        )
        assert counted == expected
    saryagash = figures_of(START.date(), await stats.counts(START, END, center_id="saryagash"))
    assert (saryagash.cases, saryagash.urgent, saryagash.taken, saryagash.appointments) == (
        2,
        1,
        1,
        1,
    )
    everyone = figures_of(START.date(), await stats.counts(START, END))
    assert (everyone.cases, everyone.appointments) == (4, 2)


async def test_an_empty_period_counts_nothing(db: Database) -> None:
    counts = await StatsRepository(db).counts(START, END, month_starts(Period(2026), ALMATY))
    assert counts == counts_of([], [])


async def test_a_busy_year_counted_in_sql_has_the_figures_of_its_facts(db: Database) -> None:
    await fill_busy_year(db)
    stats = StatsRepository(db)
    labels = {"doctor": "Врач"}
    for period in (Period(2026), Period(2026, 11), Period(2026, 3)):
        start, end = period.bounds(ALMATY)
        cases = await stats.case_facts(start, end)
        appointments = await stats.appointment_facts(start, end)
        counted = await stats.counts(start, end, month_starts(period, ALMATY))
        from_sql = figures_of_counts(period, counted, [], service_labels=labels)
        from_facts = report_figures(
            period, cases, appointments, [], tz=ALMATY, service_labels=labels
        )
        assert from_sql == from_facts
        assert list(from_sql.totals.by_category) == list(from_facts.totals.by_category)
        assert list(from_sql.totals.by_service) == list(from_facts.totals.by_service)
    year = figures_of_counts(
        Period(2026),
        await stats.counts(*Period(2026).bounds(ALMATY), month_starts(Period(2026), ALMATY)),
        [],
        service_labels=labels,
    )
    assert [month.cases for month in year.months][10] == 64  # the busy November
    assert sum(month.cases for month in year.months) == year.totals.cases > 400
