"""The lists of tables: centres' staff keys, [[duty]] centres, [[referrals]], [[quick_replies]]."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import REFERRAL_KINDS
from tests.bot.config.toml import MINIMAL, SERVICE, problems_of, settings_of

REFERRAL = """
[[referrals]]
kind = "legal_aid"
name = { kk = "Заң көмегі", ru = "Юридическая помощь" }
phone = "+7 725 111 11 11"
"""

QUICK_REPLY = """
[[quick_replies]]
id = "hello"
text = { kk = "Сәлеметсіз бе", ru = "Здравствуйте" }
"""


def test_referrals_and_quick_replies_are_read(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + REFERRAL
        + 'address = { kk = "Ақсу", ru = "Аксу" }\nhours = { kk = "9-18", ru = "9-18" }\n'
        + 'centers = ["sairam"]\n'
        + QUICK_REPLY
    )
    settings = settings_of(tmp_path, text)
    (referral,) = settings.referrals
    assert referral.kind == "legal_aid"
    assert referral.name.get("ru") == "Юридическая помощь"
    assert referral.address is not None and referral.address.get("kk") == "Ақсу"
    assert referral.centers == ("sairam",)
    reply = settings.quick_reply("hello")
    assert reply is not None and reply.text.get("ru") == "Здравствуйте"
    assert settings.quick_reply("bye") is None


def test_optional_referral_keys(tmp_path: Path) -> None:
    (referral,) = settings_of(tmp_path, MINIMAL + REFERRAL).referrals
    assert referral.address is None
    assert referral.hours is None
    assert referral.centers == ()  # shown for every centre


def test_every_referral_kind_is_accepted(tmp_path: Path) -> None:
    text = MINIMAL + "".join(
        REFERRAL.replace('"legal_aid"', f'"{kind}"') for kind in REFERRAL_KINDS
    )
    assert [r.kind for r in settings_of(tmp_path, text).referrals] == list(REFERRAL_KINDS)


@pytest.mark.parametrize(
    ("addition", "key", "fragment"),
    [
        (REFERRAL.replace('"legal_aid"', '"church"'), "referrals[0].kind", "one of police, "),
        (REFERRAL.replace('phone = "+7 725 111 11 11"\n', ""), "referrals[0].phone", "missing"),
        (REFERRAL.replace("kind", "type"), "referrals[0].type", "unknown key"),
        (REFERRAL + 'address = "Ақсу"\n', "referrals[0].address", "both languages"),
        (REFERRAL + 'hours = { ru = "9-18" }\n', "referrals[0].hours.kk", "kk and ru"),
        (REFERRAL + 'centers = "sairam"\n', "referrals[0].centers", "list of centre ids"),
        ("referrals = 5\n", "referrals", "list of tables ([[referrals]])"),
        (QUICK_REPLY.replace('"hello"', '"Hello!"'), "quick_replies[0].id", "lower-case"),
        (QUICK_REPLY.replace("text", "texts"), "quick_replies[0].text", "missing"),
        (QUICK_REPLY + QUICK_REPLY, "quick_replies[1].id", "used by another quick reply"),
        (
            QUICK_REPLY.replace('ru = "Здравствуйте"', 'ru = ""'),
            "quick_replies[0].text.ru",
            "missing or empty",
        ),
        (
            '[[duty]]\nuser_id = 1\ndays = ["mon"]\nhours = "09:00-18:00"\ncenter = 5\n',
            "duty[0].center",
            "a centre id",
        ),
        (
            '[[duty]]\nuser_id = 1\ndays = ["mon"]\nhours = "09:00-18:00"\ncenter = ""\n',
            "duty[0].center",
            'expected a centre id such as "sairam", got ""',
        ),
        (
            SERVICE.format(id="doctor", center=""),
            "services[1].center",
            'expected a centre id such as "sairam", got ""',
        ),
    ],
)
def test_list_problems(tmp_path: Path, addition: str, key: str, fragment: str) -> None:
    # A top-level array must come before the first table in TOML.
    text = addition + MINIMAL if addition.startswith("referrals =") else MINIMAL + addition
    problems = problems_of(tmp_path, text)
    assert key in problems, problems
    assert fragment in problems[key]


@pytest.mark.parametrize(
    ("lines", "key", "fragment"),
    [
        ("staff_chat_id = 100", "centers[0].staff_chat_id", "negative"),
        ('admin_ids = ["a"]', "centers[0].admin_ids", "Telegram user ids"),
        ("backup_ids = 5", "centers[0].backup_ids", "Telegram user ids"),
    ],
)
def test_centre_staff_key_problems(tmp_path: Path, lines: str, key: str, fragment: str) -> None:
    text = MINIMAL.replace('phone = "+7 700 000 00 00"', f'phone = "+7 700 000 00 00"\n{lines}')
    problems = problems_of(tmp_path, text)
    assert key in problems, problems
    assert fragment in problems[key]
