"""Case SQL bound to one open write: `CaseStore.of(tx)` inside `services.write()`.

Every write of a case commits together with the outbox messages and audit records
that report it, so the store works on the caller's transaction and never opens one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import aiosqlite

from bot.domain.case_rules import ReplyBy
from bot.domain.language import Language
from storage.cases.records import (
    CASE_COLUMNS,
    ERASE_TEXTS,
    Case,
    CodeTaken,
    StaffMessageOfUser,
    case_from_row,
    fetch_all,
    fetch_one,
    seal,
)
from storage.crypto import TextSealer
from storage.db import to_db_time

if TYPE_CHECKING:
    from storage.unit_of_work import Transaction


class CaseStore:
    def __init__(self, connection: aiosqlite.Connection, sealer: TextSealer) -> None:
        self._connection = connection
        self._sealer = sealer

    @classmethod
    def of(cls, tx: Transaction) -> CaseStore:
        return cls(tx.connection, tx.sealer)

    async def insert(
        self,
        *,
        code: str,
        user_id: int,
        language: Language,
        category: str,
        urgent_reasons: Sequence[str],
        story: str | None,
        story_voice: Sequence[str],
        screen: dict[str, bool | None] | None,
        reply_by: ReplyBy,
        callback_phone: str | None,
        now: datetime,
        next_escalation_at: datetime | None,
        topic_id: int | None,
        center_id: str | None = None,
        not_safe_to_talk: bool = False,
    ) -> int:
        """Inserts a confirmed case; raises CodeTaken when the code is in use."""
        connection, sealer = self._connection, self._sealer
        if await fetch_one(connection, "SELECT 1 FROM cases WHERE code = ?", (code,)) is not None:
            raise CodeTaken(code)
        cursor = await connection.execute(
            "INSERT INTO cases (code, user_id, language, category, urgent, urgent_reasons, "
            "urgent_at, story, story_voice, screen, reply_by, callback_phone, created_at, "
            "next_escalation_at, topic_id, center_id, not_safe_to_talk) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                code,
                user_id,
                language,
                category,
                1 if urgent_reasons else 0,
                ",".join(urgent_reasons),
                to_db_time(now) if urgent_reasons else None,
                seal(sealer, story),
                seal(sealer, json.dumps(list(story_voice))) if story_voice else None,
                seal(sealer, json.dumps(screen)) if screen is not None else None,
                reply_by,
                seal(sealer, callback_phone),
                to_db_time(now),
                to_db_time(next_escalation_at) if next_escalation_at else None,
                topic_id,
                center_id,
                1 if not_safe_to_talk else 0,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def get(self, case_id: int) -> Case | None:
        row = await fetch_one(
            self._connection, f"SELECT {CASE_COLUMNS} FROM cases WHERE id = ?", (case_id,)
        )
        return case_from_row(row, self._sealer) if row else None

    async def count_since(self, user_id: int, since: datetime) -> int:
        row = await fetch_one(
            self._connection,
            "SELECT COUNT(*) FROM cases WHERE user_id = ? AND created_at >= ?",
            (user_id, to_db_time(since)),
        )
        return int(row[0]) if row else 0

    async def make_urgent(
        self,
        case_id: int,
        reasons: Sequence[str],
        now: datetime,
        next_escalation_at: datetime | None,
    ) -> bool:
        """Marks an open, not urgent case urgent; False if it was urgent or closed already."""
        cursor = await self._connection.execute(
            "UPDATE cases SET urgent = 1, urgent_reasons = ?, urgent_at = ?, "
            "escalation_step = 0, "
            "next_escalation_at = CASE WHEN taken_at IS NULL THEN ? ELSE NULL END "
            "WHERE id = ? AND urgent = 0 AND status = 'open'",
            (
                ",".join(reasons),
                to_db_time(now),
                to_db_time(next_escalation_at) if next_escalation_at else None,
                case_id,
            ),
        )
        return cursor.rowcount > 0

    async def claim(self, case_id: int, staff_id: int, name: str, now: datetime) -> bool:
        """The first "I take it" wins; the escalation chain stops with it."""
        cursor = await self._connection.execute(
            "UPDATE cases SET taken_at = ?, taken_by = ?, taken_by_name = ?, "
            "next_escalation_at = NULL WHERE id = ? AND taken_at IS NULL AND status = 'open'",
            (to_db_time(now), staff_id, name, case_id),
        )
        return cursor.rowcount > 0

    async def advance_escalation(
        self, case_id: int, step: int, next_at: datetime | None, center_id: str | None
    ) -> bool:
        """Moves from re-alert `step - 1` to `step`, if nobody took the case meanwhile and
        it is still at `center_id` (a hand-over restarts the chain at the new centre)."""
        cursor = await self._connection.execute(
            "UPDATE cases SET escalation_step = ?, next_escalation_at = ? "
            "WHERE id = ? AND escalation_step = ? AND taken_at IS NULL AND status = 'open' "
            "AND center_id IS ?",
            (step, to_db_time(next_at) if next_at else None, case_id, step - 1, center_id),
        )
        return cursor.rowcount > 0

    async def close(self, case_id: int, now: datetime) -> bool:
        cursor = await self._connection.execute(
            "UPDATE cases SET status = 'closed', closed_at = ?, next_escalation_at = NULL "
            "WHERE id = ? AND status = 'open'",
            (to_db_time(now), case_id),
        )
        return cursor.rowcount > 0

    async def set_blocked(self, case_id: int, blocked: bool) -> int:
        """Blocks or unblocks the person behind a case: all of their cases, never named."""
        cursor = await self._connection.execute(
            "UPDATE cases SET blocked = ? WHERE id = ? OR (user_id IS NOT NULL AND user_id = "
            "(SELECT user_id FROM cases WHERE id = ?))",
            (1 if blocked else 0, case_id, case_id),
        )
        return cursor.rowcount

    async def mark_unreachable(self, case_id: int) -> bool:
        cursor = await self._connection.execute(
            "UPDATE cases SET user_unreachable = 1 WHERE id = ? AND user_unreachable = 0",
            (case_id,),
        )
        return cursor.rowcount > 0

    async def open_case_of(self, user_id: int) -> Case | None:
        row = await fetch_one(
            self._connection,
            f"SELECT {CASE_COLUMNS} FROM cases WHERE user_id = ? AND status = 'open' "
            "ORDER BY id DESC LIMIT 1",
            (user_id,),
        )
        return case_from_row(row, self._sealer) if row else None

    async def safe_to_talk_again(self, user_id: int) -> list[int]:
        """She says it is safe to talk now: her cases that said otherwise (their ids)."""
        rows = await fetch_all(
            self._connection,
            "UPDATE cases SET not_safe_to_talk = 0 WHERE user_id = ? AND not_safe_to_talk = 1 "
            "RETURNING id",
            (user_id,),
        )
        return [int(row[0]) for row in rows]

    async def mark_reachable(self, user_id: int) -> None:
        await self._connection.execute(
            "UPDATE cases SET user_unreachable = 0 WHERE user_id = ? AND user_unreachable = 1",
            (user_id,),
        )

    async def claim_for_center(self, case_id: int, center_id: str, chat_id: int) -> None:
        """An early /sos every centre heard belongs to the centre of whoever took it, and
        its card is now the one in that centre's group (`chat_id`), if it arrived yet."""
        await self._connection.execute(
            "UPDATE cases SET center_id = ?, card_message_id = (SELECT MIN(message_id) "
            "FROM case_staff_messages WHERE case_id = ? AND chat_id = ? AND kind = 'card') "
            "WHERE id = ? AND center_id IS NULL",
            (center_id, case_id, chat_id, case_id),
        )

    async def hand_over(
        self, case_id: int, center_id: str, next_escalation_at: datetime | None
    ) -> bool:
        """The case moves to another centre and waits there to be taken again: the new
        centre's staff answer from now on; an urgent one starts its re-alerts afresh."""
        cursor = await self._connection.execute(
            "UPDATE cases SET center_id = ?, taken_at = NULL, taken_by = NULL, "
            "taken_by_name = NULL, card_message_id = NULL, topic_id = NULL, "
            "escalation_step = 0, "
            "next_escalation_at = CASE WHEN urgent = 1 THEN ? ELSE NULL END "
            "WHERE id = ? AND status = 'open' AND COALESCE(center_id, '') != ?",
            (
                center_id,
                to_db_time(next_escalation_at) if next_escalation_at else None,
                case_id,
                center_id,
            ),
        )
        return cursor.rowcount > 0

    async def claim_region_day(self, day: str, now: datetime) -> bool:
        """The region group's daily line of `day` is claimed once."""
        cursor = await self._connection.execute(
            "INSERT INTO region_runs (day, sent_at) VALUES (?, ?) ON CONFLICT (day) DO NOTHING",
            (day, to_db_time(now)),
        )
        return cursor.rowcount > 0

    async def set_topic(self, case_id: int, topic_id: int) -> None:
        await self._connection.execute(
            "UPDATE cases SET topic_id = ? WHERE id = ?", (topic_id, case_id)
        )

    async def ids_of_user(self, user_id: int) -> list[int]:
        rows = await fetch_all(
            self._connection, "SELECT id FROM cases WHERE user_id = ?", (user_id,)
        )
        return [row[0] for row in rows]

    async def staff_messages_of_user(self, user_id: int) -> list[StaffMessageOfUser]:
        """Every staff-group message of the user's cases: forget-me deletes them all."""
        rows = await fetch_all(
            self._connection,
            "SELECT c.id, c.code, m.chat_id, m.message_id, m.kind FROM case_staff_messages m "
            "JOIN cases c ON c.id = m.case_id WHERE c.user_id = ? ORDER BY m.message_id",
            (user_id,),
        )
        return [StaffMessageOfUser(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    async def forget_user(self, user_id: int, now: datetime) -> list[int]:
        """Forget me: the user's open cases close, every case loses its link and its texts.

        Returns the ids of the cases that were open (staff are told about those). What
        stays is anonymous: category, urgent, the times; no link to a message in a group.
        """
        connection = self._connection
        rows = await fetch_all(
            connection, "SELECT id FROM cases WHERE user_id = ? AND status = 'open'", (user_id,)
        )
        open_ids = [row[0] for row in rows]
        # Blanked messages are never relayed: relay_id 0 marks them handled (no outbox row).
        await connection.execute(
            "UPDATE case_messages SET body = NULL, file_id = NULL, "
            "relay_id = COALESCE(relay_id, 0) "
            "WHERE case_id IN (SELECT id FROM cases WHERE user_id = ?)",
            (user_id,),
        )
        # Her cases' messages are being deleted from the groups: nothing may lead back there.
        await connection.execute(
            "DELETE FROM case_staff_messages "
            "WHERE case_id IN (SELECT id FROM cases WHERE user_id = ?)",
            (user_id,),
        )
        await connection.execute(
            f"UPDATE cases SET {ERASE_TEXTS}, user_id = NULL, next_escalation_at = NULL, "
            "card_message_id = NULL, topic_id = NULL, "
            "status = 'closed', closed_at = COALESCE(closed_at, ?) WHERE user_id = ?",
            (to_db_time(now), user_id),
        )
        return open_ids

    async def erase_closed_texts(self, closed_before: datetime) -> int:
        """Retention: texts of cases closed before the moment go; the counts stay."""
        await self._connection.execute(
            "UPDATE case_messages SET body = NULL, file_id = NULL WHERE (body IS NOT NULL "
            "OR file_id IS NOT NULL) AND case_id IN (SELECT id FROM cases "
            "WHERE status = 'closed' AND closed_at < ?)",
            (to_db_time(closed_before),),
        )
        cursor = await self._connection.execute(
            f"UPDATE cases SET {ERASE_TEXTS} WHERE status = 'closed' AND closed_at < ? "
            "AND (story IS NOT NULL OR story_voice IS NOT NULL OR screen IS NOT NULL "
            "OR callback_phone IS NOT NULL)",
            (to_db_time(closed_before),),
        )
        return cursor.rowcount
