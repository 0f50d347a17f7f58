"""Re-alerting urgent cases nobody took: the periodic job and one re-alert.

The state is in the database (`cases.escalation_step`, `cases.next_escalation_at`), so
a restart carries on where the bot stopped: a re-alert that fell due while it was down
goes out on the first tick after the start. Each step is claimed with a conditional
UPDATE in the same transaction as its messages, so a step is never sent twice, and a
case taken a moment earlier is skipped.
"""

from __future__ import annotations

import logging

from bot.cases.cards import alert_duty, post_alerts, region_alert
from bot.cases.outgoing import Write
from bot.cases.staff_side import StaffSides
from bot.clock import Clock
from bot.config import Settings
from bot.domain import rota
from bot.domain.case_rules import next_escalation
from storage.cases import Case, CaseRepository, CaseStore

logger = logging.getLogger(__name__)


class Escalation:
    def __init__(
        self,
        *,
        write: Write,
        records: CaseRepository,
        sides: StaffSides,
        settings: Settings,
        clock: Clock,
    ) -> None:
        self._write = write
        self._records = records
        self._sides = sides
        self._settings = settings
        self._clock = clock

    async def escalate_unclaimed_cases(self) -> None:
        """Re-posts every due urgent case to its centre's group and alerts that centre's
        on-duty people and backups."""
        due = await self._records.due_escalations(self._clock.now())
        on_duty: dict[str, list[int]] = {}
        for case in due:
            for side in self._sides.of(case):
                if side.center_id not in on_duty:
                    on_duty[side.center_id] = await side.on_duty_now()
            await self.escalate(case, on_duty)

    async def escalate(self, case: Case, on_duty: dict[str, list[int]]) -> bool:
        """One re-alert of an urgent case nobody took; False if it was taken meanwhile."""
        urgent = self._settings.urgent
        step = case.escalation_step + 1
        now = self._clock.now()
        next_at = next_escalation(
            step=step,
            now=now,
            escalate_after=urgent.escalate_after,
            max_escalations=urgent.max_escalations,
        )
        minutes = max(1, int((now - (case.urgent_at or case.created_at)).total_seconds() // 60))
        async with self._write() as tx:
            store = CaseStore.of(tx)
            if not await store.advance_escalation(case.id, step, next_at, case.center_id):
                return False
            await post_alerts(
                self._sides,
                tx.outbox,
                case,
                "card.realert",
                step=step,
                total=urgent.max_escalations,
                minutes=minutes,
            )
            targets: list[int] = []
            for side in self._sides.of(case):
                people = on_duty.get(side.center_id, [])
                for user_id in rota.escalation_targets(
                    step=step, on_duty=people, backups=side.backup_ids
                ):
                    if user_id not in targets:
                        targets.append(user_id)
            await alert_duty(self._sides.home(case), tx.outbox, case, targets)
            if next_at is None and self._sides.region_chat_id is not None:
                # The last re-alert and still nobody: the region group hears of it.
                await region_alert(self._sides, tx.outbox, case, minutes=minutes)
        logger.info("urgent case re-alerted (step %d)", step)
        return True
