"""Config: the example is valid, and every kind of problem is reported with its key."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import ConfigError, load_settings, parse_duration
from storage.crypto import new_key

ROOT = Path(__file__).resolve().parents[2]
KEY_ENV = {"HELPLINE_BOT_DATA_KEY": new_key()}
EXAMPLE = ROOT / "config.example.toml"

MINIMAL = """
[telegram]
staff_chat_id = -100123

[[centers]]
id = "sairam"
name = { kk = "Орталық", ru = "Центр" }
address = { kk = "Ақсу", ru = "Аксу" }
phone = "+7 700 000 00 00"

[[services]]
id = "psychologist"
center = "sairam"
name = { kk = "Психолог", ru = "Психолог" }
duration = "45m"
hours = { mon = "09:00-18:00" }
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> dict[str, str]:
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, text), env=KEY_ENV)
    return {p.key: p.message for p in raised.value.problems}


def test_example_config_is_valid() -> None:
    settings = load_settings(EXAMPLE, env={})
    assert settings.telegram.uses_sandbox
    assert settings.urgent.escalate_after == timedelta(minutes=5)
    assert settings.booking.reminders == (timedelta(hours=24), timedelta(hours=2))
    assert settings.booking.holidays == frozenset({date(2026, 12, 16)})
    assert settings.general.timezone.key == "Asia/Almaty"
    assert settings.service("psychologist") is not None
    assert settings.service("psychologist").hours[0].start == time(9, 0)  # type: ignore[union-attr]
    assert settings.storage.path == ROOT / "helpline.sqlite3"
    assert [n.number for n in settings.emergency_numbers][:4] == ["112", "102", "103", "111"]


