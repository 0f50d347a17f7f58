"""The admins' workbook: the summary as a monthly report, anonymous rows, read back."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.domain.stats import AppointmentFact, CaseFact
from bot.i18n import Texts, Translator
from bot.reports.figures import FeedbackFact, report_figures
from bot.reports.period import Period
from bot.reports.workbook import ReportContext, Row, Sheet, Style, workbook_layout, write_workbook
from storage.db import Database, to_db_time
from storage.stats import StatsRepository
from tests.reports_demo import fill_busy_year

ALMATY = ZoneInfo("Asia/Almaty")
TEXTS = Texts.load()
LABELS = {"psychologist": "Психолог", "doctor": "Врач"}
CONTEXT = ReportContext(centre="Сайрам", made=date(2026, 12, 2), tz=ALMATY)
T = datetime(2026, 11, 10, 6, 0, tzinfo=UTC)  # 11:00 in Almaty


def tr(language: str = "ru") -> Translator:
    return TEXTS.for_language(language)  # type: ignore[arg-type]


CASES = [
    CaseFact("ABC-DEF", T, "violence", True, T + timedelta(minutes=3), None, ("sos_button",)),
    CaseFact(
        "GHJ-KLM",
        T,
        "crisis",
        True,
        T + timedelta(seconds=90),
        T + timedelta(days=1),
        ("danger_words", "lethality_screen"),
    ),
    CaseFact("NPQ-RST", T, "other", False, None, None),
]
APPOINTMENTS = [
    AppointmentFact("UVW-XYZ", T, "sairam", "doctor", False, "came"),
    AppointmentFact("234-567", T, "sairam", "doctor", False, None),
    AppointmentFact("892-ABC", T, "sairam", "psychologist", True, None),
]


def layout(language: str = "ru", feedback: list[FeedbackFact] | None = None) -> tuple[Sheet, ...]:
    period = Period(2026, 11)
    figures = report_figures(
        period, CASES, APPOINTMENTS, feedback or [], tz=ALMATY, service_labels=LABELS
    )
    return workbook_layout(figures, CASES, APPOINTMENTS, feedback or [], CONTEXT, tr(language))


def cells(rows: tuple[Row, ...]) -> list[tuple[object, ...]]:
    return [row.cells for row in rows]


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_sheets_in_the_staff_language(language: str) -> None:
    sheets = layout(language)
    assert [sheet.title for sheet in sheets] == [
        tr(language)(f"report.sheet.{name}")
        for name in ("summary", "cases", "appointments", "feedback")
    ]
    assert all(len(sheet.title) <= 31 for sheet in sheets)  # Excel's limit


def test_case_rows_are_anonymous_and_local() -> None:
    _, cases, _, _ = layout()
    assert cells(cases.rows) == [
        ("Вид обращения", "Срочное", "Почему срочно", "Открыто", "Взято через, мин", "Закрыто"),
        (
            "Насилие в семье",
            "да",
            "кнопка «Опасность сейчас»",
            datetime(2026, 11, 10, 11, 0),
            3.0,
            None,
        ),
        (
            "Психологический кризис",
            "да",
            "слова опасности; шкала опасности",
            datetime(2026, 11, 10, 11, 0),
            1.5,
            datetime(2026, 11, 11, 11, 0),
        ),
        ("Другое", "нет", None, datetime(2026, 11, 10, 11, 0), None, None),
    ]


def test_appointment_and_feedback_rows() -> None:
    feedback = [FeedbackFact(T, "appointment", "good")]
    _, _, appointments, given = layout("ru", feedback)
    assert cells(appointments.rows) == [
        ("Услуга", "День", "Статус", "Явка"),
        ("Врач", date(2026, 11, 10), "записан", "пришли"),
        ("Врач", date(2026, 11, 10), "записан", "не отмечено"),
        ("Психолог", date(2026, 11, 10), "отменено", None),
    ]
    assert cells(given.rows) == [
        ("Дата", "О чём", "Ответ"),
        (date(2026, 11, 10), "запись", "помогло"),
    ]
    # Before feedback exists, its sheet has its headers and nothing else.
    assert cells(layout()[3].rows) == [("Дата", "О чём", "Ответ")]


def test_summary_reads_as_a_monthly_report() -> None:
    summary = layout()[0]
    rows = summary.rows
    assert rows[0] == Row(
        ("Отчёт о работе центра социально-психологической поддержки",), Style.TITLE
    )
    assert rows[1].cells == ("Период", "2026-11 (01.11.2026 – 30.11.2026)")
    assert rows[2].cells == ("Центр", "Сайрам")
    assert rows[3].cells == ("Дата составления", date(2026, 12, 2))
    values = {row.cells[0]: row.cells[1:] for row in rows if row.cells}
    assert values["Обращений всего"] == (3,)
    assert values["из них срочных"] == (2,)
    assert values["Насилие в семье"] == (1, 0, 1)
    assert values["Врач"] == (2, 1, 0, 1, 0)  # booked, came, no-show, unmarked, cancelled
    assert values["Психолог"] == (0, 0, 0, 0, 1)
    totals = [row.cells for row in rows if row.style is Style.TOTAL]
    assert totals == [("Всего", 2, 1, 3), ("Всего", 2, 1, 0, 1, 1), ("Всего", 0)]


def test_nothing_in_the_workbook_names_a_case_or_an_appointment() -> None:
    data = write_workbook(layout())
    book = load_workbook(io.BytesIO(data))
    everything = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    ]
    codes = [fact.code for fact in CASES] + [fact.code for fact in APPOINTMENTS]
    assert not [value for value in everything if any(code in value for code in codes)]


async def test_a_busy_year_read_back_matches_the_database(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "busy.sqlite3")
    try:
        await fill_busy_year(db)
        period = Period(2026)
        start, end = period.bounds(ALMATY)
        stats = StatsRepository(db)
        cases = await stats.case_facts(start, end)
        appointments = await stats.appointment_facts(start, end)
        count = await db.fetch_one(
            "SELECT COUNT(*), SUM(urgent) FROM cases WHERE created_at >= ? AND created_at < ?",
            (to_db_time(start), to_db_time(end)),
        )
        visits = await db.fetch_one(
            "SELECT SUM(status = 'booked'), SUM(attendance = 'came'), "
            "SUM(status = 'cancelled') FROM appointments"
        )
    finally:
        await db.close()
    assert count is not None and visits is not None
    figures = report_figures(
        period, cases, appointments, [], tz=ALMATY, service_labels={"doctor": "Врач"}
    )
    data = write_workbook(workbook_layout(figures, cases, appointments, [], CONTEXT, tr()))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Сводка", "Обращения", "Записи", "Отзывы"]
    summary = {row[0]: row[1:] for row in book["Сводка"].iter_rows(values_only=True) if row[0]}
    assert summary["Обращений всего"][0] == count[0] > 400
    assert summary["из них срочных"][0] == count[1]
    assert summary["Записей (без отменённых)"][0] == visits[0]
    assert summary["пришли"][0] == visits[1]
    assert summary["Отменено записей"][0] == visits[2]
    assert book["Обращения"].max_row == count[0] + 1
    assert book["Записи"].max_row == visits[0] + visits[2] + 1
    by_month = [row for row in book["Сводка"].iter_rows(values_only=True) if row[0] == "ноя 2026"]
    assert by_month[0][1] == 64  # the busy month
    assert isinstance(book["Обращения"]["D2"].value, datetime)
