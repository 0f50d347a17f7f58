"""Chats and members: who the bot may reach, membership, deactivated users."""

import pytest
from telegram import (
    Bot,
    Update,
)
from telegram.error import BadRequest, Forbidden

from sandbox import TelegramEmulator
from tests.sandbox.helpers import STAFF_ID, started_user


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
