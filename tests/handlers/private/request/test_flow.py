"""The help request end to end: the flow, urgency, what the user and staff see."""

from __future__ import annotations

import sqlite3

from tests.conftest import Harness, HarnessFactory
from tests.handlers.case_helpers import (
    assert_no_user_identity,
    code_in,
    has_data,
    plain,
    request_case,
    settle,
)

# The staff group reads the default language of the test config.
STAFF = "kk"


def _case_rows(bot: Harness) -> list[tuple[str, str, int, str]]:
    with sqlite3.connect(bot.settings.storage.path) as db:
        return db.execute("SELECT code, category, urgent, urgent_reasons FROM cases").fetchall()


async def test_full_request_in_russian(bot: Harness) -> None:
    user = bot.user("Aigul", "ru")
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru", story="Муж пьёт <b>каждый</b> день & *кричит*")
    opened = user.last_bot_message()
    assert plain(bot.tr("ru", "request.opened", code=code)) == opened.text
    card = await bot.group.wait_for_bot_message(lambda m: code in (m.text or ""))
    assert bot.tr(STAFF, "category.crisis") in (card.text or "")
    # The story is escaped: markup characters arrive as typed, nothing is formatted.
    assert "Муж пьёт <b>каждый</b> день & *кричит*" in (card.text or "")
    assert "ШҰҒЫЛ" not in (card.text or "")
    assert card.buttons == [(bot.tr(STAFF, "card.take"), "case:take:1")]
    assert _case_rows(bot) == [(code, "crisis", 0, "")]
    await settle(bot)
    assert_no_user_identity(bot, user)
    # Not urgent: nobody is woken by a direct message.
    assert not [r for r in bot.emulator.requests_for("sendMessage") if r.params["chat_id"] == 901]


async def test_full_request_in_kazakh_with_call_back(bot: Harness) -> None:
    user = bot.user("Aizhan", "kk")
    await bot.onboard(user, "kk")
    code = await request_case(
        bot, user, "kk", category="addiction", story="Күйеуім ішеді 🙁", phone="+7 701 234 56 78"
    )
    opened = user.last_bot_message()
    assert "өтініш қабылданды" in (opened.text or "")
    card = await bot.group.wait_for_bot_message(lambda m: code in (m.text or ""))
    text = card.text or ""
    assert bot.tr(STAFF, "category.addiction") in text and "Күйеуім ішеді 🙁" in text
    # The number was given for a call back, so staff see it.
    assert "+7 701 234 56 78" in text


