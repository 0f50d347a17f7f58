"""Issue 5's guarantees end to end: staff-only access, the audit trail, retention on a
moved clock, and no plaintext in the database file when a key is set."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from storage.crypto import new_key
from tests.conftest import Harness, HarnessFactory
from tests.handlers.booking_steps import book, slot
from tests.handlers.case_helpers import plain, request_case, settle

STAFF_COMMANDS = [
    "/duty",
    "/duty off",
    "/onduty",
    "/agenda",
    "/stats",
    "/close",
    "/block",
    "/unblock {code}",
    "/audit {code}",
    "/r hello",
    "/note a note",
]


async def _world(bot: Harness) -> tuple[str, int]:
    """A case with its card and a booking for today on the agenda; returns the case code
    and the agenda message id."""
    villager = bot.user("Aigerim")
    await bot.onboard(villager, "ru")
    code = await request_case(bot, villager, category="violence", story="он угрожает мне")
    await book(bot, villager, start=slot(date(2026, 12, 2), 12, 45))
    await settle(bot)
    await bot.staff.send_in(bot.group, "/agenda")
    agenda = await bot.group.wait_for_bot_message(
        lambda m: any("ag:" in (d or "") for _, d in m.buttons)
    )
    return code, agenda.message_id


def _state(bot: Harness) -> tuple[object, ...]:
    with sqlite3.connect(bot.settings.storage.path) as db:
        return (
            db.execute("SELECT status, taken_by, blocked FROM cases").fetchall(),
            db.execute("SELECT attendance FROM appointments").fetchall(),
            db.execute("SELECT COUNT(*) FROM manual_duty").fetchone(),
            db.execute("SELECT COUNT(*) FROM audit_log").fetchone(),
        )


async def test_outsiders_try_every_staff_command_and_button_and_nothing_happens(
    bot: Harness,
) -> None:
    code, agenda_id = await _world(bot)
    card = next(m for m in bot.group.bot_messages() if code in m.content and m.buttons)
    group_messages = len(bot.group.bot_messages())
    before = _state(bot)

    # 1. Someone in another group with the bot types every staff command.
    outsider = bot.user("Outsider")
    other = bot.emulator.create_group(chat_id=-1009999999999, title="Village chat")
    other.add_member(outsider)
    for command in STAFF_COMMANDS:
        await outsider.send_in(other, command.format(code=code))
    # 2. A villager types them in a private chat: the ordinary "no such command".
    villager = bot.user("Curious")
    await bot.onboard(villager, "ru")
    for command in STAFF_COMMANDS:
        await villager.send(command.format(code=code))
    # 3. The villager forges every staff button in their own chat (Telegram lets only
    # members press buttons in the group itself).
    agenda = bot.group.message(agenda_id)
    own = villager.last_bot_message()
    forged = [d or "" for _, d in card.buttons + agenda.buttons]
    for data in [*forged, "stats:m:2026-11", "stats:csv:2026-12", "case:unblock:1"]:
        await villager.press_data(data, message_id=own.message_id)
    await bot.handled()

    assert other.bot_messages() == []
    assert len(bot.group.bot_messages()) == group_messages
    answers = [m.content for m in villager.bot_messages()[-len(STAFF_COMMANDS) - 1 :]]
    assert answers.count(bot.tr("ru", "fallback.unknown_command")) == len(STAFF_COMMANDS)
    assert all(code not in text for text in answers)
    assert bot.emulator.requests_for("sendDocument") == []
    assert _state(bot) == before
    assert card.text == bot.group.message(card.message_id).text


async def test_the_audit_trail_of_a_case(bot: Harness) -> None:
    villager = bot.user()
    await bot.onboard(villager, "ru")
    code = await request_case(bot, villager)
    await settle(bot)
    card = next(m for m in bot.group.bot_messages() if code in m.content and m.buttons)
    await bot.duty.press(bot.tr("kk", "card.take"), chat=bot.group, message_id=card.message_id)
    await villager.wait_for_bot_message(lambda m: "психолог" in m.content.lower())
    await bot.duty.send_in(bot.group, "Здравствуйте, я вас слушаю", reply_to=card.message_id)
    await villager.wait_for_bot_message(lambda m: "я вас слушаю" in m.content)
    await bot.duty.send_in(bot.group, "/close", reply_to=card.message_id)
    await villager.wait_for_bot_message(lambda m: "/request" in m.content)
    await bot.admin.send_in(bot.group, f"/audit {code}")
    trail = await bot.group.wait_for_bot_message(lambda m: "take" in m.content)
    lines = trail.content.splitlines()
    assert [line.split(" · ")[2] for line in lines[1:]] == ["take", "reply", "close"]
    assert all("Dilnaz" in line for line in lines[1:])


async def test_texts_of_closed_cases_are_erased_after_the_retention_period(bot: Harness) -> None:
    villager = bot.user()
    await bot.onboard(villager, "ru")
    code = await request_case(bot, villager, story="История, которую надо стереть")
    await settle(bot)
    card = next(m for m in bot.group.bot_messages() if code in m.content and m.buttons)
    await bot.duty.send_in(bot.group, "/close", reply_to=card.message_id)
    await villager.wait_for_bot_message(lambda m: "/request" in m.content)
    bot.advance(timedelta(days=89))
    await bot.run_due_work()
    assert (await bot.services.cases.by_code(code)).story  # type: ignore[union-attr]
    bot.advance(timedelta(days=2))
    await bot.run_due_work()
    case = await bot.services.cases.by_code(code)
    assert case is not None and not case.story and case.category == "crisis"


async def test_with_a_key_the_database_file_holds_no_plaintext(start_bot: HarnessFactory) -> None:
    bot = await start_bot({"privacy": {"allow_plaintext": False}}, data_key=new_key())
    villager = bot.user()
    await bot.onboard(villager, "ru")
    story = "Свекровь запирает меня дома и забирает деньги"
    code = await request_case(bot, villager, story=story, phone="+7 701 222 33 44")
    await settle(bot)
    await villager.send("ещё одно сообщение про паспорт")
    await bot.group.wait_for_bot_message(lambda m: "паспорт" in m.content)
    await settle(bot)
    assert plain(story) in "".join(m.content for m in bot.group.bot_messages())
    await bot.services.db.checkpoint()
    raw = bot.settings.storage.path.read_bytes()
    for secret in ("Свекровь", "запирает", "паспорт", "222 33 44", "7012223344"):
        assert secret.encode() not in raw, secret
    assert code.encode() in raw  # codes are not secret: staff quote them
