"""The staff groups as cases see them: each centre's group, its language, its forum topics,
who is on duty there; and which of them a case belongs to.

Telegram is called directly here only where no message can be lost by it (the forum
check and topic creation, which fall back to the General topic when they fail).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Bot
from telegram.error import TelegramError

from bot.clock import Clock
from bot.config import Settings
from bot.config import StaffSide as CenterStaff
from bot.domain import rota
from bot.domain.language import Language
from bot.i18n import Texts, Translator
from storage.cases import Case, CaseRepository

logger = logging.getLogger(__name__)


class StaffSide:
    """One centre's staff group: where its cards go and who is alerted for it."""

    def __init__(
        self,
        bot: Bot,
        settings: Settings,
        texts: Texts,
        clock: Clock,
        records: CaseRepository,
        staff: CenterStaff,
    ) -> None:
        self._bot = bot
        self._settings = settings
        self._records = records
        self._clock = clock
        self.center_id = staff.center_id
        self.staff = staff
        self.tr: Translator = texts.for_language(settings.staff_language)
        self.chat_id: int = staff.staff_chat_id
        self.tz = settings.general.timezone
        # Whether its cards offer "To another centre…" (set when there are several).
        self.can_hand_over = False
        # Whether the group is a forum: asked of Telegram once (None: not asked yet).
        self._forum: bool | None = None
        # One topic is recreated at a time, so two failed sends make one new topic.
        self.topic_lock = asyncio.Lock()

    @property
    def backup_ids(self) -> tuple[int, ...]:
        return self.staff.backup_ids

    @property
    def admin_ids(self) -> frozenset[int]:
        return self.staff.admin_ids

    @property
    def staff_ids(self) -> frozenset[int]:
        """Everyone its alerts may reach directly: its rota, backups and admins."""
        return frozenset(
            [*(shift.user_id for shift in self.staff.duty), *self.backup_ids, *self.admin_ids]
        )

    async def is_forum(self) -> bool:
        """Asked of Telegram once and cached; an error means "not now" and is asked again."""
        if self._forum is None:
            try:
                chat = await self._bot.get_chat(self.chat_id)
            except TelegramError as error:
                logger.warning("cannot read the staff group: %s", type(error).__name__)
                return False
            self._forum = bool(chat.is_forum)
        return self._forum

    async def create_topic(self, code: str) -> int | None:
        try:
            topic = await self._bot.create_forum_topic(self.chat_id, name=code)
        except TelegramError as error:
            logger.warning("cannot create a forum topic: %s", type(error).__name__)
            return None
        return topic.message_thread_id

    async def on_duty_now(self) -> list[int]:
        """Who gets this centre's urgent alerts now: people on /duty here, then its rota."""
        settings = self._settings
        manual = [m for m in await self._records.manual_duty() if self.is_ours(m.center_id)]
        return rota.on_duty(
            now=self._clock.now(),
            tz=settings.general.timezone,
            rota=self.staff.duty,
            manual=[rota.ManualDuty(entry.user_id, entry.since) for entry in manual],
            max_manual=settings.urgent.manual_duty_max,
        )

    def is_ours(self, center_id: str | None) -> bool:
        # A shift taken before the centres were split (or in a one-centre region) has none.
        return center_id == self.center_id or (
            center_id is None and len(self._settings.centers) <= 1
        )

    async def on_duty_names(self) -> tuple[list[str], list[str]]:
        """The names of who is on duty now and of the backups, for /onduty."""
        manual = {entry.user_id: entry.name for entry in await self._records.manual_duty()}
        people = [
            manual.get(user_id) or await self.name_of(user_id)
            for user_id in await self.on_duty_now()
        ]
        backups = [await self.name_of(user_id) for user_id in self.backup_ids]
        return people, backups

    async def name_of(self, user_id: int) -> str:
        """A staff member's first name as the group knows it, or their id."""
        try:
            member: Any = await self._bot.get_chat_member(self.chat_id, user_id)
        except TelegramError:
            return str(user_id)
        return str(member.user.first_name)


class StaffSides:
    """Every centre's staff side; a case goes to its own centre's, and only there."""

    def __init__(
        self, bot: Bot, settings: Settings, texts: Texts, clock: Clock, records: CaseRepository
    ) -> None:
        staff = settings.staff_sides or (_without_centers(settings),)
        self.all: tuple[StaffSide, ...] = tuple(
            StaffSide(bot, settings, texts, clock, records, side) for side in staff
        )
        for side in self.all:
            side.can_hand_over = len(self.all) > 1
        self._by_center = {side.center_id: side for side in self.all}
        self._by_chat = {side.chat_id: side for side in self.all}
        self.region_chat_id = settings.telegram.region_chat_id
        self.tr: Translator = texts.for_language(settings.staff_language)
        self.tz = settings.general.timezone
        self._centers = {c.id: c for c in settings.centers}
        self._staff_language = settings.staff_language

    def center_name(self, center_id: str | None) -> str:
        return self.center_name_in(center_id, self._staff_language)

    def center_name_in(self, center_id: str | None, language: Language) -> str:
        center = self._centers.get(center_id or "")
        return center.name.get(language) if center is not None else "—"

    @property
    def several(self) -> bool:
        return len(self.all) > 1

    def of_center(self, center_id: str | None) -> StaffSide | None:
        """A centre's side; with one centre, that one whatever the case says."""
        if not self.several:
            return self.all[0]
        return self._by_center.get(center_id) if center_id is not None else None

    def others(self, center_id: str | None) -> list[StaffSide]:
        return [side for side in self.all if side.center_id != center_id]

    def of_chat(self, chat_id: int) -> StaffSide | None:
        return self._by_chat.get(chat_id)

    def of(self, case: Case) -> list[StaffSide]:
        """Where a case is worked: its centre's group; every group while it has no centre
        (an early /sos), until one of them takes it."""
        side = self.of_center(case.center_id)
        return [side] if side is not None else list(self.all)

    def home(self, case: Case) -> StaffSide:
        """The one side that speaks for a case (its notices, its forum): its centre's,
        else the first one's."""
        return self.of(case)[0]


def _without_centers(settings: Settings) -> CenterStaff:
    """A config with no [[centers]] at all: the top-level group, admins and rota."""
    return CenterStaff(
        center_id="",
        staff_chat_id=settings.telegram.staff_chat_id,
        admin_ids=settings.telegram.admin_ids,
        backup_ids=settings.urgent.backup_ids,
        duty=tuple(settings.duty),
    )
