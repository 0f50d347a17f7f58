"""The emulator, driven the way the bot drives Telegram: over HTTP with PTB or raw aiohttp."""

import asyncio
import time
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from sandbox import SimGroup, SimUser, TelegramEmulator
from tests.sandbox.conftest import TOKEN

STAFF_ID = -1001234567890


async def raw(
    emu: TelegramEmulator, method: str, *, token: str = TOKEN, form: bool = False, **params: Any
) -> tuple[int, dict[str, Any]]:
    """Calls the emulator without PTB, which would refuse some of these requests locally."""
    url = f"{emu.base_url}{token}/{method}"
    async with aiohttp.ClientSession() as session:
        kwargs: dict[str, Any] = {"data": params} if form else {"json": params}
        async with session.post(url, **kwargs) as response:
            return response.status, await response.json()


def last_description(emu: TelegramEmulator) -> str:
    """The exact error text; PTB re-capitalises descriptions in its exceptions."""
    return str(emu.requests[-1].response["description"])


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data)] for text, data in buttons]
    )


async def started_user(emu: TelegramEmulator, **kwargs: Any) -> SimUser:
    user = emu.create_user(**kwargs)
    await user.send("/start")
    return user


# ---------------------------------------------------------------------------------- transport


async def test_get_me_and_envelopes(emu: TelegramEmulator, bot: Bot) -> None:
    assert bot.username == "helpline_test_bot"
    assert bot.id == 123456
    assert await raw(emu, "getMe", token="123456:WRONG") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert await raw(emu, "sendTelepathy") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    status, body = await raw(emu, "GETME")
    assert status == 200 and body["ok"] and body["result"]["is_bot"] is True
    assert [r.method for r in emu.requests][-1] == "getMe"


async def test_missing_required_parameters(emu: TelegramEmulator) -> None:
    user = await started_user(emu)
    assert await raw(emu, "sendMessage", text="hi") == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"},
    )
    status, body = await raw(emu, "sendMessage", chat_id=user.id)
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = await raw(emu, "deleteMessage", chat_id=user.id)
    assert body["description"] == "Bad Request: message identifier is not specified"


async def test_form_encoded_values_are_typed_by_the_method_table(emu: TelegramEmulator) -> None:
    user = await started_user(emu)
    markup = '{"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}'
    status, body = await raw(
        emu, "sendMessage", form=True, chat_id=str(user.id), text="123", reply_markup=markup
    )
    assert status == 200
    assert body["result"]["text"] == "123"  # a numeric text stays a string
    assert user.last_bot_message().buttons == [("OK", "ok")]
    assert emu.requests_for("sendmessage")[-1].params["chat_id"] == user.id


# -------------------------------------------------------------------------------- chats/users


async def test_chat_not_found_blocked_and_never_started(emu: TelegramEmulator, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(42, "hi")
    silent = emu.create_user(first_name="Silent", username=None)
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(silent.id, "hi")
    user = await started_user(emu)
    user.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user.id, "hi")
    assert emu.requests[-1].status == 403
    update = Update.de_json(emu.pending_updates()[-1], bot)
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    user.unblock_bot()
    await bot.send_message(user.id, "welcome back")


async def test_group_membership_and_bot_removal(emu: TelegramEmulator, bot: Bot) -> None:
    staff = emu.create_group(STAFF_ID, title="Staff")
    volunteer = emu.create_user(first_name="Dana", username="dana")
    staff.add_member(volunteer, "administrator")
    member = await bot.get_chat_member(STAFF_ID, volunteer.id)
    assert member.status == "administrator"
    admins = await bot.get_chat_administrators(STAFF_ID)
    assert {a.user.id for a in admins} == {volunteer.id, bot.id}
    staff.remove_member(volunteer)
    assert (await bot.get_chat_member(STAFF_ID, volunteer.id)).status == "left"
    chat = await bot.get_chat(STAFF_ID)
    assert chat.type == "supergroup" and chat.title == "Staff"
    staff.set_bot_status("kicked")
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(STAFF_ID, "hi")


