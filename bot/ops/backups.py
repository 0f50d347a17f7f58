"""Daily backups made by the bot itself, and the restore command.

Once a local day, from `[backup] time` on (or later that day if the bot was down at
that time), the due-work tick makes SQLite's online backup into `[backup] dir`, named
by the day (`helpline-2026-12-03.sqlite3`). The file of the day is the claim: it is
written under a temporary name and renamed when complete, so after a restart the bot
knows that day's backup is made, and a half-written one never counts. The last `keep`
files are kept. The file's modification time is the moment of the backup (the bot's
clock), which is how /healthz knows the last backup after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import BackupSettings
from bot.ops.metrics import Metrics
from storage.backup_files import (
    DatabaseInUse,
    inspect_database_file,
    online_backup,
    settle_unused_database,
)

logger = logging.getLogger(__name__)

# After a failed backup (a full disk ...), the tick does not try again at once.
RETRY_AFTER_FAILURE = timedelta(hours=1)
_PARTIAL = ".partial"
# Tables every helpline database has since its first migrations.
_HELPLINE_TABLES = frozenset({"users", "outbox"})


def backup_name(database: Path, day: str) -> str:
    return f"{database.stem}-{day}.sqlite3"


def _day_pattern(database: Path) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(database.stem)}-(\d{{4}}-\d{{2}}-\d{{2}})\.sqlite3$")


def list_backups(folder: Path, database: Path) -> list[Path]:
    """The daily backups of this database in the folder, newest day first; other
    files in the folder are never counted (nor deleted)."""
    if not folder.is_dir():
        return []
    pattern = _day_pattern(database)
    found = [entry for entry in folder.iterdir() if pattern.match(entry.name) and entry.is_file()]
    return sorted(found, key=lambda entry: entry.name, reverse=True)


class DailyBackups:
    def __init__(
        self,
        settings: BackupSettings,
        database: Path,
        timezone: ZoneInfo,
        clock: Clock,
        metrics: Metrics | None = None,
    ) -> None:
        self._settings = settings
        self._database = database
        self._timezone = timezone
        self._clock = clock
        self._metrics = metrics
        self._not_before: datetime | None = None
        self.last_backup_at = self._newest_backup_time()
        if self.last_backup_at is not None and metrics is not None:
            metrics.backup_made(self.last_backup_at)

    def _newest_backup_time(self) -> datetime | None:
        backups = list_backups(self._settings.dir, self._database)
        if not backups:
            return None
        return datetime.fromtimestamp(backups[0].stat().st_mtime, UTC)

    def due_file(self, now: datetime) -> Path | None:
        """Today's backup file when it is time for it and it is not made yet."""
        local = now.astimezone(self._timezone)
        if local.time() < self._settings.time:
            return None
        target = self._settings.dir / backup_name(self._database, local.date().isoformat())
        return None if target.exists() else target

    async def run_due(self) -> Path | None:
        """Makes today's backup if it is due; returns the file made."""
        now = self._clock.now()
        if self._not_before is not None and now < self._not_before:
            return None
        target = self.due_file(now)
        if target is None:
            return None
        partial = target.with_name(target.name + _PARTIAL)
        try:
            partial.unlink(missing_ok=True)
            # Its own connection in a thread: the bot goes on answering during the copy.
            await asyncio.to_thread(online_backup, self._database, partial)
            os.replace(partial, target)
            os.utime(target, (now.timestamp(), now.timestamp()))
        except (OSError, sqlite3.Error) as error:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            self._not_before = now + RETRY_AFTER_FAILURE
            logger.error("daily backup failed: %s", error)
            return None
        self._not_before = None
        self.last_backup_at = now
        if self._metrics is not None:
            self._metrics.backup_made(now)
        removed = self._prune()
        logger.info("daily backup made: %s (%d old one(s) removed)", target.name, removed)
        return target

    def _prune(self) -> int:
        old = list_backups(self._settings.dir, self._database)[self._settings.keep :]
        for entry in old:
            entry.unlink(missing_ok=True)
        return len(old)


class RestoreRefused(Exception):
    """The restore did not start; the message says why, for the administrator."""


def restore_database(
    source: Path, target: Path, *, now: datetime, known_version: int
) -> Path | None:
    """Replaces the (stopped) bot's database with a backup; returns where the replaced
    database was kept (`<path>.before-restore-<timestamp>`), None when there was none.

    The backup is copied next to the database and checked there first (integrity,
    schema version), so a bad file is refused before anything is touched."""
    if not source.is_file():
        raise RestoreRefused(f"{source} is not a file")
    staged = target.with_name(target.name + ".restoring")
    staged.unlink(missing_ok=True)
    try:
        _stage(source, staged, known_version)
        aside = _set_aside(target, now)
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)
    return aside


def _stage(source: Path, staged: Path, known_version: int) -> None:
    try:
        # The bot is stopped: the backup is nobody else's, and no companions stay behind.
        online_backup(source, staged, source_in_use=False)
        facts = inspect_database_file(staged)
    except sqlite3.DatabaseError as error:
        raise RestoreRefused(f"{source} is not a readable SQLite database ({error})") from None
    if not facts.sound:
        first = "; ".join(facts.integrity[:3])
        raise RestoreRefused(f"{source} fails the integrity check: {first}")
    if facts.schema_version > known_version:
        raise RestoreRefused(
            f"{source} has schema version {facts.schema_version}, newer than this bot knows "
            f"({known_version}): restore it with the version of the bot that made it"
        )
    if facts.schema_version < 1 or not facts.tables >= _HELPLINE_TABLES:
        raise RestoreRefused(f"{source} is not a helpline bot database")


def _set_aside(target: Path, now: datetime) -> Path | None:
    if not target.exists():
        return None
    try:
        settle_unused_database(target)
    except DatabaseInUse:
        raise RestoreRefused(
            f"{target} is in use: stop the bot first (systemctl stop helpline-bot)"
        ) from None
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = target.with_name(f"{target.name}.before-restore-{stamp}")
    os.replace(target, aside)
    # Companions left by a crash: they belong to the replaced file, never to the restored.
    for suffix in ("-wal", "-shm"):
        companion = target.with_name(target.name + suffix)
        if companion.exists():
            os.replace(companion, aside.with_name(aside.name + suffix))
    return aside
