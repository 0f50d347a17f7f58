"""What she told us about her safety, applied where the outbox releases a message to her.

The rule is bot/domain/contact_safety.py; this wires it to the stored state and the outbox.
Each feature names the kind of its messages to her by outbox purpose (`kinds`); a purpose
not named is not held (the bot's own answers to what she just did). Features hear of a
quick exit (`left_hooks`, inside its write) to tell staff at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiosqlite

from bot.clock import Clock
from bot.config import Settings
from bot.delivery import Delivery
from bot.domain.contact_safety import ContactSafety, Hold, Kind, SafeHours, when_to_write
from bot.i18n import Translator
from storage.contact_safety import (
    ContactSafetyRepository,
    ContactSafetyStore,
    erase_contact_safety,
)
from storage.db import Database
from storage.outbox import OutboxItem
from storage.unit_of_work import Transaction

# The write boundary (Services.write).
Write = Callable[[], AbstractAsyncContextManager[Transaction]]
LeftHook = Callable[[Transaction, int, datetime], Awaitable[None]]
HoursHook = Callable[[Transaction, int, SafeHours | None], Awaitable[None]]


class ContactSafetyService:
    def __init__(
        self,
        *,
        repository: ContactSafetyRepository,
        write: Write,
        clock: Clock,
        tz: ZoneInfo,
        hold_after_exit: timedelta,
    ) -> None:
        self._repository = repository
        self._write = write
        self._clock = clock
        self._tz = tz
        self._hold_after_exit = hold_after_exit
        # Outbox purpose -> what the message is to her (bot/app.py fills it).
        self.kinds: dict[str, Kind] = {}
        self.left_hooks: list[LeftHook] = []
        self.hours_hooks: list[HoursHook] = []
        # Who left in a hurry and has not written since: read once, then kept here, so
        # that her every message costs no database read (None: not read yet).
        self._left: set[int] | None = None

    @classmethod
    def wired(
        cls, db: Database, write: Write, clock: Clock, settings: Settings, delivery: Delivery
    ) -> ContactSafetyService:
        """Built at the composition root; delivery asks it before each message to a person."""
        service = cls(
            repository=ContactSafetyRepository(db),
            write=write,
            clock=clock,
            tz=settings.general.timezone,
            hold_after_exit=settings.privacy.hold_after_exit,
        )
        delivery.release = service.release
        return service

    async def erase(
        self, connection: aiosqlite.Connection, _: object, user_id: int, now: datetime
    ) -> None:
        """Forget-me's eraser (bot/forgetting.py)."""
        # Kept in `_left` if there: the write may still fail, and a look that finds nothing
        # to lift costs one update.
        await erase_contact_safety(connection, user_id)

    def judge(self, safety: ContactSafety, kind: Kind, now: datetime) -> Hold | None:
        return when_to_write(safety, kind, now, tz=self._tz, hold_after_exit=self._hold_after_exit)

    async def release(self, item: OutboxItem) -> datetime | None:
        """Delivery's hook: None, it goes now; else not before the moment returned."""
        kind = self.kinds.get(item.purpose)
        if kind is None:
            return None
        hold = self.judge(await self._repository.get(item.chat_id), kind, self._clock.now())
        return None if hold is None else hold.until

    async def hold_of(self, tx: Transaction, user_id: int, kind: Kind) -> Hold | None:
        """Inside a write: would a message of this kind to her be held now (staff are told)?"""
        return self.judge(await ContactSafetyStore.of(tx).get(user_id), kind, tx.now)

    async def state_of(self, user_id: int) -> ContactSafety:
        return await self._repository.get(user_id)

    async def state_in(self, tx: Transaction, user_id: int) -> ContactSafety:
        return await ContactSafetyStore.of(tx).get(user_id)

    async def left_in_hurry(self, user_id: int) -> None:
        """The quick exit: stored first, then staff hear of it (the hooks, same write)."""
        async with self._write() as tx:
            await ContactSafetyStore.of(tx).note_left(user_id, tx.now)
            for hook in self.left_hooks:
                await hook(tx, user_id, tx.now)
        if self._left is not None:
            self._left.add(user_id)

    async def heard_from(self, user_id: int) -> None:
        """She wrote: what a quick exit held goes now (in order), within her hours."""
        if self._left is None:
            self._left = await self._repository.who_left()
        if user_id not in self._left:
            return
        async with self._write() as tx:
            await ContactSafetyStore.of(tx).heard_from(user_id)
        self._left.discard(user_id)

    async def set_hours(self, user_id: int, hours: SafeHours | None) -> None:
        """Stored, her held messages judged afresh, staff told (the hooks, same write)."""
        async with self._write() as tx:
            await ContactSafetyStore.of(tx).set_hours(user_id, hours)
            for hook in self.hours_hooks:
                await hook(tx, user_id, hours)


def describe_hours(tr: Translator, hours: SafeHours) -> str:
    """ "08:00-12:00" or "08:00-12:00, weekdays only", in the reader's language."""
    window = f"{hours.window.start:%H:%M}–{hours.window.end:%H:%M}"
    return tr("safe_hours.weekdays", window=window) if hours.weekdays_only else window
