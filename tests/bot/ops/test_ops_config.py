"""The optional [health] and [backup] sections."""

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


def problems_of(tmp_path: Path, extra: str) -> dict[str, str]:
    with pytest.raises(ConfigError) as raised:
        settings_of(tmp_path, extra)
    return {p.key: p.message for p in raised.value.problems}


def test_both_are_off_unless_configured(tmp_path: Path) -> None:
    settings = settings_of(tmp_path, "")
    assert settings.health is None and settings.backup is None
    example = load_settings(ROOT / "config.example.toml", env={})
    assert example.health is None and example.backup is None


def test_health_listen_and_threshold(tmp_path: Path) -> None:
    health = settings_of(tmp_path, '[health]\nlisten = "127.0.0.1:8080"\n').health
    assert health is not None
    assert (health.host, health.port, health.outbox_max_age) == (
        "127.0.0.1",
        8080,
        timedelta(minutes=10),
    )
    health = settings_of(
        tmp_path, '[health]\nlisten = "[::1]:9100"\noutbox_max_age = "2m"\n'
    ).health
    assert health is not None
    assert (health.host, health.port, health.outbox_max_age) == ("::1", 9100, timedelta(minutes=2))


def test_health_problems_name_their_key(tmp_path: Path) -> None:
    expected = 'an address such as "127.0.0.1:8080"'
    for listen in ('"8080"', '"localhost:http"', '"127.0.0.1:70000"', '":8080"', "8080"):
        problems = problems_of(tmp_path, f"[health]\nlisten = {listen}\n")
        assert expected in problems["health.listen"], listen
    assert "missing" in problems_of(tmp_path, "[health]\n")["health.listen"]
    problems = problems_of(tmp_path, '[health]\nlisten = "127.0.0.1:1"\noutbox_max_age = "soon"\n')
    assert "health.outbox_max_age" in problems
    assert (
        "unknown key"
        in problems_of(tmp_path, '[health]\nlisten = "a:1"\nport = 1\n')["health.port"]
    )


def test_backup_defaults_and_paths_relative_to_the_config(tmp_path: Path) -> None:
    backup = settings_of(tmp_path, "[backup]\n").backup
    assert backup is not None
    assert (backup.dir, backup.time, backup.keep) == (tmp_path / "backups", time(3, 0), 14)
    backup = settings_of(
        tmp_path, '[backup]\ndir = "/var/backups/helpline"\ntime = "23:30"\nkeep = 3\n'
    ).backup
    assert backup is not None
    assert (backup.dir, backup.time, backup.keep) == (
        Path("/var/backups/helpline"),
        time(23, 30),
        3,
    )


def test_backup_problems_name_their_key(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, '[backup]\ntime = "3am"\nkeep = 0\ndir = 5\n')
    assert set(problems) == {"backup.time", "backup.keep", "backup.dir"}
    assert "1 or more" in problems["backup.keep"]
