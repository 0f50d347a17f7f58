"""One answer to one message (issue 17): a danger text, in whatever state she writes it,
gets exactly one message back: the numbers once, with the one-tap button where nothing
else alerts, and nothing after it (no "press «Ask for help»", no menu, no second 112).

End to end over the emulator, in Kazakh and Russian, for every state a person can be in:
before /start and before consent, no flow, each step of the request and of the booking,
and an open case.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import pytest

from sandbox import SimMessage, SimUser
from tests.conftest import STAFF_ID, Harness
from tests.handlers.booking_steps import has_data, press_button_with_data, slot
from tests.handlers.case_helpers import plain, request_case, settle

DANGER = {
    "ru": "Муж бьёт меня, помогите, я боюсь",
    "kk": "Күйеуім мені ұрып жатыр, қорқамын",
}
THURSDAY = date(2026, 12, 3)

Setup = Callable[[Harness, SimUser, str], Awaitable[None]]


async def _before_start(bot: Harness, user: SimUser, language: str) -> None:
    return None


async def _before_consent(bot: Harness, user: SimUser, language: str) -> None:
    await user.send("/start")
    await user.wait_for_bot_message(has_data("lang:"))
    await user.press(bot.tr(language, f"language.{language}"))
    await user.wait_for_bot_message(has_data("consent:"))


async def _no_flow(bot: Harness, user: SimUser, language: str) -> None:
    await bot.onboard(user, language)


async def _request_category(bot: Harness, user: SimUser, language: str) -> None:
    await bot.onboard(user, language)
    await user.send("/request")
    await user.wait_for_bot_message(has_data("req:cat:"))


async def _request_safe_to_talk(bot: Harness, user: SimUser, language: str) -> None:
    await _request_category(bot, user, language)
    await user.press(bot.tr(language, "category.violence"))
    await user.wait_for_bot_message(has_data("req:safe:"))


async def _request_screen_offer(bot: Harness, user: SimUser, language: str) -> None:
    await _request_safe_to_talk(bot, user, language)
    await user.press(bot.tr(language, "request.safe_yes"))
    await user.wait_for_bot_message(has_data("req:screen:"))


async def _request_screen_question(bot: Harness, user: SimUser, language: str) -> None:
    await _request_screen_offer(bot, user, language)
    await user.press(bot.tr(language, "request.screen_start"))
    # The question replaces the offer in place (an edit, not a new message).
    await bot.handled()
    assert any(has_data("req:ans:")(m) for m in user.bot_messages())


async def _request_story(bot: Harness, user: SimUser, language: str) -> None:
    await _request_category(bot, user, language)
    await user.press(bot.tr(language, "category.crisis"))
    await user.wait_for_bot_message(
        lambda m: plain(bot.tr(language, "request.ask_story"))[:25] in m.content
    )


async def _request_reply_choice(bot: Harness, user: SimUser, language: str) -> None:
    await _request_story(bot, user, language)
    await user.send("Мне очень тяжело, не сплю неделю.")
    await user.wait_for_bot_message(has_data("req:reply:"))


async def _request_phone(bot: Harness, user: SimUser, language: str) -> None:
    await _request_reply_choice(bot, user, language)
    await user.press(bot.tr(language, "request.reply_call"))
    await user.wait_for_bot_message(has_data("req:back"))


async def _request_confirmation(bot: Harness, user: SimUser, language: str) -> None:
    await _request_reply_choice(bot, user, language)
    await user.press(bot.tr(language, "request.reply_chat"))
    await user.wait_for_bot_message(has_data("req:send"))


async def _booking_service(bot: Harness, user: SimUser, language: str) -> None:
    await bot.onboard(user, language)
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))


async def _booking_day(bot: Harness, user: SimUser, language: str) -> SimMessage:
    await _booking_service(bot, user, language)
    service = bot.settings.service("psychologist")
    assert service is not None
    await user.press(service.name.get(language))  # type: ignore[arg-type]
    return await user.wait_for_bot_message(has_data("bk:day:"))


async def _booking_time(bot: Harness, user: SimUser, language: str) -> SimMessage:
    days = await _booking_day(bot, user, language)
    await press_button_with_data(user, days, f"bk:day:psychologist:{THURSDAY.isoformat()}")
    return await user.wait_for_bot_message(has_data("bk:time:"))


async def _booking_note(bot: Harness, user: SimUser, language: str) -> None:
    times = await _booking_time(bot, user, language)
    start = slot(THURSDAY, 10, 30)
    await press_button_with_data(user, times, f"bk:time:psychologist:{int(start.timestamp())}")
    await user.wait_for_bot_message(has_data("bk:skipnote"))


async def _booking_naming(bot: Harness, user: SimUser, language: str) -> None:
    await _booking_note(bot, user, language)
    await user.press(bot.tr(language, "booking.button.skip_note"))
    await user.wait_for_bot_message(has_data("bk:naming:"))


async def _open_case(bot: Harness, user: SimUser, language: str) -> None:
    await bot.onboard(user, language)
    await request_case(bot, user, language)
    await settle(bot)


async def _open_case_in_a_booking(bot: Harness, user: SimUser, language: str) -> None:
    await _open_case(bot, user, language)
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))


STATES = [
    pytest.param(_before_start, id="before-start"),
    pytest.param(_before_consent, id="before-consent"),
    pytest.param(_no_flow, id="no-flow"),
    pytest.param(_request_category, id="request-category"),
    pytest.param(_request_safe_to_talk, id="request-safe-to-talk"),
    pytest.param(_request_screen_offer, id="request-screen-offer"),
    pytest.param(_request_screen_question, id="request-screen-question"),
    pytest.param(_request_story, id="request-story"),
    pytest.param(_request_reply_choice, id="request-reply-choice"),
    pytest.param(_request_phone, id="request-phone"),
    pytest.param(_request_confirmation, id="request-confirmation"),
    pytest.param(_booking_service, id="booking-service"),
    pytest.param(_booking_day, id="booking-day"),
    pytest.param(_booking_time, id="booking-time"),
    pytest.param(_booking_note, id="booking-note"),
    pytest.param(_booking_naming, id="booking-naming"),
    pytest.param(_open_case, id="open-case"),
    pytest.param(_open_case_in_a_booking, id="open-case-in-a-booking"),
]


@pytest.mark.parametrize("setup", STATES)
@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_a_danger_text_gets_exactly_one_answer(
    bot: Harness, setup: Setup, language: str
) -> None:
    await bot.duty.send("/start")
    user = bot.user("Aigul", language)
    await setup(bot, user, language)
    await bot.handled()
    before = {m.message_id for m in user.bot_messages(include_deleted=True)}

    await user.send(DANGER[language])
    await bot.handled()
    await settle(bot)

    answers = [m for m in user.bot_messages(include_deleted=True) if m.message_id not in before]
    assert len(answers) == 1, [m.text for m in answers]
    (answer,) = answers
    # The numbers once, and no menu under them.
    assert answer.content.count(plain(bot.tr(language, "emergency.title"))) == 1
    assert answer.content.count("112") == 1
    assert not has_data("menu:request")(answer)
    fallback = plain(bot.tr(language, "fallback.text_outside_flow"))
    assert fallback not in answer.content


NIGHT = timedelta(hours=12)  # 22:00 in Almaty: nobody on the rota is on duty


async def _sos_typed(bot: Harness, user: SimUser, language: str) -> None:
    await bot.onboard(user, language)
    await user.send("/sos")


async def _sos_from_the_menu(bot: Harness, user: SimUser, language: str) -> None:
    await bot.onboard(user, language)
    await user.press(bot.tr(language, "menu.sos"))


async def _sos_before_consent(bot: Harness, user: SimUser, language: str) -> None:
    await user.send("/sos")
    await user.wait_for_bot_message(has_data("sos:consent"))
    await user.press(bot.tr(language, "sos.consent_and_alert"))


async def _danger_text_then_sos(bot: Harness, user: SimUser, language: str) -> None:
    await bot.onboard(user, language)
    await user.send(DANGER[language])
    await user.wait_for_bot_message(has_data("danger:send:"))
    await user.send("/sos")


async def _danger_text_sos_and_the_tap(bot: Harness, user: SimUser, language: str) -> None:
    """The offer under her words is still on screen after the /sos: she taps it too."""
    await _danger_text_then_sos(bot, user, language)
    await bot.handled()
    await user.press(bot.tr(language, "danger.send_now"))
    await bot.handled()
    # Her words went into the case: that is what she hears, not the status again.
    passed_on = plain(bot.tr(language, "conversation.passed_on", code="X"))[:10]
    assert any(passed_on in m.content for m in user.bot_messages())


@pytest.mark.parametrize(
    "raise_alarm",
    [
        pytest.param(_sos_typed, id="typed"),
        pytest.param(_sos_from_the_menu, id="menu"),
        pytest.param(_sos_before_consent, id="before-consent"),
        pytest.param(_danger_text_then_sos, id="after-a-danger-text"),
        pytest.param(_danger_text_sos_and_the_tap, id="and-the-tap-under-the-danger-text"),
    ],
)
@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_nobody_on_duty_is_said_once_after_a_sos(
    bot: Harness, raise_alarm: Setup, language: str
) -> None:
    """Issue 18: "nobody is on duty now" reaches her once."""
    bot.advance(NIGHT)
    user = bot.user("Aigul", language)
    await raise_alarm(bot, user, language)
    # Its first sentence: "Сейчас в центре никто не дежурит" (the code comes after it).
    nobody = plain(bot.tr(language, "request.nobody_on_duty", code="XXX-XXX")).split(".")[0]
    await bot.handled()
    await settle(bot)
    said = [m for m in user.bot_messages(include_deleted=True) if nobody in m.content]
    assert len(said) == 1


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_at_night_a_taken_case_is_not_told_nobody_is_there(
    bot: Harness, language: str
) -> None:
    """Issue 17: danger words in the conversation of a case someone took, at night when the
    rota has nobody: whoever took it hears it, and she is not told that nobody is there."""
    user = bot.user("Aigul", language)
    await bot.onboard(user, language)
    code = await request_case(bot, user, language)
    case = await bot.services.cases.by_code(code)
    assert case is not None
    await bot.services.cases.staff_actions.take(case, STAFF_ID, "Saule")
    await settle(bot)
    bot.advance(NIGHT)
    before = {m.message_id for m in user.bot_messages(include_deleted=True)}

    await user.send(DANGER[language])
    await bot.handled()
    await settle(bot)

    answers = [m for m in user.bot_messages(include_deleted=True) if m.message_id not in before]
    assert len(answers) == 1
    taken = plain(bot.tr(language, "request.alerted_taken", code=code))
    assert taken in answers[0].content
    nobody = plain(bot.tr(language, "request.nobody_on_duty", code=code)).split(".")[0]
    assert nobody not in answers[0].content


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_the_quick_exit_still_deletes_a_danger_text_answered_this_way(
    bot: Harness, language: str
) -> None:
    """The one answer stops the update before the quick exit's note of message ids: the
    danger text's id is noted all the same, so the quick exit leaves nothing of it."""
    user = bot.user("Aigul", language)
    await bot.onboard(user, language)
    await user.send(DANGER[language])
    await user.wait_for_bot_message(has_data("danger:send:"))
    await user.send("/exit")
    neutral = await user.wait_for_bot_message(
        lambda m: m.text == bot.tr(language, "safety.neutral")
    )
    assert [m.message_id for m in user.messages()] == [neutral.message_id]
