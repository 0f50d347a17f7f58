"""Reads of cases outside any write (a plain read takes no write lock)."""

from __future__ import annotations

from datetime import datetime

from storage.cases.records import (
    CASE_COLUMNS,
    Case,
    CaseMessage,
    ManualDutyEntry,
    case_from_row,
    message_from_row,
)
from storage.crypto import TextSealer
from storage.db import Database, from_db_time, to_db_time


class CaseRepository:
    def __init__(self, db: Database, sealer: TextSealer) -> None:
        self._db = db
        self._sealer = sealer

    async def get(self, case_id: int) -> Case | None:
        row = await self._db.fetch_one(f"SELECT {CASE_COLUMNS} FROM cases WHERE id = ?", (case_id,))
        return case_from_row(row, self._sealer) if row else None

    async def by_code(self, code: str) -> Case | None:
        row = await self._db.fetch_one(f"SELECT {CASE_COLUMNS} FROM cases WHERE code = ?", (code,))
        return case_from_row(row, self._sealer) if row else None

    async def open_case_of(self, user_id: int) -> Case | None:
        row = await self._db.fetch_one(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE user_id = ? AND status = 'open' "
            "ORDER BY id DESC LIMIT 1",
            (user_id,),
        )
        return case_from_row(row, self._sealer) if row else None

    async def is_user_blocked(self, user_id: int) -> bool:
        row = await self._db.fetch_one(
            "SELECT 1 FROM cases WHERE user_id = ? AND blocked = 1 LIMIT 1", (user_id,)
        )
        return row is not None

    async def staff_message_link(self, chat_id: int, message_id: int) -> tuple[Case, str] | None:
        """The case a staff-group message is linked to, with the link's kind (card, repost,
        relay, notice, staff), or None for a message of no case."""
        row = await self._db.fetch_one(
            f"SELECT {CASE_COLUMNS}, m.link_kind FROM cases JOIN "
            "(SELECT case_id, kind AS link_kind FROM case_staff_messages "
            "WHERE chat_id = ? AND message_id = ?) m ON m.case_id = cases.id",
            (chat_id, message_id),
        )
        return (case_from_row(row, self._sealer), str(row["link_kind"])) if row else None

    async def latest_staff_answer(self, chat_id: int, case_id: int) -> int | None:
        """The newest staff answer of the case in the group (its message id), if any."""
        row = await self._db.fetch_one(
            "SELECT MAX(message_id) FROM case_staff_messages "
            "WHERE chat_id = ? AND case_id = ? AND kind = 'staff'",
            (chat_id, case_id),
        )
        return int(row[0]) if row and row[0] is not None else None

    async def by_topic(self, topic_id: int) -> list[Case]:
        """The cases with this forum topic, newest first: topic ids are numbered per group,
        so each centre's group may have one of the same number."""
        rows = await self._db.fetch_all(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE topic_id = ? ORDER BY id DESC LIMIT 20",
            (topic_id,),
        )
        return [case_from_row(row, self._sealer) for row in rows]

    async def count_since(self, user_id: int, since: datetime) -> int:
        """How many cases the user opened since the moment."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM cases WHERE user_id = ? AND created_at >= ?",
            (user_id, to_db_time(since)),
        )
        return int(row[0]) if row else 0

    async def due_escalations(self, now: datetime) -> list[Case]:
        rows = await self._db.fetch_all(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE next_escalation_at IS NOT NULL "
            "AND next_escalation_at <= ? AND taken_at IS NULL AND status = 'open' "
            "ORDER BY next_escalation_at, id",
            (to_db_time(now),),
        )
        return [case_from_row(row, self._sealer) for row in rows]

    async def messages(self, case_id: int) -> list[CaseMessage]:
        rows = await self._db.fetch_all(
            "SELECT * FROM case_messages WHERE case_id = ? ORDER BY id", (case_id,)
        )
        return [message_from_row(row, self._sealer) for row in rows]

    async def cases_with_stalled_relays(self) -> list[int]:
        """Open cases whose user messages wait for a batch although none is pending."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT m.case_id FROM case_messages m JOIN cases c ON c.id = m.case_id "
            "WHERE m.author = 'user' AND m.relay_id IS NULL AND c.status = 'open' "
            "AND c.user_id IS NOT NULL AND NOT EXISTS ("
            " SELECT 1 FROM case_messages p JOIN outbox o ON o.id = p.relay_id "
            " WHERE p.case_id = m.case_id AND p.author = 'user' AND o.status = 'pending')"
        )
        return [row[0] for row in rows]

    async def manual_duty(self) -> list[ManualDutyEntry]:
        rows = await self._db.fetch_all(
            "SELECT user_id, name, since, center_id FROM manual_duty ORDER BY since DESC"
        )
        return [
            ManualDutyEntry(r["user_id"], r["name"], from_db_time(r["since"]), r["center_id"])
            for r in rows
        ]

    async def open_urgent_counts(self) -> dict[str | None, int]:
        """Open urgent cases per centre, for the region group's daily line."""
        rows = await self._db.fetch_all(
            "SELECT center_id, COUNT(*) FROM cases WHERE status = 'open' AND urgent = 1 "
            "GROUP BY center_id"
        )
        return {row[0]: int(row[1]) for row in rows}
