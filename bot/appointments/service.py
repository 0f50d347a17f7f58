"""Appointments as a villager changes them: free times, book, move, cancel, "I'll come".

Every change goes through one write (storage/unit_of_work.py): the change, its planned
reminders and the staff notice commit together, and delivery wakes after the commit.
Whatever a button says, a change is made only for the presser's own appointment, still
booked, at the version the message showed: anything else changes nothing and says why.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.appointments import rules
from bot.appointments.agenda import StaffAgenda
from bot.appointments.forgetting import AppointmentEraser
from bot.appointments.messages import Outgoing, staff_notice, staff_voice_note
from bot.appointments.reminders import Reminders
from bot.appointments.waitlist import Waitlist
from bot.clock import Clock
from bot.config import Service, Settings
from bot.domain.slots import FreeSlot
from bot.i18n import Texts, Translator
from storage.appointments import (
    AgendaDays,
    Appointment,
    AppointmentStore,
    NewAppointment,
    ReminderChanges,
    SeatChanges,
)
from storage.appointments.waitlist import WaitlistChanges
from storage.crypto import TextSealer
from storage.db import Database
from storage.outbox import OutboxItem
from storage.unit_of_work import Transaction, UnitOfWork

logger = logging.getLogger(__name__)


class Outcome(enum.Enum):
    DONE = "done"
    SLOT_TAKEN = "slot_taken"  # no seat left at that time
    DAILY_LIMIT = "daily_limit"  # the user already booked enough today
    OVERLAP = "overlap"  # the user has another appointment at that time
    NOT_FOUND = "not_found"  # no such appointment, or not this user's
    CANCELLED = "cancelled"  # the appointment was cancelled already
    OUTDATED = "outdated"  # the button names an earlier version (it was moved since)
    SAME_TIME = "same_time"  # a move to the time it already has


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    appointment: Appointment | None = None
    # With OVERLAP: the user's appointment that is in the way.
    other: Appointment | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.DONE


@dataclass(frozen=True)
class Booking:
    """What the user chose in the booking flow, ready to be stored."""

    user_id: int
    service: Service
    slot: FreeSlot
    note: str | None
    name_in_reminders: bool
    # Her note said aloud: a voice message's file id (instead of a text note).
    voice_note: str | None = None


@dataclass(frozen=True)
class TakenSeats:
    """A service's taken seats over the booking horizon, read at `now`: every offer of
    days and times is computed from one such reading."""

    service: Service
    taken: dict[datetime, int]
    now: datetime


class AppointmentService:
    def __init__(
        self,
        *,
        settings: Settings,
        texts: Texts,
        clock: Clock,
        db: Database,
        sealer: TextSealer,
        unit: UnitOfWork,
    ) -> None:
        self._settings = settings
        self._texts = texts
        self._clock = clock
        self._unit = unit
        # Reads outside a write (lists, free seats; tests read what was stored here).
        self.store = AppointmentStore(db, sealer)
        self.agenda = StaffAgenda(
            settings=settings,
            texts=texts,
            clock=clock,
            store=self.store,
            days=AgendaDays(db),
            unit=unit,
        )
        self.reminders = Reminders(settings=settings, texts=texts, clock=clock, unit=unit)
        self.waitlist = Waitlist(settings=settings, texts=texts, clock=clock, unit=unit)
        self.eraser = AppointmentEraser(
            settings=settings,
            texts=texts,
            sealer=sealer,
            agenda=self.agenda,
            waitlist=self.waitlist,
        )

    # ------------------------------------------------------------------ free times

    async def taken_seats(self, service: Service) -> TakenSeats:
        """The one query behind every offer of days and times (taken seats over the horizon)."""
        now = self._clock.now()
        since, until = rules.horizon_window(now, self._settings.booking, self._tz)
        return TakenSeats(service, await self.store.taken(service.id, since, until, now), now)

    def open_days(self, seats: TakenSeats) -> list[date]:
        return rules.open_days(
            seats.service, seats.taken, seats.now, self._settings.booking, self._tz
        )

    def slots_on(self, seats: TakenSeats, day: date) -> list[FreeSlot]:
        return rules.slots_on(
            seats.service, day, seats.taken, seats.now, self._settings.booking, self._tz
        )

    def offered_slot(self, seats: TakenSeats, start: datetime) -> FreeSlot | None:
        return rules.offered_slot(
            seats.service, start, seats.taken, seats.now, self._settings.booking, self._tz
        )

    def why_unavailable(self, seats: TakenSeats, start: datetime) -> rules.Unavailable | None:
        return rules.why_unavailable(
            seats.service, start, seats.taken, seats.now, self._settings.booking, self._tz
        )

    def alternatives(
        self, seats: TakenSeats, after: datetime, skip: datetime | None = None
    ) -> list[FreeSlot]:
        found = rules.alternatives(
            seats.service, after, seats.taken, seats.now, self._settings.booking, self._tz
        )
        return [slot for slot in found if slot.start != skip]

    # ------------------------------------------------------------------ the daily limit

    @property
    def daily_limit(self) -> int:
        return self._settings.limits.bookings_per_day

    async def daily_limit_reached(self, user_id: int) -> bool:
        made = await self.store.bookings_since(user_id, self._midnight())
        return rules.over_daily_limit(made, self.daily_limit)

    def _midnight(self) -> datetime:
        return rules.local_midnight(self._clock.now(), self._tz)

    # ------------------------------------------------------------------ changes

    async def book(self, booking: Booking) -> Result:
        """Takes a seat if one is left; plans the reminders; tells the staff group."""
        async with self._unit.write() as tx:
            result = await self._book_in(tx, booking)
        if result.ok:
            logger.info("appointment booked")
        return result

    async def take_held_seat(self, user_id: int, entry_id: int) -> Result:
        """The waitlist offer's button: the seat held for her, booked through the same
        conditional insert (her hold is dropped first, so it does not count against her).
        NOT_FOUND when the hold ran out or is not hers."""
        async with self._unit.write() as tx:
            waitlist = WaitlistChanges(tx.connection)
            entry = await waitlist.live_hold(entry_id, user_id, tx.now)
            if entry is None:
                return Result(Outcome.NOT_FOUND)
            await waitlist.remove(entry.id)
            service = self._settings.service(entry.service_id)
            if service is None:
                return Result(Outcome.NOT_FOUND)
            slot = FreeSlot(entry.starts_at, entry.ends_at, 1)
            # Discreet reminders: she was never asked, and the phone may be shared.
            result = await self._book_in(tx, Booking(user_id, service, slot, None, False))
            if not result.ok:
                # Her own overlap or daily limit: the seat goes to the next person.
                await self.waitlist.offer_freed(tx, entry.service_id, entry.starts_at)
        if result.ok:
            logger.info("appointment booked from the waitlist")
        return result

    async def _book_in(self, tx: Transaction, booking: Booking) -> Result:
        now = tx.now
        slot = booking.slot
        seats = SeatChanges(tx.connection, tx.sealer)
        made = await seats.bookings_since(booking.user_id, self._midnight())
        if rules.over_daily_limit(made, self.daily_limit):
            return Result(Outcome.DAILY_LIMIT)
        other = await seats.overlapping(booking.user_id, slot.start, slot.end, exclude=None)
        if other is not None:
            return Result(Outcome.OVERLAP, other=other)
        service = booking.service
        appointment = await seats.insert_if_free(
            NewAppointment(
                user_id=booking.user_id,
                center_id=service.center,
                service_id=service.id,
                starts_at=slot.start,
                ends_at=slot.end,
                capacity=service.capacity,
                note=booking.note,
                name_in_reminders=booking.name_in_reminders,
                voice_note=booking.voice_note,
            ),
            now,
        )
        if appointment is None:
            return Result(Outcome.SLOT_TAKEN)
        await ReminderChanges(tx.connection, tx.sealer).plan(
            appointment.id,
            rules.planned_reminders(slot.start, now, self._settings.booking, self._tz),
        )
        notice = staff_notice(self._settings, self._staff_tr, appointment, "new")
        await self._tell_staff(tx, notice, appointment.id)
        if appointment.voice_note:
            # After the notice, which says a voice note follows.
            await self._tell_staff(
                tx, staff_voice_note(self._settings, self._staff_tr, appointment), appointment.id
            )
        return Result(Outcome.DONE, appointment)

    async def checked(self, user_id: int, appointment_id: int, version: int | None) -> Result:
        """The user's own appointment, still booked, at `version` (None accepts any)."""
        return _owned(await self.store.get(appointment_id), user_id, version)

    async def cancel(self, user_id: int, appointment_id: int, version: int | None) -> Result:
        """Frees the seat at once and tells the staff group."""
        now = self._clock.now()
        async with self._unit.write() as tx:
            seats = SeatChanges(tx.connection, tx.sealer)
            current = _owned(await seats.get(appointment_id), user_id, version)
            if not current.ok:
                return current
            cancelled = await seats.cancel(appointment_id, by="user", now=now)
            await ReminderChanges(tx.connection, tx.sealer).drop_planned(appointment_id, now)
            notice = staff_notice(self._settings, self._staff_tr, cancelled, "cancelled")
            await self._tell_staff(tx, notice, cancelled.id)
            await self.waitlist.offer_freed(tx, cancelled.service_id, cancelled.starts_at)
        logger.info("appointment cancelled by the user")
        return Result(Outcome.DONE, cancelled)

    async def move(self, user_id: int, appointment_id: int, version: int, slot: FreeSlot) -> Result:
        """Takes the new seat before the old one is freed, in one transaction; a full
        slot changes nothing and the user keeps the old time."""
        now = self._clock.now()
        async with self._unit.write() as tx:
            seats = SeatChanges(tx.connection, tx.sealer)
            current = _owned(await seats.get(appointment_id), user_id, version)
            if not current.ok or current.appointment is None:
                return current
            old = current.appointment
            if old.starts_at == slot.start:
                return Result(Outcome.SAME_TIME, old)
            other = await seats.overlapping(user_id, slot.start, slot.end, exclude=old.id)
            if other is not None:
                return Result(Outcome.OVERLAP, old, other=other)
            service = self._settings.service(old.service_id)
            capacity = service.capacity if service is not None else 1
            moved = await seats.move_if_free(old, slot.start, slot.end, capacity, now)
            if moved is None:
                return Result(Outcome.SLOT_TAKEN, old)
            reminders = ReminderChanges(tx.connection, tx.sealer)
            await reminders.drop_planned(old.id, now)
            await reminders.plan(
                old.id, rules.planned_reminders(slot.start, now, self._settings.booking, self._tz)
            )
            notice = staff_notice(
                self._settings, self._staff_tr, moved, "moved", previous_start=old.starts_at
            )
            await self._tell_staff(tx, notice, moved.id)
            await self.waitlist.offer_freed(tx, old.service_id, old.starts_at)
        logger.info("appointment rescheduled by the user")
        return Result(Outcome.DONE, moved)

    async def confirm_coming(self, user_id: int, appointment_id: int, version: int) -> Result:
        """ "I'll come" on a reminder: shown to staff in the agenda."""
        async with self._unit.write() as tx:
            seats = SeatChanges(tx.connection, tx.sealer)
            current = _owned(await seats.get(appointment_id), user_id, version)
            if not current.ok:
                return current
            confirmed = await seats.confirm_coming(appointment_id, self._clock.now())
        return Result(Outcome.DONE, confirmed)

    async def remember_staff_notice(self, item: OutboxItem, message_id: int | None) -> None:
        """Delivery hook: a staff notice is remembered by message id (forget-me edits it)."""
        if message_id is None or item.ref is None:
            return
        async with self._unit.write() as tx:
            await SeatChanges(tx.connection, tx.sealer).link_staff_message(
                item.chat_id, message_id, item.ref
            )

    async def remember_staff_voice(self, item: OutboxItem, message_id: int | None) -> None:
        """Delivery hook: a voice note in the staff group is remembered (forget-me deletes it)."""
        if message_id is None or item.ref is None:
            return
        async with self._unit.write() as tx:
            await SeatChanges(tx.connection, tx.sealer).link_staff_message(
                item.chat_id, message_id, item.ref, kind="voice"
            )

    # ------------------------------------------------------------------ helpers

    async def _tell_staff(self, tx: Transaction, notice: Outgoing, appointment_id: int) -> None:
        # The ref lets delivery remember the notice's message id (forget-me edits it).
        await tx.outbox.add(
            chat_id=notice.chat_id,
            method=notice.method,
            params=notice.params,
            purpose=notice.purpose,
            ref=appointment_id,
        )

    @property
    def _tz(self) -> ZoneInfo:
        return self._settings.general.timezone

    @property
    def _staff_tr(self) -> Translator:
        return self._texts.for_language(self._settings.staff_language)


def _owned(appointment: Appointment | None, user_id: int, version: int | None) -> Result:
    # Someone else's appointment looks exactly like a missing one: nothing leaks.
    if appointment is None or appointment.user_id != user_id:
        return Result(Outcome.NOT_FOUND)
    if not appointment.is_booked:
        return Result(Outcome.CANCELLED, appointment)
    if version is not None and appointment.version != version:
        return Result(Outcome.OUTDATED, appointment)
    return Result(Outcome.DONE, appointment)
