"""Configs for the config tests: a minimal valid one and helpers to read problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings
from storage.crypto import new_key

KEY_ENV = {"HELPLINE_BOT_DATA_KEY": new_key()}

CENTER = """
[[centers]]
id = "{id}"
name = {{ kk = "Орталық", ru = "Центр" }}
address = {{ kk = "Ақсу", ru = "Аксу" }}
phone = "+7 700 000 00 00"
"""

SERVICE = """
[[services]]
id = "{id}"
center = "{center}"
name = {{ kk = "Психолог", ru = "Психолог" }}
duration = "45m"
hours = {{ mon = "09:00-18:00" }}
"""

# Today's one-centre config: the top-level group, admins, backups and rota.
MINIMAL = (
    "[telegram]\nstaff_chat_id = -100123\n"
    + CENTER.format(id="sairam")
    + SERVICE.format(id="psychologist", center="sairam")
)

# Two centres, each with its own staff side, and no top-level group.
TWO_CENTERS = (
    CENTER.format(id="sairam")
    + "staff_chat_id = -1001\nadmin_ids = [11]\nbackup_ids = [12]\n"
    + CENTER.format(id="saryagash")
    + "staff_chat_id = -1002\n"
    + SERVICE.format(id="psychologist", center="sairam")
    + SERVICE.format(id="doctor", center="saryagash")
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def settings_of(tmp_path: Path, text: str) -> Settings:
    return load_settings(write(tmp_path, text), env=KEY_ENV)


def problems_of(tmp_path: Path, text: str) -> dict[str, str]:
    with pytest.raises(ConfigError) as raised:
        settings_of(tmp_path, text)
    return {p.key: p.message for p in raised.value.problems}
