"""/forget: after it, the database file holds neither the user's id nor their words."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from bot.forgetting import forget_user
from tests.conftest import Harness
from tests.handlers.booking_steps import book, slot
from tests.handlers.case_helpers import plain, request_case, settle


def file_mentions(path: Path, *needles: str) -> list[str]:
    """Every table's every value, and the raw file bytes, searched for the needles."""
    found = []
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tables = [
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            for row in connection.execute(f"SELECT * FROM {table}"):
                for value in row:
                    found += [f"{table}: {n}" for n in needles if n in str(value)]
    raw = path.read_bytes()
    found += [f"file bytes: {n}" for n in needles if n.encode() in raw]
    return found


async def test_forget_asks_once_then_erases_everything(bot: Harness) -> None:
    user = bot.user("Zhanar", user_id=77001234)
    await bot.onboard(user, "ru")
    await user.send("/forget")
    question = await user.wait_for_bot_message()
    assert "Стереть все ваши данные?" in question.content
    await user.press("Да, стереть всё")
    done = await user.wait_for_bot_message(lambda m: "стёрты" in m.content)
    assert "/start" in done.content
    assert await bot.services.users.get(user.id) is None
    await bot.services.message_log.flush()
    await bot.services.db.checkpoint()
    assert file_mentions(bot.settings.storage.path, str(user.id)) == []


async def test_saying_no_changes_nothing(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "kk")
    await user.send("/forget")
    await user.wait_for_bot_message()
    await user.press("Жоқ, қалдыру")
    await user.wait_for_bot_message(lambda m: m.text == bot.tr("kk", "forget.kept"))
    stored = await bot.services.users.get(user.id)
    assert stored is not None and stored.has_consented


async def test_after_forgetting_start_asks_the_language_again(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/forget")
    await user.wait_for_bot_message()
    await user.press("Да, стереть всё")
    await user.wait_for_bot_message(lambda m: "стёрты" in m.content)
    await user.send("/start")
    prompt = await user.wait_for_bot_message()
    assert "Выберите язык" in prompt.content


async def test_forget_after_a_case_erases_texts_and_the_staff_card(bot: Harness) -> None:
    story = "Муж бьёт меня, позвоните на 87015556677"
    user = bot.user("Gulnara", user_id=77005555)
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, story=story, phone="+7 701 555 66 77")
    await settle(bot)
    card = next(m for m in bot.group.bot_messages() if code in m.content)
    await user.send("и ещё: он забрал мой паспорт")
    await bot.group.wait_for_bot_message(lambda m: "паспорт" in m.content)
    relays = [m for m in bot.group.bot_messages() if "паспорт" in m.content]

    await user.send("/forget")
    await user.wait_for_bot_message(lambda m: "Стереть" in m.content)
    await user.press("Да, стереть всё")
    await user.wait_for_bot_message(lambda m: "стёрты" in m.content)
    await settle(bot)

    assert card.text == plain(bot.tr("kk", "staff.card_erased"))
    assert code not in card.text and not card.buttons and card.deleted
    assert all(m.deleted for m in relays)
    case = await bot.services.cases.by_code(code)
    assert case is not None and case.category == "crisis"  # the anonymous figure stays
    await bot.services.db.checkpoint()
    leftovers = file_mentions(
        bot.settings.storage.path, str(user.id), "бьёт", "паспорт", "87015556677", "555 66 77"
    )
    assert leftovers == [], "\n".join(leftovers)


async def test_forget_after_a_booking_cancels_it_and_leaves_no_note(bot: Harness) -> None:
    user = bot.user("Saltanat", user_id=77006666)
    await bot.onboard(user, "ru")
    code = await book(
        bot, user, start=slot(date(2026, 12, 3), 11, 15), note="мне нужна справка для суда"
    )
    await settle(bot)
    notice = next(m for m in bot.group.bot_messages() if "справка" in m.content)
    await user.send("/forget")
    await user.wait_for_bot_message(lambda m: "Стереть" in m.content)
    await user.press("Да, стереть всё")
    await user.wait_for_bot_message(lambda m: "стёрты" in m.content)
    await settle(bot)
    assert notice.text == plain(bot.tr("kk", "appointment_notice.erased", code=code))
    row = await bot.services.db.fetch_one(
        "SELECT status, user_id, note FROM appointments WHERE code = ?", (code,)
    )
    assert row is not None and tuple(row) == ("cancelled", None, None)
    await bot.services.db.checkpoint()
    leftovers = file_mentions(bot.settings.storage.path, str(user.id), "справка", "суда")
    assert leftovers == [], "\n".join(leftovers)


async def test_a_double_tap_on_yes_still_says_done(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/forget")
    question = await user.wait_for_bot_message(lambda m: "Стереть" in m.content)
    await user.press_data("forget:yes", message_id=question.message_id)
    await user.press_data("forget:yes", message_id=question.message_id)
    await bot.handled()
    done = [m for m in user.bot_messages() if "стёрты" in m.content]
    assert len(done) == 2  # both taps answered; the second found nothing left to erase
    assert await bot.services.users.get(user.id) is None


async def test_a_relay_in_flight_during_forget_is_taken_back(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await request_case(bot, user)
    await settle(bot)
    bot.emulator.set_latency(0.3)
    await user.send("секретные слова")

    def relay_in_flight() -> bool:
        return any(
            r.method == "sendMessage" and r.status == 0 and "секретные" in str(r.params)
            for r in bot.emulator.requests
        )

    await bot.emulator.wait_until(relay_in_flight)
    await forget_user(bot.services, user.id)
    bot.emulator.set_latency(0)
    await bot.emulator.wait_until(
        lambda: any("секретные" in m.content for m in bot.group.messages(include_deleted=True))
    )
    await settle(bot)
    await bot.handled()
    visible = [m for m in bot.group.bot_messages() if "секретные" in m.content]
    assert visible == []
