"""A booking in progress: what the user chose so far, in memory only until Confirm.

Kept in the user's data (bot/context.py `UserData.booking`), so the quick exit, which
clears that, ends the booking without a trace, and a restart forgets it (the
privacy-friendly failure).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.slots import FreeSlot

# An untouched draft is forgotten after this long: its text steps stop catching messages.
DRAFT_LIFETIME = timedelta(hours=2)


class Awaiting(enum.Enum):
    """What the booking waits for: the states of its conversation."""

    CENTER = "center"
    SERVICE = "service"
    DAY = "day"
    TIME = "time"
    NOTE = "note"
    NAMING_CHOICE = "naming_choice"
    CONFIRMATION = "confirmation"


@dataclass
class BookingDraft:
    user_id: int
    awaiting: Awaiting
    touched_at: datetime
    center_id: str | None = None
    service_id: str | None = None
    day: date | None = None
    slot: FreeSlot | None = None
    # Kept in memory only until confirmed; stored sealed.
    note: str | None = None
    # Or the note said aloud: a voice message's file id (one or the other).
    voice_note: str | None = None
    note_decided: bool = False
    name_in_reminders: bool = False
    # Bumped on every question, so "Confirm" on an older summary cannot book something else.
    revision: int = 0

    def ask(self, awaiting: Awaiting, now: datetime) -> Awaiting:
        """Records the question asked now; returns it (the conversation's next state)."""
        self.awaiting = awaiting
        self.touched_at = now
        self.revision += 1
        return awaiting

    def expired(self, now: datetime) -> bool:
        return now - self.touched_at > DRAFT_LIFETIME
