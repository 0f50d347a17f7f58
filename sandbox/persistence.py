"""The emulator's memory across restarts, kept beside a kept database.

Telegram never numbers a chat's messages from 1 again; a bot whose database outlives one
emulator would otherwise see old message ids reused for new messages, and staff replies
would land on old cases. So the counters, the chats' messages and topics and who has
started the bot are written to one JSON file, atomically, and read back at the next start.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from sandbox.models import ForumTopic, SimMessage

__all__ = ["load_world", "message_from_json", "save_world", "state_path_for", "topic_from_json"]

FORMAT_VERSION = 1


def state_path_for(database: Path) -> Path:
    """Where the emulator keeps its state for this database: ``<database>.sandbox.json``."""
    return database.with_name(database.name + ".sandbox.json")


def load_world(path: Path) -> dict[str, Any]:
    """The saved state, or an empty one when there is none yet."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        raise ValueError(f"{path} is not a sandbox state file of version {FORMAT_VERSION}")
    return data


def save_world(path: Path, data: dict[str, Any]) -> None:
    """Writes the whole state; a crash mid-write leaves the previous file intact."""
    text = json.dumps({"version": FORMAT_VERSION, **data}, ensure_ascii=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def message_to_json(message: SimMessage) -> dict[str, Any]:
    return dataclasses.asdict(message)


def message_from_json(data: dict[str, Any]) -> SimMessage:
    return SimMessage(**data)


def topic_to_json(topic: ForumTopic) -> dict[str, Any]:
    return dataclasses.asdict(topic)


def topic_from_json(data: dict[str, Any]) -> ForumTopic:
    return ForumTopic(**data)
