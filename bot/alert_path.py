"""The alert path watched: can an urgent case reach the staff at all?

Two watches, run at start and from the periodic due work:

- the bot's place in the staff group (a member, allowed to post, and in a forum allowed
  to manage topics), every `timing.alert_path_check`;
- urgent outbox messages (cards, re-alerts, on-duty DMs) still waiting after
  `timing.urgent_undelivered_after`.

What is wrong goes to the log as an ERROR and, as a direct message, to the people who can
act: the admins (and for a stuck alert the backups too). These messages go straight to
Telegram, not through the outbox: the outbox may be what is stuck.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from telegram.error import BadRequest, Forbidden, TelegramError

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Translator
from storage.db import Database
from storage.outbox_health import urgent_pending_since

logger = logging.getLogger(__name__)

NOT_MEMBER = "not_member"
CANNOT_POST = "cannot_post"
CANNOT_MANAGE_TOPICS = "cannot_manage_topics"


async def staff_group_problems(
    bot: Any, chat_id: int, is_forum: Callable[[], Awaitable[bool]]
) -> list[str] | None:
    """What keeps the bot from alerting the staff group; None when Telegram could not be
    asked (a network error says nothing about the rights). `is_forum` is the staff side's
    own (cached) answer, so the group is not asked about it again and again."""
    try:
        member = await bot.get_chat_member(chat_id, bot.id)
    except (Forbidden, BadRequest):
        return [NOT_MEMBER]
    except TelegramError:
        return None
    status = member.status
    if status in ("left", "kicked"):
        return [NOT_MEMBER]
    problems: list[str] = []
    if status == "restricted" and not getattr(member, "can_send_messages", False):
        problems.append(CANNOT_POST)
    if await is_forum():
        may_manage = status == "creator" or (
            status == "administrator" and bool(getattr(member, "can_manage_topics", False))
        )
        if not may_manage:
            problems.append(CANNOT_MANAGE_TOPICS)
    return problems


class AlertPathWatch:
    def __init__(
        self,
        *,
        bot: Any,
        db: Database,
        settings: Settings,
        clock: Clock,
        tr: Translator,
        is_forum: Callable[[], Awaitable[bool]],
    ) -> None:
        self._bot = bot
        self._is_forum = is_forum
        self._db = db
        self._settings = settings
        self._clock = clock
        self._tr = tr
        self._last_check: datetime | None = None
        # Told once per problem (not every few minutes), again only after it was fixed.
        self._reported: frozenset[str] = frozenset()
        self._stuck_reported: set[int] = set()

    async def run(self) -> None:
        """The periodic part: the group check when due, the stuck urgent messages always."""
        now = self._clock.now()
        every = self._settings.timing.alert_path_check
        if self._last_check is None or now - self._last_check >= every:
            await self.check_staff_group()
        await self.check_undelivered()

    async def check_staff_group(self) -> list[str]:
        self._last_check = self._clock.now()
        chat_id = self._settings.telegram.staff_chat_id
        problems = await staff_group_problems(self._bot, chat_id, self._is_forum)
        if problems is None:
            return []
        for problem in problems:
            logger.error("alert path: the bot's rights in the staff group: %s", problem)
        new = frozenset(problems) - self._reported
        if new:
            lines = [self._tr(f"alert_path.{p}", chat_id=chat_id) for p in problems]
            await self._tell(self._settings.telegram.admin_ids, "\n\n".join(lines))
        elif self._reported and not problems:
            await self._tell(self._settings.telegram.admin_ids, self._tr("alert_path.fixed"))
        self._reported = frozenset(problems)
        return problems

    async def check_undelivered(self) -> None:
        after = self._settings.timing.urgent_undelivered_after
        stuck = await urgent_pending_since(self._db, self._clock.now() - after)
        fresh = [m for m in stuck if m.id not in self._stuck_reported]
        # Rows delivered since are forgotten, so the set stays small.
        self._stuck_reported &= {m.id for m in stuck}
        if not fresh:
            return
        self._stuck_reported |= {m.id for m in fresh}
        oldest = min(m.created_at for m in fresh)
        minutes = max(1, int((self._clock.now() - oldest).total_seconds() // 60))
        logger.error("alert path: %d urgent messages undelivered for %d min", len(fresh), minutes)
        text = self._tr("alert_path.undelivered", count=len(fresh), minutes=minutes)
        people = [*self._settings.telegram.admin_ids, *self._settings.urgent.backup_ids]
        await self._tell(list(dict.fromkeys(people)), text)

    async def _tell(self, people: Any, text: str) -> None:
        for user_id in people:
            # An admin who never started the bot cannot be told; the ERROR log still is.
            with contextlib.suppress(TelegramError):
                await self._bot.send_message(user_id, text)
