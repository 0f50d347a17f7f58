"""The anonymous conversation end to end: both directions, forum topics, floods, storms."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from telegram import Update

from bot.context import HelplineContext
from handlers.private import conversation
from tests.conftest import STAFF_CHAT_ID, Harness, HarnessFactory
from tests.handlers.case_helpers import (
    assert_no_staff_names,
    assert_no_user_identity,
    code_in,
    plain,
    request_case,
    settle,
)


async def _card(bot: Harness, code: str) -> int:
    card = await bot.group.wait_for_bot_message(lambda m: code in m.content and bool(m.buttons))
    await settle(bot)
    return card.message_id


async def test_staff_reply_reaches_the_user_and_the_answer_reaches_the_case_thread(
    bot: Harness,
) -> None:
    user = bot.user("Aigul", "ru")
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card_id = await _card(bot, code)

    await bot.staff.send_in(bot.group, "Здравствуйте! <Мы> рядом & слышим вас", reply_to=card_id)
    # Answering takes the case: the chain of re-alerts would stop, the card says who.
    taken = await user.wait_for_bot_message(lambda m: "в работе" in (m.text or ""))
    assert "Saule" not in (taken.text or "")
    reply = await user.wait_for_bot_message(lambda m: "Психолог:" in (m.text or ""))
    assert reply.text == "👩‍⚕️ Психолог:\nЗдравствуйте! <Мы> рядом & слышим вас"

    await user.send("Спасибо. Мне страшно 😢")
    relay = await bot.group.wait_for_bot_message(lambda m: "Мне страшно" in (m.text or ""))
    assert relay.text == f"📩 {code}\nСпасибо. Мне страшно 😢"
    assert relay.reply_to_message_id == card_id and relay.forward_origin is None
    passed = await user.wait_for_bot_message()
    assert passed.text == bot.tr("ru", "conversation.passed_on", code=code)
    await settle(bot)  # the relay is linked to the case once its delivery is recorded

    # A reply to the relayed message (not the card) reaches the user too; a voice note too.
    await bot.duty.send_in(bot.group, "Вы в безопасности сейчас?", reply_to=relay.message_id)
    await user.wait_for_bot_message(lambda m: "Вы в безопасности сейчас?" in (m.text or ""))
    await bot.duty.send_voice_in(bot.group, duration=7, reply_to=relay.message_id)
    staff_voice = await user.wait_for_bot_message(lambda m: m.kind == "voice")
    assert staff_voice.caption == "👩‍⚕️ Психолог:"
    voice = await user.send_voice(duration=9)
    copied = await bot.group.wait_for_bot_message(lambda m: m.kind == "voice")
    assert copied.file_id == voice.file_id and code in (copied.caption or "")
    await bot.staff.send_in(bot.group, "Просто разговор сотрудников, не ответ")
    await settle(bot)

    texts = [m.content for m in user.bot_messages()]
    assert "Просто разговор" not in " ".join(texts)
    assert_no_user_identity(bot, user)
    assert_no_staff_names(bot, user, bot.staff, bot.duty, bot.admin, bot.backup)
    # User content reaches staff only as the bot's own messages.
    assert bot.emulator.requests_for("forwardMessage") == []
    assert all(m.forward_origin is None for m in bot.group.bot_messages())
    entries = await bot.services.audit.for_subject(code)
    assert [(e.actor_id, e.action) for e in entries] == [
        (903, "take"),
        (903, "reply"),
        (901, "reply"),
        (901, "reply"),
    ]
    stored = await bot.services.cases.messages(1)
    assert [(m.author, m.kind) for m in stored] == [
        ("staff", "text"),
        ("user", "text"),
        ("staff", "text"),
        ("staff", "voice"),
        ("user", "voice"),
    ]


async def test_forward_message_is_never_used_for_user_content(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    await _card(bot, code)
    await user.send("текст")
    await user.send_voice()
    await user.send_photo(caption="<i>синяк</i>")
    await user.send_document(caption=None)
    await bot.group.wait_for_bot_message(lambda m: m.kind == "document")
    await settle(bot)
    kinds = [m.kind for m in bot.group.bot_messages()]
    assert kinds.count("photo") == 1 and kinds.count("voice") == 1
    photo = next(m for m in bot.group.bot_messages() if m.kind == "photo")
    assert photo.caption == f"📩 {code}\n<i>синяк</i>"
    assert bot.emulator.requests_for("forwardMessage") == []
    assert bot.emulator.requests_for("copyMessage") == []
    assert_no_user_identity(bot, user)


async def test_a_forum_staff_group_gets_one_topic_per_case(start_bot: HarnessFactory) -> None:
    bot = await start_bot(forum=True)
    first, second = bot.user("Aigul"), bot.user("Dana")
    await bot.onboard(first, "ru")
    await bot.onboard(second, "ru")
    code_one = await request_case(bot, first, "ru")
    code_two = await request_case(bot, second, "ru", story="Второй рассказ")
    await settle(bot)
    topics = [t.name for t in bot.group.topics]
    assert topics == [code_one, code_two]
    topic = bot.group.topic(code_one)
    card = bot.group.bot_messages(topic.id)[0]
    assert code_one in (card.text or "")

    # Anything written in the topic goes to that user only.
    await bot.staff.send_in(bot.group, "Пишу в теме", thread_id=topic.id)
    await first.wait_for_bot_message(lambda m: "Пишу в теме" in (m.text or ""))
    await first.send("Ответ в тему")
    relay = await bot.group.wait_for_bot_message(lambda m: "Ответ в тему" in (m.text or ""))
    assert relay.thread_id == topic.id
    await settle(bot)
    assert not [m for m in second.bot_messages() if "Пишу в теме" in (m.text or "")]

    # Staff delete the topic: the next message makes a new one with the same name.
    await bot.services.bot.delete_forum_topic(STAFF_CHAT_ID, topic.id)
    await first.send("После удаления темы")
    moved = await bot.group.wait_for_bot_message(lambda m: "После удаления" in (m.text or ""))
    fresh = bot.group.topic(code_one)
    assert fresh.id != topic.id and moved.thread_id == fresh.id
    assert bot.emulator.requests_for("getChat") and len(bot.emulator.requests_for("getChat")) == 1
    assert_no_user_identity(bot, first, second)


async def test_thirty_messages_in_ten_seconds_are_slowed_down_and_none_is_lost(
    bot: Harness,
) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    await _card(bot, code)
    before = len(bot.group.bot_messages())
    for number in range(30):
        await user.send(f"сообщение номер {number:02d}")
    await user.wait_for_bot_message(lambda m: "медленнее" in (m.text or ""))
    await bot.emulator.wait_until(
        lambda: "сообщение номер 29" in " ".join(m.text or "" for m in bot.group.bot_messages())
    )
    await settle(bot)
    relays = bot.group.bot_messages()[before:]
    joined = "\n".join(m.text or "" for m in relays)
    positions = [joined.index(f"сообщение номер {n:02d}") for n in range(30)]
    assert positions == sorted(positions)  # all 30, in order
    assert len(relays) < 30  # coalesced: the group's queue stays free for alerts
    stored = await bot.services.cases.messages(1)
    assert len(stored) == 30
    slow_downs = [m for m in user.bot_messages() if "медленнее" in (m.text or "")]
    assert len(slow_downs) == 1


async def _storm_then_sos(bot: Harness, users: int, **storm: Any) -> list[str]:
    await bot.duty.send("/start")
    people = [bot.user(f"U{n}") for n in range(users)]
    for person in people:
        await bot.onboard(person, "ru")
    # Every send fails for a while: alerts, direct messages, the user's own answers.
    bot.emulator.fail_next(None, **storm)
    codes = []
    for person in people:
        await person.send("/sos")
        status = await person.wait_for_bot_message(lambda m: "сигнал" in (m.text or ""), timeout=30)
        codes.append(code_in(status.text or ""))
    await bot.emulator.wait_until(
        lambda: all(
            any(code in (m.text or "") for m in bot.group.bot_messages()) for code in codes
        ),
        timeout=30,
    )
    await bot.emulator.wait_until(
        lambda: all(any(code in (m.text or "") for m in bot.duty.bot_messages()) for code in codes),
        timeout=30,
    )
    async with asyncio.timeout(30):
        await bot.services.delivery.wait_idle()
    return codes


async def test_a_429_storm_delivers_every_alert_exactly_once(start_bot: HarnessFactory) -> None:
    bot = await start_bot({"timing": {"retry_base": "50ms", "retry_max": "200ms"}})
    codes = await _storm_then_sos(bot, 3, count=6, status=429, retry_after=1)
    for code in codes:
        assert sum(code in (m.text or "") for m in bot.group.bot_messages()) == 1
        assert sum(code in (m.text or "") for m in bot.duty.bot_messages()) == 1
    assert any(r.status == 429 for r in bot.emulator.requests)


async def test_a_5xx_storm_delivers_every_alert_exactly_once(start_bot: HarnessFactory) -> None:
    bot = await start_bot({"timing": {"retry_base": "50ms", "retry_max": "200ms"}})
    codes = await _storm_then_sos(bot, 3, count=15, status=500)
    for code in codes:
        assert sum(code in (m.text or "") for m in bot.group.bot_messages()) == 1
        assert sum(code in (m.text or "") for m in bot.duty.bot_messages()) == 1
    assert sum(r.status == 500 for r in bot.emulator.requests) == 15


async def test_danger_words_in_the_conversation_turn_the_case_urgent(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    await _card(bot, code)
    await user.send("Он пришёл с топором, ломится в дверь")
    # One answer: the numbers and who heard it, in one message.
    status = await user.wait_for_bot_message(lambda m: "112" in (m.text or ""))
    assert "получил сигнал" in (status.text or "")

    # The urgent alert and the relayed words both arrive; urgent first is fine (risk first).
    def texts() -> list[str]:
        return [m.text or "" for m in bot.group.bot_messages()]

    await bot.emulator.wait_until(
        lambda: (
            any(t.startswith("📩") and "топором" in t for t in texts())
            and any("шұғыл болды" in t for t in texts())
        )
    )
    alert = next(m for m in bot.group.bot_messages() if "шұғыл болды" in (m.text or ""))
    assert "«топором, ломится»" in (alert.text or "") or "топором" in (alert.text or "")
    case = await bot.services.cases.by_code(code)
    assert case is not None and case.urgent and case.urgent_reasons == ("danger_words",)
    assert case.next_escalation_at is not None


async def test_edits_stickers_and_unknown_content_get_clear_answers(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card_id = await _card(bot, code)
    sent = await user.send("Первый вариант")
    await bot.group.wait_for_bot_message(lambda m: "Первый вариант" in (m.text or ""))
    await user.edit(sent.message_id, "Исправленный вариант")
    edited = await user.wait_for_bot_message(lambda m: "Исправления" in (m.text or ""))
    assert edited.text == bot.tr("ru", "conversation.edit_not_passed")
    await user.send_sticker()
    sticker_answer = await user.wait_for_bot_message()
    assert sticker_answer.text == bot.tr("ru", "conversation.text_or_voice")
    await bot.staff.send_sticker_in(bot.group, reply_to=card_id)
    await bot.group.wait_for_bot_message(lambda m: "мәтін, дауыстық" in (m.text or ""))
    staff_reply = await bot.staff.send_in(bot.group, "Первый ответ", reply_to=card_id)
    await user.wait_for_bot_message(lambda m: "Первый ответ" in (m.text or ""))
    await bot.staff.edit(staff_reply.message_id, "Второй ответ", chat=bot.group)
    await bot.group.wait_for_bot_message(lambda m: "Түзету адамға жіберілмеді" in (m.text or ""))
    await settle(bot)
    assert not [m for m in bot.group.bot_messages() if "Исправленный" in (m.text or "")]
    assert not [m for m in user.bot_messages() if "Второй ответ" in (m.text or "")]


async def test_a_closed_case_is_answered_in_the_group(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card_id = await _card(bot, code)
    await bot.staff.send_in(bot.group, "/close", reply_to=card_id)
    await user.wait_for_bot_message(lambda m: "закрыто" in (m.text or ""))
    await bot.staff.send_in(bot.group, "Ещё одно", reply_to=card_id)
    await bot.group.wait_for_bot_message(lambda m: "хабарлама жіберілмеді" in (m.text or ""))
    bot.advance(timedelta(seconds=1))


async def test_a_long_caption_arrives_whole_in_both_directions(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card_id = await _card(bot, code)
    words = " ".join(f"слово{n}" for n in range(150))[:1018] + " КОНЕЦ"  # 1024, the most
    await user.send_photo(caption=words)
    await bot.group.wait_for_bot_message(lambda m: "КОНЕЦ" in (m.content or ""))
    await settle(bot)
    relayed = " ".join(m.content or "" for m in bot.group.bot_messages())
    assert "слово0 " in relayed and "КОНЕЦ" in relayed
    await bot.staff.send_photo_in(bot.group, caption=words, reply_to=card_id)
    await user.wait_for_bot_message(lambda m: "КОНЕЦ" in (m.content or ""))
    await settle(bot)
    told = [m for m in user.bot_messages() if m.kind == "photo"]
    assert told and "слово0 " in (told[-1].caption or "")


async def test_after_forget_me_due_work_posts_no_empty_relay(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    await _card(bot, code)
    case = await bot.services.cases.by_code(code)
    assert case is not None
    from storage.cases import CaseMessageStore

    # A message stored while a batch was on its way waits for the next batch; the user
    # erases their data before it goes (as /forget does, in one transaction).
    async with bot.services.write() as tx:
        await CaseMessageStore.of(tx).add(
            case_id=case.id,
            author="user",
            kind="photo",
            body="он забрал паспорт",
            file_id="photo-1",
            now=bot.services.clock.now(),
        )
        await bot.services.cases.erase_user_cases(tx.connection, user.id, tx.now)
    await settle(bot)
    sent = len(bot.emulator.requests)
    await bot.run_due_work()
    await settle(bot)
    # (A media upload's form fields are strings: the chat id is compared as text.)
    later = [
        r
        for r in bot.emulator.requests[sent:]
        if str(r.params.get("chat_id")) == str(STAFF_CHAT_ID)
    ]
    about_the_case = [r for r in later if code in str(r.params) or r.method != "sendMessage"]
    assert about_the_case == [], [(r.method, r.params) for r in about_the_case]


async def test_a_relay_telegram_refuses_for_good_is_reported_to_staff(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    await _card(bot, code)
    bot.emulator.fail_next(
        "sendVoice",
        count=1,
        status=400,
        description="Bad Request: wrong file identifier/HTTP URL specified",
    )
    await user.send_voice(duration=4)
    expected = plain(bot.tr("kk", "staff.relay_failed", code=code))
    await bot.group.wait_for_bot_message(lambda m: (m.text or "") == expected)


async def test_to_case_says_whether_the_message_was_stored_for_the_case(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    results: list[bool] = []
    original = conversation.to_case

    async def recording(update: Update, context: HelplineContext) -> bool:
        results.append(await original(update, context))
        return results[-1]

    monkeypatch.setattr(conversation, "to_case", recording)
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("Просто текст без обращения")
    await user.wait_for_bot_message()
    code = await request_case(bot, user, "ru")
    card_id = await _card(bot, code)
    await user.send("Это дошло")
    await user.wait_for_bot_message(lambda m: "Это дошло" not in (m.text or ""))
    await user.send_sticker()
    await user.wait_for_bot_message(lambda m: m.text == bot.tr("ru", "conversation.text_or_voice"))
    await bot.staff.send_in(bot.group, "/block", reply_to=card_id)
    await bot.group.wait_for_bot_message(lambda m: f"/unblock {code}" in (m.text or ""))
    await user.send("А это нет")
    await user.wait_for_bot_message(lambda m: "не передаются" in (m.text or ""))
    await bot.emulator.wait_until(lambda: len(results) == 4)
    assert results == [False, True, False, False]
