"""A case's conversation and its messages in the staff group, bound to one open write.

`case_messages` holds what the user and staff wrote (sealed); `relay_id` points at the
outbox row that carried a user message to the staff group. `case_staff_messages` links
the bot's messages in the group to their case, so a staff reply finds its way back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import aiosqlite

from bot.domain.case_rules import MessageKind
from storage.cases.records import CaseMessage, fetch_all, fetch_one, message_from_row, seal
from storage.crypto import TextSealer
from storage.db import to_db_time

# The staff-group messages that are cards of a case: the first card, a re-alert nobody
# took ("repost"), and the reposts whose first line stays true once the case is taken.
CARD_KINDS = ("card", "repost", "now_urgent", "sos_again")

if TYPE_CHECKING:
    from storage.unit_of_work import Transaction


class CaseMessageStore:
    def __init__(self, connection: aiosqlite.Connection, sealer: TextSealer) -> None:
        self._connection = connection
        self._sealer = sealer

    @classmethod
    def of(cls, tx: Transaction) -> CaseMessageStore:
        return cls(tx.connection, tx.sealer)

    async def add(
        self,
        *,
        case_id: int,
        author: Literal["user", "staff"],
        kind: MessageKind,
        body: str | None,
        file_id: str | None,
        now: datetime,
        staff_id: int | None = None,
    ) -> int:
        cursor = await self._connection.execute(
            "INSERT INTO case_messages (case_id, author, staff_id, kind, body, file_id, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                case_id,
                author,
                staff_id,
                kind,
                seal(self._sealer, body),
                seal(self._sealer, file_id),
                to_db_time(now),
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def unrelayed_user_messages(self, case_id: int) -> list[CaseMessage]:
        rows = await fetch_all(
            self._connection,
            "SELECT * FROM case_messages WHERE case_id = ? AND author = 'user' "
            "AND relay_id IS NULL ORDER BY id",
            (case_id,),
        )
        return [message_from_row(row, self._sealer) for row in rows]

    async def has_pending_relay(self, case_id: int) -> bool:
        """Whether a batch of this case's user messages is still waiting in the outbox."""
        row = await fetch_one(
            self._connection,
            "SELECT 1 FROM case_messages m JOIN outbox o ON o.id = m.relay_id "
            "WHERE m.case_id = ? AND m.author = 'user' AND o.status = 'pending' LIMIT 1",
            (case_id,),
        )
        return row is not None

    async def set_relay(self, message_ids: Sequence[int], relay_id: int) -> None:
        await self._connection.executemany(
            "UPDATE case_messages SET relay_id = ? WHERE id = ?",
            [(relay_id, message_id) for message_id in message_ids],
        )

    async def link_staff_message(
        self, chat_id: int, message_id: int, case_id: int, kind: str
    ) -> None:
        """Links a bot message in a staff group to its case."""
        await self._connection.execute(
            "INSERT OR IGNORE INTO case_staff_messages (chat_id, message_id, case_id, kind) "
            "VALUES (?, ?, ?, ?)",
            (chat_id, message_id, case_id, kind),
        )

    async def set_card(self, case_id: int, message_id: int) -> None:
        """The first card in the case's home group is the case's card (message ids are
        numbered per group: a card in another group that heard the case must not be it)."""
        await self._connection.execute(
            "UPDATE cases SET card_message_id = COALESCE(card_message_id, ?) WHERE id = ?",
            (message_id, case_id),
        )

    async def card_ids(self, chat_id: int, case_id: int) -> list[int]:
        """The case's cards in the staff group (the first one and every repost)."""
        return [message_id for message_id, _ in await self.cards(chat_id, case_id)]

    async def cards(self, chat_id: int, case_id: int) -> list[tuple[int, str]]:
        """The case's cards with their kinds: a repost's kind is why it was posted."""
        rows = await fetch_all(
            self._connection,
            "SELECT message_id, kind FROM case_staff_messages WHERE chat_id = ? AND case_id = ? "
            f"AND kind IN ({', '.join('?' for _ in CARD_KINDS)}) ORDER BY message_id",
            (chat_id, case_id, *CARD_KINDS),
        )
        return [(row[0], row[1]) for row in rows]
