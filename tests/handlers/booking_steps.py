"""Steps of the booking conversation as a villager takes them, shared by the e2e tests."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import date, datetime, time

from bot.appointments.service import Booking
from bot.domain.slots import FreeSlot
from sandbox import SimMessage, SimUser
from tests.conftest import ALMATY, Harness

CODE = re.compile(r"[2-9A-HJ-NP-Z]{3}-[2-9A-HJ-NP-Z]{3}")


def has_data(prefix: str) -> Callable[[SimMessage], bool]:
    return lambda message: any((data or "").startswith(prefix) for _, data in message.buttons)


def data_of(message: SimMessage, prefix: str) -> list[str]:
    return [data for _, data in message.buttons if data and data.startswith(prefix)]


def slot(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ALMATY)


def code_in(message: SimMessage) -> str:
    found = CODE.search(message.text or "")
    assert found is not None, message.text
    return found.group(0)


async def press_button_with_data(user: SimUser, message: SimMessage, data: str) -> None:
    """Presses a button that really is on the message (unlike a forged press_data)."""
    assert data in [d for _, d in message.buttons], (data, message.buttons)
    await user.press_data(data, message.message_id)


async def reach_summary(
    bot: Harness,
    user: SimUser,
    *,
    start: datetime,
    service: str = "psychologist",
    language: str = "ru",
    note: str | None = None,
    named: bool = False,
    step_timeout: float = 5.0,
) -> SimMessage:
    """From /book to the summary with its Confirm button. Tests that drive many users at
    once give each step a longer deadline: every user waits for the others' steps too."""
    settings_service = bot.settings.service(service)
    assert settings_service is not None
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"), timeout=step_timeout)
    await user.press(settings_service.name.get(language))  # type: ignore[arg-type]
    days = await user.wait_for_bot_message(has_data("bk:day:"), timeout=step_timeout)
    await press_button_with_data(user, days, f"bk:day:{service}:{start.date().isoformat()}")
    times = await user.wait_for_bot_message(has_data("bk:time:"), timeout=step_timeout)
    await press_button_with_data(user, times, f"bk:time:{service}:{int(start.timestamp())}")
    await user.wait_for_bot_message(has_data("bk:skipnote"), timeout=step_timeout)
    if note is None:
        await user.press(bot.tr(language, "booking.button.skip_note"))
    else:
        await user.send(note)
    await user.wait_for_bot_message(has_data("bk:naming:"), timeout=step_timeout)
    await user.press(
        bot.tr(language, "booking.button.named" if named else "booking.button.discreet")
    )
    return await user.wait_for_bot_message(has_data("bk:confirm:"), timeout=step_timeout)


async def confirm(user: SimUser, summary: SimMessage) -> None:
    data = data_of(summary, "bk:confirm:")
    assert len(data) == 1
    await user.press_data(data[0], summary.message_id)


def is_booked(message: SimMessage) -> bool:
    return has_data("bk:menu")(message)


def is_just_taken(bot: Harness, language: str = "ru") -> Callable[[SimMessage], bool]:
    return lambda message: bot.tr(language, "booking.just_taken") in (message.text or "")


async def book(
    bot: Harness,
    user: SimUser,
    *,
    start: datetime,
    service: str = "psychologist",
    language: str = "ru",
    note: str | None = None,
    named: bool = False,
) -> str:
    """The whole booking; returns the booking code."""
    summary = await reach_summary(
        bot, user, start=start, service=service, language=language, note=note, named=named
    )
    await confirm(user, summary)
    booked = await user.wait_for_bot_message(is_booked)
    return code_in(booked)


def seats(bot: Harness, start: object) -> int:
    """Booked seats at a slot start, read straight from the database file."""
    from datetime import datetime

    from storage.db import to_db_time

    assert isinstance(start, datetime)
    with sqlite3.connect(bot.settings.storage.path) as connection:
        row = connection.execute(
            "SELECT COUNT(*) FROM appointments WHERE status = 'booked' AND starts_at = ?",
            (to_db_time(start),),
        ).fetchone()
    return int(row[0])


def rows(bot: Harness, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Rows straight from the database file."""
    with sqlite3.connect(bot.settings.storage.path) as connection:
        return connection.execute(sql, params).fetchall()


async def book_directly(bot: Harness, start: datetime, service_id: str) -> None:
    """Another villager takes a seat, through the same atomic path as the bot."""
    person = bot.user()
    await bot.onboard(person, "ru")
    service = bot.settings.service(service_id)
    assert service is not None
    result = await bot.services.appointments.book(
        Booking(
            user_id=person.id,
            service=service,
            slot=FreeSlot(start, start + service.duration, seats_left=1),
            note=None,
            name_in_reminders=False,
        )
    )
    assert result.ok
