"""The periodic job that re-alerts urgent cases nobody took.

The state is in the database (`cases.escalation_step`, `cases.next_escalation_at`), so
a restart carries on where the bot stopped: a re-alert that fell due while it was down
goes out on the first tick after the start. Each step is claimed with a conditional
UPDATE in the same transaction as its messages, so a step is never sent twice, and a
case taken a moment earlier is skipped.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot import casework

if TYPE_CHECKING:
    from bot.context import Services

logger = logging.getLogger(__name__)


async def escalate_unclaimed_cases(services: Services) -> None:
    """Re-posts every due urgent case to the staff group and alerts on-duty people and backups."""
    due = await services.cases.due_escalations(services.clock.now())
    if not due:
        return
    on_duty = await casework.on_duty_now(services)
    for case in due:
        await casework.escalate(services, case, on_duty)
