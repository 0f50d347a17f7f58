"""The waitlist of a full slot: "tell me when a seat frees".

When a booked seat frees (a cancellation, a move away, forget-me), the person who has
waited longest gets an offer with a button, and the seat is held for her for
`HOLD`: meanwhile it counts as taken for everyone else (storage/appointments/seats.py),
so no one can book it from under her. Quiet hours (`booking.quiet_hours`) hold here as
for reminders: a seat freed in the night is held for her at once, and her offer goes out
at the end of quiet hours (the due work, `send_morning_offers`), the hold counted from
then. A hold that runs out goes to the next person
(the due work, `expire_holds`). Taking the offer books through the same conditional
insert as any booking (AppointmentService.take_held_seat).

The offer names neither the service nor the centre: the phone may be shared, as with
discreet reminders.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Final, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.appointments import rules
from bot.appointments.dates import clock
from bot.appointments.messages import when
from bot.clock import Clock
from bot.config import Service, Settings
from bot.domain.language import Language
from bot.domain.reminder_schedule import quiet_hours_end
from bot.i18n import Texts
from storage.appointments.waitlist import WaitlistChanges, WaitlistEntry
from storage.unit_of_work import Transaction, UnitOfWork
from storage.users import language_of

logger = logging.getLogger(__name__)

# Long enough to notice a message on a phone checked a few times a day, short enough that
# a seat freed the day before is not lost to everyone. A constant, not a setting: the
# offer's text says until when, and no centre has asked for another length.
HOLD: Final = timedelta(minutes=30)
JOIN_PREFIX: Final = "wl:join:"
TAKE_PREFIX: Final = "wl:take:"
PURPOSE_OFFER: Final = "waitlist_offer"

JoinOutcome = Literal["joined", "already", "free", "gone"]


def join_button(label: str, service: Service, start: datetime) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        label, callback_data=f"{JOIN_PREFIX}{service.id}:{rules.timestamp(start)}"
    )


class Waitlist:
    def __init__(self, *, settings: Settings, texts: Texts, clock: Clock, unit: UnitOfWork) -> None:
        self._settings = settings
        self._texts = texts
        self._clock = clock
        self._unit = unit

    async def join(
        self, user_id: int, service: Service, start: datetime, taken: dict[datetime, int]
    ) -> JoinOutcome:
        """She waits for this slot, if it is full (rather than gone, or free again)."""
        now = self._clock.now()
        reason = rules.why_unavailable(
            service, start, taken, now, self._settings.booking, self._settings.general.timezone
        )
        if reason is None:
            return "free"
        if reason is rules.Unavailable.GONE:
            return "gone"
        async with self._unit.write() as tx:
            joined = await WaitlistChanges(tx.connection).join(
                user_id, service.id, start, start + service.duration, now
            )
        return "joined" if joined else "already"

    async def offer_freed(self, tx: Transaction, service_id: str, starts_at: datetime) -> None:
        """Inside the write that freed a seat: each free seat of the slot goes on hold for
        the next person waiting, with her offer in the outbox; in quiet hours the offer
        waits for the morning (the seat stays hers meanwhile), and a slot that begins
        before then is offered to nobody."""
        service = self._settings.service(service_id)
        if service is None or starts_at <= tx.now:
            return
        tz = self._settings.general.timezone
        offer_at = quiet_hours_end(tx.now, self._settings.booking.quiet_hours, tz)
        if offer_at >= starts_at:
            return
        waitlist = WaitlistChanges(tx.connection)
        while await waitlist.seats_taken(service_id, starts_at, tx.now) < service.capacity:
            entry = await waitlist.first_waiting(service_id, starts_at)
            if entry is None:
                return
            language = await language_of(tx.connection, entry.user_id)
            if language is None:
                await waitlist.remove(entry.id)
                continue
            if offer_at > tx.now:
                # The hold runs from when the offer is sent, not from the night.
                await waitlist.hold(entry.id, offer_at + HOLD, offer_at=offer_at)
                logger.info("waitlist offer kept for the end of quiet hours")
                continue
            await self._send_offer(tx, entry, language)

    async def send_morning_offers(self) -> None:
        """Due work: offers kept through quiet hours go out, each seat held from now."""
        async with self._unit.write() as tx:
            waitlist = WaitlistChanges(tx.connection)
            for entry in await waitlist.due_offers(tx.now):
                language = await language_of(tx.connection, entry.user_id)
                if language is None:
                    await waitlist.remove(entry.id)
                    await self.offer_freed(tx, entry.service_id, entry.starts_at)
                    continue
                await self._send_offer(tx, entry, language)

    async def _send_offer(self, tx: Transaction, entry: WaitlistEntry, language: Language) -> None:
        """Holds the seat for HOLD from now and puts her offer in the outbox."""
        until = tx.now + HOLD
        await WaitlistChanges(tx.connection).hold(entry.id, until)
        tr = self._texts.for_language(language)
        tz = self._settings.general.timezone
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(tr("waitlist.take"), callback_data=f"{TAKE_PREFIX}{entry.id}")]]
        )
        await tx.outbox.add(
            chat_id=entry.user_id,
            method="sendMessage",
            params={
                "text": tr(
                    "waitlist.offer",
                    when=when(tr, entry.starts_at, None, tz),
                    until=clock(until, tz),
                ),
                "parse_mode": "HTML",
                "reply_markup": markup.to_dict(),
            },
            purpose=PURPOSE_OFFER,
        )
        logger.info("waitlist offer enqueued")

    async def expire_holds(self) -> None:
        """Due work: holds that ran out go to the next person; started slots drop out."""
        async with self._unit.write() as tx:
            expired = await WaitlistChanges(tx.connection).take_expired(tx.now)
            slots = {(e.service_id, e.starts_at) for e in expired if e.held_until is not None}
            for service_id, starts_at in sorted(slots):
                await self.offer_freed(tx, service_id, starts_at)

    async def forget(self, tx: Transaction, user_id: int) -> None:
        """Forget-me: her entries go; a seat held for her goes to the next person."""
        for entry in await WaitlistChanges(tx.connection).take_user(user_id):
            if entry.held_until is not None:
                await self.offer_freed(tx, entry.service_id, entry.starts_at)
