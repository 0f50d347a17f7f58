"""Opening a case, turning an open case urgent, and a repeated SOS.

Each change is written in one transaction (the write boundary) together with the card
and the alerts that report it; delivery wakes after COMMIT by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup

from bot.cases.cards import (
    alert_duty,
    alert_sos_again_taken,
    post_alerts,
    post_cards,
    region_alert,
)
from bot.cases.outgoing import ANSWER_TO_USER, Write, html, to_user
from bot.cases.staff_side import StaffSides
from bot.clock import Clock
from bot.config import Settings
from bot.domain import rota
from bot.domain.case_rules import ReplyBy, cases_day_start, next_escalation
from bot.domain.codes import new_code
from bot.domain.language import Language
from bot.domain.someone_else import is_about_other
from bot.domain.triage import DangerSignal, UrgencyReason, assess_urgency, find_danger_signals
from storage.cases import Case, CaseRepository, CaseStore, CodeTaken
from storage.unit_of_work import OutboxWriter, Transaction
from storage.users import UserRepository

logger = logging.getLogger(__name__)

# An SOS this soon after the case turned urgent or was last re-alerted is a double tap:
# the staff heard it already and are not alerted again.
SOS_REPEAT_AFTER = timedelta(seconds=30)


@dataclass(frozen=True)
class OpenedCase:
    case: Case
    # Who is on duty for the case (at every centre, for a case without one).
    on_duty: list[int]


class DailyLimitReached(Exception):
    """The user opened `limits.cases_per_day` cases today."""


class Intake:
    def __init__(
        self,
        *,
        write: Write,
        records: CaseRepository,
        sides: StaffSides,
        users: UserRepository,
        settings: Settings,
        clock: Clock,
        on_opened: Callable[[bool], None] = lambda urgent: None,
    ) -> None:
        self._write = write
        self._records = records
        self._sides = sides
        self._users = users
        self._settings = settings
        self._clock = clock
        # Told of every case opened, urgent or not (the /metrics counter).
        self._on_opened = on_opened
        # Told of a new case inside its write, right after its card (her safe hours).
        self.opened_hooks: list[Callable[[Transaction, Case], Awaitable[None]]] = []
        # When each case's staff were last alerted by a repeated SOS (see `sos_again`).
        self._sos_alerted: dict[int, datetime] = {}

    async def cases_today(self, user_id: int) -> int:
        since = cases_day_start(self._clock.now(), self._settings.general.timezone)
        return await self._records.count_since(user_id, since)

    async def open_case(
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
        sos: bool,
        center_id: str | None = None,
        not_safe_to_talk: bool = False,
    ) -> OpenedCase:
        """Stores a confirmed request and, in the same transaction, its card and alerts.

        The case belongs to the user's centre (`center_id`, else the one she chose); none
        chosen yet puts it before every centre until one takes it."""
        settings = self._settings
        # Answers about someone else are not the writer's risk screen.
        own_screen = None if screen is None or is_about_other(screen) else screen
        reasons = [str(r) for r in assess_urgency(sos=sos, texts=story_texts, screen=own_screen)]
        if center_id is None:
            user = await self._users.get(user_id)
            center_id = user.center_id if user is not None else None
        home = self._sides.of_center(center_id)
        if home is not None:
            center_id = home.center_id or None
        on_duty = await self._on_duty(center_id) if reasons else {}
        # A case every group hears has no topic: a topic lives in one group only.
        forum = home is not None and await home.is_forum()
        story = "\n\n".join(t for t in story_texts if t.strip()) or None
        limit = settings.limits.cases_per_day
        since = cases_day_start(self._clock.now(), settings.general.timezone)
        # A plain read first, so a request over the limit leaves no empty forum topic behind
        # (the check inside the transaction below still settles a race).
        if forum and await self._records.count_since(user_id, since) >= limit:
            raise DailyLimitReached
        for _ in range(5):
            code = new_code()
            topic_id = await home.create_topic(code) if forum and home is not None else None
            now = self._clock.now()
            try:
                async with self._write() as tx:
                    store = CaseStore.of(tx)
                    if await store.count_since(user_id, since) >= limit:
                        raise DailyLimitReached
                    case_id = await store.insert(
                        code=code,
                        user_id=user_id,
                        language=language,
                        category=category,
                        urgent_reasons=reasons,
                        story=story,
                        story_voice=story_voice,
                        screen=screen,
                        # Not safe to talk: nobody may call, so no number is kept either.
                        reply_by="chat" if not_safe_to_talk else reply_by,
                        callback_phone=(
                            callback_phone if reply_by == "call" and not not_safe_to_talk else None
                        ),
                        not_safe_to_talk=not_safe_to_talk,
                        now=now,
                        next_escalation_at=self._first_escalation(now) if reasons else None,
                        topic_id=topic_id,
                        center_id=center_id,
                    )
                    case = await store.get(case_id)
                    assert case is not None
                    await post_cards(self._sides, tx.outbox, case)
                    for hook in self.opened_hooks:
                        await hook(tx, case)
                    if reasons:
                        await self._alert_duty(tx.outbox, case, on_duty)
                    if home is None:
                        # No centre chosen yet: every centre hears it, and so does the region.
                        await region_alert(self._sides, tx.outbox, case, key="region.no_center")
            except CodeTaken:
                continue
            logger.info("case opened (urgent: %s)", bool(reasons))
            self._on_opened(bool(reasons))
            return OpenedCase(case, _everyone(on_duty))
        raise RuntimeError("could not draw a free case code")

    async def make_urgent(
        self, case: Case, reasons: list[UrgencyReason], text: str | None = None
    ) -> OpenedCase | None:
        """Turns an open case urgent (a later /sos, danger words in the conversation `text`);
        None if it was urgent or closed already."""
        signals = tuple(find_danger_signals(text)) if text else None
        on_duty = await self._on_duty(case.center_id)
        now = self._clock.now()
        async with self._write() as tx:
            store = CaseStore.of(tx)
            reason_names = [str(r) for r in reasons]
            if not await store.make_urgent(case.id, reason_names, now, self._first_escalation(now)):
                return None
            updated = await store.get(case.id)
            assert updated is not None
            await post_alerts(self._sides, tx.outbox, updated, "card.now_urgent", signals=signals)
            await self._alert_duty(tx.outbox, updated, on_duty, signals)
        return OpenedCase(updated, _everyone(on_duty))

    async def sos_again(self, case: Case) -> bool:
        """Danger now on a case that is urgent already: the group and the people on duty hear
        it again, and so does whoever took the case. False (nobody alerted) for a double tap,
        within `SOS_REPEAT_AFTER` of the last alert, or for a case closed meanwhile."""
        now = self._clock.now()
        last = [at for at in (case.urgent_at, self._sos_alerted.get(case.id)) if at is not None]
        if last and now - max(last) < SOS_REPEAT_AFTER:
            return False
        on_duty = await self._on_duty(case.center_id)
        async with self._write() as tx:
            fresh = await CaseStore.of(tx).get(case.id)
            if fresh is None or not fresh.is_open:
                return False
            await post_alerts(self._sides, tx.outbox, fresh, "card.sos_again")
            targets = self._targets(fresh, on_duty)
            if fresh.taken_by is not None:
                if fresh.taken_by not in targets:
                    targets.append(fresh.taken_by)
                await alert_sos_again_taken(self._sides.home(fresh), tx.outbox, fresh, targets)
            else:
                await alert_duty(self._sides.home(fresh), tx.outbox, fresh, targets)
        self._sos_alerted[case.id] = now
        return True

    async def tell_user(
        self, case: Case, texts: list[str], markup: InlineKeyboardMarkup | None = None
    ) -> None:
        """What an urgent user must see (numbers, who was alerted) goes through the outbox:
        retried like the alerts themselves, and in order; `markup` goes on the last text."""
        if case.user_id is None:
            return
        async with self._write() as tx:
            for index, text in enumerate(texts):
                last = index == len(texts) - 1
                params = html(text, markup if last else None)
                await to_user(tx.outbox, case, params, purpose=ANSWER_TO_USER)

    def forget_old_sos_alerts(self, now: datetime) -> None:
        for case_id in [c for c, at in self._sos_alerted.items() if now - at > SOS_REPEAT_AFTER]:
            del self._sos_alerted[case_id]

    def _first_escalation(self, now: datetime) -> datetime | None:
        urgent = self._settings.urgent
        return next_escalation(
            step=0,
            now=now,
            escalate_after=urgent.escalate_after,
            max_escalations=urgent.max_escalations,
        )

    async def on_duty_now(self, center_id: str | None) -> list[int]:
        """Who is on duty now at the centre (at every centre, for no centre)."""
        return _everyone(await self._on_duty(center_id))

    async def _on_duty(self, center_id: str | None) -> dict[str, list[int]]:
        side = self._sides.of_center(center_id)
        sides = [side] if side is not None else self._sides.all
        return {s.center_id: await s.on_duty_now() for s in sides}

    async def _alert_duty(
        self,
        outbox: OutboxWriter,
        case: Case,
        on_duty: dict[str, list[int]],
        signals: tuple[DangerSignal, ...] | None = None,
    ) -> None:
        targets = self._targets(case, on_duty)
        await alert_duty(self._sides.home(case), outbox, case, targets, signals)

    def _targets(self, case: Case, on_duty: dict[str, list[int]]) -> list[int]:
        """The on-duty people (and backups, when nobody is) of the case's centre, or of
        every centre for a case without one."""
        targets: list[int] = []
        for side in self._sides.of(case):
            people = on_duty.get(side.center_id, [])
            for user_id in rota.escalation_targets(step=0, on_duty=people, backups=side.backup_ids):
                if user_id not in targets:
                    targets.append(user_id)
        return targets


def _everyone(on_duty: dict[str, list[int]]) -> list[int]:
    return list(dict.fromkeys(user_id for people in on_duty.values() for user_id in people))
