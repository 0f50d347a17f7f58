"""Safety on a shared phone: the quick exit wipes what it can and leaves a neutral message."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from typing import Any

from bot.domain.codes import CODE_RE
from handlers.common import MENU_EXIT
from sandbox import SimMessage, SimUser
from tests.conftest import STAFF_CHAT_ID, Harness
from tests.handlers.booking_steps import book, has_data, press_button_with_data, reach_summary, slot
from tests.handlers.case_helpers import settle, staff_chat_requests

HELP_WORDS = ("помощ", "насил", "психолог", "көмек", "зорлық", "психолог")


async def test_quick_exit_button_deletes_the_chat_and_leaves_a_neutral_message(
    bot: Harness,
) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/help")
    await user.wait_for_bot_message()
    assert len(user.messages()) >= 6

    await user.press("🚪 Быстрый выход")
    neutral = await user.wait_for_bot_message(lambda m: m.text == bot.tr("ru", "safety.neutral"))
    assert [m.message_id for m in user.messages()] == [neutral.message_id]
    assert not any(word in neutral.content.lower() for word in HELP_WORDS)
    # One deleteMessages call, ids only.
    deletes = bot.emulator.requests_for("deleteMessages")
    assert len(deletes) == 1 and deletes[0].ok
    # Nothing else answered the button (no "not ready", no "unknown command").
    assert len(user.bot_messages()) == 1


async def test_exit_command_deletes_in_batches_of_100(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "kk")
    # A flood gets one calm answer (not one per message): the user's own 250 messages
    # make the chat long enough for three batches.
    for number in range(250):
        await user.send(f"сәлем {number}")
    await bot.handled()
    assert len(user.messages()) >= 250
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


# ------------------------------------------------------- the quick exit on every screen

THURSDAY = date(2026, 12, 3)


def _keyboards_sent(bot: Harness, chat_id: int) -> list[tuple[str, list[list[dict[str, Any]]]]]:
    """(method, rows) of every inline keyboard the bot sent or set in a chat, in order."""
    found = []
    for request in bot.emulator.requests:
        if request.params.get("chat_id") != chat_id or not request.ok:
            continue
        markup = request.params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            found.append((request.method, markup["inline_keyboard"]))
    return found


async def _tap(user: SimUser, prefix: str, data: str | None = None) -> SimMessage:
    """Waits for the next message with a button starting with `prefix` (new, or changed in
    place like the risk questions); presses `data` on it."""
    message = await user.wait_for_bot_message(has_data(prefix), include_edits=True)
    if data is not None:
        await press_button_with_data(user, message, data)
    return message


def _data_starting(message: SimMessage, prefix: str) -> str:
    return next(d for _, d in message.buttons if d and d.startswith(prefix))


async def test_every_private_keyboard_ends_with_the_quick_exit_and_no_staff_one_has_it(
    bot: Harness,
) -> None:
    user = bot.user()
    exit_row = [(bot.tr("ru", "menu.exit"), MENU_EXIT)]
    # /start: the language and consent prompts, then the main menu.
    await bot.onboard(user, "ru")
    await user.send("/help")
    await user.wait_for_bot_message(has_data("menu:"))

    # A violence request: the screen questions, Back to the "not safe" screen, a call back
    # number (a bad one first), Back from the summary, and Send.
    await user.send("/request")
    await _tap(user, "req:cat:", "req:cat:violence")
    await _tap(user, "req:safe:", "req:safe:yes")
    await _tap(user, "req:screen:", "req:screen:start")
    await _tap(user, "req:ans:", "req:ans:no")
    await _tap(user, "req:ans:", "req:ans:stop")
    await _tap(user, "req:back", "req:back")  # the story prompt
    await _tap(user, "req:screen:", "req:back")
    await _tap(user, "req:safe:", "req:safe:no")
    await _tap(user, "req:safe:brief", "req:safe:brief")
    # Not safe offers no call back: Back to the question, and safe after all.
    await _tap(user, "req:back", "req:back")
    await _tap(user, "req:screen:", "req:back")
    await _tap(user, "req:safe:", "req:safe:yes")
    await _tap(user, "req:screen:", "req:screen:skip")
    await _tap(user, "req:back")
    await user.send("Мне тяжело дома, хочу поговорить.")
    await _tap(user, "req:reply:", "req:reply:call")
    await _tap(user, "req:back")
    await user.send("12")
    await _tap(user, "req:back")  # "not a number", with Back and Cancel
    await user.send("+7 701 123 45 67")
    await _tap(user, "req:send", "req:back")
    await _tap(user, "req:reply:", "req:reply:chat")
    await _tap(user, "req:send", "req:send")
    opened = await user.wait_for_bot_message(lambda m: CODE_RE.search(m.text or "") is not None)
    case_code = CODE_RE.search(opened.text or "")

    # A booking: service, day, time, note, reminders, summary, booked.
    await book(bot, user, start=slot(THURSDAY, 12), note="Приду с дочкой.")
    await settle(bot)

    # /appointments with the appointment; Cancel asks to be sure; Keep.
    await user.send("/appointments")
    listed = await _tap(user, "ap:cancel:")
    await press_button_with_data(user, listed, _data_starting(listed, "ap:cancel:"))
    sure = await _tap(user, "ap:cancel_yes:")
    await press_button_with_data(user, sure, _data_starting(sure, "ap:keep:"))
    await _tap(user, "menu:")

    # The reminder 24 hours before (through the outbox); Reschedule: days, times; keep.
    bot.advance(timedelta(hours=2))
    await bot.run_due_work()
    reminder = await user.wait_for_bot_message(has_data("ap:come:"), timeout=10)
    await press_button_with_data(user, reminder, _data_starting(reminder, "ap:move:"))
    days = await _tap(user, "rs:day:")
    await press_button_with_data(user, days, _data_starting(days, "rs:day:"))
    times = await _tap(user, "rs:time:")
    await press_button_with_data(user, times, _data_starting(times, "ap:keep:"))
    await _tap(user, "menu:")

    # /forget asks once; No keeps everything.
    await user.send("/forget")
    await _tap(user, "forget:", "forget:no")
    await user.wait_for_bot_message(lambda m: m.text == bot.tr("ru", "forget.kept"))

    # Staff keyboards: the case card, /stats, and Thursday's morning agenda.
    await bot.staff.send_in(bot.group, "/stats")
    await bot.group.wait_for_bot_message(has_data("stats:"))
    bot.advance(timedelta(hours=21))  # Thursday 09:00
    await bot.run_due_work()
    await bot.group.wait_for_bot_message(has_data("ag:came"), timeout=10)
    await settle(bot)

    keyboards = _keyboards_sent(bot, user.id)
    for method, rows in keyboards:
        last = [(b.get("text"), b.get("callback_data")) for b in rows[-1]]
        assert last == exit_row, (method, rows)
        everywhere = [b.get("callback_data") for row in rows for b in row]
        assert everywhere.count(MENU_EXIT) == 1, (method, rows)
    # The walk did reach every screen it claims to (so the check above is not empty).
    shown = {b.get("callback_data") or "" for _, rows in keyboards for row in rows for b in row}
    for prefix in (
        "lang:",
        "consent:yes",
        "menu:sos",
        "req:cat:",
        "req:safe:yes",
        "req:safe:brief",
        "req:screen:start",
        "req:ans:",
        "req:reply:",
        "req:send",
        "bk:service:",
        "bk:day:",
        "bk:time:",
        "bk:skipnote",
        "bk:naming:",
        "bk:confirm:",
        "bk:menu",
        "ap:cancel:",
        "ap:cancel_yes:",
        "ap:come:",
        "rs:day:",
        "rs:time:",
        "forget:yes",
    ):
        assert any(data.startswith(prefix) for data in shown), prefix
    # What is on screen now agrees with the requests.
    for message in user.bot_messages():
        if message.buttons:
            assert message.buttons[-1] == exit_row[0], message.describe()

    assert case_code is not None
    staff_keyboards = _keyboards_sent(bot, STAFF_CHAT_ID)
    staff_data = {
        b.get("callback_data") or "" for _, rows in staff_keyboards for r in rows for b in r
    }
    assert any(d.startswith("case:take:") for d in staff_data)
    assert any(d.startswith("ag:came") for d in staff_data)
    assert any(d.startswith("stats:") for d in staff_data)
    for request in staff_chat_requests(bot):
        assert MENU_EXIT not in json.dumps(request.params), request.method
    for message in bot.group.bot_messages():
        assert MENU_EXIT not in [data for _, data in message.buttons], message.describe()


def _stored_text_anywhere(bot: Harness, text: str) -> list[str]:
    with sqlite3.connect(bot.settings.storage.path) as database:
        tables = [
            row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return [
            table
            for table in tables
            for row in database.execute(f"SELECT * FROM {table}")
            if any(isinstance(value, str) and text in value for value in row)
        ]


async def test_quick_exit_button_on_the_booking_summary_wipes_it_and_books_nothing(
    bot: Harness,
) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    note = "Приду с сыном, он боится."
    summary = await reach_summary(bot, user, start=slot(THURSDAY, 12), note=note)
    await press_button_with_data(user, summary, MENU_EXIT)
    neutral = await user.wait_for_bot_message(lambda m: m.text == bot.tr("ru", "safety.neutral"))
    assert [m.message_id for m in user.messages()] == [neutral.message_id]
    # Nothing else answered the press (no "cancelled", no menu).
    assert user.bot_messages() == [neutral]
    # Until the press is handled its stored copy (the update inbox, sealed with a key in
    # production) holds the summary it was pressed on, note and all; handled, it is blank.
    await bot.handled()
    with sqlite3.connect(bot.settings.storage.path) as database:
        assert database.execute("SELECT COUNT(*) FROM appointments").fetchone()[0] == 0
    assert _stored_text_anywhere(bot, note) == []
    assert not [r for r in staff_chat_requests(bot) if r.method == "sendMessage"]
    # The booking is over: text now is neither a note nor a wrong answer to a step.
    await user.send("Приду с сыном")
    answer = await user.wait_for_bot_message()
    assert answer.text == bot.tr("ru", "fallback.text_outside_flow")


async def test_quick_exit_button_mid_screen_ends_the_request_silently(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "kk")
    await user.send("/request")
    await _tap(user, "req:cat:", "req:cat:violence")
    await _tap(user, "req:safe:", "req:safe:yes")
    await _tap(user, "req:screen:", "req:screen:start")
    await _tap(user, "req:ans:", "req:ans:yes")
    question = await _tap(user, "req:ans:")
    await press_button_with_data(user, question, MENU_EXIT)
    neutral = await user.wait_for_bot_message(lambda m: m.text == bot.tr("kk", "safety.neutral"))
    assert user.bot_messages() == [neutral]
    # Not "use the buttons" of the screen step: the conversation has ended.
    await user.send("сәлем")
    answer = await user.wait_for_bot_message()
    assert answer.text == bot.tr("kk", "fallback.text_outside_flow")
    with sqlite3.connect(bot.settings.storage.path) as database:
        assert database.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 0


async def test_before_consent_no_message_id_is_stored_yet_quick_exit_still_works(
    bot: Harness,
) -> None:
    user = bot.user()
    await user.send("/start")
    await user.wait_for_bot_message()
    await user.press("Русский")
    await user.wait_for_bot_message(lambda m: bool(m.buttons))
    await bot.services.message_log.flush()
    with sqlite3.connect(bot.settings.storage.path) as database:
        assert database.execute("SELECT COUNT(*) FROM message_log").fetchone()[0] == 0
    await user.send("/exit")
    neutral = await user.wait_for_bot_message(lambda m: m.text == bot.tr("ru", "safety.neutral"))
    assert [m.message_id for m in user.messages()] == [neutral.message_id]
