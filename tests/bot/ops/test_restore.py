"""`helpline-bot restore --from FILE`: checked first, refused while the bot runs, the
replaced database kept aside."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.ops.backups import RestoreRefused, restore_database
from storage.backup_files import online_backup
from storage.db import Database, load_migrations
from tests.conftest import HarnessFactory

NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
KNOWN = len(load_migrations())


async def make_database(path: Path, marker: str) -> None:
    """A real bot database (every migration) with one recognisable row."""
    db = await Database.open(path)
    try:
        await db.execute(
            "INSERT INTO audit_log (at, actor_id, action, subject) VALUES (?, ?, ?, ?)",
            ("2026-12-01T00:00:00.000000Z", 1, marker, "test"),
        )
    finally:
        await db.close()


def marker_of(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("SELECT action FROM audit_log").fetchone()[0])
    finally:
        connection.close()


@pytest.fixture
async def live_and_backup(tmp_path: Path) -> tuple[Path, Path]:
    live = tmp_path / "helpline.sqlite3"
    await make_database(live, "live")
    source = tmp_path / "old.sqlite3"
    await make_database(source, "from-backup")
    backup = tmp_path / "backups" / "helpline-2026-12-01.sqlite3"
    online_backup(source, backup)
    return live, backup


def restore(source: Path, target: Path, known: int = KNOWN) -> Path | None:
    return restore_database(source, target, now=NOW, known_version=known)


async def test_restore_replaces_the_database_and_keeps_the_old_one_aside(
    live_and_backup: tuple[Path, Path],
) -> None:
    live, backup = live_and_backup
    aside = restore(backup, live)
    assert aside == live.with_name("helpline.sqlite3.before-restore-20261202T040000Z")
    assert marker_of(live) == "from-backup"
    assert marker_of(aside) == "live"
    assert marker_of(backup) == "from-backup"
    reopened = await Database.open(live)
    try:
        assert await reopened.schema_version() == KNOWN
    finally:
        await reopened.close()


async def test_restore_into_an_empty_place_keeps_nothing_aside(tmp_path: Path) -> None:
    source = tmp_path / "old.sqlite3"
    await make_database(source, "from-backup")
    target = tmp_path / "new" / "helpline.sqlite3"
    target.parent.mkdir()
    assert restore(source, target) is None
    assert marker_of(target) == "from-backup"


async def test_a_newer_schema_is_refused(live_and_backup: tuple[Path, Path]) -> None:
    live, backup = live_and_backup
    with pytest.raises(RestoreRefused, match="newer than this bot knows"):
        restore(backup, live, known=KNOWN - 1)
    assert marker_of(live) == "live"
    assert not [p.name for p in live.parent.iterdir() if "restor" in p.name]


async def test_a_file_that_is_not_a_database_is_refused(
    live_and_backup: tuple[Path, Path],
) -> None:
    live, _ = live_and_backup
    junk = live.parent / "junk.sqlite3"
    junk.write_bytes(b"this is not SQLite" * 500)
    with pytest.raises(RestoreRefused, match="not a readable SQLite database"):
        restore(junk, live)
    other = live.parent / "other.sqlite3"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE t (x)")
    connection.close()
    with pytest.raises(RestoreRefused, match="not a helpline bot database"):
        restore(other, live)
    assert marker_of(live) == "live"


def damage_an_index(path: Path) -> None:
    """Changes one key inside an index page: the file reads, its index lies."""
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE scratch (x TEXT)")
    connection.execute("CREATE INDEX scratch_x ON scratch (x)")
    connection.executemany(
        "INSERT INTO scratch VALUES (?)", [(f"{'a' * 20}{i}",) for i in range(9)]
    )
    connection.commit()
    root = connection.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'scratch_x'")
    page = int(root.fetchone()[0])
    page_size = int(connection.execute("PRAGMA page_size").fetchone()[0])
    connection.close()
    data = bytearray(path.read_bytes())
    data[data.index(b"a" * 20, (page - 1) * page_size)] = ord("z")
    path.write_bytes(bytes(data))


async def test_a_backup_failing_the_integrity_check_is_refused(
    live_and_backup: tuple[Path, Path],
) -> None:
    live, backup = live_and_backup
    damage_an_index(backup)
    with pytest.raises(RestoreRefused, match="fails the integrity check"):
        restore(backup, live)
    assert marker_of(live) == "live"
    assert not live.with_name(live.name + ".restoring").exists()


async def test_a_backup_too_damaged_to_read_is_refused(live_and_backup: tuple[Path, Path]) -> None:
    live, backup = live_and_backup
    data = bytearray(backup.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    # Scribble over every page but the first (the header stays readable).
    for offset in range(page_size + 8, len(data), page_size):
        data[offset : offset + 64] = b"\xff" * 64
    backup.write_bytes(bytes(data))
    with pytest.raises(RestoreRefused, match="not a readable SQLite database"):
        restore(backup, live)
    assert marker_of(live) == "live"


async def test_restore_is_refused_while_the_bot_runs(
    start_bot: HarnessFactory, tmp_path: Path
) -> None:
    bot = await start_bot()
    source = tmp_path / "old.sqlite3"
    await make_database(source, "from-backup")
    with pytest.raises(RestoreRefused, match="in use: stop the bot first"):
        restore(source, bot.settings.storage.path)
    await bot.stop()
    assert restore(source, bot.settings.storage.path) is not None
    assert marker_of(bot.settings.storage.path) == "from-backup"


async def test_the_restore_command(
    live_and_backup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    live, backup = live_and_backup
    config = live.parent / "config.toml"
    config.write_text(
        '[telegram]\nstaff_chat_id = -100123\n[storage]\npath = "helpline.sqlite3"\n'
        "[privacy]\nallow_plaintext = true\n",
        encoding="utf-8",
    )
    assert main(["restore", "--from", str(backup), "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "before-restore-" in out and "restored" in out
    assert marker_of(live) == "from-backup"

    junk = live.parent / "junk.sqlite3"
    junk.write_text("nothing")
    assert main(["restore", "--from", str(junk), "--config", str(config)]) == 1
    assert "not restored" in capsys.readouterr().err
    assert marker_of(live) == "from-backup"
