"""The staff group's day: the morning agenda, /agenda, and the attendance marks.

The morning agenda goes out once per local day at ``booking.agenda_time`` (or later that
day if the bot was down then), claimed in ``agenda_runs`` in the same transaction as
its outbox rows. Every agenda message is remembered with what it lists before it is
sent, so a forget-me meanwhile can take a note out of it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from telegram import InlineKeyboardMarkup

from bot.appointments import rules
from bot.appointments.agenda_messages import (
    PURPOSE_AGENDA,
    AgendaPart,
    agenda_chunk_with,
    agenda_message,
    agenda_messages,
    message_params,
)
from bot.appointments.dates import day_long
from bot.clock import Clock
from bot.config import Settings
from bot.domain.slots import is_closed_day
from bot.i18n import Texts, Translator
from storage.appointments import (
    AgendaChanges,
    AgendaDays,
    AgendaMessage,
    Appointment,
    AppointmentStore,
    Attendance,
    SeatChanges,
)
from storage.audit import record
from storage.outbox import OutboxItem
from storage.unit_of_work import Transaction, UnitOfWork

logger = logging.getLogger(__name__)

# Runs inside the write that marks an appointment "came" (the feedback question,
# bot/feedback.py): whatever it adds commits with the mark.
CameHook = Callable[[Transaction, Appointment], Awaitable[object]]


@dataclass(frozen=True)
class RecordedPart:
    """An agenda message to send now, and its record (None when it lists nobody)."""

    part: AgendaPart
    record_id: int | None


@dataclass(frozen=True)
class AttendanceMark:
    """What a mark did; with "done", the agenda message redrawn (None if not found)."""

    outcome: Literal["unknown", "too_early", "cancelled", "done"]
    code: str = ""
    redrawn: AgendaPart | None = None


class StaffAgenda:
    def __init__(
        self,
        *,
        settings: Settings,
        texts: Texts,
        clock: Clock,
        store: AppointmentStore,
        days: AgendaDays,
        unit: UnitOfWork,
    ) -> None:
        self._settings = settings
        self._texts = texts
        self._clock = clock
        self._store = store
        self._days = days
        self._unit = unit
        self.came_hooks: list[CameHook] = []

    @property
    def _tr(self) -> Translator:
        return self._texts.for_language(self._settings.staff_language)

    def today(self) -> date:
        return self._clock.now().astimezone(self._settings.general.timezone).date()

    # ------------------------------------------------------------------ the morning agenda

    async def send_morning_agenda(self) -> None:
        """The day's agenda into each centre's staff group (its own appointments only),
        once per day from agenda_time on."""
        settings = self._settings
        tz = settings.general.timezone
        now = self._clock.now()
        local = now.astimezone(tz)
        if local.time() < settings.booking.agenda_time:
            return
        today = local.date()
        sides = settings.staff_sides
        for side in sides:
            # One centre keeps the day's plain key (the record of a bot that ran before).
            key = today.isoformat() if len(sides) <= 1 else f"{today.isoformat()}/{side.center_id}"
            await self._send_agenda_of(key, today, side.staff_chat_id, side.center_id)

    async def _send_agenda_of(self, key: str, today: date, chat_id: int, center_id: str) -> None:
        if await self._days.sent(key):
            return
        start, end = rules.day_window(today, self._settings.general.timezone)
        appointments = self._of_center(await self._store.booked_between(start, end), center_id)
        # A closed day with nobody booked: no message at all, rather than noise.
        parts = agenda_messages(self._settings, self._tr, today, appointments)
        if not appointments and not self._centre_open(today, center_id):
            parts = []
        async with self._unit.write() as tx:
            agenda = AgendaChanges(tx.connection, tx.sealer)
            if not await agenda.claim_day(key, self._clock.now()):
                return
            for part in parts:
                record_id = await agenda.record_message(
                    chat_id,
                    None,
                    today.isoformat(),
                    part.markup is not None,
                    part.appointment_ids,
                )
                await tx.outbox.add(
                    chat_id=chat_id,
                    method="sendMessage",
                    params=message_params(part.text, part.markup),
                    purpose=PURPOSE_AGENDA,
                    ref=record_id,
                )
        if parts:
            logger.info("morning agenda enqueued (%d messages)", len(parts))

    def _of_center(
        self, appointments: list[Appointment], center_id: str | None
    ) -> list[Appointment]:
        """A centre's own appointments; one centre sees all (its rows may predate centres).
        With several, a group of no centre sees none: another centre's must never show."""
        if len(self._settings.centers) <= 1:
            return appointments
        return [a for a in appointments if center_id is not None and a.center_id == center_id]

    def center_of_group(self, chat_id: int) -> str | None:
        side = next((s for s in self._settings.staff_sides if s.staff_chat_id == chat_id), None)
        return side.center_id if side is not None else None

    def _centre_open(self, day: date, center_id: str) -> bool:
        booking = self._settings.booking
        if is_closed_day(day, booking.holidays):
            return False
        services = self._settings.services
        if len(self._settings.centers) > 1:
            services = tuple(s for s in services if s.center == center_id)
        return any(day.weekday() in service.hours for service in services)

    async def remember_sent(self, item: OutboxItem, message_id: int | None) -> None:
        """Delivery hook: the morning agenda's record waits for the message id."""
        if message_id is not None and item.ref is not None:
            await self.remember_delivered(item.ref, message_id)

    async def remember_delivered(self, record_id: int, message_id: int) -> None:
        """An agenda message reached the group: its record learns the message id."""
        async with self._unit.write() as tx:
            await AgendaChanges(tx.connection, tx.sealer).set_message_id(record_id, message_id)

    # ------------------------------------------------------------------ /agenda

    async def open_day(
        self, day: date, *, actor_id: int, chat_id: int, with_marks: bool
    ) -> list[RecordedPart]:
        """The day's messages for /agenda, audited, each remembered BEFORE it is sent (so
        that a forget-me meanwhile knows of it)."""
        tz = self._settings.general.timezone
        start, end = rules.day_window(day, tz)
        booked = await self._store.booked_between(start, end)
        parts = agenda_messages(
            self._settings, self._tr, day, self._of_center(booked, self.center_of_group(chat_id))
        )
        recorded = []
        async with self._unit.write() as tx:
            await record(
                tx.connection, at=tx.now, actor_id=actor_id, action="agenda", detail=day.isoformat()
            )
            agenda = AgendaChanges(tx.connection, tx.sealer)
            for part in parts:
                record_id = None
                if part.appointment_ids:
                    record_id = await agenda.record_message(
                        chat_id, None, day.isoformat(), with_marks, part.appointment_ids
                    )
                recorded.append(RecordedPart(part, record_id))
        return recorded

    async def redrawn_if_erased(
        self, record_id: int, shown: str
    ) -> tuple[str, InlineKeyboardMarkup | None] | None:
        """A forget-me while the message was on its way could not edit it (no message id
        yet): what it lists is read again; the new text when it changed."""
        # The message and what it lists, read together in one transaction.
        async with self._unit.write() as tx:
            agenda = await AgendaChanges(tx.connection, tx.sealer).message(record_id)
        if agenda is None:
            return None
        text, markup = self.redraw(agenda)
        return None if text == shown else (text, markup)

    def redraw(self, agenda: AgendaMessage) -> tuple[str, InlineKeyboardMarkup | None]:
        """An agenda message from what is stored now (what /agenda would list)."""
        day = date.fromisoformat(agenda.day)
        if not agenda.entries:
            return self._tr("agenda.empty", day=day_long(day, self._tr.language)), None
        first = agenda.entries[0]
        return agenda_message(
            self._settings,
            self._tr,
            day,
            first.center_id,
            first.service_id,
            agenda.entries,
            with_buttons=agenda.with_buttons,
        )

    # ------------------------------------------------------------------ marks

    async def mark(
        self,
        appointment_id: int,
        mark: Attendance,
        *,
        actor_id: int,
        chat_id: int | None,
        message_id: int | None,
    ) -> AttendanceMark:
        """Stores the mark (audited; a later mark replaces it) and redraws the message
        part holding this entry, recording what the redraw lists."""
        settings = self._settings
        tz = settings.general.timezone
        now = self._clock.now()
        appointment = await self._store.get(appointment_id)
        if appointment is None:
            return AttendanceMark("unknown")
        day = appointment.starts_at.astimezone(tz).date()
        if day > now.astimezone(tz).date():
            return AttendanceMark("too_early", appointment.code)
        async with self._unit.write() as tx:
            seats = SeatChanges(tx.connection, tx.sealer)
            current = await seats.get(appointment_id)
            if current is None:
                return AttendanceMark("unknown")
            if not current.is_booked:
                return AttendanceMark("cancelled", current.code)
            await seats.set_attendance(appointment_id, mark, now)
            # Once per "came": pressing it again asks nothing more; a correction from "did
            # not come" is the first "came" the person hears of.
            if mark == "came" and current.attendance != "came":
                for hook in self.came_hooks:
                    await hook(tx, current)
            await record(
                tx.connection,
                at=now,
                actor_id=actor_id,
                action="attended" if mark == "came" else "no_show",
                subject=current.code,
            )
            # The message shows the service's day; the part holding this entry is redrawn.
            start, end = rules.day_window(day, tz)
            entries = [
                entry
                for entry in await seats.booked_between(start, end)
                if (entry.center_id, entry.service_id) == (current.center_id, current.service_id)
            ]
            redrawn = agenda_chunk_with(settings, self._tr, day, entries, appointment_id)
            if redrawn is not None and chat_id is not None and message_id is not None:
                # The redraw may list appointments booked after the message went out (with
                # their notes): forget-me must know of them, so they are recorded first.
                await AgendaChanges(tx.connection, tx.sealer).replace_entries(
                    chat_id, message_id, day.isoformat(), redrawn.appointment_ids
                )
        logger.info("attendance marked")
        return AttendanceMark("done", current.code, redrawn)
