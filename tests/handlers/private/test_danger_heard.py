"""Danger heard in every state: any private text is read for danger, whatever is open.

A table runs danger phrases in Russian and Kazakh through every state a person can be in:
the numbers and one "send to a psychologist" button come at once, and the flow goes on
where it was (its next button still works). Nothing is stored before the tap.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from telegram import CallbackQuery, Chat, Message, Update, User

from handlers.common import MENU_SOS
from handlers.private.danger_heard import SEND_DANGER_PREFIX, is_urgent_update
from handlers.private.request.states import SOS_CONSENT
from sandbox import SimMessage, SimUser
from tests.conftest import Harness
from tests.handlers.booking_steps import book, has_data, slot
from tests.handlers.case_helpers import code_in

PHRASES = [
    pytest.param("ru", "Муж бьёт меня, помогите, я боюсь", id="ru-beating"),
    pytest.param("ru", "не хочу жить", id="ru-suicide"),
    pytest.param("kk", "Күйеуім мені ұрып жатыр, қорқамын", id="kk-beating"),
    pytest.param("kk", "өмір сүргім келмейді", id="kk-suicide"),
]

# A state: puts the person there; returns a check that the flow goes on from it.
Continue = Callable[[], Awaitable[None]]
Setup = Callable[[Harness, SimUser, str], Awaitable[Continue]]


def _danger_offer(message: SimMessage) -> bool:
    return any((data or "").startswith("danger:send:") for _, data in message.buttons)


async def _before_start(bot: Harness, user: SimUser, language: str) -> Continue:
    async def goes_on() -> None:
        await user.send("/start")
        await user.wait_for_bot_message(has_data("lang:"))

    return goes_on


async def _consent_screen(bot: Harness, user: SimUser, language: str) -> Continue:
    await user.send("/start")
    await user.wait_for_bot_message(has_data("lang:"))
    await user.press(bot.tr(language, f"language.{language}"))
    await user.wait_for_bot_message(has_data("consent:"))

    async def goes_on() -> None:
        await user.press(bot.tr(language, "consent.accept"))
        await user.wait_for_bot_message(
            lambda m: bot.tr(language, "consent.accepted") in (m.text or "")
        )

    return goes_on


async def _no_flow(bot: Harness, user: SimUser, language: str) -> Continue:
    await bot.onboard(user, language)

    async def goes_on() -> None:
        await user.send("/request")
        await user.wait_for_bot_message(has_data("req:cat:"))

    return goes_on


async def _request_button_step(bot: Harness, user: SimUser, language: str) -> Continue:
    await bot.onboard(user, language)
    await user.send("/request")
    await user.wait_for_bot_message(has_data("req:cat:"))

    async def goes_on() -> None:
        await user.press(bot.tr(language, "category.violence"))
        await user.wait_for_bot_message(has_data("req:safe:"))

    return goes_on


async def _booking_button_step(bot: Harness, user: SimUser, language: str) -> Continue:
    await bot.onboard(user, language)
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))

    async def goes_on() -> None:
        service = bot.settings.service("psychologist")
        assert service is not None
        await user.press(service.name.get(language))  # type: ignore[arg-type]
        await user.wait_for_bot_message(has_data("bk:day:"))

    return goes_on


async def _moving_an_appointment(bot: Harness, user: SimUser, language: str) -> Continue:
    await bot.onboard(user, language)
    await book(bot, user, start=slot(date(2026, 12, 3), 9), language=language)
    await user.send("/appointments")
    entry = await user.wait_for_bot_message(has_data("ap:move:"))
    move = next(data for _, data in entry.buttons if (data or "").startswith("ap:move:"))
    await user.press_data(move or "", entry.message_id)
    days = await user.wait_for_bot_message(has_data("rs:day:"))

    async def goes_on() -> None:
        day = next(data for _, data in days.buttons if (data or "").startswith("rs:day:"))
        await user.press_data(day or "", days.message_id)
        await user.wait_for_bot_message(has_data("rs:time:"))

    return goes_on


STATES = [
    pytest.param(_before_start, id="before-start"),
    pytest.param(_consent_screen, id="consent-screen"),
    pytest.param(_no_flow, id="no-flow"),
    pytest.param(_request_button_step, id="request-button-step"),
    pytest.param(_booking_button_step, id="booking-button-step"),
    pytest.param(_moving_an_appointment, id="moving-an-appointment"),
]


def _stored(bot: Harness) -> tuple[int, int]:
    with sqlite3.connect(bot.settings.storage.path) as db:
        cases = db.execute("SELECT COUNT(*) FROM cases").fetchone()[0]
        messages = db.execute("SELECT COUNT(*) FROM case_messages").fetchone()[0]
    return int(cases), int(messages)


@pytest.mark.parametrize("setup", STATES)
@pytest.mark.parametrize(("language", "phrase"), PHRASES)
async def test_danger_words_are_heard_in_every_state_and_the_flow_goes_on(
    bot: Harness, setup: Setup, language: str, phrase: str
) -> None:
    user = bot.user("Aigul", language)
    goes_on = await setup(bot, user, language)
    await user.send(phrase)
    offer = await user.wait_for_bot_message(_danger_offer)
    assert "112" in (offer.text or "")
    assert [data for _, data in offer.buttons][-1] == "menu:exit"
    await bot.handled()
    # Heard, not stored: the text waits in memory for the tap.
    assert _stored(bot) == (0, 0)
    await goes_on()


@pytest.mark.parametrize("setup", STATES)
async def test_the_tap_sends_the_text_as_an_urgent_case(bot: Harness, setup: Setup) -> None:
    await bot.duty.send("/start")
    user = bot.user("Aigul", "ru")
    await setup(bot, user, "ru")
    await user.send("Муж бьёт меня, помогите, я боюсь")
    offer = await user.wait_for_bot_message(_danger_offer)
    await user.press(bot.tr("ru", "danger.send_now"))
    status = await user.wait_for_bot_message(lambda m: "Дежурный психолог" in (m.text or ""))
    code = code_in(status.text or "")
    card = await bot.group.wait_for_bot_message(
        lambda m: code in (m.text or "") and "ШҰҒЫЛ" in (m.text or "")
    )
    assert "бьёт" in (card.text or "")
    await bot.duty.wait_for_bot_message(lambda m: code in (m.text or ""))
    stored = await bot.services.users.get(user.id)
    assert stored is not None and stored.has_consented
    assert user.message(offer.message_id).buttons == []


async def test_no_second_numbers_at_the_story_step(bot: Harness) -> None:
    """The request flow's story step alerts by itself: one answer, not two."""
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/request")
    await user.wait_for_bot_message(has_data("req:cat:"))
    await user.press(bot.tr("ru", "category.other"))
    await user.wait_for_bot_message(lambda m: not m.buttons or has_data("req:")(m))
    await user.send("не хочу жить")
    await user.wait_for_bot_message(has_data("req:reply:"))
    await bot.handled()
    assert not any(_danger_offer(m) for m in user.bot_messages())


