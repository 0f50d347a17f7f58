"""The terminal chat of `helpline-bot demo`: typed lines become actions, replies are printed."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.__main__ import find_example_config
from bot.app import SANDBOX_TOKEN
from bot.config import Settings, load_settings
from bot.i18n import Texts
from sandbox import TelegramEmulator
from sandbox.chat import TerminalChat, sandbox_session, split_like_telegram
from sandbox.configured import configured_user_ids, replace_settings
from sandbox.entities import utf16_len
from sandbox.persistence import state_path_for
from tests.conftest import REGION_CHAT_ID, SECOND_CHAT_ID, HarnessFactory, make_settings


async def test_a_newcomer_walks_through_start_consent_and_menu(start_bot: HarnessFactory) -> None:
    bot = await start_bot()
    out = io.StringIO()
    villager = bot.user("Villager", language_code="kk")
    chat = TerminalChat(bot.emulator, villager, bot.duty, bot.group, out=out)

    def printed(expected: str) -> bool:
        chat.print_news()
        return expected in out.getvalue()

    async def type_line(line: str, expected: str) -> None:
        assert await chat.handle(line)
        await bot.emulator.wait_until(lambda: printed(expected))

    # [3] is the quick exit, the last button of every private screen.
    await type_line("/start", "[1] Қазақша   [2] Русский   [3] 🚪")
    await type_line("1", "[4] Иә, бастау   [5] Жоқ")
    await type_line("4", "🆘 Қазір қауіп бар")
    assert "Рақмет" in out.getvalue()
    await type_line(":sticker", bot.tr("kk", "fallback.unsupported"))
    # A number no button was given is the villager's text (a phone number, an age).
    assert await chat.handle("999")
    assert [m.text for m in villager.messages() if not m.from_bot][-1] == "999"
    assert "No button" not in out.getvalue()
    assert not await chat.handle(":quit")


def button_number(out: io.StringIO, label: str) -> str:
    """The number the terminal last gave a button with this label."""
    numbers = re.findall(r"\[(\d+)\] " + re.escape(label), out.getvalue())
    assert numbers, f"no button {label!r} printed"
    return str(numbers[-1])


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_a_phone_number_at_the_call_back_step_is_text_not_a_button(
    start_bot: HarnessFactory, language: str
) -> None:
    bot = await start_bot()
    out = io.StringIO()
    villager = bot.user("Villager", language_code=language)
    chat = TerminalChat(bot.emulator, villager, bot.duty, bot.group, out=out)

    async def type_line(line: str, expected: str) -> None:
        assert await chat.handle(line)

        def printed() -> bool:
            chat.print_news()
            return expected in out.getvalue()

        await bot.emulator.wait_until(printed)

    async def press(key: str, expected: str) -> None:
        await type_line(button_number(out, bot.tr(language, key)), expected)

    await type_line("/start", bot.tr(language, f"language.{language}"))
    await press(f"language.{language}", bot.tr(language, "consent.accept"))
    await press("consent.accept", bot.tr(language, "consent.accepted"))
    await type_line("/request", bot.tr(language, "category.violence"))
    await press("category.violence", bot.tr(language, "request.safe_yes"))
    await press("request.safe_yes", bot.tr(language, "request.screen_skip"))
    await press("request.screen_skip", bot.tr(language, "request.ask_story")[:20])
    story = {"kk": "Маған кеңес керек", "ru": "Мне нужен совет"}[language]
    await type_line(story, bot.tr(language, "request.reply_call"))
    await press("request.reply_call", bot.tr(language, "request.ask_phone")[:20])
    # More buttons than 87012345678 were never shown: the number goes to the bot.
    await type_line("87012345678", bot.tr(language, "request.send"))
    assert [m.text for m in villager.messages() if not m.from_bot][-1] == "87012345678"
    assert bot.tr(language, "request.summary_call", phone="87012345678") in out.getvalue()
    assert "No button" not in out.getvalue()
    assert bot.tr(language, "request.bad_phone") not in out.getvalue()


# ---------------------------------------------------------------- the chat on its own


def chat_for(emu: TelegramEmulator) -> tuple[TerminalChat, io.StringIO]:
    group = emu.create_group()
    staff = emu.create_user(user_id=333, first_name="Psychologist", username=None)
    staff.started = True
    group.add_member(staff, status="administrator")
    villager = emu.create_user(user_id=10001, first_name="Villager", username=None)
    out = io.StringIO()
    return TerminalChat(emu, villager, staff, group, out=out), out


def test_long_text_is_split_as_the_telegram_app_does() -> None:
    words = " ".join(["сөз"] * 2000)  # 7,999 characters
    parts = split_like_telegram(words)
    assert [len(p) <= 4096 for p in parts] == [True, True]
    assert " ".join(parts) == words
    assert all(not p.startswith(" ") and not p.endswith(" ") for p in parts)
    # Without a space to cut at, the cut falls mid-word; emoji count twice (UTF-16).
    assert [len(p) for p in split_like_telegram("x" * 5000)] == [4096, 904]
    assert [utf16_len(p) for p in split_like_telegram("😀" * 2100)] == [4096, 104]
    assert split_like_telegram("short") == ["short"]


async def test_a_message_over_4096_characters_arrives_in_parts(emu: TelegramEmulator) -> None:
    chat, out = chat_for(emu)
    line = "Сәлеметсіз бе. " * 400  # 6,000 characters
    assert await chat.handle(line)
    sent = chat.villager.messages()
    assert len(sent) == 2
    assert " ".join(m.content for m in sent) == line.strip()
    assert "Not sent" not in out.getvalue()


async def test_reply_to_a_message_that_does_not_exist_is_said(emu: TelegramEmulator) -> None:
    chat, out = chat_for(emu)
    assert await chat.handle(":reply 99 hi")
    assert "No message #99 in the staff group." in out.getvalue()
    assert chat.group.messages() == []
    assert await chat.handle(":reply x")
    assert "Usage: :reply N TEXT" in out.getvalue()


async def test_button_pop_ups_and_alerts_are_shown(emu: TelegramEmulator, bot: Bot) -> None:
    chat, out = chat_for(emu)
    await chat.villager.send("/start")
    await bot.send_message(
        chat.villager.id,
        "Choose",
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Toast", callback_data="t")],
             [InlineKeyboardButton("Alert", callback_data="a")]]
        ),
    )  # fmt: skip
    await emu.wait_until(chat.has_news)
    chat.print_news()
    assert "[1] Toast   [2] Alert" in out.getvalue()

    async def press_and_answer(number: str, **answer: Any) -> None:
        await chat.handle(number)
        updates = await bot.get_updates(offset=-1)
        query = updates[-1].callback_query
        assert query is not None
        await query.answer(**answer)
        if answer:
            await emu.wait_until(chat.has_news)
        chat.print_news()

    await press_and_answer("1", text="Saved")
    assert "(pop-up for you: Saved)" in out.getvalue()
    await press_and_answer("2", text="This case is closed", show_alert=True)
    assert "alert for you (OK to close)" in out.getvalue()
    assert "│ This case is closed" in out.getvalue()
    await press_and_answer("1")  # no text: Telegram shows nothing
    assert len(emu.callback_answers) == 3
    assert out.getvalue().count("pop-up") == 1
    assert not chat.has_news()


async def test_an_edit_prints_one_short_line_with_what_changed(
    emu: TelegramEmulator, bot: Bot
) -> None:
    chat, out = chat_for(emu)
    await chat.villager.send("/start")
    card = "Case 7KQ-M2F\nCategory: violence\nStory: a long story" + " word" * 60

    def keyboard(*labels: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=t)] for t in labels])

    sent = await bot.send_message(chat.group.id, card, reply_markup=keyboard("Take"))

    async def shown() -> str:
        await emu.wait_until(chat.has_news)
        before = out.getvalue()
        chat.print_news()
        return out.getvalue()[len(before) :]

    assert "Story: a long story" in await shown()
    await bot.edit_message_text(
        card + "\nTaken by Dilnaz", chat.group.id, sent.message_id, reply_markup=keyboard("Take")
    )
    edit = await shown()
    assert edit == f"  ✎ staff group #{sent.message_id} edited, now says: Taken by Dilnaz\n"
    await bot.edit_message_reply_markup(
        chat.group.id, sent.message_id, reply_markup=keyboard("Close", "Pass to…")
    )
    edit = await shown()
    assert edit.startswith(f"  ✎ staff group #{sent.message_id} edited, its buttons changed\n")
    assert "[2] Close   [3] Pass to…" in edit and "Story" not in edit
    await bot.edit_message_text("Case 7KQ-M2F closed", chat.group.id, sent.message_id)
    edit = await shown()
    assert "now says: Case 7KQ-M2F closed" in edit and "(no buttons now)" in edit
    assert "Category" not in edit


# ------------------------------------------------------------- the sandbox of `run`


def example_settings(database: Path) -> Settings:
    example = find_example_config()
    assert example is not None
    settings = load_settings(example)
    return replace_settings(settings, storage=replace_settings(settings.storage, path=database))


async def test_the_sandbox_staff_user_is_an_admin_and_every_configured_user_exists(
    tmp_path: Path,
) -> None:
    settings = example_settings(tmp_path / "helpline.sqlite3")
    configured = configured_user_ids(settings)
    assert len(configured) >= 3  # duty, backup and admin ids in the example config
    async with sandbox_session(settings, keep_database=False, out=io.StringIO()) as session:
        emu, chat = session.emulator, session.chat
        assert chat.staff.id in session.settings.telegram.admin_ids
        assert chat.group.bot_status == "administrator"
        async with Bot(SANDBOX_TOKEN, base_url=emu.base_url) as bot:
            member = await bot.get_chat_member(chat.group.id, chat.staff.id)
            assert member.status == "administrator"
            for user_id in configured:
                assert emu.user(user_id).started
                # No "chat not found": the bot may write to each of them.
                await bot.send_message(user_id, "test")
        # /audit answers only admins: an answer at all shows the psychologist is one.
        assert await chat.handle(":staff /audit")
        await chat.group.wait_for_bot_message(timeout=10)


async def test_a_kept_database_keeps_message_ids_going_across_runs(tmp_path: Path) -> None:
    settings = example_settings(tmp_path / "helpline.sqlite3")
    async with sandbox_session(settings, keep_database=True, out=io.StringIO()) as session:
        first = await session.chat.villager.send("/start")
        await session.chat.villager.wait_for_bot_message(timeout=10)
    assert state_path_for(settings.storage.path).exists()
    async with sandbox_session(settings, keep_database=True, out=io.StringIO()) as session:
        # The last run's messages are history, not news printed again.
        assert not session.chat.has_news()
        again = await session.chat.villager.send("/start")
        assert again.message_id > first.message_id + 1
        assert session.chat.villager.message(first.message_id).text == "/start"


async def test_a_region_sandbox_has_every_group_and_prints_saryagash_card(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "http://127.0.0.1:9/bot", two_centers=True)
    texts = Texts.load()
    out = io.StringIO()
    async with sandbox_session(settings, keep_database=False, out=out) as session:
        chat, emu = session.chat, session.emulator
        assert [g.id for g in chat.groups] == [
            settings.telegram.staff_chat_id,
            SECOND_CHAT_ID,
            REGION_CHAT_ID,
        ]
        assert all(g.is_member(chat.staff.id) for g in chat.groups)

        async def type_line(line: str, expected: str) -> None:
            assert await chat.handle(line)

            def printed() -> bool:
                chat.print_news()
                return expected in out.getvalue()

            await emu.wait_until(printed, timeout=10)

        name = "Сарыагашский район"
        await type_line("/start", "Русский")
        await type_line(button_number(out, "Русский"), texts.get("ru", "consent.accept"))
        await type_line(button_number(out, texts.get("ru", "consent.accept")), name)
        await type_line(button_number(out, name), texts.get("ru", "center.chosen", center=name))
        await type_line("/sos", "── group “Staff · saryagash” · #")
        assert "── group “Staff (sandbox)”" not in out.getvalue()
        assert await chat.handle(":group 2")
        assert "  2. Staff · saryagash  ← :staff and :reply write here" in out.getvalue()
        assert chat.group.id == SECOND_CHAT_ID
        assert await chat.handle(":group 9")
        assert "No group 9." in out.getvalue()
