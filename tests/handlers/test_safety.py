"""Safety on a shared phone: the quick exit wipes what it can and leaves a neutral message."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from tests.conftest import Harness

HELP_WORDS = ("помощ", "насил", "психолог", "көмек", "зорлық", "психолог")


async def test_quick_exit_button_deletes_the_chat_and_leaves_a_neutral_message(
    bot: Harness,
) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/help")
    await user.wait_for_bot_message()
    assert len(user.messages()) > 6

    await user.press("🚪 Быстрый выход")
    neutral = await user.wait_for_bot_message(lambda m: m.text == bot.tr("ru", "safety.neutral"))
    assert [m.message_id for m in user.messages()] == [neutral.message_id]
    assert not any(word in neutral.text.lower() for word in HELP_WORDS)
    # One deleteMessages call, ids only.
    deletes = bot.emulator.requests_for("deleteMessages")
    assert len(deletes) == 1 and deletes[0].ok
    # Nothing else answered the button (no "not ready", no "unknown command").
    assert len(user.bot_messages()) == 1


async def test_exit_command_deletes_in_batches_of_100(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "kk")
    for number in range(120):
        await user.send(f"сәлем {number}")
    await bot.emulator.wait_until(lambda: len(user.bot_messages()) >= 123, timeout=20)
    await user.send("/exit")
    neutral = await user.wait_for_bot_message(
        lambda m: m.text == bot.tr("kk", "safety.neutral"), timeout=20
    )
    assert [m.message_id for m in user.messages()] == [neutral.message_id]
    batches = [len(r.params["message_ids"]) for r in bot.emulator.requests_for("deleteMessages")]
    assert max(batches) == 100 and sum(batches) >= 245


async def test_messages_older_than_48_hours_stay_and_ids_are_not_kept(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    old = [m.message_id for m in user.messages()]
    bot.advance(timedelta(hours=49))
    await user.send("/help")
    await user.wait_for_bot_message()
    await user.send("/exit")
    neutral = await user.wait_for_bot_message(lambda m: m.text == bot.tr("ru", "safety.neutral"))
    # Telegram refuses to delete older messages: they stay, as the help text warns.
    assert [m.message_id for m in user.messages()] == [*old, neutral.message_id]
    requested = {
        i for r in bot.emulator.requests_for("deleteMessages") for i in r.params["message_ids"]
    }
    assert not requested & set(old)
    await bot.services.message_log.flush()
    ids = (
        sqlite3.connect(bot.settings.storage.path)
        .execute("SELECT message_id FROM message_log WHERE chat_id = ?", (user.id,))
        .fetchall()
    )
    # The wiped ids are forgotten; only the neutral message may be noted (when its send returned).
    assert set(ids) <= {(neutral.message_id,)}


async def test_message_log_keeps_ids_only(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("секретный текст")
    await user.wait_for_bot_message()
    # A reply of the same chat is handled only after the previous update's handler (and
    # its noting of ids) finished: after this, everything but the last reply is noted.
    await user.send("/help")
    await user.wait_for_bot_message()
    await bot.services.message_log.flush()
    database = sqlite3.connect(bot.settings.storage.path)
    columns = [row[1] for row in database.execute("PRAGMA table_info(message_log)")]
    assert columns == ["chat_id", "message_id", "at"]
    logged = {row[0] for row in database.execute("SELECT message_id FROM message_log")}
    assert logged >= {m.message_id for m in user.messages()[:-1]}


async def test_quick_exit_ends_a_request_in_progress_without_storing_it(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/request")
    await user.wait_for_bot_message(lambda m: bool(m.buttons))
    await user.press(bot.tr("ru", "category.crisis"))
    await user.wait_for_bot_message()
    await user.send("/exit")
    await user.wait_for_bot_message(lambda m: m.text == bot.tr("ru", "safety.neutral"))
    # The flow is over: a text now is not taken as the story.
    await user.send("мне плохо")
    answer = await user.wait_for_bot_message()
    assert answer.text == bot.tr("ru", "fallback.text_outside_flow")
    with sqlite3.connect(bot.settings.storage.path) as database:
        assert database.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 0


async def test_quick_exit_ends_a_booking_in_progress(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "kk")
    await user.send("/book")
    await user.wait_for_bot_message(lambda m: bool(m.buttons))
    await user.send("/exit")
    await user.wait_for_bot_message(lambda m: m.text == bot.tr("kk", "safety.neutral"))
    await user.send("сәлем")
    answer = await user.wait_for_bot_message()
    assert answer.text == bot.tr("kk", "fallback.text_outside_flow")
    with sqlite3.connect(bot.settings.storage.path) as database:
        assert database.execute("SELECT COUNT(*) FROM appointments").fetchone()[0] == 0
