"""The state file: its place beside the database, atomic writes, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.models import ForumTopic, SimMessage
from sandbox.persistence import (
    load_world,
    message_from_json,
    message_to_json,
    save_world,
    state_path_for,
    topic_from_json,
    topic_to_json,
)


def test_the_state_file_sits_beside_the_database() -> None:
    assert state_path_for(Path("/data/helpline.sqlite3")) == Path(
        "/data/helpline.sqlite3.sandbox.json"
    )


def test_save_and_load_round_trip_and_leave_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "state.json"
    assert load_world(path) == {}
    save_world(path, {"next_update_id": 7})
    save_world(path, {"next_update_id": 8})
    assert load_world(path) == {"version": 1, "next_update_id": 8}
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]


def test_a_foreign_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"version": 99}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a sandbox state file"):
        load_world(path)


def test_messages_and_topics_round_trip() -> None:
    message = SimMessage(
        message_id=5,
        chat_id=-100,
        from_bot=True,
        sender_id=1,
        date=1_700_000_000,
        sent_at=1_700_000_000.5,
        kind="text",
        text="Жаңа өтініш",
        entities=[{"type": "bold", "offset": 0, "length": 4}],
        reply_markup={"inline_keyboard": [[{"text": "Take", "callback_data": "take:1"}]]},
        history=["old", None],
        edited=True,
    )
    assert message_from_json(message_to_json(message)) == message
    topic = ForumTopic(3, "Case A", 7322096, closed=True)
    assert topic_from_json(topic_to_json(topic)) == topic
