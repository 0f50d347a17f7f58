"""The staff group's side: take, close, block, duty, and what non-members can (not) do."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta

from sandbox import SimMessage
from tests.conftest import Harness
from tests.handlers.case_helpers import code_in, plain, request_case, settle


async def _card(bot: Harness, code: str) -> int:
    card = await bot.group.wait_for_bot_message(lambda m: code in m.content and bool(m.buttons))
    await settle(bot)
    return card.message_id


async def _staff_said(bot: Harness, text: str) -> None:
    await bot.group.wait_for_bot_message(lambda m: text in (m.text or ""))


async def test_take_button_edits_the_card_and_tells_the_user_without_a_name(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card_id = await _card(bot, code)
    await bot.staff.press(bot.tr("kk", "card.take"), chat=bot.group)
    told = await user.wait_for_bot_message(lambda m: "в работе" in (m.text or ""))
    assert code in (told.text or "") and "Saule" not in (told.text or "")
    card = bot.group.message(card_id)
    await bot.emulator.wait_until(lambda: "✋ Алған: Saule, 10:00" in (card.text or ""))
    answers = [a for a in bot.emulator.callback_answers if a.user_id == bot.staff.id]
    assert answers[-1].text == bot.tr("kk", "staff.you_took", code=code)
    # A second press (someone else) says who has it, and changes nothing.
    await bot.duty.press_data("case:take:1", message_id=card_id, chat=bot.group)
    await bot.emulator.wait_until(
        lambda: any(a.user_id == bot.duty.id for a in bot.emulator.callback_answers)
    )
    answer = next(a for a in bot.emulator.callback_answers if a.user_id == bot.duty.id)
    assert answer.text == bot.tr("kk", "staff.already_taken", code=code, name="Saule")
    case = await bot.services.cases.by_code(code)
    assert case is not None and case.taken_by == bot.staff.id


async def test_stale_and_forged_case_buttons_change_nothing(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card_id = await _card(bot, code)
    # Answered in the presser's language, like any other dead button.
    stale = bot.tr("ru", "fallback.stale_button")
    for data in ("case:take:999999", "case:take:abc", "case:close:-1", "case:take:1:2"):
        await bot.staff.press_data(data, message_id=card_id, chat=bot.group)
    await bot.emulator.wait_until(
        lambda: sum(a.text == stale for a in bot.emulator.callback_answers) == 4
    )
    # The user cannot press staff buttons in their own chat either.
    menu = user.bot_messages()[-1]
    await user.press_data("case:take:1", message_id=menu.message_id)
    await bot.emulator.wait_until(
        lambda: any(
            a.user_id == user.id and a.text == bot.tr("ru", "fallback.stale_button")
            for a in bot.emulator.callback_answers
        )
    )
    case = await bot.services.cases.by_code(code)
    assert case is not None and case.taken_at is None and case.is_open


async def test_non_members_in_the_staff_group_get_nothing(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card_id = await _card(bot, code)
    stranger = bot.emulator.create_user(first_name="Stranger", username="stranger")
    bot.group.add_member(stranger)
    await stranger.send_in(bot.group, "Кто это написал?", reply_to=card_id)
    # Gone before the bot looks: Telegram says "left", so the bot does nothing.
    bot.group.remove_member(stranger)
    bot.group.add_member(stranger)
    await stranger.send_in(bot.group, "/duty")
    bot.group.remove_member(stranger)
    bot.group.add_member(stranger)
    await stranger.send_in(bot.group, "/close", reply_to=card_id)
    bot.group.remove_member(stranger)
    await stranger.send("/onduty")  # and in private the staff command does not exist
    await stranger.wait_for_bot_message()
    await settle(bot)
    assert not [m for m in user.bot_messages() if "Психолог:" in (m.text or "")]
    assert [m.message_id for m in bot.group.bot_messages()] == [card_id]
    case = await bot.services.cases.by_code(code)
    assert case is not None and case.is_open and case.taken_at is None
    assert await bot.services.cases.manual_duty() == []


async def test_duty_commands(bot: Harness) -> None:
    await bot.staff.send("/start")
    await bot.staff.send_in(bot.group, "/onduty")
    await _staff_said(bot, "Dilnaz")
    await bot.staff.send_in(bot.group, "/duty")
    await _staff_said(bot, "Saule 02.12 22:00 дейін кезекші")
    await bot.staff.send_in(bot.group, "/onduty")
    on_duty = await bot.group.wait_for_bot_message(lambda m: "кезекшілер" in (m.text or ""))
    assert "Saule, Dilnaz" in (on_duty.text or "") and "Bolat" in (on_duty.text or "")
    # An urgent case now reaches the one who took the shift, by direct message.
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/sos")
    status = await user.wait_for_bot_message(lambda m: "получил сигнал" in (m.text or ""))
    await bot.staff.wait_for_bot_message(lambda m: code_in(status.text or "") in (m.text or ""))
    await bot.staff.send_in(bot.group, "/duty off")
    await _staff_said(bot, "Saule кезекшілікті тапсырды")
    assert await bot.services.cases.manual_duty() == []
    # After 18:00 nobody is on duty.
    bot.advance(timedelta(hours=9))
    await bot.staff.send_in(bot.group, "/onduty")
    await _staff_said(bot, "Қазір кезекші жоқ")
    with sqlite3.connect(bot.settings.storage.path) as db:
        actions = db.execute("SELECT actor_id, action FROM audit_log ORDER BY id").fetchall()
    assert actions == [(903, "duty_on"), (903, "duty_off")]


async def test_staff_commands_work_only_in_the_staff_group(bot: Harness) -> None:
    other = bot.emulator.create_group(chat_id=-1009999, title="Other")
    other.add_member(bot.staff)
    await bot.staff.send_in(other, "/duty")
    await bot.staff.send_in(other, "/onduty")
    await bot.staff.send_in(bot.group, "/onduty")
    await _staff_said(bot, "Dilnaz")
    assert other.bot_messages() == []
    assert await bot.services.cases.manual_duty() == []


async def test_close_tells_the_user_kindly_and_is_audited(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card_id = await _card(bot, code)
    await bot.admin.send_in(bot.group, "/close", reply_to=card_id)
    closed = await user.wait_for_bot_message(lambda m: "закрыто" in (m.text or ""))
    assert "/request" in (closed.text or "") and "Admin" not in (closed.text or "")
    await _staff_said(bot, bot.tr("kk", "staff.closed_short", code=code).rstrip("."))
    await settle(bot)
    card = bot.group.message(card_id)
    assert card.buttons == []
    # The card itself says it is closed, by whom and when.
    assert plain(bot.tr("kk", "card.closed", name="Admin", time="10:00")) in (card.text or "")
    entries = await bot.services.audit.for_subject(code)
    assert [(e.actor_id, e.action) for e in entries] == [(900, "close")]
    # Closing twice says so; a new message from the user no longer goes to the closed case.
    await bot.admin.send_in(bot.group, f"/close {code}")
    await _staff_said(bot, "жабылған")
    await user.send("Ещё вопрос")
    outside = await user.wait_for_bot_message()
    assert outside.text == bot.tr("ru", "fallback.text_outside_flow")


async def test_block_and_unblock(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card_id = await _card(bot, code)
    await bot.staff.send_in(bot.group, "/block", reply_to=card_id)
    await _staff_said(bot, f"/unblock {code}")
    await user.send("Это сообщение не должно дойти")
    refused = await user.wait_for_bot_message()
    assert "не передаются" in (refused.text or "") and "112" in (refused.text or "")
    await settle(bot)
    assert not [m for m in bot.group.bot_messages() if "не должно" in (m.text or "")]
    await user.send("/request")
    assert "не можем принять" in ((await user.wait_for_bot_message()).text or "")
    await bot.staff.send_in(bot.group, f"/unblock {code.lower().replace('-', ' ')}")
    await _staff_said(bot, "қайта келеді")
    await user.send("А это дойдёт")
    await bot.group.wait_for_bot_message(lambda m: "А это дойдёт" in (m.text or ""))
    entries = await bot.services.audit.for_subject(code)
    assert [e.action for e in entries] == ["block", "unblock"]
    # A code that names no case is said to be unknown; no code at all gets the usage.
    await bot.staff.send_in(bot.group, "/unblock XYZ")
    await _staff_said(bot, plain(bot.tr("kk", "staff.no_such_case", code="XYZ")))
    await bot.staff.send_in(bot.group, "/unblock")
    await _staff_said(bot, "/unblock КОД")


async def test_a_user_who_blocked_the_bot_is_marked_unreachable(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card_id = await _card(bot, code)
    user.block_bot()
    await bot.staff.send_in(bot.group, "Как вы?", reply_to=card_id)
    await _staff_said(bot, "хабарлама жеткізу мүмкін емес")
    case = await bot.services.cases.by_code(code)
    assert case is not None and case.user_unreachable


async def test_a_duty_psychologist_who_never_opened_the_bot_is_named_to_the_group(
    bot: Harness,
) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/sos")
    status = await user.wait_for_bot_message(lambda m: "получил сигнал" in (m.text or ""))
    code = code_in(status.text or "")
    notice = await bot.group.wait_for_bot_message(
        lambda m: "жеке жазу мүмкін болмады" in (m.text or "")
    )
    assert "Dilnaz" in (notice.text or "") and code in (notice.text or "")


async def test_a_reply_to_the_audit_output_stays_in_the_staff_group(bot: Harness) -> None:
    """The /audit output carries the code but is no case message: a reply to it (staff
    talking among themselves, with names) must not reach the user nor take the case."""
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    await _card(bot, code)
    await bot.admin.send_in(bot.group, f"/audit {code}")
    audit = await bot.group.wait_for_bot_message(lambda m: code in (m.text or "") and not m.buttons)
    before = len(user.bot_messages())
    await bot.admin.send_in(bot.group, "Сауле, посмотри это обращение", reply_to=audit.message_id)
    await _staff_said(bot, plain(bot.tr("kk", "staff.reply_to_card"))[:30])
    await settle(bot)
    assert len(user.bot_messages()) == before
    assert not any("Сауле" in (m.text or "") for m in user.bot_messages())
    case = await bot.services.cases.by_code(code)
    assert case is not None and case.taken_at is None
    assert all(m.author == "user" for m in await bot.services.cases.messages(case.id))


async def test_a_reply_to_a_notice_naming_a_colleague_stays_in_the_staff_group(
    bot: Harness,
) -> None:
    """The dm_failed notice names a colleague; a reply to it is staff talk, never relayed."""
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/sos")
    await user.wait_for_bot_message(lambda m: "получил сигнал" in (m.text or ""))
    notice = await bot.group.wait_for_bot_message(
        lambda m: "жеке жазу мүмкін болмады" in (m.text or "")
    )
    await settle(bot)  # the notice is linked to the case once delivered
    before = len(user.bot_messages())
    await bot.staff.send_in(bot.group, "Дильназ, открой бота", reply_to=notice.message_id)
    await _staff_said(bot, plain(bot.tr("kk", "staff.reply_to_card"))[:30])
    await settle(bot)
    assert len(user.bot_messages()) == before
    assert not any("Дильназ" in (m.text or "") for m in user.bot_messages())


async def test_a_reply_to_a_colleagues_answer_stays_in_the_staff_group(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card_id = await _card(bot, code)
    answer = await bot.duty.send_in(bot.group, "Здравствуйте, я рядом", reply_to=card_id)
    await user.wait_for_bot_message(lambda m: "я рядом" in (m.text or ""))
    await settle(bot)
    before = len(user.bot_messages())
    await bot.staff.send_in(bot.group, "Дильназ, молодец", reply_to=answer.message_id)
    await _staff_said(bot, plain(bot.tr("kk", "staff.reply_to_card"))[:30])
    await settle(bot)
    assert len(user.bot_messages()) == before
    assert not any("Дильназ" in (m.text or "") for m in user.bot_messages())


async def test_a_call_back_case_taken_says_a_psychologist_will_call(bot: Harness) -> None:
    """After a call-back request the user waits for a call, not for a message here."""
    for language in ("ru", "kk"):
        user = bot.user(f"Aigul{language}", language)
        await bot.onboard(user, language)
        code = await request_case(bot, user, language, phone="+7 701 123 45 67")
        card_id = await _card(bot, code)
        await bot.staff.press_data(f"case:take:{_case_id(bot, code)}", card_id, chat=bot.group)
        told = await user.wait_for_bot_message(has_code(code))
        assert (told.text or "") == plain(bot.tr(language, "conversation.taken_call", code=code))
        assert plain(bot.tr(language, "conversation.taken", code=code)) != told.text


def has_code(code: str) -> Callable[[SimMessage], bool]:
    return lambda m: code in (m.text or "")


def _case_id(bot: Harness, code: str) -> int:
    with sqlite3.connect(bot.settings.storage.path) as db:
        row = db.execute("SELECT id FROM cases WHERE code = ?", (code,)).fetchone()
    return int(row[0])


async def test_staff_see_their_answer_delivered_or_plainly_not(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card_id = await _card(bot, code)
    await bot.staff.press(bot.tr("kk", "card.take"), chat=bot.group)
    await user.wait_for_bot_message(lambda m: "в работе" in (m.text or ""))
    await settle(bot)
    answer = await bot.staff.send_in(bot.group, "Здравствуйте, я вас слушаю.", reply_to=card_id)
    await user.wait_for_bot_message(lambda m: "я вас слушаю" in (m.text or ""))
    # Arrived: a reaction on the answer (tests/handlers/staff/test_delivery_mark.py).
    await bot.emulator.wait_until(lambda: bool(bot.group.message(answer.message_id).bot_reactions))
    # Telegram refuses the next one for good: staff are told, under that very message.
    bot.emulator.fail_next("sendMessage", status=400, description="Bad Request: chat not found")
    refused = await bot.staff.send_in(bot.group, "Вы здесь?", reply_to=card_id)
    not_delivered = plain(bot.tr("kk", "staff.answer_not_delivered", code=code))
    told = await bot.group.wait_for_bot_message(lambda m: m.text == not_delivered)
    assert told.reply_to_message_id == refused.message_id
    assert not [m for m in user.bot_messages() if "Вы здесь" in (m.text or "")]
