"""`helpline-bot run` without a token: the sandbox for the example, one sentence and exit 1
for a config made for a real centre (a lost env file under systemd), issue 18."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bot.__main__ as cli
from bot.config import Settings
from tests.bot.config.toml import MINIMAL

ROOT = Path(__file__).resolve().parents[2]
REAL = MINIMAL.replace("staff_chat_id = -100123", "staff_chat_id = -1009876543210")
PLAINTEXT = "[privacy]\nallow_plaintext = true\n"


@pytest.fixture
def sandboxes(monkeypatch: pytest.MonkeyPatch) -> list[Settings]:
    """Where `run` would start the sandbox: noted instead of started."""
    started: list[Settings] = []

    def note(settings: Settings, args: argparse.Namespace, *, keep_database: bool) -> int:
        started.append(settings)
        return 0

    monkeypatch.setattr(cli, "_run_sandbox", note)
    monkeypatch.delenv("HELPLINE_BOT_TOKEN", raising=False)
    monkeypatch.delenv("HELPLINE_BOT_CONFIG", raising=False)
    return started


def test_a_real_centres_config_without_a_token_fails_with_one_sentence(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(REAL + PLAINTEXT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("HELPLINE_BOT_TOKEN", None)
    # As systemd runs it: no terminal, nothing on stdin.
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 1
    lines = finished.stderr.strip().splitlines()
    assert len(lines) == 1, finished.stderr
    assert lines[0].endswith(".") and "Traceback" not in finished.stderr
    assert "-1009876543210" in lines[0] and "HELPLINE_BOT_TOKEN" in lines[0]
    assert "emulator" not in finished.stdout


def test_sandbox_flag_runs_a_real_config_on_the_emulator(
    tmp_path: Path, sandboxes: list[Settings]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(REAL + PLAINTEXT, encoding="utf-8")
    assert cli.main(["run", "--config", str(config)]) == 1
    assert sandboxes == []
    assert cli.main(["run", "--sandbox", "--config", str(config)]) == 0
    assert cli.main(["run", "--web", "--config", str(config)]) == 0
    assert len(sandboxes) == 2


def test_the_quick_start_still_runs_the_example_on_the_emulator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sandboxes: list[Settings]
) -> None:
    # A fresh clone: no config.toml, no token; the example is found beside the package.
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run"]) == 0
    (settings,) = sandboxes
    assert settings.telegram.uses_sandbox
