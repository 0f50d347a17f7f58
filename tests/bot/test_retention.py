"""Retention: delivered outbox messages and message ids go after 48 hours."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from tests.conftest import Harness


def _count(bot: Harness, table: str) -> int:
    with sqlite3.connect(bot.settings.storage.path) as connection:
        return int(connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


async def test_short_lived_rows_are_erased_after_48_hours(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await bot.services.message_log.flush()
    logged = _count(bot, "message_log")
    assert logged >= 3  # language prompt, consent, menu
    bot.advance(timedelta(hours=47))
    await bot.run_due_work()
    assert _count(bot, "message_log") >= logged
    bot.advance(timedelta(hours=2))
    await bot.run_due_work()
    assert _count(bot, "message_log") == 0
