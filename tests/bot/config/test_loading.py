"""Which file is read ($HELPLINE_BOT_CONFIG, ./config.toml, the example), and secrets."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import ConfigError, load_settings
from tests.bot.config.toml import KEY_ENV, MINIMAL, write

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "config.example.toml"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder holding a copy of the example, as after the quick start."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HELPLINE_BOT_CONFIG", raising=False)
    monkeypatch.delenv("HELPLINE_BOT_TOKEN", raising=False)
    monkeypatch.delenv("HELPLINE_BOT_DATA_KEY", raising=False)
    shutil.copy(EXAMPLE, tmp_path / "config.example.toml")
    return tmp_path


def test_check_config_falls_back_to_the_example_and_says_so(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert f"No config.toml found: using {folder / 'config.example.toml'}" in out
    assert "OK" in out


def test_backup_falls_back_to_the_example(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(folder / "helpline.sqlite3") as db:
        db.execute("CREATE TABLE kept (n INTEGER)")
        db.execute("INSERT INTO kept VALUES (42)")
    assert main(["backup", "--to", str(folder / "b.sqlite3")]) == 0
    out = capsys.readouterr().out
    assert "using" in out and "config.example.toml" in out
    with sqlite3.connect(folder / "b.sqlite3") as copy:
        assert copy.execute("SELECT n FROM kept").fetchall() == [(42,)]


def test_config_toml_comes_before_the_example(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPLINE_BOT_DATA_KEY", KEY_ENV["HELPLINE_BOT_DATA_KEY"])
    write(folder, MINIMAL)
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert "using" not in out
    assert out.startswith("config.toml: OK (1 service(s)")


def test_the_environment_comes_before_config_toml(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(folder, "[broken\n")
    other = folder / "elsewhere"
    other.mkdir()
    monkeypatch.setenv("HELPLINE_BOT_CONFIG", str(write(other, MINIMAL)))
    monkeypatch.setenv("HELPLINE_BOT_DATA_KEY", KEY_ENV["HELPLINE_BOT_DATA_KEY"])
    assert main(["check-config"]) == 0
    assert capsys.readouterr().out.startswith(f"{other / 'config.toml'}: OK")


def test_an_explicit_config_never_falls_back(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-config", "--config", str(folder / "mine.toml")]) == 1
    captured = capsys.readouterr()
    assert "using" not in captured.out
    assert "(file): not found" in captured.err


def test_the_data_folder_holds_what_the_bot_writes_and_health_can_be_switched_on(
    tmp_path: Path,
) -> None:
    """The container's $HELPLINE_BOT_DATA_DIR and $HELPLINE_BOT_HEALTH_LISTEN (issue 18)."""
    config = write(
        tmp_path, MINIMAL + '[backup]\ndir = "backups"\n[privacy]\ndata_key_file = "k"\n'
    )
    (tmp_path / "k").write_text(KEY_ENV["HELPLINE_BOT_DATA_KEY"])
    data = tmp_path / "data"
    env = {"HELPLINE_BOT_DATA_DIR": str(data), "HELPLINE_BOT_HEALTH_LISTEN": "0.0.0.0:8080"}
    settings = load_settings(config, env=env)
    assert settings.storage.path == data / "helpline.sqlite3"
    assert settings.backup is not None and settings.backup.dir == data / "backups"
    # What the bot only reads stays beside the config.
    assert settings.privacy.data_key_file == tmp_path / "k"
    assert settings.health is not None and settings.health.listen.port == 8080
    # Without them: beside the config, no health server.
    plain = load_settings(config, env={})
    assert plain.storage.path == tmp_path / "helpline.sqlite3" and plain.health is None
    with pytest.raises(ConfigError) as raised:
        load_settings(config, env={"HELPLINE_BOT_HEALTH_LISTEN": "everywhere"})
    assert [p.key for p in raised.value.problems] == ["health.listen"]
