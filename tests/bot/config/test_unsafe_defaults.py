"""A production config refuses what is safe only for trying: plaintext with a token, the
example's placeholder token, a data key file others may read (issue 18)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.__main__ import demo_settings, main
from bot.config import (
    EXAMPLE_GROUP_IDS,
    ConfigError,
    config_warnings,
    load_settings,
    real_staff_groups,
)
from tests.bot.config.toml import KEY_ENV, MINIMAL, write

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "config.example.toml"
TOKEN = "7391046628:AAHq0xV3bJ7k2LmN9pQ4rS8tU1vW5yZ6aBc"
PLAINTEXT = "[privacy]\nallow_plaintext = true\n"


def _placeholder_token() -> str:
    text = (ROOT / "helpline.env.example").read_text(encoding="utf-8")
    match = re.search(r"^HELPLINE_BOT_TOKEN=(\S+)$", text, re.MULTILINE)
    assert match is not None
    return match.group(1)


def test_plaintext_is_refused_with_a_token(tmp_path: Path) -> None:
    config = write(tmp_path, MINIMAL + PLAINTEXT)
    # The sandbox (no token) may still store plaintext.
    assert load_settings(config, env={}).privacy.data_keys == ()
    with pytest.raises(ConfigError) as raised:
        load_settings(config, env={"HELPLINE_BOT_TOKEN": TOKEN})
    assert [p.key for p in raised.value.problems] == ["privacy"]
    message = str(raised.value.problems[0])
    assert "no data key while a bot token is set" in message
    assert "allow_plaintext is only for the sandbox" in message
    assert TOKEN not in message


def test_check_config_with_a_token_and_the_examples_plaintext_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HELPLINE_BOT_TOKEN", TOKEN)
    monkeypatch.delenv("HELPLINE_BOT_DATA_KEY", raising=False)
    (tmp_path / "config.toml").write_text(EXAMPLE.read_text(encoding="utf-8"))
    assert main(["check-config", "--config", str(tmp_path / "config.toml")]) == 1
    err = capsys.readouterr().err
    assert "privacy: no data key while a bot token is set" in err


def test_the_loud_override_runs_without_a_key_and_is_warned_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, MINIMAL + "[privacy]\ninsecure_plaintext_with_token = true\n")
    settings = load_settings(config, env={"HELPLINE_BOT_TOKEN": TOKEN})
    assert settings.privacy.data_keys == ()
    warnings = {w.key: w.message for w in config_warnings(settings)}
    assert "UNENCRYPTED" in warnings["privacy.insecure_plaintext_with_token"]
    monkeypatch.setenv("HELPLINE_BOT_TOKEN", TOKEN)
    monkeypatch.delenv("HELPLINE_BOT_DATA_KEY", raising=False)
    assert main(["check-config", "--config", str(config)]) == 0
    assert "UNENCRYPTED" in capsys.readouterr().out
    # With a key there is nothing to warn about.
    keyed = load_settings(config, env={"HELPLINE_BOT_TOKEN": TOKEN, **KEY_ENV})
    assert not [w for w in config_warnings(keyed) if w.key.startswith("privacy")]


def test_the_placeholder_token_of_the_env_example_does_not_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    placeholder = _placeholder_token()
    monkeypatch.setenv("HELPLINE_BOT_TOKEN", placeholder)
    monkeypatch.setenv("HELPLINE_BOT_DATA_KEY", KEY_ENV["HELPLINE_BOT_DATA_KEY"])
    config = write(tmp_path, MINIMAL)
    assert main(["check-config", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "telegram.token: still the placeholder of the example" in err
    assert placeholder not in err
    # A token as BotFather gives it passes.
    monkeypatch.setenv("HELPLINE_BOT_TOKEN", TOKEN)
    assert main(["check-config", "--config", str(config)]) == 0


def test_a_key_file_others_may_read_is_warned_about(tmp_path: Path) -> None:
    key_file = tmp_path / "data.key"
    key_file.write_text(KEY_ENV["HELPLINE_BOT_DATA_KEY"] + "\n")
    os.chmod(key_file, 0o644)
    config = write(tmp_path, MINIMAL + '[privacy]\ndata_key_file = "data.key"\n')
    warnings = {w.key: w.message for w in config_warnings(load_settings(config, env={}))}
    assert "mode 0644" in warnings["privacy.data_key_file"]
    assert "chmod 600" in warnings["privacy.data_key_file"]
    os.chmod(key_file, 0o600)
    warnings = {w.key: w.message for w in config_warnings(load_settings(config, env={}))}
    assert "privacy.data_key_file" not in warnings


def test_the_demo_seals_with_a_throw_away_key() -> None:
    example = load_settings(EXAMPLE, env={})
    assert example.privacy.data_keys == ()
    first, second = demo_settings(example), demo_settings(example)
    assert len(first.privacy.data_keys) == 1
    assert first.privacy.data_keys != second.privacy.data_keys


def test_the_example_group_ids_are_the_examples_own() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    named = {int(number) for number in re.findall(r"(-100\d{10})\b", text)}
    assert named and named <= EXAMPLE_GROUP_IDS
    assert real_staff_groups(load_settings(EXAMPLE, env={})) == []
