"""/help in the staff group: the staff commands for members, admin ones for admins only."""

from __future__ import annotations

from tests.conftest import Harness, HarnessFactory

STAFF_COMMANDS = (
    "/duty",
    "/onduty",
    "/agenda",
    "/stats",
    "/close",
    "/block",
    "/unblock",
    "/r ID",
    "/note",
)


async def test_a_member_gets_the_staff_commands_and_how_to_answer(bot: Harness) -> None:
    await bot.staff.send_in(bot.group, "/help")
    answer = await bot.group.wait_for_bot_message()
    assert "Командалар" in answer.content and "reply" in answer.content
    for command in STAFF_COMMANDS:
        assert command in answer.content
    assert "/audit" not in answer.content  # admins' commands only for admins


async def test_an_admin_also_gets_the_admin_commands(bot: Harness) -> None:
    await bot.admin.send_in(bot.group, "/help")
    answer = await bot.group.wait_for_bot_message()
    assert "Командалар" in answer.content and "/audit" in answer.content


async def test_in_russian_when_the_staff_language_is_russian(start_bot: HarnessFactory) -> None:
    bot = await start_bot({"general": {"default_language": "ru"}})
    await bot.staff.send_in(bot.group, "/help")
    answer = await bot.group.wait_for_bot_message()
    assert "Как работать с обращениями" in answer.content
    for command in STAFF_COMMANDS:
        assert command in answer.content


async def test_help_in_another_group_says_nothing(bot: Harness) -> None:
    outsider = bot.user("Outsider")
    other = bot.emulator.create_group(chat_id=-1009999999999, title="Village chat")
    other.add_member(outsider)
    await outsider.send_in(other, "/help")
    await bot.handled()
    assert other.bot_messages() == []


async def test_a_villager_still_gets_the_villager_help(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/help")
    answer = await user.wait_for_bot_message()
    assert "/request" in answer.content and "/duty" not in answer.content
