"""The safety net in a region of two centres: a refused direct message, a repeated /sos on
a taken case, a group that lost the bot's rights, urgent messages stuck and /health each
concern the case's (or the group's) own centre and its people, never the other centre's.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from bot.domain.codes import CODE_RE
from bot.domain.language import Language
from sandbox import SimUser
from tests.conftest import Harness, HarnessFactory
from tests.handlers.case_helpers import code_in, plain, settle

STAFF: Language = "kk"


async def _sos_of_saryagash(bot: Harness) -> tuple[SimUser, str]:
    dana = bot.user("Dana", "kk")
    await bot.onboard(dana, "kk", center="saryagash")
    await dana.send("/sos")
    status = await dana.wait_for_bot_message(lambda m: CODE_RE.search(m.content) is not None)
    return dana, code_in(status.content)


def _pending_duty_alerts(bot: Harness) -> int:
    with sqlite3.connect(bot.settings.storage.path) as db:
        query = "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND purpose = ?"
        return int(db.execute(query, ("case_duty_alert",)).fetchone()[0])


def _told(person: SimUser, code: str) -> bool:
    return any(code in m.content for m in person.bot_messages())


async def test_a_refused_dm_moves_on_to_the_case_s_own_centre_s_backups(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.second_group is not None
    # Marat (Saryagash's rota) never started the bot; both centres' backups did.
    await bot.second_backup.send("/start")
    await bot.backup.send("/start")
    await bot.duty.send("/start")
    _, code = await _sos_of_saryagash(bot)
    notice = await bot.second_group.wait_for_bot_message(
        lambda m: plain(bot.tr(STAFF, "staff.dm_failed", code=code, name="Marat")) in m.content
    )
    assert "Gulnara" in notice.content
    await bot.second_backup.wait_for_bot_message(lambda m: code in m.content)
    await settle(bot)
    # Sairam's backup and rota hear nothing of it, nor does Sairam's group.
    assert not _told(bot.backup, code) and not _told(bot.duty, code)
    assert not any(code in m.content for m in bot.group.bot_messages())


async def test_sos_again_on_a_taken_case_alerts_its_own_centre_only(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(two_centers=True)
    for person in (bot.second_duty, bot.second_staff, bot.duty, bot.backup):
        await person.send("/start")
    dana, code = await _sos_of_saryagash(bot)
    case = await bot.services.cases.by_code(code)
    assert case is not None
    await bot.services.cases.staff_actions.take(case, bot.second_staff.id, "Yerlan")
    await settle(bot)
    bot.advance(timedelta(seconds=31))
    await dana.send("/sos")
    yours = plain(bot.tr(STAFF, "duty_alert.sos_again_yours", code=code))
    taken = plain(bot.tr(STAFF, "duty_alert.sos_again_taken", code=code, name="Yerlan"))
    await bot.second_staff.wait_for_bot_message(lambda m: m.content == yours)
    await bot.second_duty.wait_for_bot_message(lambda m: taken in m.content)
    await settle(bot)
    assert not _told(bot.duty, code) and not _told(bot.backup, code)


async def test_a_group_that_lost_the_bot_s_rights_is_told_to_its_own_centre_s_admins(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.second_group is not None and bot.region_group is not None
    await bot.admin.send("/start")
    await bot.second_admin.send("/start")
    await bot.handled()
    bot.second_group.set_bot_status("restricted")
    bot.advance(bot.settings.timing.alert_path_check)
    await bot.run_due_work()
    expected = plain(bot.tr(STAFF, "alert_path.cannot_post", chat_id=bot.second_group.id))
    await bot.second_admin.wait_for_bot_message(lambda m: expected in m.content)
    await settle(bot)
    assert not any("⚠️" in m.content for m in bot.admin.bot_messages())
    # The region group is watched too; its trouble goes to the region's (top-level) admins.
    bot.region_group.set_bot_status("left")
    bot.advance(bot.settings.timing.alert_path_check)
    await bot.run_due_work()
    left = plain(bot.tr(STAFF, "alert_path.not_member", chat_id=bot.region_group.id))
    await bot.admin.wait_for_bot_message(lambda m: left in m.content)
    await settle(bot)
    # Saryagash's admin was told once, about her own group only.
    assert sum("⚠️" in m.content for m in bot.second_admin.bot_messages()) == 1


async def test_urgent_messages_stuck_reach_their_centre_s_admins_and_backups(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(two_centers=True)
    for person in (bot.admin, bot.backup, bot.second_admin, bot.second_backup):
        await person.send("/start")
    await bot.handled()
    dana = bot.user("Dana", "kk")
    await bot.onboard(dana, "kk", center="saryagash")
    # Delivery stops (a bug, a stuck connection): Saryagash's card and DMs stay pending.
    await bot.services.delivery.stop()
    await dana.send("/sos")
    await dana.wait_for_bot_message(lambda m: "112" in m.content)
    await bot.emulator.wait_until(lambda: _pending_duty_alerts(bot) > 0, timeout=10)
    bot.advance(bot.settings.timing.urgent_undelivered_after + timedelta(seconds=5))
    await bot.run_due_work()
    told = await bot.second_admin.wait_for_bot_message(lambda m: "/health" in m.content)
    await bot.second_backup.wait_for_bot_message(lambda m: m.content == told.content)
    assert not any("/health" in m.content for m in bot.admin.bot_messages())
    assert not any("/health" in m.content for m in bot.backup.bot_messages())
    bot.services.delivery.start()


async def test_health_in_a_group_reports_its_own_centre_s_duty_and_group(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.second_group is not None
    await bot.second_duty.send("/start")
    await bot.second_admin.send_in(bot.second_group, "/health")
    report = await bot.second_group.wait_for_bot_message(
        lambda m: plain(bot.tr(STAFF, "health.group_ok")) in m.content
    )
    on_duty = next(line for line in report.content.splitlines() if "Marat" in line)
    assert "✅" in on_duty
    assert "Gulnara" in report.content
    assert "Dilnaz" not in report.content and "Bolat" not in report.content
    # Sairam's admin is no admin of Saryagash: no answer there.
    bot.second_group.add_member(bot.admin)
    await bot.admin.send_in(bot.second_group, "/health")
    await bot.handled()
    assert len([m for m in bot.second_group.bot_messages() if "🩺" in m.content]) == 1


async def test_danger_sent_before_consent_goes_to_the_poster_s_centre(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.second_group is not None
    dana = bot.user("Dana", "kk")
    await dana.send("/start saryagash")
    await dana.wait_for_bot_message(lambda m: "lang:" in str(m.buttons))
    await dana.press(bot.tr("kk", "language.kk"))
    await dana.wait_for_bot_message(lambda m: "consent:" in str(m.buttons))
    await dana.send("өмір сүргім келмейді")
    offer = await dana.wait_for_bot_message(lambda m: "danger:send:" in str(m.buttons))
    data = next(d for _, d in offer.buttons if (d or "").startswith("danger:send:"))
    assert data is not None
    await dana.press_data(data, offer.message_id)
    status = await dana.wait_for_bot_message(lambda m: CODE_RE.search(m.content) is not None)
    code = code_in(status.content)
    await bot.second_group.wait_for_bot_message(lambda m: code in m.content)
    await settle(bot)
    assert not any(code in m.content for m in bot.group.bot_messages())
    stored = await bot.services.users.get(dana.id)
    assert stored is not None and stored.center_id == "saryagash"


async def test_a_list_of_urgent_cases_takes_only_in_the_case_s_own_centre_s_group(
    start_bot: HarnessFactory,
) -> None:
    # The "I take it" of a folded list (bot/cases/fold.py) acts like the card's: pressed
    # (forged) in the other centre's group it is dead; in the case's own group it takes it.
    bot = await start_bot(two_centers=True)
    assert bot.second_group is not None
    for person in (bot.second_duty, bot.duty):
        await person.send("/start")
    _, code = await _sos_of_saryagash(bot)
    case = await bot.services.cases.by_code(code)
    assert case is not None
    data = f"fold:take:{case.id}"
    card = await bot.second_group.wait_for_bot_message(lambda m: code in m.content, timeout=30)
    # Sairam's group never saw the case: a forged press on any message there.
    elsewhere = await bot.staff.send_in(bot.group, "…")
    await bot.staff.press_data(data, message_id=elsewhere.message_id, chat=bot.group)
    await bot.emulator.wait_until(
        lambda: any(
            a.data == data and a.user_id == bot.staff.id for a in bot.emulator.callback_answers
        )
    )
    untaken = await bot.services.cases.by_code(code)
    assert untaken is not None and untaken.taken_at is None

    await bot.second_staff.press_data(data, message_id=card.message_id, chat=bot.second_group)
    await bot.emulator.wait_until(
        lambda: any(a.user_id == bot.second_staff.id for a in bot.emulator.callback_answers)
    )
    taken = await bot.services.cases.by_code(code)
    assert taken is not None and taken.taken_by == bot.second_staff.id


async def test_audit_shows_a_case_s_history_only_in_its_own_centre_s_group(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.second_group is not None
    await bot.second_duty.send("/start")
    _, code = await _sos_of_saryagash(bot)
    case = await bot.services.cases.by_code(code)
    assert case is not None
    await bot.services.cases.staff_actions.take(case, bot.second_staff.id, "Yerlan")
    await settle(bot)
    # Sairam's admin asks in Sairam's group: as unknown there as a code never given.
    await bot.admin.send_in(bot.group, f"/audit {code}")
    await bot.group.wait_for_bot_message(
        lambda m: m.content == plain(bot.tr(STAFF, "audit.empty", code=code))
    )
    assert not any("Yerlan" in m.content for m in bot.group.bot_messages())
    await bot.second_admin.send_in(bot.second_group, f"/audit {code}")
    history = await bot.second_group.wait_for_bot_message(
        lambda m: plain(bot.tr(STAFF, "audit.title", code=code)) in m.content
    )
    assert "take" in history.content


async def test_health_in_the_region_group_lists_every_centre_s_group(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.region_group is not None
    # A villager in the region group is nobody's admin: no answer.
    outsider = bot.user("Aigul")
    bot.region_group.add_member(outsider)
    await outsider.send_in(bot.region_group, "/health")
    await bot.handled()
    assert not bot.region_group.bot_messages()
    bot.region_group.add_member(bot.second_admin)
    await bot.second_admin.send_in(bot.region_group, "/health")
    report = await bot.region_group.wait_for_bot_message(
        lambda m: plain(bot.tr(STAFF, "health.title")) in m.content
    )
    ok = plain(bot.tr(STAFF, "health.group_ok"))
    for center in bot.settings.centers:
        line = plain(bot.tr(STAFF, "health.center_group", center=center.name.get(STAFF), group=ok))
        assert line in report.content
    # No rota from the region group: each centre's /health tells its own.
    assert "Marat" not in report.content and "Dilnaz" not in report.content
