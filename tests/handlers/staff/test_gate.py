"""The one staff gate: the staff group and its members (admins with `admin`), nobody else."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Update

from handlers.staff.gate import staff_member
from tests.conftest import STAFF_CHAT_ID, Harness


def _update(chat_id: int, user_id: int, *, is_bot: bool = False) -> Update:
    chat_type = "supergroup" if chat_id < 0 else "private"
    data: dict[str, Any] = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": chat_id, "type": chat_type},
            "from": {"id": user_id, "is_bot": is_bot, "first_name": "X"},
            "text": "/agenda",
        },
    }
    return Update.de_json(data, None)


@pytest.mark.parametrize(
    ("who", "chat", "admin", "allowed"),
    [
        ("staff", "group", False, True),
        ("admin", "group", False, True),
        ("admin", "group", True, True),
        ("staff", "group", True, False),  # a member, not an admin
        ("staff", "elsewhere", False, False),  # a member, in another chat (forged buttons)
        ("outsider", "group", False, False),
        ("bot", "group", False, False),
    ],
)
async def test_who_passes_the_gate(
    bot: Harness, who: str, chat: str, admin: bool, allowed: bool
) -> None:
    users = {"staff": bot.staff.id, "admin": bot.admin.id, "outsider": 555_000_111, "bot": 42}
    chat_id = STAFF_CHAT_ID if chat == "group" else -1009999999999
    update = _update(chat_id, users[who], is_bot=who == "bot")
    assert await staff_member(update, bot.services, admin=admin) is allowed
