"""Daily backups made by the running bot, driven by the manual clock."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from bot.ops.backups import list_backups
from storage.db import load_migrations
from tests.bot.ops.ports import free_port
from tests.bot.ops.test_health import healthz
from tests.conftest import Harness, HarnessFactory


def backup_config(folder: Path, keep: int = 2) -> dict[str, object]:
    return {
        "backup": {"dir": str(folder), "time": "03:00", "keep": keep},
        "health": {"listen": f"127.0.0.1:{free_port()}"},
    }


def names(bot: Harness, folder: Path) -> list[str]:
    return [p.name for p in list_backups(folder, bot.settings.storage.path)]


def users_in(path: Path) -> int:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        assert version == len(load_migrations())
        return int(connection.execute("SELECT COUNT(*) FROM users").fetchone()[0])
    finally:
        connection.close()


async def last_backup_in_healthz(bot: Harness) -> str | None:
    _, body = await healthz(bot)
    last: str | None = body["backup"]["last_at"]
    return last


async def test_a_backup_a_day_at_the_configured_time_even_across_restarts(
    start_bot: HarnessFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    bot = await start_bot(backup_config(folder))
    user = bot.user()
    await bot.onboard(user, "ru")
    await bot.handled()

    # Wednesday 10:00 in Almaty: today's 03:00 has passed and the bot was not running.
    await bot.run_due_work()
    assert names(bot, folder) == ["helpline-2026-12-02.sqlite3"]
    assert users_in(folder / "helpline-2026-12-02.sqlite3") == 1
    assert await last_backup_in_healthz(bot) == "2026-12-02T05:00:00+00:00"
    await bot.run_due_work()
    assert len(names(bot, folder)) == 1

    bot.advance(timedelta(hours=16, minutes=59))  # Thursday 02:59
    await bot.run_due_work()
    assert len(names(bot, folder)) == 1
    bot.advance(timedelta(minutes=1))  # 03:00
    await bot.run_due_work()
    assert names(bot, folder)[0] == "helpline-2026-12-03.sqlite3"

    await bot.restart()
    # The last backup is known after a restart, and the day's backup is not made again.
    assert await last_backup_in_healthz(bot) == "2026-12-02T22:00:00+00:00"
    await bot.run_due_work()
    assert len(names(bot, folder)) == 2


async def test_only_the_last_backups_are_kept_and_other_files_are_left_alone(
    start_bot: HarnessFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "notes.txt").write_text("the administrator's own file")
    (folder / "other-2026-01-01.sqlite3").write_bytes(b"")
    bot = await start_bot(backup_config(folder, keep=2))
    for _ in range(4):
        await bot.run_due_work()
        bot.advance(timedelta(days=1))
    assert names(bot, folder) == ["helpline-2026-12-05.sqlite3", "helpline-2026-12-04.sqlite3"]
    assert (folder / "notes.txt").exists() and (folder / "other-2026-01-01.sqlite3").exists()
    # Self-contained files: no -wal or -shm beside them, no half-written leftovers.
    assert sorted(p.name for p in folder.iterdir()) == [
        "helpline-2026-12-04.sqlite3",
        "helpline-2026-12-05.sqlite3",
        "notes.txt",
        "other-2026-01-01.sqlite3",
    ]


async def test_a_failed_backup_is_logged_and_tried_again_later(
    start_bot: HarnessFactory, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    bot = await start_bot(backup_config(blocker / "backups"))
    await bot.run_due_work()
    assert await last_backup_in_healthz(bot) is None
    blocker.unlink()
    bot.advance(timedelta(minutes=30))
    await bot.run_due_work()
    assert not (blocker / "backups").exists()  # not again at once
    bot.advance(timedelta(minutes=30))
    await bot.run_due_work()
    assert names(bot, blocker / "backups") == ["helpline-2026-12-02.sqlite3"]
