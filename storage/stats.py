"""Anonymous facts for the monthly figures: no user id, no text leaves this module."""

from __future__ import annotations

from datetime import datetime

from bot.domain.stats import AppointmentFact, CaseFact
from storage.db import Database, from_db_time, maybe_from_db_time, to_db_time


class StatsRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def case_facts(self, start: datetime, end: datetime) -> list[CaseFact]:
        rows = await self._db.fetch_all(
            "SELECT code, created_at, category, urgent, urgent_reasons, taken_at, closed_at "
            "FROM cases "
            "WHERE created_at >= ? AND created_at < ? ORDER BY created_at",
            (to_db_time(start), to_db_time(end)),
        )
        return [
            CaseFact(
                code=row["code"],
                created_at=from_db_time(row["created_at"]),
                category=row["category"],
                urgent=bool(row["urgent"]),
                taken_at=maybe_from_db_time(row["taken_at"]),
                closed_at=maybe_from_db_time(row["closed_at"]),
                urgent_reasons=tuple(r for r in row["urgent_reasons"].split(",") if r),
            )
            for row in rows
        ]

    async def appointment_facts(self, start: datetime, end: datetime) -> list[AppointmentFact]:
        rows = await self._db.fetch_all(
            "SELECT code, starts_at, center_id, service_id, status, attendance FROM appointments "
            "WHERE starts_at >= ? AND starts_at < ? ORDER BY starts_at",
            (to_db_time(start), to_db_time(end)),
        )
        return [
            AppointmentFact(
                code=row["code"],
                starts_at=from_db_time(row["starts_at"]),
                center_id=row["center_id"],
                service_id=row["service_id"],
                cancelled=row["status"] == "cancelled",
                attendance=row["attendance"],
            )
            for row in rows
        ]
