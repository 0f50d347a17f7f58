"""The database, its companions and its backups are the bot's user's alone (0600); `backup
--to` never overwrites silently; `restore` leaves no companions behind (issue 18)."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.__main__ import main
from bot.clock import ManualClock
from bot.config import BackupSettings
from bot.ops.backups import DailyBackups
from storage.db import Database
from storage.users import UserRepository
from tests.bot.ops.test_restore import make_database, marker_of

NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
CONFIG = (
    '[telegram]\nstaff_chat_id = -100123\n[storage]\npath = "helpline.sqlite3"\n'
    "[privacy]\nallow_plaintext = true\n"
)


def names(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """A machine's usual umask (022), which made every file 0644 before."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


async def test_the_database_and_its_companions_are_0600(tmp_path: Path) -> None:
    path = tmp_path / "helpline.sqlite3"
    db = await Database.open(path)
    try:
        await UserRepository(db).set_language(8, "ru", NOW)
        companions = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
        assert [mode(p) for p in (path, *companions)] == [0o600, 0o600, 0o600]
    finally:
        await db.close()


async def test_an_older_database_readable_by_others_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "helpline.sqlite3"
    sqlite3.connect(path).close()
    os.chmod(path, 0o644)
    db = await Database.open(path)
    await db.close()
    assert mode(path) == 0o600


async def test_backups_by_hand_and_daily_are_0600(tmp_path: Path, config: Path) -> None:
    await make_database(tmp_path / "helpline.sqlite3", "live")
    by_hand = tmp_path / "by-hand.sqlite3"
    assert main(["backup", "--to", str(by_hand), "--config", str(config)]) == 0
    assert mode(by_hand) == 0o600
    daily = DailyBackups(
        BackupSettings(dir=tmp_path / "backups"),
        tmp_path / "helpline.sqlite3",
        ZoneInfo("UTC"),
        ManualClock(NOW),
    )
    made = await daily.run_due()
    assert made is not None and mode(made) == 0o600
    assert mode(made.parent) == 0o700


async def test_backup_to_an_existing_file_is_refused_unless_forced(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await make_database(tmp_path / "helpline.sqlite3", "live")
    existing = tmp_path / "yesterday.sqlite3"
    await make_database(existing, "yesterday")
    assert main(["backup", "--to", str(existing), "--config", str(config)]) == 1
    assert "exists: not overwritten (add --force" in capsys.readouterr().err
    assert marker_of(existing) == "yesterday"
    assert main(["backup", "--to", str(existing), "--force", "--config", str(config)]) == 0
    assert marker_of(existing) == "live"
    # Even over a file that is no database at all.
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    assert main(["backup", "--to", str(junk), "--force", "--config", str(config)]) == 0
    assert marker_of(junk) == "live"


async def test_restore_leaves_no_companion_files(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = tmp_path / "helpline.sqlite3"
    await make_database(live, "live")
    # A WAL-mode source: the database set aside by an earlier restore, a copied live file.
    source = tmp_path / "copied.sqlite3"
    await make_database(source, "from-backup")
    before = names(tmp_path)
    assert main(["restore", "--from", str(source), "--config", str(config)]) == 0
    capsys.readouterr()
    after = names(tmp_path)
    added = [name for name in after if name not in before]
    assert [name for name in added if not name.startswith("helpline.sqlite3.before-restore-")] == []
    assert not [name for name in after if name.endswith(("-shm", "-wal"))]
    assert marker_of(live) == "from-backup" and mode(live) == 0o600
    assert marker_of(source) == "from-backup"
