"""Erasing what cases hold about a person: forget-me, and the retention of case texts.

Forget-me runs inside the one forget-me transaction (bot/forgetting.py): every message of
her cases in the staff groups is deleted (cards, her words, staff answers and notes, the
bot's notices), the cases are unlinked and blanked, and staff are told about the ones
that were open, by code only. Anonymous counts for the monthly figures stay.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import aiosqlite

from bot.cases.outgoing import CARD_KINDS, ERASED, NOTICE, Write, html
from bot.cases.staff_side import StaffSides
from bot.config import Settings
from storage.cases import CaseStore
from storage.cases.notes import CaseNoteStore
from storage.crypto import TextSealer
from storage.outbox import erase_refs
from storage.unit_of_work import OutboxWriter

# Telegram's deleteMessages takes up to 100 ids a call.
DELETE_AT_ONCE = 100


class Erasing:
    def __init__(
        self, *, write: Write, sides: StaffSides, settings: Settings, sealer: TextSealer
    ) -> None:
        self._write = write
        self._sides = sides
        self._settings = settings
        self._sealer = sealer

    async def erase_user_cases(
        self, connection: aiosqlite.Connection, user_id: int, now: datetime
    ) -> None:
        """Forget me, on the forget-me transaction's connection: every message of her cases
        leaves the staff groups, and the cases keep only their anonymous counts."""
        sides = self._sides
        store = CaseStore(connection, self._sealer)
        outbox = OutboxWriter(connection, self._sealer, now)
        staff_messages = await store.staff_messages_of_user(user_id)
        case_ids = sorted(await store.ids_of_user(user_id))
        cases = [case for case in [await store.get(i) for i in case_ids] if case is not None]
        # Sent cards and relays still hold the words in the outbox until its 48-hour purge;
        # pending ones would carry them on. All go; the deletions below take their place.
        await erase_refs(connection, "case_", case_ids)
        # The cards are the bot's own: first made code-free and story-free, which holds
        # even where Telegram would refuse the deletion (a group where the bot lost its
        # admin rights, a card older than 48 hours there).
        for message in staff_messages:
            if message.kind in CARD_KINDS:
                params = html(sides.tr("staff.card_erased"), message_id=message.message_id)
                await outbox.add(
                    chat_id=message.chat_id,
                    method="editMessageText",
                    params=params,
                    purpose=ERASED,
                    ref=message.case_id,
                )
        # Then every message of her cases goes from every group that heard them: cards,
        # relays, staff answers and notes, the bot's notices and pickers.
        by_chat: dict[int, list[int]] = defaultdict(list)
        for message in staff_messages:
            by_chat[message.chat_id].append(message.message_id)
        for chat_id, message_ids in by_chat.items():
            for start in range(0, len(message_ids), DELETE_AT_ONCE):
                await outbox.add(
                    chat_id=chat_id,
                    method="deleteMessages",
                    params={"message_ids": message_ids[start : start + DELETE_AT_ONCE]},
                    purpose=ERASED,
                    ref=None,
                )
        # A forum topic of her case holds whatever else staff wrote in it: it goes whole.
        for case in cases:
            if case.topic_id is not None:
                await outbox.add(
                    chat_id=sides.home(case).chat_id,
                    method="deleteForumTopic",
                    params={"message_thread_id": case.topic_id},
                    purpose=ERASED,
                    ref=None,
                )
        # Internal notes go with the case's texts, while the cases still name the user.
        await CaseNoteStore(connection, self._sealer).erase_of_user(user_id)
        for case_id in await store.forget_user(user_id, now):
            erased = await store.get(case_id)
            if erased is None:
                continue
            # Not linked to the case (no ref): nothing of the case is left to reply to.
            notice = sides.tr("staff.user_forgot", code=erased.code)
            for side in sides.of(erased):
                await outbox.add(
                    chat_id=side.chat_id, method="sendMessage", params=html(notice), purpose=NOTICE
                )

    async def erase_closed_case_texts(self, now: datetime) -> int:
        """Retention: the texts of cases closed `privacy.retention_days` ago."""
        kept = timedelta(days=self._settings.privacy.retention_days)
        async with self._write() as tx:
            await CaseNoteStore.of(tx).erase_closed(now - kept)
            return await CaseStore.of(tx).erase_closed_texts(now - kept)
