"""The scale run's data, made tiny: the rows asked for, readable by the bot (no timings)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

from bench.scale_data import Sizes, build_database, region_settings
from bot.appointments.rules import day_window
from bot.clock import ManualClock
from bot.domain.stats import month_bounds
from sandbox import TelegramEmulator
from storage.crypto import TextSealer, new_key
from storage.db import from_db_time, to_db_time
from tests.conftest import START, Harness

TINY = Sizes(appointments=300, cases=40, users=120, days=20)


async def test_tiny_region_is_what_was_asked_and_the_bot_answers_on_it(
    tmp_path: Path, emulator: TelegramEmulator
) -> None:
    emulator.advance_time(START.timestamp() - emulator.now())
    settings = region_settings(tmp_path, emulator.base_url, new_key())
    counts = await build_database(settings, TINY)

    assert (counts["appointments"], counts["cases"], counts["users"]) == (300, 40, 120)
    for table in ("case_messages", "appointment_reminders", "audit_log", "agenda_messages"):
        assert counts[table] > 0, table
    tz = settings.general.timezone
    month_start, month_end = month_bounds(date(2026, 11, 1), tz)
    with closing(sqlite3.connect(settings.storage.path)) as connection:
        overfilled = connection.execute(
            "SELECT service_id, starts_at FROM appointments WHERE status = 'booked' "
            "GROUP BY service_id, starts_at "
            "HAVING COUNT(*) > CASE WHEN service_id LIKE '%-group' THEN 12 ELSE 1 END"
        ).fetchall()
        noted = connection.execute(
            "SELECT starts_at FROM appointments WHERE status = 'booked' AND note IS NOT NULL "
            "AND starts_at >= ? ORDER BY starts_at LIMIT 1",
            (to_db_time(START),),
        ).fetchone()
        assert noted is not None, "some appointments to come carry a sealed note"
        day = from_db_time(noted[0]).astimezone(tz).date()
        day_start, day_end = day_window(day, tz)
        listed = connection.execute(
            "SELECT code, note FROM appointments WHERE status = 'booked' "
            "AND starts_at >= ? AND starts_at < ?",
            (to_db_time(day_start), to_db_time(day_end)),
        ).fetchall()
        month_cases, month_urgent = connection.execute(
            "SELECT COUNT(*), COALESCE(SUM(urgent), 0) FROM cases "
            "WHERE created_at >= ? AND created_at < ?",
            (to_db_time(month_start), to_db_time(month_end)),
        ).fetchone()
    assert overfilled == []

    harness = Harness(emulator, settings, ManualClock(START))
    await harness.start()
    try:
        await harness.staff.send_in(harness.group, f"/agenda {day.isoformat()}")
        await harness.handled()
        agenda = "\n".join(m.text or "" for m in harness.group.bot_messages())
        sealer = TextSealer(settings.privacy.data_keys)
        for code, note in listed:
            assert code in agenda
            if note is not None:
                assert note.startswith("f1:"), "sealed with the data key, as in production"
                assert sealer.open(note) in agenda

        await harness.staff.send_in(harness.group, "/stats 2026-11")
        figures = await harness.group.wait_for_bot_message(lambda m: "2026-11" in (m.text or ""))
        language = settings.general.default_language
        line = harness.tr(language, "stats.cases", count=month_cases, urgent=month_urgent)
        assert line in (figures.text or "")
    finally:
        await harness.stop()
