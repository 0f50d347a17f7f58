"""The optional [health] and [backup] sections as the operations side reads them."""

from __future__ import annotations

import tomllib
from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings, parse_settings

ROOT = Path(__file__).resolve().parents[3]
BASE = """
[telegram]
staff_chat_id = -100123
[privacy]
allow_plaintext = true
"""


def settings_of(tmp_path: Path, extra: str) -> Settings:
    return parse_settings(tomllib.loads(BASE + extra), base_dir=tmp_path, env={})


def test_both_are_off_unless_configured(tmp_path: Path) -> None:
    settings = settings_of(tmp_path, "")
    assert settings.health is None and settings.backup is None
    example = load_settings(ROOT / "config.example.toml", env={})
    assert example.health is None and example.backup is None


def test_health_listen_and_outbox_threshold(tmp_path: Path) -> None:
    health = settings_of(tmp_path, "[health]\n").health
    assert health is not None
    assert (health.listen.host, health.listen.port) == ("127.0.0.1", 8080)
    assert health.outbox_max_age == timedelta(minutes=10)
    health = settings_of(
        tmp_path, '[health]\nlisten = "[::1]:9100"\noutbox_max_age = "2m"\n'
    ).health
    assert health is not None
    assert (health.listen.host, health.listen.port) == ("::1", 9100)
    assert health.outbox_max_age == timedelta(minutes=2)
    with pytest.raises(ConfigError) as raised:
        settings_of(tmp_path, '[health]\noutbox_max_age = "soon"\n')
    assert [p.key for p in raised.value.problems] == ["health.outbox_max_age"]


def test_backup_folder_is_relative_to_the_config(tmp_path: Path) -> None:
    backup = settings_of(tmp_path, "[backup]\n").backup
    assert backup is not None
    assert (backup.dir, backup.time, backup.keep) == (tmp_path / "backups", time(3, 0), 14)
