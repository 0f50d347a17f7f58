"""Each centre's staff side: its own keys, or the top-level ones it falls back to."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.config import StaffSide
from tests.bot.config.toml import MINIMAL, TWO_CENTERS, settings_of

DUTY = '[[duty]]\nuser_id = {user}\ndays = ["mon"]\nhours = "09:00-18:00"\ncenter = "{center}"\n'
TOP_LEVEL = "[telegram]\nstaff_chat_id = -1000\nadmin_ids = [1]\n[urgent]\nbackup_ids = [2]\n"


def test_a_centre_uses_its_own_staff_keys(tmp_path: Path) -> None:
    text = (
        TOP_LEVEL
        + TWO_CENTERS
        + DUTY.format(user=31, center="sairam")
        + DUTY.format(user=32, center="saryagash")
    )
    settings = settings_of(tmp_path, text)
    assert settings.staff_side("sairam") == StaffSide(
        center_id="sairam",
        staff_chat_id=-1001,
        admin_ids=frozenset({11}),
        backup_ids=(12,),
        duty=(settings.duty[0],),
    )
    # saryagash has only its own group: admins and backups are the top-level ones.
    saryagash = settings.staff_side("saryagash")
    assert saryagash is not None
    assert (saryagash.staff_chat_id, saryagash.admin_ids, saryagash.backup_ids) == (
        -1002,
        frozenset({1}),
        (2,),
    )
    assert [entry.user_id for entry in saryagash.duty] == [32]
    assert [side.center_id for side in settings.staff_sides] == ["sairam", "saryagash"]
    assert settings.staff_side("turkistan") is None


def test_the_only_centre_falls_back_on_every_top_level_key(tmp_path: Path) -> None:
    text = MINIMAL.replace("staff_chat_id = -100123", "staff_chat_id = -100123\nadmin_ids = [5]")
    text += '[urgent]\nbackup_ids = [6]\n[[duty]]\nuser_id = 7\ndays = ["mon"]\n'
    text += 'hours = "09:00-18:00"\n'
    settings = settings_of(tmp_path, text)
    side = settings.staff_side("sairam")
    assert side == StaffSide("sairam", -100123, frozenset({5}), (6,), settings.duty)
    assert settings.duty[0].center is None


def test_without_a_top_level_group_the_first_centre_stands_in(tmp_path: Path) -> None:
    # Code that knows no centre yet (one staff group today) reaches the first centre.
    settings = settings_of(tmp_path, TWO_CENTERS)
    assert settings.telegram.staff_chat_id == -1001


def test_settings_stay_frozen_and_replaceable(tmp_path: Path) -> None:
    settings = settings_of(tmp_path, TWO_CENTERS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.centers[0].staff_chat_id = -5  # type: ignore[misc]
    moved = dataclasses.replace(
        settings, telegram=dataclasses.replace(settings.telegram, base_url="http://127.0.0.1:1/bot")
    )
    assert moved.telegram.base_url == "http://127.0.0.1:1/bot"
    assert moved.staff_side("saryagash") == settings.staff_side("saryagash")
