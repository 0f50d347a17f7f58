"""Escalation of urgent cases nobody took: timing (pure) and the job end to end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox import SimMessage
from tests.conftest import Harness, HarnessFactory
from tests.handlers.case_helpers import code_in, settle

NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)
AFTER = timedelta(minutes=5)


def _realerts(bot: Harness, code: str) -> list[SimMessage]:
    return [
        m
        for m in bot.group.bot_messages()
        if code in (m.text or "") and "Қайталама белгі" in (m.text or "")
    ]


def _dms(user_chat: list[SimMessage], code: str) -> int:
    return sum(1 for m in user_chat if code in (m.text or ""))


async def _sos(bot: Harness) -> str:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/sos")
    await user.wait_for_bot_message(lambda m: "112" in (m.text or ""))
    status = await user.wait_for_bot_message()
    code = code_in(status.text or "")
    await settle(bot)
    return code


async def test_escalation_fires_after_escalate_after_and_stops_when_taken(bot: Harness) -> None:
    await bot.duty.send("/start")
    await bot.backup.send("/start")
    code = await _sos(bot)
    assert _dms(bot.duty.bot_messages(), code) == 1
    assert _dms(bot.backup.bot_messages(), code) == 0  # someone is on duty: backups rest

    bot.advance(timedelta(seconds=29))
    await bot.run_due_work()
    await settle(bot)
    assert _realerts(bot, code) == []

    bot.advance(timedelta(seconds=2))
    await bot.run_due_work()
    realert = await bot.group.wait_for_bot_message(
        lambda m: "Қайталама белгі 1/2" in (m.text or "")
    )
    assert realert.buttons == [(bot.tr("kk", "card.take"), "case:take:1")]
    await bot.backup.wait_for_bot_message(lambda m: code in (m.text or ""))
    await settle(bot)
    assert _dms(bot.duty.bot_messages(), code) == 2

    await bot.duty.press(bot.tr("kk", "card.take"), chat=bot.group)
    edited = await bot.group.wait_for_bot_message(
        lambda m: "✋ Алған: Dilnaz" in (m.text or "") and m.message_id == realert.message_id,
        include_edits=True,
    )
    assert bot.tr("kk", "card.close") in [text for text, _ in edited.buttons]
    await settle(bot)
    card = bot.group.message(1)
    assert "✋ Алған: Dilnaz" in (card.text or "") and card.edited
    case = await bot.services.cases.by_code(code)
    assert case is not None and case.taken_by == 901 and case.next_escalation_at is None

    bot.advance(timedelta(minutes=5))
    await bot.run_due_work()
    await settle(bot)
    assert len(_realerts(bot, code)) == 1
    entries = await bot.services.audit.for_subject(code)
    assert [(e.actor_id, e.action) for e in entries] == [(901, "take")]


async def test_escalation_stops_after_max_escalations(bot: Harness) -> None:
    code = await _sos(bot)
    for _ in range(4):
        bot.advance(timedelta(seconds=31))
        await bot.run_due_work()
        await settle(bot)
    assert [("1/2" in (m.text or ""), "2/2" in (m.text or "")) for m in _realerts(bot, code)] == [
        (True, False),
        (False, True),
    ]


async def test_escalation_resumes_after_a_restart(start_bot: HarnessFactory) -> None:
    bot = await start_bot()
    await bot.backup.send("/start")
    code = await _sos(bot)
    await bot.stop()
    bot.advance(timedelta(minutes=2))  # the bot was down when the re-alert fell due
    await bot.start()
    await bot.run_due_work()
    await bot.group.wait_for_bot_message(lambda m: "Қайталама белгі 1/2" in (m.text or ""))
    await bot.backup.wait_for_bot_message(lambda m: code in (m.text or ""))
    await bot.restart()
    await bot.run_due_work()  # not due yet: nothing is sent twice
    await settle(bot)
    assert len(_realerts(bot, code)) == 1
    bot.advance(timedelta(seconds=31))
    await bot.run_due_work()
    await bot.group.wait_for_bot_message(lambda m: "Қайталама белгі 2/2" in (m.text or ""))


async def test_a_taken_case_is_not_re_alerted_even_when_overdue(bot: Harness) -> None:
    code = await _sos(bot)
    await bot.staff.press(bot.tr("kk", "card.take"), chat=bot.group)
    await bot.group.wait_for_bot_message(
        lambda m: "✋ Алған: Saule" in (m.text or ""), include_edits=True
    )
    bot.advance(timedelta(hours=1))
    await bot.run_due_work()
    await settle(bot)
    assert _realerts(bot, code) == []
