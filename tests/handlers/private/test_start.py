"""First contact end to end: /start, language, consent, menu, help, bad input."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import Harness


async def test_first_start_asks_language_then_consent_then_menu_in_russian(bot: Harness) -> None:
    user = bot.user("Aigul", language_code="ru")
    await user.send("/start")
    prompt = await user.wait_for_bot_message()
    assert "Выберите язык" in prompt.content
    assert [text for text, _ in prompt.buttons] == ["Қазақша", "Русский", "🚪 Быстрый выход"]

    await user.press("Русский")
    consent = await user.wait_for_bot_message(lambda m: bool(m.buttons))
    # One short, plain screen: no legal text before the question.
    assert consent.content.startswith("Здравствуйте!")
    assert "анонимно" in consent.content and "стереть" in consent.content
    assert [text for text, _ in consent.buttons] == [
        "Да, начать",
        "Нет",
        "Подробнее о данных",
        "🚪 Быстрый выход",
    ]
    assert len(user.bot_messages()) == 2  # the language prompt, then this one screen
    # Before consent, only the language is stored.
    rows = (
        sqlite3.connect(bot.settings.storage.path)
        .execute("SELECT language, consented_at FROM users")
        .fetchall()
    )
    assert rows == [("ru", None)]

    # The detail the law asks for is one tap away, in the same message.
    await user.press("Подробнее о данных")
    details = await user.wait_for_bot_message(
        lambda m: "Что мы храним" in m.content, include_edits=True
    )
    assert details.message_id == consent.message_id
    assert "Сайрамский центр" in details.content  # who keeps the data
    assert "90 дней" in details.content  # for how long, in words
    assert "Казахстан" in details.content
    assert "Подробнее о данных" not in [text for text, _ in details.buttons]

    await user.press("Да, начать")
    menu = await user.wait_for_bot_message(lambda m: "Спасибо" in m.content)
    labels = [text for text, _ in menu.buttons]
    assert "🆘 Опасность сейчас" in labels
    assert "💬 Попросить о помощи" in labels
    assert "🚪 Быстрый выход" in labels
    user_row = await bot.services.users.get(user.id)
    assert user_row is not None and user_row.has_consented


async def test_consent_details_in_kazakh_say_who_why_what_how_long(bot: Harness) -> None:
    user = bot.user(language_code="kk")
    await user.send("/start")
    await user.wait_for_bot_message()
    await user.press("Қазақша")
    consent = await user.wait_for_bot_message(lambda m: bool(m.buttons))
    assert "жасырын" in consent.content
    await user.press("Деректер туралы толығырақ")
    details = await user.wait_for_bot_message(
        lambda m: "Не сақтаймыз" in m.content, include_edits=True
    )
    assert "Сайрам орталығы" in details.content
    assert "90 күн" in details.content
    await user.press("Иә, бастау")
    await user.wait_for_bot_message(lambda m: "Рақмет" in m.content)


async def test_whole_first_contact_in_kazakh(bot: Harness) -> None:
    user = bot.user("Aizhan", language_code="kk")
    await bot.onboard(user, "kk")
    menu = user.last_bot_message()
    assert "Рақмет" in menu.content
    assert "🆘 Қазір қауіп бар" in [text for text, _ in menu.buttons]


async def test_second_start_shows_the_menu(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/start")
    menu = await user.wait_for_bot_message()
    assert menu.text == bot.tr("ru", "menu.title")


async def test_declining_consent_keeps_only_the_language(bot: Harness) -> None:
    user = bot.user()
    await user.send("/start")
    await user.wait_for_bot_message()
    await user.press("Қазақша")
    await user.wait_for_bot_message(lambda m: bool(m.buttons))
    await user.press("Жоқ")
    answer = await user.wait_for_bot_message(lambda m: "112" in m.content)
    assert "/start" in answer.content
    stored = await bot.services.users.get(user.id)
    assert stored is not None and not stored.has_consented and stored.language == "kk"


async def test_language_command_switches_language(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/language")
    await user.wait_for_bot_message(lambda m: "Тілді таңдаңыз" in m.content)
    await user.press("Қазақша")
    switched = await user.wait_for_bot_message(lambda m: "Тіл: қазақша" in m.content)
    assert "🆘 Қазір қауіп бар" in [text for text, _ in switched.buttons]
    stored = await bot.services.users.get(user.id)
    assert stored is not None and stored.language == "kk" and stored.has_consented


async def test_help_lists_commands_and_emergency_numbers(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/help")
    help_message = await user.wait_for_bot_message()
    for expected in ("/sos", "/request", "/book", "/forget", "/exit", "102", "103", "111", "112"):
        assert expected in help_message.content


async def test_unknown_command_sticker_and_photo_get_clear_answers(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/frobnicate")
    answer = await user.wait_for_bot_message()
    assert answer.text == bot.tr("ru", "fallback.unknown_command")
    await user.send_sticker()
    answer = await user.wait_for_bot_message()
    assert answer.text == bot.tr("ru", "fallback.unsupported")
    # One calm answer per window (a flood gets one): the next window answers again.
    bot.advance(bot.settings.timing.fallback_answer_every)
    await user.send_photo(caption="<b>")
    answer = await user.wait_for_bot_message()
    assert answer.text == bot.tr("ru", "fallback.unsupported")


async def test_forged_button_data_changes_nothing(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    before = await bot.services.users.get(user.id)
    menu = user.last_bot_message()
    for data in (
        "lang:en",
        "consent:maybe",
        "case:take:999999",
        "x" * 64,
        "'; DROP TABLE users;--",
    ):
        await user.press_data(data, message_id=menu.message_id)
        await bot.emulator.wait_until(lambda: len(bot.emulator.callback_answers) > 0)
    await bot.emulator.wait_until(
        lambda: (
            sum(
                a.text == bot.tr("ru", "fallback.stale_button")
                for a in bot.emulator.callback_answers
            )
            == 5
        )
    )
    assert await bot.services.users.get(user.id) == before


async def test_commands_are_registered_in_both_languages(bot: Harness) -> None:
    requests = bot.emulator.requests_for("setMyCommands")
    languages = {r.params.get("language_code") for r in requests}
    assert {"kk", "ru"} <= languages
    kk = next(r for r in requests if r.params.get("language_code") == "kk")
    names = [c["command"] for c in kk.params["commands"]]
    for name in (
        "start",
        "help",
        "language",
        "sos",
        "request",
        "book",
        "appointments",
        "forget",
        "exit",
    ):
        assert name in names


async def test_an_unexpected_failure_gets_an_honest_answer_not_silence(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = bot.user(language_code="kk")
    await user.send("/start")
    await user.wait_for_bot_message()

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(bot.services.users, "set_language", broken)
    await user.press("Қазақша")
    answer = await user.wait_for_bot_message()
    assert bot.tr("kk", "error.generic") in answer.content
    assert "112" in answer.content
    assert [data for _, data in answer.buttons] == ["menu:exit"]
