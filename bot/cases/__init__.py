"""Cases (help requests): intake and urgency, escalation, the relay, staff actions,
erasing; `Cases` (bot/cases/service.py) is the feature's front and holds them together.

The alarm (what happens when she is in danger) is one call: `Cases.raise_alarm(Person,
trigger)` with a `Sos`, a `DangerText` or a `DangerInConversation`, returning an `Alarm`.
`Case` is the stored case as the front hands it out (storage/cases/records.py): handlers
name it from here and need not reach into storage.
"""

from bot.cases.alarm import Alarm, DangerInConversation, DangerText, Person, Sos, Trigger
from bot.cases.intake import DailyLimitReached, OpenedCase
from bot.cases.service import Cases
from bot.domain.alarm import NUMBERS, AlarmStatus
from storage.cases import Case

__all__ = [
    "NUMBERS",
    "Alarm",
    "AlarmStatus",
    "Case",
    "Cases",
    "DailyLimitReached",
    "DangerInConversation",
    "DangerText",
    "OpenedCase",
    "Person",
    "Sos",
    "Trigger",
]
