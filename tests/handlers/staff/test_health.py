"""/health in the staff group: admins see the alert path's state; others see nothing."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from tests.conftest import Harness
from tests.handlers.case_helpers import settle

STAFF = "kk"


def _pending(bot: Harness) -> int:
    with sqlite3.connect(bot.settings.storage.path) as db:
        query = "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND purpose = ?"
        return int(db.execute(query, ("case_duty_alert",)).fetchone()[0])


async def test_health_shows_the_alert_path_to_admins(bot: Harness) -> None:
    await bot.duty.send("/start")
    user = bot.user()
    await bot.onboard(user, "ru")
    await bot.services.delivery.stop()  # something waits in the outbox
    await user.send("/sos")
    await user.wait_for_bot_message(lambda m: "112" in (m.text or ""))
    await bot.emulator.wait_until(lambda: _pending(bot) > 0, timeout=10)
    await bot.admin.send_in(bot.group, "/health")
    report = await bot.group.wait_for_bot_message(
        lambda m: (
            bot.tr(STAFF, "health.title").replace("<b>", "").replace("</b>", "") in (m.text or "")
        )
    )
    text = report.text or ""
    assert "case_card" in text and "case_duty_alert" in text
    assert "Dilnaz ✅" in text  # on duty, started the bot
    assert "Bolat ❌" in text  # the backup never pressed Start
    assert bot.tr(STAFF, "health.group_ok") in text
    assert bot.tr(STAFF, "health.backup_none") in text
    assert "0.1.0" in text
    assert bot.tr(STAFF, "health.polling_none").split(":")[0] in text
    assert bot.tr(STAFF, "health.polling_none") not in text  # updates did arrive
    # Nothing of the user in the staff group, not even the case's user id.
    assert str(user.id) not in text and user.first_name not in text
    bot.services.delivery.start()
    await settle(bot)


async def test_health_says_nothing_to_a_member_who_is_not_an_admin(bot: Harness) -> None:
    await bot.staff.send_in(bot.group, "/health")
    await bot.handled()
    assert not bot.group.bot_messages()


async def _health(bot: Harness) -> str:
    title = bot.tr(STAFF, "health.title").replace("<b>", "").replace("</b>", "")
    before = len(bot.group.bot_messages())
    await bot.admin.send_in(bot.group, "/health")
    await bot.emulator.wait_until(
        lambda: any(title in (m.text or "") for m in bot.group.bot_messages()[before:]),
        timeout=10,
    )
    return next(m.text or "" for m in bot.group.bot_messages()[before:] if title in (m.text or ""))


async def test_health_names_a_colleague_who_blocked_the_bot_until_they_write_again(
    bot: Harness,
) -> None:
    """Telegram's getChat still answers for someone who started the bot and blocked it
    later: the refused alert DM is what tells."""
    await bot.duty.send("/start")
    await bot.handled()
    bot.duty.block_bot()
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/sos")
    await user.wait_for_bot_message(lambda m: "112" in (m.text or ""))
    await bot.handled()
    blocked = bot.tr(STAFF, "health.unreachable_blocked")
    assert f"Dilnaz {blocked}" in await _health(bot)
    bot.advance(timedelta(seconds=5))
    bot.duty.unblock_bot()
    await bot.duty.send("/start")
    await bot.handled()
    text = await _health(bot)
    assert "Dilnaz ✅" in text and blocked not in text
