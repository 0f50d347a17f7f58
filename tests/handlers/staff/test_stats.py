"""/stats in the staff group: figures for members, the CSV only for admins, in private."""

from __future__ import annotations

from tests.conftest import Harness
from tests.handlers.case_helpers import request_case, settle


async def test_members_see_figures_admins_get_the_csv_privately(bot: Harness) -> None:
    villager = bot.user()
    await bot.onboard(villager, "ru")
    await request_case(bot, villager, category="crisis")
    await settle(bot)

    await bot.staff.send_in(bot.group, "/stats")
    figures = await bot.group.wait_for_bot_message(lambda m: "2026-12" in m.text)
    assert "1" in figures.text
    assert bot.tr("kk", "category.crisis") in figures.text

    # A member who is not an admin presses CSV: nothing is sent anywhere.
    await bot.staff.press(bot.tr("kk", "stats.csv"), chat=bot.group)
    await bot.emulator.wait_until(lambda: len(bot.emulator.callback_answers) >= 1)
    assert bot.emulator.requests_for("sendDocument") == []

    await bot.admin.send("/start")  # the admin opened a private chat with the bot once
    await bot.admin.wait_for_bot_message()
    await bot.admin.press(bot.tr("kk", "stats.csv"), chat=bot.group)
    document = await bot.admin.wait_for_bot_message(lambda m: m.kind == "document")
    assert document.chat_id == bot.admin.id
    assert [r.params["chat_id"] for r in bot.emulator.requests_for("sendDocument")] == [
        bot.admin.id
    ]
    exports = await bot.services.db.fetch_all(
        "SELECT actor_id FROM audit_log WHERE action = 'export'"
    )
    assert [row[0] for row in exports] == [bot.admin.id]


async def test_non_members_and_private_chats_get_no_figures(bot: Harness) -> None:
    villager = bot.user()
    await bot.onboard(villager, "ru")
    await villager.send("/stats")
    answer = await villager.wait_for_bot_message()
    assert answer.text == bot.tr("ru", "fallback.unknown_command")
    # Someone who left the group: their /stats (posted just before leaving) gets nothing.
    await bot.staff.send_in(bot.group, "/stats")
    bot.group.remove_member(bot.staff)
    await bot.admin.send_in(bot.group, "/stats 2026-13")
    usage = await bot.group.wait_for_bot_message()
    assert usage.text == bot.tr("kk", "stats.usage")


async def test_forged_stats_buttons_outside_the_staff_group_do_nothing(bot: Harness) -> None:
    # Even an admin (a member of the staff group) gets nothing from a button forged
    # in a private chat: staff buttons act only where staff work.
    await bot.admin.send("/start")
    own = await bot.admin.wait_for_bot_message()
    for data in ("stats:csv:2026-12", "stats:m:2026-11"):
        await bot.admin.press_data(data, message_id=own.message_id)
    await bot.handled()
    assert bot.emulator.requests_for("sendDocument") == []
    assert bot.emulator.requests_for("editMessageText") == []
    exports = await bot.services.db.fetch_all("SELECT * FROM audit_log WHERE action = 'export'")
    assert exports == []


async def test_months_out_of_range_get_the_usage_text(bot: Harness) -> None:
    for month in ("9999-12", "0000-01", "0001-01", "2026-00", "hello"):
        await bot.admin.send_in(bot.group, f"/stats {month}")
        usage = await bot.group.wait_for_bot_message()
        assert usage.text == bot.tr("kk", "stats.usage"), month