async def test_voice_story_is_posted_after_the_card(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/request")
    await user.wait_for_bot_message(has_data("req:cat:"))
    await user.press(bot.tr("ru", "category.other"))
    await user.wait_for_bot_message(has_data("req:back"))
    await user.send_sticker()
    gentle = await user.wait_for_bot_message()
    assert gentle.text == bot.tr("ru", "request.story_text_or_voice")
    await user.send_photo(caption="")
    await user.wait_for_bot_message(lambda m: m.text == gentle.text)
    voice = await user.send_voice(duration=12)
    await user.wait_for_bot_message(has_data("req:reply:"))
    await user.send("И ещё текстом.")
    await user.wait_for_bot_message(lambda m: "Добавлено" in (m.text or ""))
    await user.press(bot.tr("ru", "request.reply_chat"))
    summary = await user.wait_for_bot_message(has_data("req:send"))
    assert "1 голосовое сообщение" in (summary.text or "")
    await user.press(bot.tr("ru", "request.send"))
    code = code_in((await user.wait_for_bot_message(lambda m: "код" in (m.text or ""))).text or "")
    voice_copy = await bot.group.wait_for_bot_message(lambda m: m.kind == "voice")
    assert voice_copy.file_id == voice.file_id and code in (voice_copy.caption or "")
    assert voice_copy.forward_origin is None


async def test_nothing_is_stored_before_send_and_cancel_at_every_step(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/request")
    await user.wait_for_bot_message(has_data("req:cat:"))
    await user.press(bot.tr("ru", "category.violence"))
    await user.wait_for_bot_message(has_data("req:safe:"))
    await user.send("/cancel")
    cancelled = await user.wait_for_bot_message()
    assert cancelled.text == bot.tr("ru", "request.cancelled")
    # Up to the summary, then Cancel.
    await user.send("/request")
    await user.wait_for_bot_message(has_data("req:cat:"))
    await user.press(bot.tr("ru", "category.crisis"))
    await user.wait_for_bot_message(has_data("req:back"))
    await user.send("Тяжело")
    await user.wait_for_bot_message(has_data("req:reply:"))
    await user.press(bot.tr("ru", "request.reply_chat"))
    await user.wait_for_bot_message(has_data("req:send"))
    assert _case_rows(bot) == []
    await user.press(bot.tr("ru", "request.cancel"))
    await user.wait_for_bot_message(lambda m: m.text == bot.tr("ru", "request.cancelled"))
    assert _case_rows(bot) == []
    # (The bot's own look at its rights there, getChatMember at start, tells nothing.)
    to_group = [r for r in bot.emulator.requests if r.params.get("chat_id") == bot.group.id]
    assert not [r for r in to_group if not r.method.startswith("get")]
    await user.send("/cancel")
    nothing = await user.wait_for_bot_message()
    assert nothing.text == bot.tr("ru", "request.nothing_to_cancel")


async def test_back_goes_one_step_back(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/request")
    await user.wait_for_bot_message(has_data("req:cat:"))
    await user.press(bot.tr("ru", "category.violence"))
    await user.wait_for_bot_message(has_data("req:safe:"))
    await user.press(bot.tr("ru", "request.back"))
    await user.wait_for_bot_message(has_data("req:cat:"))
    await user.press(bot.tr("ru", "category.violence"))
    await user.wait_for_bot_message(has_data("req:safe:"))
    await user.press(bot.tr("ru", "request.safe_yes"))
    await user.wait_for_bot_message(has_data("req:screen:"))
    await user.press(bot.tr("ru", "request.screen_start"))
    await user.wait_for_bot_message(lambda m: "1 / 11" in (m.text or ""), include_edits=True)
    await user.press(bot.tr("ru", "request.no"))
    await user.wait_for_bot_message(lambda m: "2 / 11" in (m.text or ""), include_edits=True)
    await user.press(bot.tr("ru", "request.back"))
    await user.wait_for_bot_message(lambda m: "1 / 11" in (m.text or ""), include_edits=True)
    await user.press(bot.tr("ru", "request.back"))
    await user.wait_for_bot_message(has_data("req:screen:"), include_edits=True)
    await user.press(bot.tr("ru", "request.screen_skip"))
    await user.wait_for_bot_message(has_data("req:back"))
    await user.send("Текст")
    await user.wait_for_bot_message(has_data("req:reply:"))
    await user.press(bot.tr("ru", "request.reply_call"))
    await user.wait_for_bot_message(has_data("req:back"))
    await user.send("не номер")
    bad = await user.wait_for_bot_message()
    assert bad.text == bot.tr("ru", "request.bad_phone")
    await user.press(bot.tr("ru", "request.back"), message_id=bad.message_id)
    await user.wait_for_bot_message(has_data("req:reply:"))
    await user.press(bot.tr("ru", "request.back"))
    await user.wait_for_bot_message(has_data("req:back"))
    assert _case_rows(bot) == []


async def test_danger_words_make_a_request_urgent(bot: Harness) -> None:
    await bot.duty.send("/start")
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/request")
    await user.wait_for_bot_message(has_data("req:cat:"))
    await user.press(bot.tr("ru", "category.other"))
    await user.wait_for_bot_message(has_data("req:back"))
    await user.send("Он сказал, что убьёт меня, и взял нож")
    warning = await user.wait_for_bot_message()
    # The numbers come as soon as the danger is seen, and only then (not again at Send),
    # in one answer with the next question.
    for number in ("102", "103", "111", "112"):
        assert number in (warning.text or "")
    assert has_data("req:reply:")(warning)
    await user.press(bot.tr("ru", "request.reply_chat"))
    await user.wait_for_bot_message(has_data("req:send"))
    await user.press(bot.tr("ru", "request.send"))
    status = await user.wait_for_bot_message()
    assert "Дежурный психолог получил сигнал" in (status.text or "")
    assert "102" not in (status.text or "")
    code = code_in(status.text or "")
    card = await bot.group.wait_for_bot_message(lambda m: code in (m.text or ""))
    assert "ШҰҒЫЛ" in (card.text or "") and "убьёт" in (card.text or "")
    dm = await bot.duty.wait_for_bot_message(lambda m: code in (m.text or ""))
    assert "Шұғыл өтініш" in (dm.text or "")
    assert _case_rows(bot)[0][2:] == (1, "danger_words")


async def test_lethality_screen_scoring_high_makes_the_case_urgent(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/request")
    await user.wait_for_bot_message(has_data("req:cat:"))
    await user.press(bot.tr("ru", "category.violence"))
    await user.wait_for_bot_message(has_data("req:safe:"))
    await user.press(bot.tr("ru", "request.safe_yes"))
    await user.wait_for_bot_message(has_data("req:screen:"))
    await user.press(bot.tr("ru", "request.screen_start"))
    await user.wait_for_bot_message(lambda m: "1 / 11" in (m.text or ""), include_edits=True)
    await user.press(bot.tr("ru", "request.no"))
    await user.wait_for_bot_message(lambda m: "2 / 11" in (m.text or ""), include_edits=True)
    await user.press(bot.tr("ru", "request.skip_question"))
    await user.wait_for_bot_message(lambda m: "3 / 11" in (m.text or ""), include_edits=True)
    await user.press(bot.tr("ru", "request.yes"))
    await user.wait_for_bot_message(lambda m: "4 / 11" in (m.text or ""), include_edits=True)
    await user.press(bot.tr("ru", "request.stop_screen"))
    high = await user.wait_for_bot_message()
    assert "опасность высокая" in (high.text or "") and "112" in (high.text or "")
    await user.wait_for_bot_message(has_data("req:back"))
    await user.send("Боюсь идти домой")
    await user.wait_for_bot_message(has_data("req:reply:"))
    await user.press(bot.tr("ru", "request.reply_chat"))
    summary = await user.wait_for_bot_message(has_data("req:send"))
    assert "2 ответа" in (summary.text or "")
    await user.press(bot.tr("ru", "request.send"))
    # The numbers came with the high score; the status follows Send directly.
    status = await user.wait_for_bot_message()
    code = code_in(status.text or "")
    card = await bot.group.wait_for_bot_message(lambda m: code in (m.text or ""))
    text = card.text or ""
    assert plain(bot.tr(STAFF, "card.reason.lethality_screen")) in text
    assert bot.tr(STAFF, "card.screen.might_kill") in text and "жоқ — 1" in text
    assert _case_rows(bot)[0][2:] == (1, "lethality_screen")


async def test_not_safe_to_talk_gives_numbers_and_a_short_way(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/request")
    await user.wait_for_bot_message(has_data("req:cat:"))
    await user.press(bot.tr("ru", "category.violence"))
    await user.wait_for_bot_message(has_data("req:safe:"))
    await user.press(bot.tr("ru", "request.safe_no"))
    unsafe = await user.wait_for_bot_message()
    assert "112" in (unsafe.text or "")
    assert ("🆘 Опасность сейчас", "menu:sos") in unsafe.buttons
    await user.press(bot.tr("ru", "request.continue_briefly"))
    await user.wait_for_bot_message(has_data("req:back"))
    await user.send("Коротко: он опять пришёл пьяный")
    await user.wait_for_bot_message(has_data("req:reply:"))


async def test_an_open_case_is_not_opened_twice_and_the_day_has_a_limit(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot({"limits": {"cases_per_day": 1}})
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    await user.send("/request")
    again = await user.wait_for_bot_message()
    assert code in (again.text or "") and "уже есть открытое" in (again.text or "")
    case = await bot.services.cases.by_code(code)
    assert case is not None
    await bot.services.cases.staff_actions.close(case, staff_id=900)
    await user.wait_for_bot_message(lambda m: "закрыто" in (m.text or ""))
    # Closing asks for feedback (bot/feedback.py), after the closing words.
    await user.wait_for_bot_message(lambda m: m.text == bot.tr("ru", "feedback.question"))
    await user.send("/request")
    limit = await user.wait_for_bot_message()
    assert "завтра" in (limit.text or "")
    await user.send("/sos")
    await user.wait_for_bot_message(lambda m: "112" in (m.text or ""))
    await user.wait_for_bot_message(lambda m: "много обращений" in (m.text or ""))
    assert len(_case_rows(bot)) == 1


async def test_a_long_story_is_split_over_several_card_messages(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    story = "Очень длинный рассказ <&> 😢 " * 200
    while len(story.encode("utf-16-le")) // 2 > 4096:  # Telegram's own limit, emoji count 2
        story = story[:-1]
    code = await request_case(bot, user, "ru", story=story)
    await settle(bot)
    parts = [m for m in bot.group.bot_messages() if code in (m.text or "")]
    assert len(parts) >= 2
    joined = "".join((m.text or "") for m in parts)
    # Every piece of the story arrived (spaces at the cuts may differ).
    assert joined.replace(" ", "").count("<&>") == story.count("<&>")


async def test_text_during_a_button_step_gets_a_clear_answer(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/request")
    await user.wait_for_bot_message(has_data("req:cat:"))
    await user.send("что нажимать?")
    answer = await user.wait_for_bot_message()
    assert answer.text == plain(bot.tr("ru", "request.use_buttons"))
    await user.press(bot.tr("ru", "category.crisis"))
    await user.wait_for_bot_message(has_data("req:back"))
