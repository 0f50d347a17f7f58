"""Erasing what cases hold about a person: forget-me, and the retention of case texts.

Forget-me runs inside the one forget-me transaction (bot/forgetting.py): cases are
unlinked and blanked, and staff are told about the ones that were open, by code only.
Anonymous counts for the monthly figures stay.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite

from bot.cases.outgoing import CARD_KINDS, ERASED, NOTICE, Write, html, placement, to_staff
from bot.cases.staff_side import StaffSides
from bot.config import Settings
from storage.cases import CaseStore
from storage.cases.notes import CaseNoteStore
from storage.crypto import TextSealer
from storage.outbox import erase_refs
from storage.unit_of_work import OutboxWriter


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
        """Forget me, on the forget-me transaction's connection."""
        sides = self._sides
        store = CaseStore(connection, self._sealer)
        outbox = OutboxWriter(connection, self._sealer, now)
        staff_messages = await store.staff_messages_of_user(user_id)
        case_ids = sorted(await store.ids_of_user(user_id))
        # Sent cards and relays still hold the words in the outbox until its 48-hour purge;
        # pending ones would carry them on. All go; the edits below take their place.
        await erase_refs(connection, "case_", case_ids)
        # The staff group still shows the story and the relayed words: cards and re-alerts
        # are edited to say the user erased their data, relayed messages are deleted
        # (Telegram allows it for 48 hours, or always for an admin bot).
        for message in staff_messages:
            if message.kind in CARD_KINDS:
                method = "editMessageText"
                text = sides.tr("staff.card_erased", code=message.code)
                params = html(text, message_id=message.message_id)
            elif message.kind == "relay":
                method, params = "deleteMessage", {"message_id": message.message_id}
            else:
                continue
            await outbox.add(
                chat_id=message.chat_id,
                method=method,
                params=params,
                purpose=ERASED,
                ref=message.case_id,
            )
        # Internal notes go with the case's texts, while the cases still name the user.
        await CaseNoteStore(connection, self._sealer).erase_of_user(user_id)
        for case_id in await store.forget_user(user_id, now):
            case = await store.get(case_id)
            if case is None:
                continue
            notice = sides.tr("staff.user_forgot", code=case.code)
            working = sides.of(case)
            for side in working:
                place = placement(case, reply_to_card=True, home=side is working[0])
                await to_staff(outbox, side.chat_id, case, html(notice, **place), NOTICE)

    async def erase_closed_case_texts(self, now: datetime) -> int:
        """Retention: the texts of cases closed `privacy.retention_days` ago."""
        kept = timedelta(days=self._settings.privacy.retention_days)
        async with self._write() as tx:
            await CaseNoteStore.of(tx).erase_closed(now - kept)
            return await CaseStore.of(tx).erase_closed_texts(now - kept)
