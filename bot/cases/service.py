"""The cases feature as one object, built once in bot/app.py: handlers and jobs reach it
as `services.cases`.

Follow `/sos` to the staff alert: handlers/private/request/danger_now.py calls
`cases.intake.open_case`, which writes the case with storage/cases/store.py and posts
the card and the duty alerts (bot/cases/cards.py) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import aiosqlite
from telegram import Bot

from bot.cases.delivery_hooks import CaseDeliveryHooks
from bot.cases.erasing import Erasing
from bot.cases.escalation import Escalation
from bot.cases.fold import CardFolding
from bot.cases.intake import Intake
from bot.cases.outgoing import REGION, Write
from bot.cases.relay import Relay
from bot.cases.staff_actions import StaffActions
from bot.cases.staff_side import StaffSides
from bot.cases.staff_tools import StaffTools
from bot.clock import Clock
from bot.config import Settings
from bot.delivery import Delivery
from bot.i18n import Texts
from storage.cases import Case, CaseMessage, CaseRepository, CaseStore, ManualDutyEntry
from storage.cases.notes import CaseNoteRepository
from storage.crypto import TextSealer
from storage.outbox import OutboxRepository
from storage.users import UserRepository


class CaseService:
    def __init__(
        self,
        *,
        write: Write,
        records: CaseRepository,
        users: UserRepository,
        outbox: OutboxRepository,
        settings: Settings,
        texts: Texts,
        clock: Clock,
        bot: Bot,
        sealer: TextSealer,
        notes: CaseNoteRepository,
        on_opened: Callable[[bool], None] = lambda urgent: None,
    ) -> None:
        self._records = records
        self._clock = clock
        self._settings = settings
        self._write = write
        # Each centre's staff group, rota and backups; a case is worked only in its own.
        self.staff_sides = StaffSides(bot, settings, texts, clock, records)
        sides = self.staff_sides
        self.intake = Intake(
            write=write,
            records=records,
            sides=sides,
            users=users,
            settings=settings,
            clock=clock,
            on_opened=on_opened,
        )
        self.escalation = Escalation(
            write=write, records=records, sides=sides, settings=settings, clock=clock
        )
        self.staff_actions = StaffActions(
            write=write, sides=sides, users=users, texts=texts, clock=clock, urgent=settings.urgent
        )
        self.relay = Relay(
            write=write,
            records=records,
            sides=sides,
            users=users,
            texts=texts,
            clock=clock,
            staff_actions=self.staff_actions,
        )
        self.staff_tools = StaffTools(
            write=write,
            sides=sides,
            users=users,
            texts=texts,
            clock=clock,
            staff_actions=self.staff_actions,
            notes=notes,
        )
        self.erasing = Erasing(write=write, sides=sides, settings=settings, sealer=sealer)
        self._hooks = CaseDeliveryHooks(
            write=write, records=records, sides=sides, relay=self.relay, outbox=outbox
        )
        self.folding = CardFolding(write=write, records=records, sides=sides)
        self.staff_actions.changed_hooks.append(self.folding.case_changed)

    def register_delivery_hooks(self, delivery: Delivery) -> None:
        self._hooks.register(delivery)
        self.folding.register(delivery)
        self.relay.register(delivery)

    # ------------------------------------------------------------------ periodic work

    async def escalate_unclaimed_cases(self) -> None:
        await self.escalation.escalate_unclaimed_cases()

    async def post_region_daily_line(self) -> None:
        """Once a day (from booking.agenda_time), the region group gets each centre's count
        of open urgent cases; counts only, never a code or a word of a case."""
        sides = self.staff_sides
        if sides.region_chat_id is None:
            return
        settings = self._settings
        local = self._clock.now().astimezone(settings.general.timezone)
        if local.time() < settings.booking.agenda_time:
            return
        counts = await self._records.open_urgent_counts()
        tr = sides.tr
        lines = [tr("region.daily")]
        for side in sides.all:
            count = counts.get(side.center_id, 0)
            lines.append(
                tr("region.daily_line", center=sides.center_name(side.center_id), count=count)
            )
        if counts.get(None):
            lines.append(tr("region.daily_line", center="—", count=counts[None]))
        async with self._write() as tx:
            if not await CaseStore.of(tx).claim_region_day(local.date().isoformat(), tx.now):
                return
            await tx.outbox.add(
                chat_id=sides.region_chat_id,
                method="sendMessage",
                params={"text": "\n".join(lines), "parse_mode": "HTML"},
                purpose=REGION,
            )

    async def resume_stalled_relays(self) -> None:
        self.intake.forget_old_sos_alerts(self._clock.now())
        await self.relay.resume_stalled_relays()

    async def erase_closed_case_texts(self, now: datetime) -> int:
        return await self.erasing.erase_closed_case_texts(now)

    async def erase_user_cases(
        self, connection: aiosqlite.Connection, user_id: int, now: datetime
    ) -> None:
        await self.erasing.erase_user_cases(connection, user_id, now)

    # -------------------------------------------------------------------------- reads

    async def get(self, case_id: int) -> Case | None:
        return await self._records.get(case_id)

    async def by_code(self, code: str) -> Case | None:
        return await self._records.by_code(code)

    async def by_topic(self, topic_id: int) -> list[Case]:
        return await self._records.by_topic(topic_id)

    async def open_case_of(self, user_id: int) -> Case | None:
        return await self._records.open_case_of(user_id)

    async def is_user_blocked(self, user_id: int) -> bool:
        return await self._records.is_user_blocked(user_id)

    async def staff_message_link(self, chat_id: int, message_id: int) -> tuple[Case, str] | None:
        return await self._records.staff_message_link(chat_id, message_id)

    async def messages(self, case_id: int) -> list[CaseMessage]:
        return await self._records.messages(case_id)

    async def manual_duty(self) -> list[ManualDutyEntry]:
        return await self._records.manual_duty()

    async def open_urgent_counts(self) -> dict[str | None, int]:
        return await self._records.open_urgent_counts()
