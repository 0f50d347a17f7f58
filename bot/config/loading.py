"""Reading the config: the file, the environment's secrets, and every problem at once."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from bot.config.checks import cross_problems
from bot.config.problems import ConfigError, Problem, problems_from
from bot.config.sections import NO_GROUP
from bot.config.settings import Settings

TOKEN_ENV = "HELPLINE_BOT_TOKEN"
CONFIG_ENV = "HELPLINE_BOT_CONFIG"
DATA_KEY_ENV = "HELPLINE_BOT_DATA_KEY"
# The container's: where relative storage.path and backup.dir lie (the config's own folder
# is a read-only mount there), and the health server switched on for its HEALTHCHECK.
DATA_DIR_ENV = "HELPLINE_BOT_DATA_DIR"
HEALTH_LISTEN_ENV = "HELPLINE_BOT_HEALTH_LISTEN"
# The loud, explicit way to run on Telegram without a data key (check-config and every
# start warn about it).
PLAINTEXT_OVERRIDE = "insecure_plaintext_with_token"

_SETTINGS = TypeAdapter(Settings)
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
# Words of a placeholder (helpline.env.example's "replace-with-the-token-from-BotFather"),
# never of the random part of a token BotFather gives.
_PLACEHOLDER = re.compile(r"replace|botfather|paste|your|example|x{6,}", re.IGNORECASE)


def _table(root: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = root.get(name)
    return value if isinstance(value, dict) else {}


def _token(root: Mapping[str, Any], env: Mapping[str, str], problems: list[Problem]) -> str:
    written = _table(root, "telegram").get("token")
    token = env.get(TOKEN_ENV, "").strip() or (written.strip() if isinstance(written, str) else "")
    if token and not _TOKEN.match(token):
        # Never echo the token itself, not even a bad one.
        problems.append(
            Problem("telegram.token", 'expected a token of the form "123456:ABC..." from BotFather')
        )
    elif token and _PLACEHOLDER.search(token.partition(":")[2]):
        problems.append(
            Problem(
                "telegram.token",
                "still the placeholder of the example: put the token @BotFather gave the bot",
            )
        )
    return token


def _is_fernet_key(key: bytes) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key)) == 32 and len(key) == 44
    except (ValueError, binascii.Error):
        return False


def _data_keys(
    root: Mapping[str, Any],
    base_dir: Path,
    env: Mapping[str, str],
    problems: list[Problem],
    *,
    on_telegram: bool,
) -> tuple[bytes, ...]:
    privacy = _table(root, "privacy")
    key_file = privacy.get("data_key_file")
    key_file = key_file if isinstance(key_file, str) else ""
    key_text = env.get(DATA_KEY_ENV, "").strip()
    if key_file and not key_text:
        key_path = Path(key_file).expanduser()
        key_path = key_path if key_path.is_absolute() else base_dir / key_path
        try:
            key_text = key_path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeError):
            message = f"cannot read the key file {key_path}"
            problems.append(Problem("privacy.data_key_file", message))
    keys = tuple(part.strip().encode("ascii") for part in re.split(r"[,\s]+", key_text) if part)
    if not all(_is_fernet_key(key) for key in keys):
        # Never echo the key, not even a bad one.
        problems.append(
            Problem(
                "privacy.data_key_file" if key_file else DATA_KEY_ENV,
                "expected keys made by `helpline-bot new-key` (44 characters, base64)",
            )
        )
        keys = ()
    if keys:
        return keys
    if on_telegram:
        # Real people's texts: allow_plaintext (for trying the sandbox) is not enough.
        if privacy.get(PLAINTEXT_OVERRIDE) is not True:
            problems.append(
                Problem(
                    "privacy",
                    f"no data key while a bot token is set: real people's texts would be "
                    f"stored unencrypted; set {DATA_KEY_ENV} or privacy.data_key_file (make "
                    "one with `helpline-bot new-key`); allow_plaintext is only for the sandbox",
                )
            )
    elif privacy.get("allow_plaintext") is not True:
        problems.append(
            Problem(
                "privacy",
                f"no data key: set {DATA_KEY_ENV} or privacy.data_key_file "
                "(make one with `helpline-bot new-key`), or allow_plaintext = true to try the bot",
            )
        )
    return keys


def _completed(settings: Settings, token: str, keys: tuple[bytes, ...]) -> Settings:
    """What the file's tables alone do not give: the secrets, the stand-in staff group."""
    telegram = settings.telegram
    staff_chat_id = telegram.staff_chat_id
    if staff_chat_id == NO_GROUP:
        # Every centre has its own group: code that knows no centre yet uses the first's.
        staff_chat_id = next(c.staff_chat_id for c in settings.centers if c.staff_chat_id)
    return dataclasses.replace(
        settings,
        telegram=dataclasses.replace(telegram, token=token, staff_chat_id=staff_chat_id),
        privacy=dataclasses.replace(settings.privacy, data_keys=keys),
    )


def parse_settings(
    root: Mapping[str, Any],
    *,
    base_dir: Path,
    env: Mapping[str, str] | None = None,
    source: str = "config",
) -> Settings:
    """Turns a parsed TOML document into Settings, or raises ConfigError with every problem."""
    env = os.environ if env is None else env
    problems: list[Problem] = []
    settings = None
    root = _with_health_from(env, root)
    context: dict[str, Path] = {"base_dir": base_dir}
    data_dir = env.get(DATA_DIR_ENV, "").strip()
    if data_dir:
        context["data_dir"] = Path(data_dir).expanduser().absolute()
    try:
        settings = _SETTINGS.validate_python(root, context=context)
    except ValidationError as error:
        problems += problems_from(Settings, error)
    problems += cross_problems(root)
    token = _token(root, env, problems)
    keys = _data_keys(root, base_dir, env, problems, on_telegram=bool(token))
    if problems or settings is None:
        # In the order of the file's sections, so the list reads along with the file.
        sections = {name: index for index, name in enumerate(root)}
        problems.sort(key=lambda p: sections.get(re.split(r"[.\[]", p.key)[0], len(sections)))
        raise ConfigError(source, problems)
    return _completed(settings, token, keys)


def _with_health_from(env: Mapping[str, str], root: Mapping[str, Any]) -> Mapping[str, Any]:
    """$HELPLINE_BOT_HEALTH_LISTEN switches [health] on at that address (checked as
    health.listen is): a container's HEALTHCHECK works whatever the mounted config says."""
    listen = env.get(HEALTH_LISTEN_ENV, "").strip()
    if not listen:
        return root
    return {**root, "health": {**_table(root, "health"), "listen": listen}}


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get(CONFIG_ENV) or "config.toml")


def load_settings(path: Path, env: Mapping[str, str] | None = None) -> Settings:
    """Reads and validates the config file; raises ConfigError listing every problem."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            source, [Problem("(file)", "not found; copy config.example.toml")]
        ) from None
    except OSError as error:
        raise ConfigError(
            source, [Problem("(file)", f"cannot be read: {error.strerror}")]
        ) from None
    try:
        root = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(source, [Problem("(syntax)", f"not valid TOML: {error}")]) from None
    return parse_settings(root, base_dir=path.resolve().parent, env=env, source=source)
