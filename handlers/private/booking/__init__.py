"""Booking an appointment: the conversation (flow.py), its questions, buttons, the
text it awaits and the confirm; shared.py holds what moving an appointment uses too."""

from handlers.private.booking.flow import build_conversation

__all__ = ["build_conversation"]
