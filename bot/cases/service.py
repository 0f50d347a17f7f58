"""The cases feature's front, built once in bot/app.py: handlers and jobs reach it as
`services.cases`.

Follow `/sos` to the staff alert: handlers/private/request/danger_now.py calls
`cases.raise_alarm` (bot/cases/alarm.py, deciding by bot/domain/alarm.py), which opens the
case through `Intake.open_case`: it writes the case with storage/cases/store.py and posts
the card and the duty alerts (bot/cases/cards.py) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import aiosqlite
from telegram import Bot, InlineKeyboardMarkup

from bot.cases.alarm import Alarm, Alarms, Person, Trigger
from bot.cases.delivery_hooks import CaseDeliveryHooks
from bot.cases.erasing import Erasing
from bot.cases.escalation import Escalation
from bot.cases.fold import CardFolding
from bot.cases.intake import Intake, OpenedCase
from bot.cases.outgoing import REGION, Write
from bot.cases.relay import Receipt, Relay
from bot.cases.safety_notices import SafetyNotices
from bot.cases.staff_actions import StaffActions
from bot.cases.staff_side import StaffSides
from bot.cases.staff_tools import StaffTools
from bot.clock import Clock
from bot.config import Settings
from bot.contact_safety import ContactSafetyService
from bot.delivery import Delivery
from bot.domain.case_rules import MessageKind, ReplyBy
from bot.domain.language import Language
from bot.i18n import Texts
from storage.cases import (
    Case,
    CaseMessage,
    CaseMessageStore,
    CaseRepository,
    CaseStore,
    ManualDutyEntry,
)
from storage.cases.notes import CaseNoteRepository
from storage.crypto import TextSealer
from storage.outbox import OutboxRepository
from storage.users import UserRepository


class Cases:
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
        safety: ContactSafetyService,
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
        # What staff are told of her safety (she left in a hurry, held, not safe to talk).
        self.safety_notices = SafetyNotices(sides=sides, safety=safety)
        self.intake.opened_hooks.append(self.safety_notices.case_opened)
        self.relay = Relay(
            notices=self.safety_notices,
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
        self._alarms = Alarms(
            intake=self.intake,
            relay=self.relay,
            records=records,
            users=users,
            settings=settings,
            clock=clock,
        )

    # ------------------------------------------------------------------ her side

    async def raise_alarm(self, person: Person, trigger: Trigger) -> Alarm:
        """She is in danger (a /sos, the tap under danger words, danger words in her open
        case): her case is opened or turns urgent and staff are alerted, as she may;
        `Alarm.status` says what she must be told (`Alarm.told`)."""
        return await self._alarms.raise_alarm(person, trigger)

    async def tell_user(
        self, case: Case, texts: list[str], markup: InlineKeyboardMarkup | None = None
    ) -> None:
        """Through the outbox, in order and retried (what an urgent user must see)."""
        await self.intake.tell_user(case, texts, markup)

    async def open_request(
        self,
        *,
        user_id: int,
        language: Language,
        category: str,
        story_texts: list[str],
        story_voice: list[str],
        screen: dict[str, bool | None] | None,
        reply_by: ReplyBy,
        callback_phone: str | None,
        not_safe_to_talk: bool = False,
    ) -> OpenedCase:
        """A confirmed request becomes a case, with its card and, when urgent, the alerts;
        raises `DailyLimitReached` over `limits.cases_per_day`."""
        return await self.intake.open_case(
            user_id=user_id,
            language=language,
            category=category,
            story_texts=story_texts,
            story_voice=story_voice,
            screen=screen,
            reply_by=reply_by,
            callback_phone=callback_phone,
            sos=False,
            not_safe_to_talk=not_safe_to_talk,
        )

    async def cases_today(self, user_id: int) -> int:
        return await self.intake.cases_today(user_id)

    async def add_user_message(
        self, case: Case, kind: MessageKind, body: str | None, file_id: str | None
    ) -> None:
        """Her message, stored sealed and relayed to her case's staff."""
        await self.relay.add_user_message(case, kind, body, file_id)

    def receipt(self, user_id: int, now: datetime) -> Receipt | None:
        """What to tell her about a stored message: slow down, passed on, or nothing."""
        return self.relay.receipt(user_id, now)

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

    async def safe_to_talk_again(self, user_id: int) -> bool:
        """She says it is safe to talk now: False if none of her cases said otherwise."""
        async with self._write() as tx:
            return await self.safety_notices.safe_again(tx, user_id)

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

    async def remember_group_message(
        self, chat_id: int, message_id: int, case: Case, kind: str
    ) -> None:
        """A message about the case posted in a group outside the outbox (a picker under
        its card): linked, so forget-me deletes it with the rest."""
        async with self._write() as tx:
            await CaseMessageStore.of(tx).link_staff_message(chat_id, message_id, case.id, kind)

    async def messages(self, case_id: int) -> list[CaseMessage]:
        return await self._records.messages(case_id)

    async def manual_duty(self) -> list[ManualDutyEntry]:
        return await self._records.manual_duty()

    async def open_urgent_counts(self) -> dict[str | None, int]:
        return await self._records.open_urgent_counts()
