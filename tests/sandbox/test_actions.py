"""What simulated people do, as the bot receives it."""

from telegram import (
    Bot,
    Update,
)

from sandbox import SimGroup, TelegramEmulator
from tests.sandbox.helpers import STAFF_ID


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


async def test_privacy_mode_in_groups(emu: TelegramEmulator, bot: Bot) -> None:
    staff: SimGroup = emu.create_group(STAFF_ID, bot_status="member")
    volunteer = emu.create_user(first_name="Dana", username="dana")
    staff.add_member(volunteer)
    await volunteer.send_in(staff, "chatter")
    await volunteer.send_in(staff, "/take 5")
    texts = [u["message"]["text"] for u in emu.pending_updates() if "message" in u]
    assert texts == ["/take 5"]
