"""A database like a busy year at the centre, for the chart in docs/ and the report tests.

    python -m tests.reports_demo docs/          # docs/stats-chart.png, a month in Russian
    python -m tests.reports_demo /tmp/charts all  # also the month in Kazakh and the year

The rows are made by a seeded random generator, so every run gives the same figures.
Only the anonymous columns the reports read are filled: no story, no user.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import load_settings
from bot.domain.language import Language
from bot.i18n import Texts
from bot.reports.chart import render_chart
from bot.reports.figures import report_figures
from bot.reports.period import Period
from storage.db import Database, to_db_time
from storage.stats import StatsRepository

ALMATY = ZoneInfo("Asia/Almaty")
ROOT = Path(__file__).resolve().parent.parent
CODE_LETTERS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

# How often each category comes, and how often it is urgent: violence leads, as in the pilot.
CATEGORY_WEIGHTS = {
    "violence": (34, 0.45),
    "crisis": (22, 0.3),
    "addiction": (16, 0.1),
    "someone_else": (9, 0.2),
    "other": (12, 0.0),
    "unknown": (4, 1.0),  # /sos: always urgent, nothing asked
}
SERVICE_WEIGHTS = {"psychologist": 50, "doctor": 35, "training": 25}
# Cases a month over the year: quieter in summer, busiest in November (the busy month).
CASES_PER_MONTH = (38, 41, 47, 44, 40, 31, 27, 29, 43, 52, 64, 0)
APPOINTMENTS_PER_MONTH = (70, 74, 85, 80, 77, 58, 49, 55, 82, 96, 118, 0)


def _code(rng: random.Random, used: set[str]) -> str:
    while True:
        raw = "".join(rng.choice(CODE_LETTERS) for _ in range(6))
        code = f"{raw[:3]}-{raw[3:]}"
        if code not in used:
            used.add(code)
            return code


def _moment(rng: random.Random, month: date, tz: ZoneInfo) -> datetime:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    day = month + timedelta(days=rng.randrange((following - month).days))
    return datetime.combine(day, time(rng.randrange(7, 23), rng.randrange(60)), tzinfo=tz)


async def fill_busy_year(db: Database, year: int = 2026, seed: int = 12) -> None:
    """Cases and appointments from January to November of `year`, November the busiest."""
    rng = random.Random(seed)
    used: set[str] = set()
    categories = list(CATEGORY_WEIGHTS)
    services = list(SERVICE_WEIGHTS)
    for index, (cases, visits) in enumerate(
        zip(CASES_PER_MONTH, APPOINTMENTS_PER_MONTH, strict=True)
    ):
        month = date(year, index + 1, 1)
        for _ in range(cases):
            await _add_case(db, rng, used, month, categories)
        for _ in range(visits):
            await _add_appointment(db, rng, used, month, services)


async def _add_case(
    db: Database, rng: random.Random, used: set[str], month: date, categories: list[str]
) -> None:
    category = rng.choices(categories, [w for w, _ in CATEGORY_WEIGHTS.values()])[0]
    urgent = rng.random() < CATEGORY_WEIGHTS[category][1]
    if category == "unknown":
        reasons = "sos_button"
    elif urgent:
        reasons = rng.choice(["danger_words", "lethality_screen", "danger_words,lethality_screen"])
    else:
        reasons = ""
    created = _moment(rng, month, ALMATY)
    minutes = rng.uniform(0.5, 6) if urgent else rng.uniform(3, 90)
    taken = created + timedelta(minutes=minutes) if rng.random() < 0.95 else None
    closed = taken + timedelta(hours=rng.uniform(1, 72)) if taken and rng.random() < 0.85 else None
    await db.execute(
        "INSERT INTO cases (code, language, category, urgent, urgent_reasons, urgent_at, "
        "status, created_at, taken_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            _code(rng, used),
            rng.choice(["kk", "ru"]),
            category,
            1 if reasons else 0,
            reasons,
            to_db_time(created) if reasons else None,
            "closed" if closed else "open",
            to_db_time(created),
            to_db_time(taken) if taken else None,
            to_db_time(closed) if closed else None,
        ),
    )


async def _add_appointment(
    db: Database, rng: random.Random, used: set[str], month: date, services: list[str]
) -> None:
    service = rng.choices(services, list(SERVICE_WEIGHTS.values()))[0]
    starts = _moment(rng, month, ALMATY).replace(minute=0)
    cancelled = rng.random() < 0.1
    attendance = None
    if not cancelled:
        attendance = rng.choices(["came", "no_show", None], [75, 15, 10])[0]
    await db.execute(
        "INSERT INTO appointments (code, center_id, service_id, starts_at, ends_at, status, "
        "booked_at, cancelled_at, cancelled_by, attendance, attendance_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            _code(rng, used),
            "sairam",
            service,
            to_db_time(starts),
            to_db_time(starts + timedelta(minutes=45)),
            "cancelled" if cancelled else "booked",
            to_db_time(starts - timedelta(days=3)),
            to_db_time(starts - timedelta(days=1)) if cancelled else None,
            "user" if cancelled else None,
            attendance,
            to_db_time(starts + timedelta(hours=1)) if attendance else None,
        ),
    )


async def draw_demo_charts(folder: Path, everything: bool = False) -> list[Path]:
    settings = load_settings(ROOT / "config.example.toml", env={})
    texts = Texts.load()
    written = []
    with tempfile.TemporaryDirectory() as scratch:
        db = await Database.open(Path(scratch) / "demo.sqlite3")
        try:
            await fill_busy_year(db)
            stats = StatsRepository(db)
            charts: list[tuple[Period, Language, str]] = [
                (Period(2026, 11), "ru", "stats-chart.png")
            ]
            if everything:
                charts += [
                    (Period(2026, 11), "kk", "stats-chart-kk.png"),
                    (Period(2026), "ru", "stats-chart-year.png"),
                ]
            for period, language, name in charts:
                start, end = period.bounds(ALMATY)
                figures = report_figures(
                    period,
                    await stats.case_facts(start, end),
                    await stats.appointment_facts(start, end),
                    (),
                    tz=ALMATY,
                    service_labels={s.id: s.name.get(language) for s in settings.services},
                )
                path = folder / name
                path.write_bytes(render_chart(figures, texts.for_language(language)))
                written.append(path)
        finally:
            await db.close()
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    for written in asyncio.run(draw_demo_charts(target, everything=sys.argv[2:] == ["all"])):
        print(written)
