"""The alert path watched: can an urgent case reach the staff at all?

Two watches, run at start and from the periodic due work:

- the bot's place in every staff group (each centre's, and the region group when there is
  one): a member, allowed to post, and in a forum allowed to manage topics, every
  `timing.alert_path_check`;
- urgent outbox messages (cards, re-alerts, on-duty DMs) still waiting after
  `timing.urgent_undelivered_after`.

What is wrong goes to the log as an ERROR and, as a direct message, to the people who can
act: the admins of the centre whose group it is (and for a stuck alert its backups too).
These messages go straight to Telegram, not through the outbox: the outbox may be what is
stuck.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

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


class WatchedGroup(Protocol):
    """A group an urgent case must reach, and who can mend it: a centre's staff side
    (bot.cases.staff_side.StaffSide: its admins, its backups, everyone its alerts go to
    directly), or the region group."""

    @property
    def chat_id(self) -> int: ...

    @property
    def admin_ids(self) -> Collection[int]: ...

    @property
    def backup_ids(self) -> Collection[int]: ...

    @property
    def staff_ids(self) -> Collection[int]: ...

    async def is_forum(self) -> bool: ...


@dataclass(frozen=True)
class RegionGroup:
    """The region group: its alerts have no topics and go to nobody directly."""

    chat_id: int
    admin_ids: Collection[int]
    backup_ids: Collection[int] = ()
    staff_ids: Collection[int] = ()

    async def is_forum(self) -> bool:
        return False


def region_group(settings: Settings) -> list[RegionGroup]:
    """The region group when there is one, told to the top-level admins (or, when only
    the centres name admins, to every centre's)."""
    chat_id = settings.telegram.region_chat_id
    if chat_id is None:
        return []
    admins = set(settings.telegram.admin_ids)
    if not admins:
        admins = {a for side in settings.staff_sides for a in side.admin_ids}
    return [RegionGroup(chat_id, frozenset(admins))]


class AlertPathWatch:
    def __init__(
        self,
        *,
        bot: Any,
        db: Database,
        settings: Settings,
        clock: Clock,
        tr: Translator,
        groups: Sequence[WatchedGroup],
    ) -> None:
        self._bot = bot
        self._groups = tuple(groups)
        self._db = db
        self._settings = settings
        self._clock = clock
        self._tr = tr
        self._last_check: datetime | None = None
        # Told once per problem and group (not every few minutes), again only after it
        # was fixed.
        self._reported: dict[int, frozenset[str]] = {}
        self._stuck_reported: set[int] = set()

    async def run(self) -> None:
        """The periodic part: the group check when due, the stuck urgent messages always."""
        now = self._clock.now()
        every = self._settings.timing.alert_path_check
        if self._last_check is None or now - self._last_check >= every:
            await self.check_staff_group()
        await self.check_undelivered()

    async def check_staff_group(self) -> list[str]:
        """Every watched group checked; the problems found in any of them."""
        self._last_check = self._clock.now()
        found: list[str] = []
        for group in self._groups:
            found += await self._check(group)
        return found

    async def _check(self, group: WatchedGroup) -> list[str]:
        chat_id = group.chat_id
        problems = await staff_group_problems(self._bot, chat_id, group.is_forum)
        if problems is None:
            return []
        for problem in problems:
            logger.error("alert path: the bot's rights in a staff group: %s", problem)
        reported = self._reported.get(chat_id, frozenset())
        new = frozenset(problems) - reported
        if new:
            lines = [self._tr(f"alert_path.{p}", chat_id=chat_id) for p in problems]
            await self._tell(group.admin_ids, "\n\n".join(lines))
        elif reported and not problems:
            await self._tell(group.admin_ids, self._tr("alert_path.fixed"))
        self._reported[chat_id] = frozenset(problems)
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
        await self._tell(self._concerned({m.chat_id for m in fresh}), text)

    def _concerned(self, chat_ids: set[int]) -> list[int]:
        """The admins and backups of the centres the stuck messages were for (their group,
        or one of their staff); of every centre when none is known (the region group)."""
        groups = [
            group
            for group in self._groups
            if group.chat_id in chat_ids or chat_ids & set(group.staff_ids)
        ]
        people: list[int] = []
        for group in groups or self._groups:
            people += [*group.admin_ids, *group.backup_ids]
        return list(dict.fromkeys(people))

    async def _tell(self, people: Any, text: str) -> None:
        for user_id in people:
            # An admin who never started the bot cannot be told; the ERROR log still is.
            with contextlib.suppress(TelegramError):
                await self._bot.send_message(user_id, text)
