"""Anonymous facts for the monthly figures: no user id, no text leaves this module."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.stats import (
    AppointmentFact,
    AppointmentGroup,
    CaseFact,
    CaseGroup,
    PeriodCounts,
    TakenCase,
)
from storage.db import Database, from_db_time, maybe_from_db_time, to_db_time

# A fact's place in time, ties broken by id: the order the fact queries below return
# them in (along the time index), which is the order equal counts are shown in.
_CASE_PLACE = "created_at || printf('%012d', id)"
_APPOINTMENT_PLACE = "starts_at || printf('%012d', id)"


def _month_of(column: str, month_starts: Sequence[datetime]) -> tuple[str, tuple[str, ...]]:
    """SQL for the month a stored moment falls in (its place in the period), and its
    parameters: the number of month starts it is not before."""
    if not month_starts:
        return "0", ()
    whens = " ".join(f"WHEN {column} < ? THEN {n}" for n in range(len(month_starts)))
    return f"CASE {whens} ELSE {len(month_starts)} END", tuple(map(to_db_time, month_starts))


class StatsRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def counts(
        self,
        start: datetime,
        end: datetime,
        month_starts: Sequence[datetime] = (),
        center_id: str | None = None,
    ) -> PeriodCounts:
        """The period's facts counted in SQL: what bot.domain.stats.counts_of makes of
        case_facts and appointment_facts, without a Python object per fact; with
        `center_id`, that centre's cases and appointments only."""
        bounds: tuple[str, ...] = (to_db_time(start), to_db_time(end))
        where = "AND center_id = ? " if center_id is not None else ""
        if center_id is not None:
            bounds += (center_id,)
        month, month_bounds = _month_of("created_at", month_starts)
        case_groups = await self._db.fetch_all(
            f"SELECT {month} AS month, category, urgent, closed_at IS NOT NULL AS closed, "
            "COUNT(*) AS n FROM cases WHERE created_at >= ? AND created_at < ? "
            f"{where}GROUP BY 1, 2, 3, 4 ORDER BY MIN({_CASE_PLACE})",
            (*month_bounds, *bounds),
        )
        taken = await self._db.fetch_all(
            "SELECT urgent, created_at, taken_at FROM cases "
            "WHERE created_at >= ? AND created_at < ? AND taken_at IS NOT NULL "
            f"{where}ORDER BY created_at, id",
            bounds,
        )
        month, month_bounds = _month_of("starts_at", month_starts)
        appointment_groups = await self._db.fetch_all(
            f"SELECT {month} AS month, service_id, status = 'cancelled' AS cancelled, "
            "attendance, COUNT(*) AS n FROM appointments WHERE starts_at >= ? AND starts_at < ? "
            f"{where}GROUP BY 1, 2, 3, 4 ORDER BY MIN({_APPOINTMENT_PLACE})",
            (*month_bounds, *bounds),
        )
        return PeriodCounts(
            cases=tuple(
                CaseGroup(r["month"], r["category"], bool(r["urgent"]), bool(r["closed"]), r["n"])
                for r in case_groups
            ),
            taken=tuple(
                TakenCase(
                    bool(r["urgent"]), from_db_time(r["created_at"]), from_db_time(r["taken_at"])
                )
                for r in taken
            ),
            appointments=tuple(
                AppointmentGroup(
                    r["month"], r["service_id"], bool(r["cancelled"]), r["attendance"], r["n"]
                )
                for r in appointment_groups
            ),
        )

    async def case_facts(self, start: datetime, end: datetime) -> list[CaseFact]:
        rows = await self._db.fetch_all(
            "SELECT code, created_at, category, urgent, urgent_reasons, taken_at, closed_at, "
            "center_id FROM cases "
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
                center_id=row["center_id"],
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
