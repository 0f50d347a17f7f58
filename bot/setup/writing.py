"""The setup's answers as files: the data key and config.toml, both readable by the owner only.

The config is written by hand rather than by a TOML library: a short, commented file a
volunteer can read and edit, with every text in a JSON-escaped basic string (the setup
refuses control characters, so JSON's escapes are TOML's).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.fernet import Fernet

from bot.domain.language import Language
from bot.setup.probe import StaffGroup
from storage.crypto import new_key

KEY_FILE_NAME = "helpline.key"
PRIVATE = 0o600


class BadKeyFile(Exception):
    """A key file is already there and holds no valid key: never overwrite it (old data)."""


@dataclass(frozen=True)
class Pair:
    """A text in both languages, as the centre gave it."""

    kk: str
    ru: str


@dataclass(frozen=True)
class CenterAnswers:
    id: str
    name: Pair
    address: Pair
    phone: str
    group: StaffGroup


@dataclass(frozen=True)
class SetupAnswers:
    token: str
    bot_username: str
    language: Language
    staff_language: Language
    service_name: Pair
    centers: tuple[CenterAnswers, ...]


def write_private(path: Path, text: str) -> None:
    """Writes a whole file readable by its owner only (0600), replacing any old one at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(descriptor, PRIVATE)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def key_is_usable(path: Path) -> bool:
    """No key file yet (one will be made), or one holding a valid key (newest first)."""
    if not path.exists():
        return True
    try:
        Fernet(path.read_text(encoding="ascii").strip().split(",")[0].strip())
    except (OSError, ValueError, UnicodeError):
        return False
    return True


def ensure_data_key(path: Path) -> bool:
    """A data key at `path`: made (True) or, when one is there, kept (False).

    An existing key is never replaced: the texts stored under it open only with it.
    """
    if path.exists():
        if not key_is_usable(path):
            raise BadKeyFile(str(path))
        return False
    write_private(path, new_key() + "\n")
    return True


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _one_line(text: str) -> str:
    # A group title goes into a comment: no line break may end the comment early.
    return " ".join(text.split())


def _pair(pair: Pair) -> str:
    return f"{{ kk = {_string(pair.kk)}, ru = {_string(pair.ru)} }}"


_WEEKDAY_HOURS = ", ".join(f'{day} = "09:00-18:00"' for day in ("mon", "tue", "wed", "thu", "fri"))


def _center(center: CenterAnswers) -> str:
    group = center.group
    admins = f"[{group.admin_id}]" if group.admin_id is not None else "[]"
    return f"""
[[centers]]
id = {_string(center.id)}
name = {_pair(center.name)}
address = {_pair(center.address)}
phone = {_string(center.phone)}
# The staff group "{_one_line(group.title)}", found when someone wrote in it.
staff_chat_id = {group.chat_id}
# Who wrote in the staff group during the setup: may change the rota, see exports.
admin_ids = {admins}
"""


def _service(center: CenterAnswers, name: Pair) -> str:
    return f"""
# An example service to start with: change its hours, add the doctor, trainings and
# master classes as in config.example.toml.
[[services]]
id = {_string(center.id + "_psychologist")}
center = {_string(center.id)}
name = {_pair(name)}
duration = "45m"
capacity = 1
hours = {{ {_WEEKDAY_HOURS} }}
"""


def config_text(answers: SetupAnswers, written_on: date) -> str:
    """The config.toml the setup writes: every key explained in config.example.toml."""
    centers = "".join(_center(center) for center in answers.centers)
    services = "".join(_service(center, answers.service_name) for center in answers.centers)
    return f"""# Written by `helpline-bot setup` on {written_on.isoformat()}.
# Every key is explained in config.example.toml; check a change with:
#   helpline-bot check-config --config THIS_FILE
# This file holds the bot token: keep it readable by its owner only (it was written so).

[telegram]
token = {_string(answers.token)}
# The bot's username: posters (`helpline-bot poster`) are made from it without network.
bot_username = {_string(answers.bot_username)}
# The language of the bot's messages in the staff groups: "kk" or "ru".
staff_language = "{answers.staff_language}"

[general]
timezone = "Asia/Almaty"
# The language a villager sees before she picks one (she is asked at /start).
default_language = "{answers.language}"

[storage]
# Relative to this file.
path = "helpline.sqlite3"

[privacy]
# The key that encrypts stored texts, made by the setup (readable by its owner only).
# Keep a copy apart from the backups: without it the stored texts cannot be read.
data_key_file = "{KEY_FILE_NAME}"
{centers}{services}"""
