"""What the case tests share: driving the request flow, reading codes, privacy checks."""

from __future__ import annotations

import asyncio
import html
import json
import re
from typing import Any

from bot.domain.codes import CODE_RE
from sandbox import RecordedRequest, SimMessage, SimUser
from tests.conftest import STAFF_CHAT_ID, Harness


def plain(text: str) -> str:
    """A catalogue text as the user sees it: without tags, unescaped."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def code_in(text: str) -> str:
    found = CODE_RE.search(text)
    assert found is not None, f"no case code in {text!r}"
    return found.group()


def has_data(prefix: str) -> Any:
    return lambda m: any((data or "").startswith(prefix) for _, data in m.buttons)


async def settle(bot: Harness) -> None:
    """Until the outbox is empty (a handler's reply is awaited first by the caller)."""
    await asyncio.sleep(0)
    async with asyncio.timeout(10):
        await bot.services.delivery.wait_idle()


async def request_case(
    bot: Harness,
    user: SimUser,
    language: str = "ru",
    *,
    category: str = "crisis",
    story: str = "Мне очень тяжело, не сплю неделю.",
    phone: str | None = None,
) -> str:
    """The whole request flow from /request to the code; returns the code."""
    tr = bot.tr
    await user.send("/request")
    await user.wait_for_bot_message(has_data("req:cat:"))
    await user.press(tr(language, f"category.{category}"))
    if category == "violence":
        await user.wait_for_bot_message(has_data("req:safe:"))
        await user.press(tr(language, "request.safe_yes"))
        await user.wait_for_bot_message(has_data("req:screen:"))
        await user.press(tr(language, "request.screen_skip"))
    await user.wait_for_bot_message(
        lambda m: plain(tr(language, "request.ask_story"))[:25] in m.content
    )
    await user.send(story)
    await user.wait_for_bot_message(has_data("req:reply:"))
    if phone is None:
        await user.press(tr(language, "request.reply_chat"))
    else:
        await user.press(tr(language, "request.reply_call"))
        await user.wait_for_bot_message(has_data("req:back"))
        await user.send(phone)
    await user.wait_for_bot_message(has_data("req:send"))
    await user.press(tr(language, "request.send"))
    opened = await user.wait_for_bot_message(lambda m: CODE_RE.search(m.text or "") is not None)
    return code_in(opened.text or "")


def staff_chat_requests(bot: Harness) -> list[RecordedRequest]:
    return [r for r in bot.emulator.requests if r.params.get("chat_id") == STAFF_CHAT_ID]


def assert_no_user_identity(bot: Harness, *users: SimUser) -> None:
    """No request the bot made into the staff group names a user, in any parameter."""
    requests = staff_chat_requests(bot)
    assert requests, "nothing reached the staff group"
    for request in requests:
        dumped = json.dumps(request.params, ensure_ascii=False)
        for user in users:
            for secret in (user.first_name, user.username, str(user.id)):
                assert secret and secret not in dumped, (request.method, secret)


def assert_no_staff_names(bot: Harness, user: SimUser, *staff: SimUser) -> None:
    """No request to the user carries a staff member's name, username or id."""
    requests = [r for r in bot.emulator.requests if r.params.get("chat_id") == user.id]
    assert requests
    for request in requests:
        dumped = json.dumps(request.params, ensure_ascii=False)
        for member in staff:
            for secret in (member.first_name, member.username, str(member.id)):
                assert secret and secret not in dumped, (request.method, secret)


def cards(bot: Harness, code: str) -> list[SimMessage]:
    return [m for m in bot.group.bot_messages() if code in (m.text or "") and m.buttons]