async def test_no_second_numbers_in_an_open_case(bot: Harness) -> None:
    """An open case's conversation turns urgent by itself: the relay answers, not us."""
    await bot.duty.send("/start")
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/sos")
    await user.wait_for_bot_message(lambda m: "Дежурный психолог" in (m.text or ""))
    await user.send("не хочу жить")
    await bot.handled()
    assert not any(_danger_offer(m) for m in user.bot_messages())


async def test_ordinary_text_gets_no_offer(bot: Harness) -> None:
    user = bot.user()
    await user.send("Здравствуйте, хочу записаться")
    await user.wait_for_bot_message()
    await bot.handled()
    assert not any(_danger_offer(m) for m in user.bot_messages())


def _update(text: str | None = None, data: str | None = None) -> Update:
    chat = Chat(5, "private")
    user = User(5, "x", is_bot=False)
    message = Message(1, date=None, chat=chat, from_user=user, text=text)  # type: ignore[arg-type]
    if data is None:
        return Update(1, message=message)
    return Update(1, callback_query=CallbackQuery("q", user, "c", message=message, data=data))


@pytest.mark.parametrize(
    ("text", "data", "urgent"),
    [
        ("/sos", None, True),
        ("/sos@helpline_test_bot", None, True),
        ("/sos please", None, True),
        ("sos", None, False),
        ("/start", None, False),
        (None, None, False),
        (None, MENU_SOS, True),
        (None, SOS_CONSENT, True),
        (None, SEND_DANGER_PREFIX + "abc", True),
        (None, "menu:book", False),
    ],
)
def test_which_updates_are_urgent(text: str | None, data: str | None, urgent: bool) -> None:
    assert is_urgent_update(_update(text, data)) is urgent
