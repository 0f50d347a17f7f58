"""Forget me, for appointments: future ones cancelled (staff told), notes and voice notes
erased, the rest unlinked. Runs inside the forget-me transaction (bot/forgetting.py),
before the user row goes: future appointments are found by the user's id.

What stays is anonymous: service, time, status, attendance.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.appointments.agenda import StaffAgenda
from bot.appointments.agenda_messages import PURPOSE_AGENDA, PURPOSE_AGENDA_ERASED, message_params
from bot.appointments.messages import staff_notice
from bot.appointments.waitlist import Waitlist
from bot.config import Settings
from bot.i18n import Texts
from storage.appointments import AgendaChanges, ReminderChanges, SeatChanges
from storage.crypto import TextSealer
from storage.outbox import delete_message, erase_refs, messages_with_ref, rewrite_pending
from storage.unit_of_work import OutboxWriter, Transaction

PURPOSE_NOTICE_ERASED = "appointment_erased"


class AppointmentEraser:
    def __init__(
        self,
        *,
        settings: Settings,
        texts: Texts,
        sealer: TextSealer,
        agenda: StaffAgenda,
        waitlist: Waitlist,
    ) -> None:
        self._settings = settings
        self._texts = texts
        self._sealer = sealer
        self._agenda = agenda
        self._waitlist = waitlist

    async def __call__(
        self, connection: aiosqlite.Connection, _services: object, user_id: int, now: datetime
    ) -> None:
        tr = self._texts.for_language(self._settings.staff_language)
        outbox = OutboxWriter(connection, self._sealer, now)
        seats = SeatChanges(connection, self._sealer)
        staff_messages = await seats.staff_messages_of_user(user_id)
        # Sent notices and reminders hold the note and the times in the outbox until its
        # 48-hour purge; the notices in the staff group are edited to drop the note, and
        # a voice note (her own voice) is deleted there, as a case's relayed voice is.
        appointment_ids = await seats.ids_of_user(user_id)
        await erase_refs(connection, "appointment_", appointment_ids)
        for message in staff_messages:
            params: dict[str, object]
            if message.kind == "voice":
                method, params = "deleteMessage", {"message_id": message.message_id}
            else:
                method = "editMessageText"
                params = {
                    "message_id": message.message_id,
                    "text": tr("appointment_notice.erased", code=message.code),
                    "parse_mode": "HTML",
                }
            await outbox.add(
                chat_id=message.chat_id,
                method=method,
                params=params,
                purpose=PURPOSE_NOTICE_ERASED,
                ref=message.appointment_id,
            )
        # Her waiting entries go first, so that no seat she frees is offered to her.
        tx = Transaction(connection, self._sealer, now)
        await self._waitlist.forget(tx, user_id)
        reminders = ReminderChanges(connection, self._sealer)
        for appointment in await seats.future_of_user(user_id, now):
            cancelled = await seats.cancel(appointment.id, by="forget", now=now)
            await reminders.drop_planned(appointment.id, now)
            notice = staff_notice(self._settings, tr, cancelled, "cancelled")
            await outbox.add(
                chat_id=notice.chat_id,
                method="sendMessage",
                params=notice.params,
                purpose=notice.purpose,
                ref=cancelled.id,
            )
            await self._waitlist.offer_freed(tx, cancelled.service_id, cancelled.starts_at)
        await seats.unlink_user(user_id)
        await self._redraw_agenda(connection, outbox, appointment_ids)

    async def _redraw_agenda(
        self, connection: aiosqlite.Connection, outbox: OutboxWriter, appointment_ids: list[int]
    ) -> None:
        """Agenda messages list notes: each one listing the user's appointments is redrawn
        from what is stored now (the notes are gone), the rest of the day unchanged. One
        still queued (a backlog, retries) is sent redrawn; the outbox keeps no old copy."""
        agenda_changes = AgendaChanges(connection, self._sealer)
        for agenda in await agenda_changes.messages_listing(appointment_ids):
            text, markup = self._agenda.redraw(agenda)
            rewritten, sent_message_id = False, None
            stored = await messages_with_ref(
                connection, self._sealer, agenda.record_id, (PURPOSE_AGENDA, PURPOSE_AGENDA_ERASED)
            )
            for message in stored:
                if message.status != "pending":
                    # Sent or failed: deleted (no copy of a note kept for the purge); a sent
                    # one tells the message id its record may not know yet.
                    if message.sent_message_id is not None and sent_message_id is None:
                        sent_message_id = message.sent_message_id
                    await delete_message(connection, message.id)
                    continue
                params = dict(message.params)
                params.pop("reply_markup", None)
                params.update(message_params(text, markup))
                await rewrite_pending(connection, self._sealer, message.id, params)
                rewritten = True
            edited_id = agenda.message_id if agenda.message_id is not None else sent_message_id
            if rewritten or edited_id is None:
                # The queued message (or redraw) goes out with the new text by itself.
                continue
            await outbox.add(
                chat_id=agenda.chat_id,
                method="editMessageText",
                params={"message_id": edited_id, **message_params(text, markup)},
                purpose=PURPOSE_AGENDA_ERASED,
                ref=agenda.record_id,
            )
