"""The booking buttons end to end (handlers/private/booking/choices.py): seats left, free
days only, forged or past times refused, the daily limit."""

from __future__ import annotations

from datetime import date

from bot.appointments.dates import day_label
from tests.conftest import Harness, HarnessFactory
from tests.handlers.booking_steps import (
    book,
    book_directly,
    data_of,
    has_data,
    press_button_with_data,
    rows,
    slot,
)

THURSDAY = date(2026, 12, 3)
SATURDAY = date(2026, 12, 5)


async def test_group_service_shows_seats_left_with_plural_forms(bot: Harness) -> None:
    start = slot(SATURDAY, 10)
    first = bot.user("First")
    await bot.onboard(first, "ru")
    await first.send("/book")
    await first.wait_for_bot_message(has_data("bk:service:"))
    await first.press("Тренинг")
    days = await first.wait_for_bot_message(has_data("bk:day:"))
    # Saturdays only: 5 and 12 December.
    assert data_of(days, "bk:day:") == ["bk:day:training:2026-12-05", "bk:day:training:2026-12-12"]
    await first.press("Суббота, 5 декабря")
    times = await first.wait_for_bot_message(has_data("bk:time:"))
    assert [t for t, d in times.buttons if (d or "").startswith("bk:time:")] == [
        "10:00 · свободно 12 мест"
    ]
    for count, expected_ru, expected_kk in (
        (10, "свободно 2 места", "2 бос орын"),
        (1, "свободно 1 место", "1 бос орын"),
    ):
        # Others took seats meanwhile (through the same atomic path as the bot).
        for _ in range(count):
            await book_directly(bot, start, "training")
        for language, expected in (("ru", expected_ru), ("kk", expected_kk)):
            person = bot.user(f"P{count}{language}", language_code=language)
            await bot.onboard(person, language)
            await person.send("/book")
            await person.wait_for_bot_message(has_data("bk:service:"))
            await person.press("Тренинг")
            days = await person.wait_for_bot_message(has_data("bk:day:"))
            await press_button_with_data(person, days, "bk:day:training:2026-12-05")
            times = await person.wait_for_bot_message(has_data("bk:time:"))
            assert f"10:00 · {expected}" in [t for t, _ in times.buttons]


async def test_holidays_and_weekends_are_never_offered(start_bot: HarnessFactory) -> None:
    bot = await start_bot({"booking": {"horizon_days": 30}})
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Консультация психолога")
    days = await user.wait_for_bot_message(has_data("bk:day:"))
    offered: list[str] = []
    while True:
        offered += data_of(days, "bk:day:")
        later = data_of(days, "bk:page:")
        nav = [text for text, data in days.buttons if data in later]
        if bot.tr("ru", "booking.button.later") not in nav:
            break
        before = list(days.buttons)
        await user.press(bot.tr("ru", "booking.button.later"))
        await bot.emulator.wait_until(lambda before=before: days.buttons != before)  # type: ignore[misc]
    offered_days = {date.fromisoformat(d.rsplit(":", 1)[1]) for d in offered}
    # 16 December: Independence Day (the holidays package); 25 December: booking.holidays.
    assert date(2026, 12, 16) not in offered_days
    assert date(2026, 12, 25) not in offered_days
    assert date(2026, 12, 17) in offered_days and date(2026, 12, 31) in offered_days
    assert all(day.weekday() < 5 for day in offered_days)
    assert len(offered_days) == 20  # 2..31 December, weekdays, minus the two holidays
    # Forged: a holiday is refused even when asked for directly.
    await user.press_data("bk:day:psychologist:2026-12-16", days.message_id)
    answer = await user.wait_for_bot_message(has_data("bk:day:"))
    assert bot.tr("ru", "booking.day_unavailable") in answer.content
    assert day_label(date(2026, 12, 16), "ru") not in [t for t, _ in answer.buttons]


async def test_forged_and_past_slots_are_refused(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/book")
    services = await user.wait_for_bot_message(has_data("bk:service:"))
    # A service that does not exist.
    await user.press_data("bk:service:surgery", services.message_id)
    stale = await user.wait_for_bot_message()
    assert stale.text == bot.tr("ru", "booking.stale_button")
    # A time that is not a slot start (10:07), one in the past and one too soon (today 10:30,
    # now is 10:00 and the minimum lead is 2 hours): "no longer available" and the next times.
    for forged in (
        slot(THURSDAY, 10, 7),
        slot(date(2026, 12, 1), 10, 30),
        slot(date(2026, 12, 2), 10, 30),
    ):
        await user.press_data(
            f"bk:time:psychologist:{int(forged.timestamp())}", services.message_id
        )
        answer = await user.wait_for_bot_message(has_data("bk:alt:"))
        assert bot.tr("ru", "booking.time_unavailable") in answer.content
    assert (
        next(t for t, d in answer.buttons if (d or "").startswith("bk:alt:"))
        == "Среда, 2 декабря, 12:00"
    )
    # Garbage in the data.
    for garbage in ("bk:time:psychologist:abc", "bk:day:psychologist:2026-13-45", "bk:confirm:999"):
        await user.press_data(garbage, services.message_id)
        await user.wait_for_bot_message()
    assert rows(bot, "SELECT COUNT(*) FROM appointments") == [(0,)]


async def test_daily_limit_gets_a_calm_answer(start_bot: HarnessFactory) -> None:
    bot = await start_bot({"limits": {"bookings_per_day": 1}})
    user = bot.user()
    await bot.onboard(user, "ru")
    await book(bot, user, start=slot(THURSDAY, 9))
    await user.send("/book")
    answer = await user.wait_for_bot_message()
    assert "предел на день" in answer.content and "+7 725 000 00 00" in answer.content
    assert rows(bot, "SELECT COUNT(*) FROM appointments") == [(1,)]
