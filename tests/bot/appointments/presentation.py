"""Settings, texts and appointments for the presentation tests (no database, no Telegram)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.i18n import Texts, Translator
from storage.appointments import Appointment
from tests.conftest import ALMATY, make_settings

NOON = datetime(2026, 12, 3, 12, 0, tzinfo=ALMATY)  # a Thursday

_TEXTS = Texts.load()


def settings() -> Settings:
    return make_settings(Path("/nonexistent"), "http://127.0.0.1:9")


def tr(language: str = "ru") -> Translator:
    return _TEXTS.for_language(language)  # type: ignore[arg-type]


APPOINTMENT = Appointment(
    id=7,
    code="7KQ-M2F",
    user_id=700123456,
    center_id="sairam",
    service_id="psychologist",
    starts_at=NOON,
    ends_at=NOON + timedelta(minutes=45),
    status="booked",
    note=None,
    name_in_reminders=False,
    version=1,
    booked_at=NOON - timedelta(days=1),
    confirmed_at=None,
    cancelled_at=None,
    attendance=None,
)


def appointment(**changes: object) -> Appointment:
    return replace(APPOINTMENT, **changes)  # type: ignore[arg-type]
