"""Staff tools on a case, end to end: notes, quick answers, referrals, handing over, and
what the villager sees (her language, "Psychologist") and never sees (notes, names)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

import pytest

from sandbox import SimMessage, SimUser
from tests.conftest import Harness, HarnessFactory
from tests.handlers.case_helpers import assert_no_staff_names, plain, request_case, settle

TOOLS: dict[str, Any] = {
    "referrals": [
        {
            "kind": "legal_aid",
            "name": {"kk": "Тегін заң кеңесі", "ru": "Бесплатная юридическая консультация"},
            "phone": "+7 725 000 00 03",
            "hours": {"kk": "Сәрсенбі 10:00–13:00", "ru": "Среда 10:00–13:00"},
        },
        {
            "kind": "police",
            "name": {"kk": "Учаскелік инспектор", "ru": "Участковый инспектор"},
            "phone": "+7 725 000 00 01",
            "address": {"kk": "Ақсу ауылы", "ru": "село Аксу"},
            "centers": ["sairam"],
        },
    ],
    "quick_replies": [
        {
            "id": "hello",
            "text": {"kk": "Сәлеметсіз бе, тыңдап отырмын", "ru": "Здравствуйте, я вас слушаю"},
        },
        {"id": "safe", "text": {"kk": "Қазір қауіпсізсіз бе?", "ru": "Вы сейчас в безопасности?"}},
    ],
}


@pytest.fixture
async def tools_bot(start_bot: HarnessFactory) -> Harness:
    return await start_bot(TOOLS)


async def _taken_case(bot: Harness, language: str) -> tuple[SimUser, str, int]:
    """A villager's case, taken by Saule: the villager, the code, the card's id."""
    user = bot.user(language_code=language)
    await bot.onboard(user, language)
    code = await request_case(bot, user, language)
    card = await bot.group.wait_for_bot_message(
        lambda m: code in (m.text or "") and bool(m.buttons)
    )
    await settle(bot)
    await bot.staff.press(bot.tr("kk", "card.take"), chat=bot.group, message_id=card.message_id)
    await bot.group.wait_for_bot_message(
        lambda m: bot.tr("kk", "card.pass") in [t for t, _ in m.buttons], include_edits=True
    )
    await settle(bot)
    return user, code, card.message_id


async def _pick(bot: Harness, tool_key: str, choice: str, card_id: int, staff: SimUser) -> None:
    await staff.press(bot.tr("kk", tool_key), chat=bot.group, message_id=card_id)
    picker = await bot.group.wait_for_bot_message(lambda m: choice in [t for t, _ in m.buttons])
    await staff.press(choice, chat=bot.group, message_id=picker.message_id)
    await settle(bot)


def _staff_answers(user: SimUser) -> list[str]:
    return [m.text or "" for m in user.bot_messages() if "Психолог" in (m.text or "")]


async def _actions(bot: Harness, code: str) -> list[tuple[int, str, str | None]]:
    return [(e.actor_id, e.action, e.detail) for e in await bot.services.audit.for_subject(code)]


# ----------------------------------------------------------------------------- referrals


@pytest.mark.parametrize(
    ("language", "name"),
    [("ru", "Бесплатная юридическая консультация"), ("kk", "Тегін заң кеңесі")],
)
async def test_a_referral_goes_into_the_conversation_in_her_language(
    tools_bot: Harness, language: str, name: str
) -> None:
    bot = tools_bot
    user, code, card_id = await _taken_case(bot, language)
    choice = f"{bot.tr('kk', 'referral.kind_short.legal_aid')}: Тегін заң кеңесі"
    await _pick(bot, "card.refer", choice, card_id, bot.staff)
    sent = await user.wait_for_bot_message(lambda m: name in (m.text or ""))
    label = plain(bot.tr(language, "conversation.staff_label"))
    assert (sent.text or "").startswith(label) and "+7 725 000 00 03" in (sent.text or "")
    # Staff see what went, in their language.
    await bot.group.wait_for_bot_message(
        lambda m: code in (m.text or "") and "Тегін заң кеңесі" in (m.text or "")
    )
    assert (bot.staff.id, "referral", "legal_aid") in await _actions(bot, code)
    assert_no_staff_names(bot, user, bot.staff, bot.duty, bot.backup, bot.admin)


# ------------------------------------------------------------------------- quick answers


@pytest.mark.parametrize(
    ("language", "text"),
    [("ru", "Здравствуйте, я вас слушаю"), ("kk", "Сәлеметсіз бе, тыңдап отырмын")],
)
async def test_a_quick_answer_by_reply_goes_out_in_her_language(
    tools_bot: Harness, language: str, text: str
) -> None:
    bot = tools_bot
    user, code, card_id = await _taken_case(bot, language)
    await bot.staff.send_in(bot.group, "/r hello", reply_to=card_id)
    sent = await user.wait_for_bot_message(lambda m: text in (m.text or ""))
    assert (sent.text or "").startswith(plain(bot.tr(language, "conversation.staff_label")))
    assert (bot.staff.id, "quick_reply", "hello") in await _actions(bot, code)
    messages = await bot.services.cases.messages(await _case_id(bot, code))
    assert [m.body for m in messages if m.author == "staff"] == [text]
    assert_no_staff_names(bot, user, bot.staff)


async def test_a_quick_answer_by_button_from_a_colleague(tools_bot: Harness) -> None:
    bot = tools_bot
    user, code, card_id = await _taken_case(bot, "kk")
    await _pick(bot, "card.quick_reply", "safe", card_id, bot.duty)
    await user.wait_for_bot_message(lambda m: "Қазір қауіпсізсіз бе?" in (m.text or ""))
    assert (bot.duty.id, "quick_reply", "safe") in await _actions(bot, code)


async def test_an_unknown_quick_answer_lists_the_ids_and_sends_nothing(tools_bot: Harness) -> None:
    bot = tools_bot
    user, _code, card_id = await _taken_case(bot, "ru")
    before = len(user.bot_messages())
    await bot.staff.send_in(bot.group, "/r nope", reply_to=card_id)
    said = await bot.group.wait_for_bot_message(lambda m: "hello, safe" in (m.text or ""))
    assert "nope" in (said.text or "")
    # Without a case to answer, /r says which case is meant.
    await bot.staff.send_in(bot.group, "/r hello")
    await bot.group.wait_for_bot_message(
        lambda m: m.text == plain(bot.tr("kk", "staff_tools.which_case"))
    )
    await bot.handled()
    assert len(user.bot_messages()) == before


# --------------------------------------------------------------------------------- notes


def _sealed_notes(bot: Harness) -> list[str]:
    with sqlite3.connect(bot.settings.storage.path) as db:
        return [r[0] for r in db.execute("SELECT body FROM case_notes ORDER BY id")]


@pytest.mark.parametrize("language", ["ru", "kk"])
async def test_notes_stay_with_staff(tools_bot: Harness, language: str) -> None:
    bot = tools_bot
    user, code, card_id = await _taken_case(bot, language)
    before = len(user.bot_messages())
    await bot.staff.send_in(bot.group, "// голос дрожал, муж рядом", reply_to=card_id)
    saved = plain(bot.tr("kk", "staff_tools.note_saved", code=code))
    await bot.group.wait_for_bot_message(lambda m: m.text == saved)
    await bot.duty.send_in(bot.group, "/note перезвонить завтра", reply_to=card_id)
    await bot.group.wait_for_bot_message(lambda m: m.text == saved)
    await bot.staff.send_in(bot.group, "/note", reply_to=card_id)
    await bot.group.wait_for_bot_message(
        lambda m: m.text == plain(bot.tr("kk", "staff_tools.note_empty"))
    )
    await bot.handled()
    assert len(user.bot_messages()) == before
    for message in user.bot_messages():
        assert "дрожал" not in (message.text or "") and "перезвонить" not in (message.text or "")
    notes = await bot.services.cases.staff_tools.notes(await _case_id(bot, code))
    assert [(n.staff_id, n.body) for n in notes] == [
        (bot.staff.id, "голос дрожал, муж рядом"),
        (bot.duty.id, "перезвонить завтра"),
    ]
    assert all(body.startswith("p:") for body in _sealed_notes(bot))
    assert [a for a in await _actions(bot, code) if a[1] == "note"] == [
        (bot.staff.id, "note", None),
        (bot.duty.id, "note", None),
    ]
    # Not a conversation message either.
    messages = await bot.services.cases.messages(await _case_id(bot, code))
    assert all(m.author == "user" for m in messages)


async def test_notes_are_sealed_with_a_key(start_bot: HarnessFactory) -> None:
    from storage.crypto import new_key

    bot = await start_bot(TOOLS, data_key=new_key())
    _, _, card_id = await _taken_case(bot, "ru")
    await bot.staff.send_in(bot.group, "// секретная заметка", reply_to=card_id)
    await bot.group.wait_for_bot_message(lambda m: "📝" in (m.text or ""))
    await settle(bot)
    bodies = _sealed_notes(bot)
    assert len(bodies) == 1 and bodies[0].startswith("f1:") and "секрет" not in bodies[0]


async def test_notes_go_with_forget_me_and_with_retention(tools_bot: Harness) -> None:
    bot = tools_bot
    user, _code, card_id = await _taken_case(bot, "ru")
    await bot.staff.send_in(bot.group, "// первая заметка", reply_to=card_id)
    await bot.group.wait_for_bot_message(lambda m: "📝" in (m.text or ""))
    _other, other_code, other_card = await _taken_case(bot, "kk")
    await bot.staff.send_in(bot.group, "// вторая заметка", reply_to=other_card)
    await bot.group.wait_for_bot_message(
        lambda m: "📝" in (m.text or "") and other_code in (m.text or "")
    )
    await settle(bot)
    assert len(_sealed_notes(bot)) == 2
    # Forget me: the first villager's notes go.
    await user.send("/forget")
    await user.wait_for_bot_message(lambda m: bool(m.buttons))
    await user.press("Да, стереть всё")
    await user.wait_for_bot_message(lambda m: "стёрты" in (m.text or ""))
    await settle(bot)
    assert len(_sealed_notes(bot)) == 1
    # Retention: the second case is closed, and its notes go with its texts.
    await bot.staff.send_in(bot.group, "/close", reply_to=other_card)
    await bot.handled()
    closed = await bot.services.cases.by_code(other_code)
    assert closed is not None and not closed.is_open
    bot.advance(timedelta(days=bot.settings.privacy.retention_days + 1))
    await bot.run_due_work()
    assert _sealed_notes(bot) == []


# ----------------------------------------------------------------------------- hand over


def _names(message: SimMessage) -> list[str]:
    return [t for t, _ in message.buttons]


@pytest.mark.parametrize("language", ["ru", "kk"])
async def test_pass_to_a_colleague(tools_bot: Harness, language: str) -> None:
    bot = tools_bot
    # Bolat has opened a chat with the bot, so the bot may write to him.
    await bot.backup.send("/start")
    await bot.backup.wait_for_bot_message()
    user, code, card_id = await _taken_case(bot, language)
    before = len(user.bot_messages())
    await bot.staff.press(bot.tr("kk", "card.pass"), chat=bot.group, message_id=card_id)
    picker = await bot.group.wait_for_bot_message(lambda m: "Bolat" in _names(m))
    # The rota, the backups and the admins; not the one who has the case.
    assert sorted(_names(picker)) == ["Admin", "Bolat", "Dilnaz"]
    await bot.staff.press("Bolat", chat=bot.group, message_id=picker.message_id)
    dm = await bot.backup.wait_for_bot_message(lambda m: code in (m.text or ""))
    assert plain(bot.tr("kk", "staff_tools.handed_to_you", code=code, category="x", group="y"))[
        :10
    ] in (dm.text or "")
    card = bot.group.message(card_id)
    passed = bot.tr("kk", "staff_tools.passed", from_name="Saule", to_name="Bolat", time="10:00")
    await bot.emulator.wait_until(lambda: passed[:-5] in (card.text or ""))
    case = await bot.services.cases.by_code(code)
    assert case is not None and case.taken_by == bot.backup.id and case.taken_by_name == "Bolat"
    assert (bot.staff.id, "hand_over", str(bot.backup.id)) in await _actions(bot, code)
    # Bolat answers; for the villager it is the same "psychologist", with no name.
    await bot.backup.send_in(bot.group, "Я на связи", reply_to=card_id)
    await user.wait_for_bot_message(lambda m: "Я на связи" in (m.text or ""))
    assert len(user.bot_messages()) == before + 1
    assert_no_staff_names(bot, user, bot.staff, bot.backup)


async def test_tool_buttons_are_dead_for_anyone_else(tools_bot: Harness) -> None:
    bot = tools_bot
    user, code, _card_id = await _taken_case(bot, "ru")
    stale = bot.tr("ru", "fallback.stale_button")
    own = user.last_bot_message()
    for data in ("tool:pass:1", "tq:1:hello", "tr:1:0", f"tp:1:{bot.backup.id}"):
        await user.press_data(data, message_id=own.message_id)
    await bot.handled()
    answers = [a.text for a in bot.emulator.callback_answers if a.user_id == user.id]
    assert answers[-4:] == [stale] * 4
    case = await bot.services.cases.by_code(code)
    assert case is not None and case.taken_by == bot.staff.id


async def _case_id(bot: Harness, code: str) -> int:
    case = await bot.services.cases.by_code(code)
    assert case is not None
    return case.id
