"""Messages: copy and forward, replies."""

import pytest
from telegram import (
    Bot,
    ReplyParameters,
)
from telegram.error import BadRequest

from sandbox import TelegramEmulator
from tests.sandbox.helpers import STAFF_ID, started_user


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
