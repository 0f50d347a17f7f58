"""Cases (help requests): intake and urgency, escalation, the relay, staff actions,
erasing; `CaseService` (bot/cases/service.py) holds them together."""
