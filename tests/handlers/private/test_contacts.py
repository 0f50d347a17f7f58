"""/contacts and the menu's "Where else to get help", end to end: the referrals grouped by
kind in her language, the emergency numbers when there are none."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import DUTY_ID, Harness, HarnessFactory
from tests.handlers.case_helpers import plain

REFERRALS: dict[str, Any] = {
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
}


@pytest.fixture
async def contacts_bot(start_bot: HarnessFactory) -> Harness:
    return await start_bot(REFERRALS)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ru",
            [
                "Бесплатная юридическая помощь",
                "Бесплатная юридическая консультация",
                "Среда 10:00–13:00",
                "Полиция",
                "Участковый инспектор",
                "село Аксу",
            ],
        ),
        (
            "kk",
            [
                "Тегін заң көмегі",
                "Тегін заң кеңесі",
                "Сәрсенбі 10:00–13:00",
                "Учаскелік инспектор",
                "Ақсу ауылы",
            ],
        ),
    ],
)
async def test_contacts_list_the_referrals_by_kind_in_her_language(
    contacts_bot: Harness, language: str, expected: list[str]
) -> None:
    bot = contacts_bot
    user = bot.user(language_code=language)
    await bot.onboard(user, language)
    await user.send("/contacts")
    listed = await user.wait_for_bot_message(lambda m: "+7 725 000 00 03" in (m.text or ""))
    text = listed.text or ""
    for piece in expected:
        assert piece in text, piece
    # Grouped by kind, in the kinds' order: police before legal aid, whatever the config says.
    assert text.index("+7 725 000 00 01") < text.index("+7 725 000 00 03")
    # And from the menu.
    await user.press(bot.tr(language, "menu.contacts"), message_id=listed.message_id)
    again = await user.wait_for_bot_message(lambda m: "+7 725 000 00 03" in (m.text or ""))
    assert again.text == listed.text


async def test_contacts_without_referrals_give_the_emergency_numbers(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/contacts")
    said = await user.wait_for_bot_message(lambda m: "112" in (m.text or ""))
    assert said.text == plain(bot.tr("ru", "referral.none"))


async def test_with_several_centres_she_sees_every_centres_referrals(
    start_bot: HarnessFactory,
) -> None:
    # The bot keeps no centre per person: a referral of another centre is not hidden.
    saryagash = {
        "id": "saryagash",
        "name": {"kk": "Сарыағаш орталығы", "ru": "Сарыагашский центр"},
        "address": {"kk": "Сарыағаш", "ru": "Сарыагаш"},
        "phone": "+7 725 000 00 09",
        # Each centre has a staff group of its own (check-config insists).
        "staff_chat_id": -1001000000002,
    }
    police = {**REFERRALS["referrals"][1], "centers": ["saryagash"]}
    bot = await start_bot(
        {
            "centers": [
                {
                    "id": "sairam",
                    "name": {"kk": "Сайрам орталығы", "ru": "Сайрамский центр"},
                    "address": {"kk": "Ақсу ауылы", "ru": "село Аксу"},
                    "phone": "+7 725 000 00 00",
                },
                saryagash,
            ],
            # With several centres each duty entry names its centre.
            "duty": [
                {
                    "user_id": DUTY_ID,
                    "days": ["mon", "tue", "wed", "thu", "fri"],
                    "hours": "09:00-18:00",
                    "center": "sairam",
                }
            ],
            "referrals": [police],
        }
    )
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/contacts")
    listed = await user.wait_for_bot_message(lambda m: "+7 725 000 00 01" in (m.text or ""))
    assert "Участковый инспектор" in (listed.text or "")