async def test_deactivated_user(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    user.deactivate()
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(user.id, "hi")


async def test_bot_settings_and_webhook(emu: TelegramEmulator, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Begin"), ("help", "Help")], language_code="kk")
    assert [c.command for c in await bot.get_my_commands(language_code="kk")] == ["start", "help"]
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match=r"^Bot_command_invalid$"):
        await bot.set_my_commands([("Start!", "Begin")])
    assert await bot.set_my_name("Helpline")
    await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()
    assert (await bot.get_webhook_info()).url == ""


# ------------------------------------------------------------------------------- text limits


async def test_text_length_counts_utf16_after_parsing(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    emoji = "😀" * 2048  # 4096 UTF-16 code units
    await bot.send_message(user.id, emoji)
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(user.id, emoji + "a")
    bold = "<b>" + "я" * 4096 + "</b>"  # markup does not count
    message = await bot.send_message(user.id, bold, parse_mode=ParseMode.HTML)
    assert message.entities[0].length == 4096
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await bot.send_message(user.id, "<b> </b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_photo(user.id, b"\x89PNG", caption="x" * 1025)


async def test_html_is_parsed_and_errors_match_telegram(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    html = '<b>Bold</b> &lt;3 <a href="https://example.org/?a=1&amp;b=2">site</a> <i>😀x</i>'
    await bot.send_message(user.id, html, parse_mode=ParseMode.HTML)
    sent = user.last_bot_message()
    assert sent.text == "Bold <3 site 😀x"
    assert sent.raw_text == html
    assert [(e["type"], e["offset"], e["length"]) for e in sent.entities] == [
        ("bold", 0, 4),
        ("text_link", 8, 4),
        ("italic", 13, 3),
    ]
    assert sent.html == (
        '<b>Bold</b> &lt;3 <a href="https://example.org/?a=1&amp;b=2">site</a> <i>😀x</i>'
    )
    cases = {
        "<foo>x</foo>": 'Unsupported start tag "foo" at byte offset 0',
        "<b>open": 'Can\'t find end tag corresponding to start tag "b"',
        "1 < 2": 'Unsupported start tag "" at byte offset 2',
        "Tom & Jerry": "Unsupported HTML entity at byte offset 4",
        "<b>x</i>": 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"',
    }
    for text, error in cases.items():
        with pytest.raises(BadRequest) as caught:
            await bot.send_message(user.id, text, parse_mode=ParseMode.HTML)
        assert caught.value.message.lower().startswith("can't parse entities")
        assert last_description(emu).startswith(f"Bad Request: can't parse entities: {error}"), text


async def test_markdown_v2_rejects_unescaped_reserved_characters(
    emu: TelegramEmulator, bot: Bot
) -> None:
    user = await started_user(emu)
    with pytest.raises(BadRequest):
        await bot.send_message(user.id, "Hello.", parse_mode=ParseMode.MARKDOWN_V2)
    assert last_description(emu) == (
        "Bad Request: can't parse entities: Character '.' is reserved and must be escaped "
        "with the preceding '\\'"
    )
    await bot.send_message(user.id, "*Hi* there\\.", parse_mode=ParseMode.MARKDOWN_V2)
    assert user.last_bot_message().text == "Hi there."
    assert user.last_bot_message().entities == [{"type": "bold", "offset": 0, "length": 2}]


async def test_inline_keyboard_validation(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    await bot.send_message(user.id, "ok", reply_markup=keyboard(("Да", "д" * 32)))  # 64 bytes
    for data in ("д" * 33, ""):
        with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
            await bot.send_message(user.id, "x", reply_markup=keyboard(("Да", data)))
    url = InlineKeyboardMarkup([[InlineKeyboardButton("Site", url="https://example.org")]])
    await bot.send_message(user.id, "links", reply_markup=url)
    assert user.last_bot_message().buttons == [("Site", None)]


# ------------------------------------------------------------------------------------ editing


async def test_edit_rules(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    markup = keyboard(("Yes", "y"))
    sent = await bot.send_message(user.id, "Question?", reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified: specified new message"):
        await bot.edit_message_text("Question?", user.id, sent.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", user.id, 999)
    own = user.messages()[0]
    with pytest.raises(BadRequest, match=r"^Message can't be edited$"):
        await bot.edit_message_text("x", user.id, own.message_id)
    # Without reply_markup the keyboard goes away, as on Telegram.
    edited = await bot.edit_message_text("Answered", user.id, sent.message_id)
    assert not isinstance(edited, bool) and edited.reply_markup is None
    stored = user.message(sent.message_id)
    assert stored.edited and stored.text == "Answered" and stored.history == ["Question?"]
    assert stored.buttons == []


# ----------------------------------------------------------------------------------- deleting


async def test_delete_rules_and_48_hours(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    old = await bot.send_message(user.id, "old")
    emu.advance_time(48 * 3600 + 1)
    fresh = await bot.send_message(user.id, "fresh")
    with pytest.raises(BadRequest, match=r"^Message can't be deleted for everyone$"):
        await bot.delete_message(user.id, old.message_id)
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await bot.delete_message(user.id, 999)
    assert await bot.delete_message(user.id, fresh.message_id)
    assert user.message(fresh.message_id).deleted
    assert [m.text for m in user.messages()] == ["/start", "old"]


async def test_delete_messages_batch(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    ids = [(await bot.send_message(user.id, f"m{i}")).message_id for i in range(3)]
    assert await bot.delete_messages(user.id, [*ids, 999])  # deletes what it can
    assert user.bot_messages() == []
    with pytest.raises(BadRequest, match=r"^Too many messages to delete$"):
        await bot.delete_messages(user.id, list(range(1, 102)))
    status, body = await raw(emu, "deleteMessages", chat_id=user.id, message_ids=[])
    assert (status, body["description"]) == (
        400,
        "Bad Request: message identifiers are not specified",
    )


# ------------------------------------------------------------------------- callbacks and press


async def test_press_and_answer_callback(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    await bot.send_message(user.id, "Rate us", reply_markup=keyboard(("👍 Good", "rate:good")))
    query_id = await user.press("Good")  # substring match
    update = Update.de_json(emu.pending_updates()[-1], bot)
    assert update.callback_query is not None
    assert update.callback_query.id == query_id and update.callback_query.data == "rate:good"
    assert update.callback_query.message is not None
    with pytest.raises(BadRequest, match=r"^Message_too_long$"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    assert await bot.answer_callback_query(query_id, text="Thanks", show_alert=True)
    assert [(a.id, a.text, a.show_alert) for a in emu.callback_answers] == [
        (query_id, "Thanks", True)
    ]
    with pytest.raises(BadRequest, match="Query is too old and response timeout expired"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(AssertionError, match=r"no inline button 'Bad'.*\['👍 Good'\]"):
        await user.press("Bad")
    forged = await user.press_data("rate:" + "x" * 100, user.last_bot_message().message_id)
    assert emu.pending_updates()[-1]["callback_query"]["id"] == forged


# ------------------------------------------------------------------------- copy and forward


async def test_copy_hides_the_sender_forward_reveals_it(emu: TelegramEmulator, bot: Bot) -> None:
    staff = emu.create_group(STAFF_ID)
    user = await started_user(emu, first_name="Aigul", username="aigul_k")
    said = await user.send("I need help")
    copied = await bot.copy_message(STAFF_ID, user.id, said.message_id)
    copy = staff.message(copied.message_id)
    assert copy.text == "I need help" and copy.from_bot and copy.forward_origin is None
    forwarded = await bot.forward_message(STAFF_ID, user.id, said.message_id)
    assert forwarded.forward_origin is not None
    assert forwarded.forward_origin.sender_user.id == user.id  # type: ignore[attr-defined]
    with pytest.raises(BadRequest, match=r"^Message to copy not found$"):
        await bot.copy_message(STAFF_ID, user.id, 999)
    with pytest.raises(BadRequest, match=r"^Message to forward not found$"):
        await bot.forward_message(STAFF_ID, user.id, 999)
    voice = await user.send_voice(duration=7)
    ids = await bot.copy_messages(STAFF_ID, user.id, [said.message_id, voice.message_id])
    assert [staff.message(i.message_id).kind for i in ids] == ["text", "voice"]
    assert [r.status for r in emu.requests_for("forwardMessage")] == [200, 400]


async def test_reply_to_missing_message(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    with pytest.raises(BadRequest, match=r"^Message to be replied not found$"):
        await bot.send_message(user.id, "x", reply_parameters=ReplyParameters(999))
    lenient = ReplyParameters(999, allow_sending_without_reply=True)
    await bot.send_message(user.id, "x", reply_parameters=lenient)
    first = user.messages()[0]
    reply = await bot.send_message(user.id, "y", reply_to_message_id=first.message_id)
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "/start"


# ---------------------------------------------------------------------------------- forums


async def test_forum_topics(emu: TelegramEmulator, bot: Bot) -> None:
    plain = emu.create_group(-1002, title="Plain")
    with pytest.raises(BadRequest, match=r"^The chat is not a forum$"):
        await bot.create_forum_topic(plain.id, "Case 1")
    forum = emu.create_group(STAFF_ID, title="Cases", is_forum=True)
    volunteer = emu.create_user(first_name="Dana", username="dana")
    forum.add_member(volunteer)
    topic = await bot.create_forum_topic(STAFF_ID, "Case 1")
    assert forum.topic("Case 1").id == topic.message_thread_id
    await bot.send_message(STAFF_ID, "new case", message_thread_id=topic.message_thread_id)
    assert [m.text for m in forum.bot_messages(thread_id=topic.message_thread_id)] == ["new case"]
    with pytest.raises(BadRequest, match=r"^Message thread not found$"):
        await bot.send_message(STAFF_ID, "x", message_thread_id=777)

    answer = await volunteer.send_in(forum, "on it", thread_id=topic.message_thread_id)
    update = Update.de_json(emu.pending_updates()[-1], bot)
    assert update.message is not None and update.message.is_topic_message
    assert update.message.message_thread_id == topic.message_thread_id
    # Telegram shows a plain topic message as a reply to the topic's creation message.
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.forum_topic_created is not None
    assert answer.reply_to_message_id is None

    await bot.edit_forum_topic(STAFF_ID, topic.message_thread_id, name="Case 1 (done)")
    await bot.close_forum_topic(STAFF_ID, topic.message_thread_id)
    with pytest.raises(BadRequest, match=r"^Topic_not_modified$"):
        await bot.close_forum_topic(STAFF_ID, topic.message_thread_id)
    await bot.delete_forum_topic(STAFF_ID, topic.message_thread_id)
    assert forum.topics[0].deleted and forum.messages() == []
    with pytest.raises(BadRequest, match=r"^Message thread not found$"):
        await bot.send_message(STAFF_ID, "x", message_thread_id=topic.message_thread_id)


# --------------------------------------------------------------------------------- polling


async def test_long_poll_returns_on_update_and_after_timeout(
    emu: TelegramEmulator, bot: Bot
) -> None:
    started = time.monotonic()
    status, body = await raw(emu, "getUpdates", timeout=0.2)
    assert status == 200 and body["result"] == []
    assert 0.15 <= time.monotonic() - started < 2

    user = emu.create_user()
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await emu.wait_until(lambda: emu.requests[-1].method == "getUpdates")
    started = time.monotonic()
    await user.send("hello")
    updates = await poll
    assert time.monotonic() - started < 1
    assert [u.message.text for u in updates if u.message] == ["hello"]


async def test_offset_confirms_updates(emu: TelegramEmulator, bot: Bot) -> None:
    user = emu.create_user()
    for text in ("one", "two", "three"):
        await user.send(text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["three"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == ()
    assert emu.pending_updates() == []


async def test_allowed_updates_filter(emu: TelegramEmulator, bot: Bot) -> None:
    user = emu.create_user()
    await user.send("hi")
    user.block_bot()
    updates = await bot.get_updates(allowed_updates=["message"])
    assert [u.message.text for u in updates if u.message] == ["hi"] and len(updates) == 1


async def test_concurrent_polling_conflict(emu: TelegramEmulator, bot: Bot) -> None:
    # Like Telegram, the newer request wins and the one already waiting is terminated.
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await emu.wait_until(lambda: len(emu.requests_for("getUpdates")) == 1)
    status, body = await raw(emu, "getUpdates", timeout=0)
    assert (status, body["result"]) == (200, [])
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first
    assert emu.requests_for("getUpdates")[0].response["description"] == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )


# ------------------------------------------------------------------- faults and rate limits


async def test_fault_injection(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    emu.fail_next("sendMessage", count=1, status=429, retry_after=3)
    with pytest.raises(RetryAfter):
        await bot.send_message(user.id, "x")
    assert last_description(emu) == "Too Many Requests: retry after 3"
    assert emu.requests[-1].response["parameters"] == {"retry_after": 3}
    emu.fail_next(None, count=2, status=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(user.id, "x")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.copy_message(user.id, user.id, 1)
    emu.fail_next("sendMessage", status=502, apply=True)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(user.id, "delivered anyway")
    assert user.last_bot_message().text == "delivered anyway"
    assert [m.text for m in user.bot_messages()] == ["delivered anyway"]
    await bot.send_message(user.id, "fine")


async def test_rate_limits(emu: TelegramEmulator, bot: Bot) -> None:
    staff = emu.create_group(STAFF_ID)
    emu.enforce_rate_limits(global_per_second=30, group_per_minute=20)
    for i in range(20):
        await bot.send_message(STAFF_ID, f"m{i}")
    with pytest.raises(RetryAfter):
        await bot.send_message(STAFF_ID, "one too many")
    assert 1 <= emu.requests[-1].response["parameters"]["retry_after"] <= 60
    assert emu.requests[-1].response["description"].startswith("Too Many Requests: retry after")
    emu.advance_time(61)
    await bot.send_message(STAFF_ID, "later")
    assert len(staff.bot_messages()) == 21


async def test_latency_delays_responses(emu: TelegramEmulator, bot: Bot) -> None:
    emu.set_latency(0.1)
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.1


# ------------------------------------------------------------------------- media and files


async def test_uploads_and_user_voice_files(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    document = InputFile(b"%PDF-1.4 data", filename="report.pdf")
    sent = await bot.send_document(user.id, document, caption="<b>Report</b>", parse_mode="HTML")
    assert sent.document is not None and sent.document.file_name == "report.pdf"
    upload = emu.requests_for("sendDocument")[-1].params["document"]
    assert (upload.filename, upload.size) == ("report.pdf", 13)
    assert user.last_bot_message().caption == "Report"

    voice = await user.send_voice(duration=12)
    update = Update.de_json(emu.pending_updates()[-1], bot)
    assert update.message is not None and update.message.voice is not None
    assert emu.pending_updates()[-1]["message"]["voice"]["duration"] == 12
    file = await bot.get_file(voice.file_id or "")
    assert file.file_size == 24_000 and len(await file.download_as_bytearray()) == 24_000
    with pytest.raises(BadRequest, match=r"^Invalid file_id$"):
        await bot.get_file("nope")
    await bot.send_voice(user.id, voice.file_id or "")
    assert user.last_bot_message().kind == "voice"


async def test_user_updates_parse_with_ptb(emu: TelegramEmulator, bot: Bot) -> None:
    staff = emu.create_group(STAFF_ID)
    user = emu.create_user(first_name="Aigul", username="aigul_k", language_code="ru")
    staff.add_member(user)
    first = await user.send("/start@helpline_test_bot ref")
    await user.send_sticker(emoji="😀")
    await user.send_photo(caption="look")
    await user.send_document(file_name="a.txt", mime_type="text/plain")
    await user.reply(first.message_id, "again")
    await user.edit(first.message_id, "/start")
    await user.send_in(staff, "in the group", reply_to=None)
    updates = [Update.de_json(u, bot) for u in emu.pending_updates()]
    messages = [u.effective_message for u in updates]
    assert all(m is not None for m in messages)
    start = updates[0].message
    assert start is not None and start.from_user is not None
    assert start.from_user.language_code == "ru"
    assert start.entities[0].type == "bot_command" and start.entities[0].length == 24
    assert updates[1].message is not None and updates[1].message.sticker is not None
    assert updates[2].message is not None and len(updates[2].message.photo) == 3
    assert updates[3].message is not None and updates[3].message.document is not None
    reply = updates[4].message
    assert reply is not None and reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == first.message_id
    assert updates[5].edited_message is not None
    assert updates[6].message is not None and updates[6].message.chat.type == "supergroup"


# ----------------------------------------------------------------------------- Python API


async def test_wait_for_bot_message(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)

    async def reply_later() -> None:
        await bot.send_message(user.id, "first")
        await bot.send_message(user.id, "second")

    task = asyncio.create_task(reply_later())
    assert (await user.wait_for_bot_message()).text == "first"
    assert (await user.wait_for_bot_message()).text == "second"
    await task
    with pytest.raises(AssertionError, match=r"(?s)no matching bot message.*#3 bot: 'second'"):
        await user.wait_for_bot_message(timeout=0.05)


async def test_privacy_mode_in_groups(emu: TelegramEmulator, bot: Bot) -> None:
    staff: SimGroup = emu.create_group(STAFF_ID, bot_status="member")
    volunteer = emu.create_user(first_name="Dana", username="dana")
    staff.add_member(volunteer)
    await volunteer.send_in(staff, "chatter")
    await volunteer.send_in(staff, "/take 5")
    texts = [u["message"]["text"] for u in emu.pending_updates() if "message" in u]
    assert texts == ["/take 5"]


async def test_application_end_to_end(emu: TelegramEmulator) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "Choose a language", reply_markup=keyboard(("Русский", "lang:ru"))
        )

    async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"Chosen: {query.data}")

    app = Application.builder().token(TOKEN).base_url(emu.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(choose))
    user = emu.create_user()
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await user.send("/start")
        menu = await user.wait_for_bot_message()
        assert menu.buttons == [("Русский", "lang:ru")]
        await user.press("Русский")
        edited = await user.wait_for_bot_message(include_edits=True)
        assert edited.text == "Chosen: lang:ru" and edited.buttons == []
        await emu.wait_until(lambda: len(emu.callback_answers) == 1)
        await app.updater.stop()
        await app.stop()
    # PTB hangs up its last long poll on stop: recorded as 499, never as a 409 conflict.
    assert {r.status for r in emu.requests} <= {200, 499}
