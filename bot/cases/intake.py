"""Opening a case, turning an open case urgent, and a repeated SOS.

Each change is written in one transaction (the write boundary) together with the card
and the alerts that report it; delivery wakes after COMMIT by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup

from bot.cases.cards import alert_duty, alert_sos_again_taken, post_alert, post_card
from bot.cases.outgoing import Write, html, to_user
from bot.cases.staff_side import StaffSide
from bot.clock import Clock
from bot.config import Settings
from bot.domain import rota
from bot.domain.case_rules import ReplyBy, cases_day_start, next_escalation
from bot.domain.codes import new_code
from bot.domain.language import Language
from bot.domain.someone_else import is_about_other
from bot.domain.triage import UrgencyReason, assess_urgency, find_danger_signals
from storage.cases import Case, CaseRepository, CaseStore, CodeTaken

logger = logging.getLogger(__name__)

# An SOS this soon after the case turned urgent or was last re-alerted is a double tap:
# the staff heard it already and are not alerted again.
SOS_REPEAT_AFTER = timedelta(seconds=30)


@dataclass(frozen=True)
class OpenedCase:
    case: Case
    on_duty: list[int]


class DailyLimitReached(Exception):
    """The user opened `limits.cases_per_day` cases today."""


class Intake:
    def __init__(
        self,
        *,
        write: Write,
        records: CaseRepository,
        side: StaffSide,
        settings: Settings,
        clock: Clock,
        on_opened: Callable[[bool], None] = lambda urgent: None,
    ) -> None:
        self._write = write
        self._records = records
        self._side = side
        self._settings = settings
        self._clock = clock
        # Told of every case opened, urgent or not (the /metrics counter).
        self._on_opened = on_opened
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
    ) -> OpenedCase:
        """Stores a confirmed request and, in the same transaction, its card and alerts."""
        settings = self._settings
        # Answers about someone else are not the writer's risk screen.
        own_screen = None if screen is None or is_about_other(screen) else screen
        reasons = [str(r) for r in assess_urgency(sos=sos, texts=story_texts, screen=own_screen)]
        on_duty = await self._side.on_duty_now() if reasons else []
        forum = await self._side.is_forum()
        story = "\n\n".join(t for t in story_texts if t.strip()) or None
        limit = settings.limits.cases_per_day
        since = cases_day_start(self._clock.now(), settings.general.timezone)
        # A plain read first, so a request over the limit leaves no empty forum topic behind
        # (the check inside the transaction below still settles a race).
        if forum and await self._records.count_since(user_id, since) >= limit:
            raise DailyLimitReached
        for _ in range(5):
            code = new_code()
            topic_id = await self._side.create_topic(code) if forum else None
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
                        reply_by=reply_by,
                        callback_phone=callback_phone if reply_by == "call" else None,
                        now=now,
                        next_escalation_at=self._first_escalation(now) if reasons else None,
                        topic_id=topic_id,
                    )
                    case = await store.get(case_id)
                    assert case is not None
                    await post_card(self._side, tx.outbox, case)
                    if reasons:
                        await alert_duty(self._side, tx.outbox, case, self._targets(on_duty))
            except CodeTaken:
                continue
            logger.info("case opened (urgent: %s)", bool(reasons))
            self._on_opened(bool(reasons))
            return OpenedCase(case, on_duty)
        raise RuntimeError("could not draw a free case code")

    async def make_urgent(
        self, case: Case, reasons: list[UrgencyReason], text: str | None = None
    ) -> OpenedCase | None:
        """Turns an open case urgent (a later /sos, danger words in the conversation `text`);
        None if it was urgent or closed already."""
        signals = tuple(find_danger_signals(text)) if text else None
        on_duty = await self._side.on_duty_now()
        now = self._clock.now()
        async with self._write() as tx:
            store = CaseStore.of(tx)
            reason_names = [str(r) for r in reasons]
            if not await store.make_urgent(case.id, reason_names, now, self._first_escalation(now)):
                return None
            updated = await store.get(case.id)
            assert updated is not None
            await post_alert(self._side, tx.outbox, updated, "card.now_urgent", signals=signals)
            await alert_duty(self._side, tx.outbox, updated, self._targets(on_duty), signals)
        return OpenedCase(updated, on_duty)

    async def sos_again(self, case: Case) -> bool:
        """Danger now on a case that is urgent already: the group and the people on duty hear
        it again, and so does whoever took the case. False (nobody alerted) for a double tap,
        within `SOS_REPEAT_AFTER` of the last alert, or for a case closed meanwhile."""
        now = self._clock.now()
        last = [at for at in (case.urgent_at, self._sos_alerted.get(case.id)) if at is not None]
        if last and now - max(last) < SOS_REPEAT_AFTER:
            return False
        on_duty = await self._side.on_duty_now()
        async with self._write() as tx:
            fresh = await CaseStore.of(tx).get(case.id)
            if fresh is None or not fresh.is_open:
                return False
            await post_alert(self._side, tx.outbox, fresh, "card.sos_again")
            targets = self._targets(on_duty)
            if fresh.taken_by is not None:
                if fresh.taken_by not in targets:
                    targets.append(fresh.taken_by)
                await alert_sos_again_taken(self._side, tx.outbox, fresh, targets)
            else:
                await alert_duty(self._side, tx.outbox, fresh, targets)
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
                await to_user(tx.outbox, case, html(text, markup if last else None))

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

    def _targets(self, on_duty: list[int]) -> list[int]:
        return rota.escalation_targets(
            step=0, on_duty=on_duty, backups=self._settings.urgent.backup_ids
        )
