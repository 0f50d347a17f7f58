"""/audit CODE: admins see a case's history; anyone else gets nothing."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import Harness


async def test_admin_sees_the_history_others_get_no_answer(bot: Harness) -> None:
    now = bot.clock.now()
    await bot.services.audit.record(
        at=now - timedelta(minutes=10), actor_id=bot.duty.id, action="take", subject="7KQ-M2F"
    )
    await bot.services.audit.record(
        at=now - timedelta(minutes=3), actor_id=bot.duty.id, action="close", subject="7KQ-M2F"
    )
    await bot.staff.send_in(bot.group, "/audit 7KQ-M2F")
    # A plain member: no answer at all. The admin's request then gets the only answer.
    await bot.admin.send_in(bot.group, "/audit 7kq m2f")
    answer = await bot.group.wait_for_bot_message()
    assert "7KQ-M2F" in answer.content
    assert "take" in answer.content and "close" in answer.content
    assert "Dilnaz" in answer.content
    assert answer.reply_to_message_id is not None
    assert len(bot.group.bot_messages()) == 1
    entries = await bot.services.audit.for_subject("7KQ-M2F")
    assert [e.action for e in entries] == ["take", "close", "audit"]


async def test_audit_outside_the_staff_group_is_unknown(bot: Harness) -> None:
    villager = bot.user()
    await bot.onboard(villager, "ru")
    await villager.send("/audit 7KQ-M2F")
    answer = await villager.wait_for_bot_message()
    assert answer.text == bot.tr("ru", "fallback.unknown_command")


async def test_admin_gets_usage_for_a_bad_code(bot: Harness) -> None:
    await bot.admin.send_in(bot.group, "/audit hello")
    answer = await bot.group.wait_for_bot_message()
    assert answer.text == bot.tr("kk", "audit.usage")