def test_example_config_with_its_second_centre_uncommented_is_a_region(tmp_path: Path) -> None:
    """The commented Saryagash block, uncommented as the README says, is a valid region."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("# region_chat_id =", "region_chat_id =")
    start = text.index("# [[centers]]")
    end = text.index('# hours = "09:00-18:00"', start) + len('# hours = "09:00-18:00"')
    block = "\n".join(
        line.removeprefix("# ") for line in text[start:end].splitlines() if line != "#"
    )
    text = text[:start] + block + text[end:]
    text = text.replace("[[duty]]\nuser_id", '[[duty]]\ncenter = "sairam"\nuser_id', 1)
    settings = load_settings(write(tmp_path, text), env={})
    sairam, saryagash = settings.staff_sides
    assert sairam.staff_chat_id != saryagash.staff_chat_id
    assert [len(sairam.duty), len(saryagash.duty)] == [1, 1]
    assert settings.telegram.region_chat_id is not None


def test_minimal_config_gets_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, MINIMAL), env=KEY_ENV)
    assert settings.urgent.max_escalations == 3
    assert settings.booking.horizon_days == 14
    assert settings.booking.quiet_hours is not None
    assert settings.privacy.retention_days == 90
    assert "111" in [n.number for n in settings.emergency_numbers]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("5m", timedelta(minutes=5)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("5 minutes", None),
        ("5", None),
        ("m5", None),
        ("1.5h", None),
        ("", None),
    ],
)
def test_durations(text: str, expected: timedelta | None) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("addition", "key", "fragment"),
    [
        ('[urgent]\nescalate_after = "5 minutes"\n', "urgent.escalate_after", '"5 minutes"'),
        ("[urgent]\nmax_escalations = -1\n", "urgent.max_escalations", "0 or more"),
        ('[general]\ntimezone = "Asia/Nowhere"\n', "general.timezone", "time zone"),
        ('[general]\ndefault_language = "en"\n', "general.default_language", '"kk" or "ru"'),
        ("[telegram2]\nx = 1\n", "telegram2", "unknown section"),
        ('[booking]\nquiet_hours = "22-08"\n', "booking.quiet_hours", "HH:MM-HH:MM"),
        ('[booking]\nholidays = ["16.12.2026"]\n', "booking.holidays", "2026-12-16"),
        ('[booking]\nreminders = ["24h", "soon"]\n', "booking.reminders", "durations"),
        ("[booking]\nhorizon_days = 0\n", "booking.horizon_days", "1 or more"),
        ('[booking]\nagenda_time = "8 am"\n', "booking.agenda_time", "time of day"),
        (
            '[[duty]]\nuser_id = 1\ndays = ["monday"]\nhours = "09:00-18:00"\n',
            "duty[0].days",
            "unknown day",
        ),
        ('[[duty]]\nuser_id = "x"\ndays = ["mon"]\nhours = "09:00-18:00"\n', "duty[0].user_id", ""),
        ('[[duty]]\nuser_id = 1\ndays = ["mon"]\n', "duty[0].hours", "missing"),
        ('[privacy]\nallow_plaintext = "yes"\n', "privacy.allow_plaintext", "true or false"),
        ("[limits]\ncases_per_day = 0\n", "limits.cases_per_day", "1 or more"),
        ('[timing]\ntick = "0s"\n', "timing.tick", "duration"),
    ],
)
def test_each_problem_names_its_key(tmp_path: Path, addition: str, key: str, fragment: str) -> None:
    problems = problems_of(tmp_path, MINIMAL + addition)
    assert key in problems, problems
    assert fragment in problems[key]


def test_service_problems(tmp_path: Path) -> None:
    text = MINIMAL.replace('center = "sairam"', 'center = "saryagash"').replace(
        'mon = "09:00-18:00"', 'mon = "18:00-09:00", sun2 = "10:00-12:00"'
    )
    text = text.replace('duration = "45m"', 'duration = "45 min"\ncolor = "red"')
    problems = problems_of(tmp_path, text)
    assert problems["services[0].center"] == 'no centre with id "saryagash" (known: sairam)'
    assert "end before they start" in problems["services[0].hours.mon"]
    assert "unknown key" in problems["services[0].hours.sun2"]
    assert "unknown key" in problems["services[0].color"]
    assert '"45 min"' in problems["services[0].duration"]


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = MINIMAL + '[urgent]\nescalate_after = "soon"\n[general]\ntimezone = "X"\n'
    assert len(problems_of(tmp_path, text)) == 2


def test_localized_text_needs_both_languages(tmp_path: Path) -> None:
    text = MINIMAL.replace('name = { kk = "Орталық", ru = "Центр" }', 'name = { ru = "Центр" }')
    problems = problems_of(tmp_path, text)
    assert "centers[0].name.kk" in problems


def test_syntax_error_and_missing_file(tmp_path: Path) -> None:
    assert "(syntax)" in problems_of(tmp_path, "[telegram\n")
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path / "nope.toml", env={})
    assert raised.value.problems[0].key == "(file)"


def test_token_from_environment_and_never_printed(tmp_path: Path) -> None:
    token = "123456:AAHsecretsecretsecretsecret"
    settings = load_settings(write(tmp_path, MINIMAL), env={"HELPLINE_BOT_TOKEN": token, **KEY_ENV})
    assert settings.telegram.token == token
    assert not settings.telegram.uses_sandbox
    assert token not in repr(settings)
    bad = MINIMAL.replace("[telegram]", '[telegram]\ntoken = "secret-but-malformed"')
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, bad), env=KEY_ENV)
    assert "secret-but-malformed" not in str(raised.value)


def test_check_config_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", "--config", str(EXAMPLE)]) == 0
    assert "OK" in capsys.readouterr().out
    bad = write(tmp_path, MINIMAL + '[urgent]\nescalate_after = "5 minutes"\n')
    assert main(["check-config", "--config", str(bad)]) == 1
    err = capsys.readouterr().err
    assert 'urgent.escalate_after: expected a duration such as "30s"' in err


def test_check_config_uses_environment_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HELPLINE_BOT_CONFIG", str(write(tmp_path, MINIMAL)))
    monkeypatch.setenv("HELPLINE_BOT_DATA_KEY", KEY_ENV["HELPLINE_BOT_DATA_KEY"])
    assert main(["check-config"]) == 0


def test_a_data_key_is_required_unless_plaintext_is_allowed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, MINIMAL), env={})
    assert [p.key for p in raised.value.problems] == ["privacy"]
    assert "HELPLINE_BOT_DATA_KEY" in raised.value.problems[0].message
    plain = load_settings(write(tmp_path, MINIMAL + "[privacy]\nallow_plaintext = true\n"), env={})
    assert plain.privacy.data_keys == ()
    key = KEY_ENV["HELPLINE_BOT_DATA_KEY"]
    keyed = load_settings(write(tmp_path, MINIMAL), env=KEY_ENV)
    assert keyed.privacy.data_keys == (key.encode(),)
    assert key not in repr(keyed)


def test_a_bad_data_key_is_reported_without_echoing_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, MINIMAL), env={"HELPLINE_BOT_DATA_KEY": "not-a-key-at-all"})
    assert "not-a-key-at-all" not in str(raised.value)
    assert "HELPLINE_BOT_DATA_KEY" in {p.key for p in raised.value.problems}


def test_key_file_relative_to_config(tmp_path: Path) -> None:
    (tmp_path / "data.key").write_text(KEY_ENV["HELPLINE_BOT_DATA_KEY"] + "\n")
    settings = load_settings(
        write(tmp_path, MINIMAL + '[privacy]\ndata_key_file = "data.key"\n'), env={}
    )
    assert settings.privacy.data_keys == (KEY_ENV["HELPLINE_BOT_DATA_KEY"].encode(),)
