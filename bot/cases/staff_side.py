"""The staff group as cases see it: its language, its forum topics, who is on duty.

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
from bot.domain import rota
from bot.i18n import Texts, Translator
from storage.cases import CaseRepository

logger = logging.getLogger(__name__)


class StaffSide:
    def __init__(
        self, bot: Bot, settings: Settings, texts: Texts, clock: Clock, records: CaseRepository
    ) -> None:
        self._bot = bot
        self._settings = settings
        self._records = records
        self._clock = clock
        self.tr: Translator = texts.for_language(settings.staff_language)
        self.chat_id: int = settings.telegram.staff_chat_id
        self.backup_ids: list[int] = list(settings.urgent.backup_ids)
        self.tz = settings.general.timezone
        # Whether the group is a forum: asked of Telegram once (None: not asked yet).
        self._forum: bool | None = None
        # One topic is recreated at a time, so two failed sends make one new topic.
        self.topic_lock = asyncio.Lock()

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
        """Who gets urgent alerts now: people on /duty, then the rota."""
        settings = self._settings
        manual = await self._records.manual_duty()
        return rota.on_duty(
            now=self._clock.now(),
            tz=settings.general.timezone,
            rota=settings.duty,
            manual=[rota.ManualDuty(entry.user_id, entry.since) for entry in manual],
            max_manual=settings.urgent.manual_duty_max,
        )

    async def on_duty_names(self) -> tuple[list[str], list[str]]:
        """The names of who is on duty now and of the backups, for /onduty."""
        manual = {entry.user_id: entry.name for entry in await self._records.manual_duty()}
        people = [
            manual.get(user_id) or await self.name_of(user_id)
            for user_id in await self.on_duty_now()
        ]
        backups = [await self.name_of(user_id) for user_id in self._settings.urgent.backup_ids]
        return people, backups

    async def name_of(self, user_id: int) -> str:
        """A staff member's first name as the group knows it, or their id."""
        try:
            member: Any = await self._bot.get_chat_member(self.chat_id, user_id)
        except TelegramError:
            return str(user_id)
        return str(member.user.first_name)
