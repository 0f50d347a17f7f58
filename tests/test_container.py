"""The container: the Dockerfile and compose.yaml have what a deployment relies on, the
HEALTHCHECK's command works against a real bot, the image's environment makes the example
config work from a read-only mount with health on, the demo finds its config in an
installed package, the dependencies are pinned, and the image builds where docker is."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.app import build_application
from bot.config import load_settings
from bot.ops.operations import OPERATIONS_KEY
from bot.runner import running
from sandbox import TelegramEmulator
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


def image_environment() -> dict[str, str]:
    """The ENV of the Dockerfile, as the bot inside the image sees it."""
    found: dict[str, str] = {}
    for rest in arguments("ENV"):
        for pair in rest.split():
            name, _, value = pair.partition("=")
            found[name] = value
    return found


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, separator, version = line.partition("==")
            assert separator, f"not pinned: {line}"
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_every_dependency_is_pinned_and_ci_and_the_image_install_the_pins() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = _pins()
    for text in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, (
            f"{name} is not in constraints.txt: regenerate it (see its first lines)"
        )
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]}: {text}"
    assert "helpline-bot" not in pins
    # CI: the constraints are in force when the README's test command runs.
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    exported = ci.index('export PIP_CONSTRAINT="$PWD/constraints.txt"')
    assert exported < next(i for i, line in enumerate(ci) if 'pip install ".[test]"' in line)
    # The image: the same pins, copied in and in force for `pip install .`.
    assert any("constraints.txt" in copy.split() for copy in arguments("COPY"))
    assert "PIP_CONSTRAINT=/src/constraints.txt pip install ." in arguments("RUN")
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert not {"constraints.txt", "config.example.toml"} & set(ignored)


async def test_the_image_runs_the_example_config_from_a_read_only_folder_healthy(
    tmp_path: Path, emulator: TelegramEmulator
) -> None:
    """compose.yaml's layout: the config (config.example.toml copied, as its comment says)
    in a folder the bot must not write, the data on the volume, the image's environment."""
    environment = image_environment()
    assert environment["HELPLINE_BOT_DATA_DIR"] == "/data"
    host, _, port = environment["HELPLINE_BOT_HEALTH_LISTEN"].rpartition(":")
    assert environment["HEALTHCHECK_URL"] == f"http://127.0.0.1:{port}/healthz"
    config_dir, data_dir = tmp_path / "config", tmp_path / "data"
    config_dir.mkdir()
    data_dir.mkdir()
    config = config_dir / "config.toml"
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    # Telegram is the emulator here; the [backup] section of the example switched on.
    text = text.replace('"https://api.telegram.org/bot"', f'"{emulator.base_url}"')
    text = text.replace('# [backup]\n# dir = "backups"', '[backup]\ndir = "backups"')
    config.write_text(text, encoding="utf-8")
    health_port = free_port()
    env = {
        "HELPLINE_BOT_DATA_DIR": str(data_dir),
        "HELPLINE_BOT_HEALTH_LISTEN": f"{host}:{health_port}",
    }
    settings = load_settings(config, env=env)
    assert settings.storage.path == data_dir / "helpline.sqlite3"
    assert settings.backup is not None and settings.backup.dir == data_dir / "backups"
    emulator.create_group(chat_id=settings.telegram.staff_chat_id, title="Staff")
    application = build_application(settings)
    async with running(application, poll_timeout=1):
        url = environment["HEALTHCHECK_URL"].replace(f":{port}/", f":{health_port}/")
        assert await _run_healthcheck(url) == 0
    assert sorted(p.name for p in config_dir.iterdir()) == ["config.toml"]
    assert (data_dir / "helpline.sqlite3").is_file()


def test_the_demo_finds_the_example_in_an_install_away_from_the_checkout(
    tmp_path: Path,
) -> None:
    """As `pip install .` lays the image out: the packages in site-packages, the example in
    share/helpline-bot (pyproject's data-files), the working folder /data without it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data_files = project["tool"]["setuptools"]["data-files"]
    (share,) = [folder for folder, files in data_files.items() if "config.example.toml" in files]
    prefix = tmp_path / "prefix"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True)
    python = prefix / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    for package in ("bot", "handlers", "storage", "sandbox"):
        shutil.copytree(ROOT / package, Path(site) / package)
    # The bot's dependencies, from the venv running these tests.
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    (prefix / share).mkdir(parents=True)
    shutil.copy(ROOT / "config.example.toml", prefix / share)
    work = tmp_path / "data"
    work.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HELPLINE_BOT_", "PYTHON"))
    }
    # The container's environment: none of it is the demo's.
    env |= {
        "HELPLINE_BOT_TOKEN": "7391046628:AAHq0xV3bJ7k2LmN9pQ4rS8tU1vW5yZ6aBc",
        "HELPLINE_BOT_CONFIG": str(tmp_path / "config" / "config.toml"),
        "HELPLINE_BOT_DATA_DIR": str(work),
        "PTB_TIMEDELTA": "1",
    }
    demo = subprocess.run(
        [str(python), "-m", "bot", "demo"],
        cwd=work,
        input=":quit\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    assert "Type /start to begin." in demo.stdout
    assert "Traceback" not in demo.stderr
    assert list(work.iterdir()) == [], "the demo's database is a throw-away one"


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
