"""The container: the Dockerfile and compose.yaml have what a deployment relies on, the
HEALTHCHECK's command works against a real bot, and the image builds where docker is."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.ops.operations import OPERATIONS_KEY
from tests.bot.ops.ports import free_port
from tests.conftest import HarnessFactory

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def arguments(keyword: str) -> list[str]:
    return [rest for name, rest in instructions() if name == keyword]


def healthcheck_script() -> str:
    (healthcheck,) = arguments("HEALTHCHECK")
    command = json.loads(healthcheck.split("CMD", 1)[1].strip())
    assert command[:2] == ["python", "-c"], "the check needs nothing but Python"
    script: str = command[2]
    return script


def test_dockerfile_runs_the_bot_as_a_user_with_its_data_on_a_volume() -> None:
    (base,) = arguments("FROM")
    assert re.fullmatch(r"python:3\.11-slim(\S*)?", base), base
    assert any("pip install ." in run for run in arguments("RUN"))
    users = arguments("USER")
    assert users and users[-1] not in ("root", "0"), "the bot must not run as root"
    assert any("/data" in volume for volume in arguments("VOLUME"))
    environment = " ".join(arguments("ENV"))
    assert "HELPLINE_BOT_CONFIG=" in environment
    assert json.loads(arguments("CMD")[-1]) == ["helpline-bot", "run"]
    # No secret is ever baked into the image.
    assert "HELPLINE_BOT_TOKEN" not in DOCKERFILE.read_text(encoding="utf-8")
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {"config.toml", "*.sqlite3", "*.env", ".venv"} <= set(ignored)


def test_healthcheck_asks_healthz_with_urllib_not_curl() -> None:
    script = healthcheck_script()
    assert "urllib" in script
    assert not any("curl" in rest for _, rest in instructions())
    assert "/healthz" in " ".join(arguments("ENV")) + script
    compile(script, "HEALTHCHECK", "exec")


def test_compose_runs_the_bot_with_an_env_file_a_volume_and_a_commented_proxy() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    live = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert re.search(r"^services:\n  bot:\n", live, re.MULTILINE)
    assert "env_file: helpline.env" in live
    assert "HELPLINE_BOT_CONFIG: /config/config.toml" in live
    assert "helpline-data:/data" in live
    # The proxy for webhook mode is there, commented out.
    assert "caddy" not in live and "#   image: caddy" in text
    example = (ROOT / "helpline.env.example").read_text(encoding="utf-8")
    assert "HELPLINE_BOT_TOKEN=" in example and "HELPLINE_BOT_DATA_KEY=" in example
    assert "helpline.env" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


async def _run_healthcheck(url: str) -> int:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        healthcheck_script(),
        env={**os.environ, "HEALTHCHECK_URL": url},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await process.wait()


async def test_the_healthcheck_command_passes_on_200_and_fails_on_503(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot({"health": {"listen": f"127.0.0.1:{free_port()}"}})
    assert bot.application is not None and bot.application.updater is not None
    host, port = bot.application.bot_data[OPERATIONS_KEY].health.address
    url = f"http://{host}:{port}/healthz"
    assert await _run_healthcheck(url) == 0
    await bot.application.updater.stop()
    assert await _run_healthcheck(url) != 0


def _docker_unavailable() -> str | None:
    if shutil.which("docker") is None:
        return "docker is not installed here: the image build is checked where it is"
    info = subprocess.run(["docker", "info"], capture_output=True, check=False)
    if info.returncode != 0:
        return "docker is installed but its engine does not answer (`docker info` failed)"
    return None


def test_the_image_builds_and_runs_as_a_user() -> None:
    """Needs a docker engine (and the network, for the base image and the packages)."""
    reason = _docker_unavailable()
    if reason is not None:
        pytest.skip(reason)
    tag = "helpline-bot:test"
    subprocess.run(["docker", "build", "-t", tag, str(ROOT)], check=True)
    uid = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "id", tag, "-u"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert uid.stdout.strip() not in ("", "0")
    usage = subprocess.run(
        ["docker", "run", "--rm", tag, "helpline-bot", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "restore" in usage.stdout
