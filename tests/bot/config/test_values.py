"""Leaf values: each wrong value is told with its key and what is expected there."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.config import ListenAddress
from tests.bot.config.toml import MINIMAL, problems_of, settings_of


@pytest.mark.parametrize(
    ("addition", "key", "fragment"),
    [
        # A zero duration is well written: the message says what is wrong with it.
        ('[urgent]\nescalate_after = "0m"\n', "urgent.escalate_after", '"0m" is zero'),
        ('[timing]\ntick = "0s"\n', "timing.tick", "more than zero"),
        ('[booking]\nreminders = ["24h", "0h"]\n', "booking.reminders", "more than zero"),
        ('[urgent]\nescalate_after = "5 minutes"\n', "urgent.escalate_after", "expected a dur"),
        ("[telegram2]\nregion_chat_id = 5\n", "telegram2", "unknown section"),
        ('[health]\nlisten = "nohost"\n', "health.listen", '"host:port"'),
        ('[health]\nlisten = "127.0.0.1:70000"\n', "health.listen", '"host:port"'),
        (
            "[health]\nport = 8080\n",
            "health.port",
            "unknown key (known keys: listen, outbox_max_age)",
        ),
        ('[backup]\ntime = "25:00"\n', "backup.time", "time of day"),
        ("[backup]\nkeep = 0\n", "backup.keep", "1 or more"),
        ('[backup]\ndir = ""\n', "backup.dir", "a file path"),
        ("[backup]\nkeep = 3\nevery = 1\n", "backup.every", "known keys: dir, keep, time"),
    ],
)
def test_each_new_problem_names_its_key(
    tmp_path: Path, addition: str, key: str, fragment: str
) -> None:
    problems = problems_of(tmp_path, MINIMAL + addition)
    assert key in problems, problems
    assert fragment in problems[key]


def test_zero_is_not_told_like_a_typo(tmp_path: Path) -> None:
    zero = problems_of(tmp_path, MINIMAL + '[urgent]\nescalate_after = "0m"\n')
    typo = problems_of(tmp_path, MINIMAL + '[urgent]\nescalate_after = "5 minutes"\n')
    assert zero["urgent.escalate_after"] != typo["urgent.escalate_after"]
    assert "must" not in typo["urgent.escalate_after"]


def test_a_min_lead_of_zero_is_allowed(tmp_path: Path) -> None:
    settings = settings_of(tmp_path, MINIMAL + '[booking]\nmin_lead = "0m"\n')
    assert settings.booking.min_lead == timedelta(0)


def test_health_and_backup_are_off_unless_given(tmp_path: Path) -> None:
    settings = settings_of(tmp_path, MINIMAL)
    assert settings.health is None
    assert settings.backup is None


def test_health_and_backup_sections(tmp_path: Path) -> None:
    text = MINIMAL + '[health]\nlisten = "0.0.0.0:9090"\n[backup]\ndir = "copies"\ntime = "04:30"\n'
    settings = settings_of(tmp_path, text)
    assert settings.health is not None
    assert settings.health.listen == ListenAddress("0.0.0.0", 9090)
    assert settings.backup is not None
    # Relative to the config file, like the database.
    assert settings.backup.dir == tmp_path / "copies"
    assert settings.backup.time == time(4, 30)
    assert settings.backup.keep == 14


def test_the_default_database_is_beside_the_config(tmp_path: Path) -> None:
    assert settings_of(tmp_path, MINIMAL).storage.path == tmp_path / "helpline.sqlite3"


def test_health_and_backup_defaults(tmp_path: Path) -> None:
    settings = settings_of(tmp_path, MINIMAL + "[health]\n[backup]\n")
    assert settings.health is not None
    assert str(settings.health.listen) == "127.0.0.1:8080"
    assert settings.backup is not None
    assert settings.backup.dir == tmp_path / "backups"
    assert settings.backup.time == time(3, 0)
