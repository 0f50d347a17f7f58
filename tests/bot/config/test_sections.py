"""[telegram]'s second-round keys: region group, staff language, webhooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, ListenAddress, load_settings
from tests.bot.config.toml import KEY_ENV, MINIMAL, problems_of, settings_of, write

SECRET = "s3cret_Webhook-token"


def with_telegram(lines: str) -> str:
    return MINIMAL.replace("[telegram]\n", f"[telegram]\n{lines}\n")


@pytest.mark.parametrize(
    ("lines", "key", "fragment"),
    [
        ("region_chat_id = 5", "telegram.region_chat_id", "negative"),
        ('region_chat_id = "-100"', "telegram.region_chat_id", "chat id"),
        ('staff_language = "en"', "telegram.staff_language", '"kk" or "ru"'),
        ('webhook_url = "http://bot.example.org/hook"', "telegram.webhook_url", "https URL"),
        ('webhook_url = "bot.example.org"', "telegram.webhook_url", '"" for long polling'),
        ('webhook_url = "http://10.0.0.5/hook"', "telegram.webhook_url", "only to this machine"),
        ('webhook_listen = "8443"', "telegram.webhook_listen", '"host:port"'),
        ('webhook_listen = "localhost:0"', "telegram.webhook_listen", '"host:port"'),
        ('webhook_secret = "has space"', "telegram.webhook_secret", "A-Z, a-z, 0-9, _ and -"),
        (f'webhook_secret = "{"a" * 257}"', "telegram.webhook_secret", "1 to 256"),
        ("webhook_secret = 5", "telegram.webhook_secret", "secret_token"),
        ("webhook_port = 5", "telegram.webhook_port", "unknown key"),
    ],
)
def test_telegram_problems(tmp_path: Path, lines: str, key: str, fragment: str) -> None:
    problems = problems_of(tmp_path, with_telegram(lines))
    assert key in problems, problems
    assert fragment in problems[key]


def test_second_round_keys_are_read(tmp_path: Path) -> None:
    text = with_telegram(
        "region_chat_id = -1009999999999\n"
        'staff_language = "ru"\n'
        'webhook_url = "https://bot.example.org/hook"\n'
        'webhook_listen = "0.0.0.0:8443"\n'
        f'webhook_secret = "{SECRET}"'
    )
    telegram = settings_of(tmp_path, text).telegram
    assert telegram.region_chat_id == -1009999999999
    assert telegram.staff_language == "ru"
    assert telegram.webhook_url == "https://bot.example.org/hook"
    assert telegram.webhook_listen == ListenAddress("0.0.0.0", 8443)
    assert telegram.webhook_secret == SECRET


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8443/telegram", "http://localhost/hook", "http://[::1]:80/x"]
)
def test_plain_http_is_accepted_on_this_machine_only(tmp_path: Path, url: str) -> None:
    text = with_telegram(f'webhook_url = "{url}"\nwebhook_secret = "{SECRET}"')
    assert settings_of(tmp_path, text).telegram.webhook_url == url


def test_defaults_mean_long_polling_and_the_default_language(tmp_path: Path) -> None:
    settings = settings_of(tmp_path, MINIMAL + '[general]\ndefault_language = "ru"\n')
    assert settings.telegram.region_chat_id is None
    assert settings.telegram.webhook_url == ""
    assert str(settings.telegram.webhook_listen) == "127.0.0.1:8443"
    assert settings.telegram.staff_language is None
    assert settings.staff_language == "ru"
    staff_kk = settings_of(tmp_path, with_telegram('staff_language = "kk"') + "[general]\n")
    assert staff_kk.staff_language == "kk"


def test_the_webhook_secret_is_never_printed(tmp_path: Path) -> None:
    settings = settings_of(tmp_path, with_telegram(f'webhook_secret = "{SECRET}"'))
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings.telegram)
    bad = "bad secret with spaces"
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, with_telegram(f'webhook_secret = "{bad}"')), env=KEY_ENV)
    assert bad not in str(raised.value)
    assert "telegram.webhook_secret" in {p.key for p in raised.value.problems}
