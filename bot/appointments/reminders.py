"""Reminders before an appointment, and how long a note for the specialist is kept.

The database is the source of truth. Reminders are planned per appointment when it is
booked (or moved); on every tick the due ones are claimed and their messages put into
the outbox in one transaction, so a reminder is never lost and never sent twice,
whatever restarts happen in between. One missed while the bot was down goes out late
if the appointment is still ahead and is skipped if not (``should_send_late``); none
goes out in quiet hours: a late one waits for their end and is judged again then.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.appointments.messages import reminder
from bot.clock import Clock
from bot.config import Settings
from bot.domain.reminder_schedule import in_quiet_hours, should_send_late
from bot.i18n import Texts
from storage.appointments import DueReminder, ReminderChanges, SeatChanges
from storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

# Reminders claimed per transaction: a burst of thousands holds the connection for a few
# milliseconds at a time, so an urgent case's work (served first) never waits for long.
BATCH = 25


class Reminders:
    def __init__(self, *, settings: Settings, texts: Texts, clock: Clock, unit: UnitOfWork) -> None:
        self._settings = settings
        self._texts = texts
        self._clock = clock
        self._unit = unit

    async def send_due(self) -> None:
        """Claims every due reminder and enqueues it (or skips it when it became useless)."""
        now = self._clock.now()
        if in_quiet_hours(now, self._settings.booking.quiet_hours, self._settings.general.timezone):
            # Nothing goes out now; what is due waits and is judged again when they end.
            return
        total = 0
        while True:
            handled = await self._claim_batch(now)
            total += handled
            if handled < BATCH:
                break
        if total:
            logger.info("handled %d due reminders", total)

    async def _claim_batch(self, now: datetime) -> int:
        """One transaction: each due reminder is marked sent together with its outbox
        row, or skipped; returns how many were handled (0: nothing is due)."""
        async with self._unit.write() as tx:
            reminders = ReminderChanges(tx.connection, tx.sealer)
            due = await reminders.due(now, limit=BATCH)
            for item in due:
                if not self._worth_sending(item, now):
                    await reminders.mark_skipped(item.reminder_id, now)
                    continue
                assert item.language is not None
                message = reminder(
                    self._settings, self._texts.for_language(item.language), item.appointment, now
                )
                outbox_id = await tx.outbox.add(
                    chat_id=message.chat_id,
                    method="sendMessage",
                    params=message.params,
                    purpose=message.purpose,
                    ref=item.appointment.id,
                )
                await reminders.mark_sent(item.reminder_id, outbox_id, now)
        return len(due)

    @staticmethod
    def _worth_sending(item: DueReminder, now: datetime) -> bool:
        appointment = item.appointment
        return (
            item.language is not None
            and appointment.user_id is not None
            and appointment.is_booked
            and should_send_late(due=item.due_at, now=now, appointment_start=appointment.starts_at)
        )

    async def erase_old_notes(self, now: datetime) -> int:
        """Retention: a note for the specialist is kept `retention_days` after the visit."""
        kept = timedelta(days=self._settings.privacy.retention_days)
        async with self._unit.write() as tx:
            return await SeatChanges(tx.connection, tx.sealer).erase_notes_ended_before(now - kept)
