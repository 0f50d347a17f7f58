"""What only the whole config tells: centres, their staff groups and what names them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import config_warnings
from tests.bot.config.toml import (
    CENTER,
    KEY_ENV,
    MINIMAL,
    SERVICE,
    TWO_CENTERS,
    problems_of,
    settings_of,
    write,
)

DUTY = '\n[[duty]]\nuser_id = 7\ndays = ["mon"]\nhours = "09:00-18:00"\n'
SHARED = "each centre needs a group of its own, or cases would mix"


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        (
            TWO_CENTERS + DUTY,
            "duty[0].center",
            "missing; with several centres every duty entry names its centre "
            "(one of sairam, saryagash)",
        ),
        (
            TWO_CENTERS + DUTY + 'center = "turkistan"\n',
            "duty[0].center",
            'no centre with id "turkistan" (known: sairam, saryagash)',
        ),
        (
            TWO_CENTERS + SERVICE.format(id="nurse", center="turkistan"),
            "services[2].center",
            'no centre with id "turkistan" (known: sairam, saryagash)',
        ),
        (
            TWO_CENTERS
            + '[[referrals]]\nkind = "police"\nname = { kk = "П", ru = "П" }\nphone = "102"\n'
            + 'centers = ["sairam", "turkistan"]\n',
            "referrals[0].centers",
            'no centre with id "turkistan" (known: sairam, saryagash)',
        ),
        (
            TWO_CENTERS.replace("staff_chat_id = -1002", "staff_chat_id = -1001"),
            "centers[1].staff_chat_id",
            f'centre "saryagash" shares its staff group -1001 with centre "sairam"; {SHARED}',
        ),
        (
            "[telegram]\nstaff_chat_id = -100123\n"
            + CENTER.format(id="sairam")
            + CENTER.format(id="saryagash")
            + SERVICE.format(id="psychologist", center="sairam"),
            "centers[1].staff_chat_id",
            'centre "saryagash" shares its staff group -100123 (through '
            f'telegram.staff_chat_id) with centre "sairam"; {SHARED}',
        ),
        (
            TWO_CENTERS.replace("staff_chat_id = -1002\n", ""),
            "centers[1].staff_chat_id",
            'missing; centre "saryagash" has no staff group and there is no '
            "telegram.staff_chat_id to fall back on",
        ),
        (
            "[telegram]\nregion_chat_id = -1001\n" + TWO_CENTERS,
            "telegram.region_chat_id",
            "-1001 is also a staff group; the region group must be a group of its own",
        ),
        (
            MINIMAL.replace("staff_chat_id = -100123", ""),
            "telegram.staff_chat_id",
            "missing; expected the staff group's chat id (a negative number)",
        ),
        (
            TWO_CENTERS.replace('id = "saryagash"', 'id = "sairam"'),
            "centers[1].id",
            '"sairam" is used by another centre',
        ),
        (
            MINIMAL + SERVICE.format(id="psychologist", center="sairam"),
            "services[1].id",
            '"psychologist" is used by another service',
        ),
    ],
)
def test_each_mix_up_is_explained(tmp_path: Path, text: str, key: str, message: str) -> None:
    problems = problems_of(tmp_path, text)
    assert problems.get(key) == message, problems


def test_one_centre_with_top_level_keys_means_what_it_meant(tmp_path: Path) -> None:
    settings = settings_of(tmp_path, MINIMAL + DUTY)
    assert settings.telegram.staff_chat_id == -100123
    side = settings.staff_side("sairam")
    assert side is not None
    assert side.staff_chat_id == -100123
    assert [entry.user_id for entry in side.duty] == [7]


def test_mix_ups_come_with_the_other_problems(tmp_path: Path) -> None:
    text = TWO_CENTERS + DUTY + '[urgent]\nescalate_after = "soon"\n'
    assert set(problems_of(tmp_path, text)) == {"duty[0].center", "urgent.escalate_after"}


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        (MINIMAL.split("[[services]]")[0], "services", "booking will have nothing to offer"),
        (
            TWO_CENTERS.split('[[services]]\nid = "doctor"')[0],
            "centers[1]",
            'centre "saryagash" has no services',
        ),
        (
            MINIMAL.replace("[telegram]\n", '[telegram]\nwebhook_url = "https://x.org/hook"\n'),
            "telegram.webhook_secret",
            "anyone who finds the URL",
        ),
    ],
)
def test_warnings(tmp_path: Path, text: str, key: str, fragment: str) -> None:
    warnings = {w.key: w.message for w in config_warnings(settings_of(tmp_path, text))}
    assert fragment in warnings[key], warnings


def test_a_sound_config_has_no_warnings(tmp_path: Path) -> None:
    assert config_warnings(settings_of(tmp_path, MINIMAL)) == []
    assert config_warnings(settings_of(tmp_path, TWO_CENTERS)) == []


def test_check_config_prints_warnings_and_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HELPLINE_BOT_DATA_KEY", KEY_ENV["HELPLINE_BOT_DATA_KEY"])
    path = write(tmp_path, MINIMAL.split("[[services]]")[0])
    assert main(["check-config", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "OK (0 service(s)" in out
    assert "warning: services: none are configured" in out


def test_check_config_lists_every_mix_up_and_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HELPLINE_BOT_DATA_KEY", KEY_ENV["HELPLINE_BOT_DATA_KEY"])
    text = TWO_CENTERS.replace("staff_chat_id = -1002", "staff_chat_id = -1001") + DUTY
    assert main(["check-config", "--config", str(write(tmp_path, text))]) == 1
    err = capsys.readouterr().err
    assert "2 problem(s)" in err
    assert "centers[1].staff_chat_id: " in err
    assert "duty[0].center: missing" in err
