"""The audit log of staff actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, from_db_time, to_db_time


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor_id: int
    action: str
    subject: str | None
    detail: str | None


async def record(
    connection: aiosqlite.Connection,
    *,
    at: datetime,
    actor_id: int,
    action: str,
    subject: str | None = None,
    detail: str | None = None,
) -> None:
    """Inside the caller's transaction: the action and its record commit together."""
    await connection.execute(
        "INSERT INTO audit_log (at, actor_id, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        (to_db_time(at), actor_id, action, subject, detail),
    )


class AuditRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        *,
        at: datetime,
        actor_id: int,
        action: str,
        subject: str | None = None,
        detail: str | None = None,
    ) -> None:
        async with self._db.transaction() as connection:
            await record(
                connection, at=at, actor_id=actor_id, action=action, subject=subject, detail=detail
            )

    async def for_subject(self, subject: str) -> list[AuditEntry]:
        rows = await self._db.fetch_all(
            "SELECT at, actor_id, action, subject, detail FROM audit_log "
            "WHERE subject = ? ORDER BY at, id",
            (subject,),
        )
        return [
            AuditEntry(from_db_time(r["at"]), r["actor_id"], r["action"], r["subject"], r["detail"])
            for r in rows
        ]
