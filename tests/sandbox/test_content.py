"""What a message may contain: lengths, parse modes, keyboards."""

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from sandbox import TelegramEmulator
from tests.sandbox.helpers import keyboard, last_description, started_user


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
