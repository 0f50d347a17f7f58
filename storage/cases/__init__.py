"""Cases (help requests) in SQL: records, the stores bound to a write, the reads."""

from storage.cases.duty import DutyStore
from storage.cases.messages import CaseMessageStore
from storage.cases.records import Case, CaseMessage, CodeTaken, ManualDutyEntry
from storage.cases.repository import CaseRepository
from storage.cases.store import CaseStore

__all__ = [
    "Case",
    "CaseMessage",
    "CaseMessageStore",
    "CaseRepository",
    "CaseStore",
    "CodeTaken",
    "DutyStore",
    "ManualDutyEntry",
]
