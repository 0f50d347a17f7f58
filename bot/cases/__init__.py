"""Cases (help requests): intake and urgency, escalation, the relay, staff actions,
erasing; `CaseService` (bot/cases/service.py) holds them together.

`Case` is the stored case as the service hands it out (storage/cases/records.py):
handlers name it from here and need not reach into storage.
"""

from storage.cases import Case

__all__ = ["Case"]
