"""Re-alerting urgent cases nobody took: the periodic job and one re-alert.

The state is in the database (`cases.escalation_step`, `cases.next_escalation_at`), so
a restart carries on where the bot stopped: a re-alert that fell due while it was down
goes out on the first tick after the start. Each step is claimed with a conditional
UPDATE in the same transaction as its messages, so a step is never sent twice, and a
case taken a moment earlier is skipped.
"""

from __future__ import annotations

import logging

from bot.cases.cards import alert_duty, post_alert
from bot.cases.outgoing import Write
from bot.cases.staff_side import StaffSide
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
        side: StaffSide,
        settings: Settings,
        clock: Clock,
    ) -> None:
        self._write = write
        self._records = records
        self._side = side
        self._settings = settings
        self._clock = clock

    async def escalate_unclaimed_cases(self) -> None:
        """Re-posts every due urgent case to the staff group and alerts on-duty people and
        backups."""
        due = await self._records.due_escalations(self._clock.now())
        if not due:
            return
        on_duty = await self._side.on_duty_now()
        for case in due:
            await self.escalate(case, on_duty)

    async def escalate(self, case: Case, on_duty: list[int]) -> bool:
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
            if not await CaseStore.of(tx).advance_escalation(case.id, step, next_at):
                return False
            await post_alert(
                self._side,
                tx.outbox,
                case,
                "card.realert",
                step=step,
                total=urgent.max_escalations,
                minutes=minutes,
            )
            targets = rota.escalation_targets(step=step, on_duty=on_duty, backups=urgent.backup_ids)
            await alert_duty(self._side, tx.outbox, case, targets)
        logger.info("urgent case re-alerted (step %d)", step)
        return True
