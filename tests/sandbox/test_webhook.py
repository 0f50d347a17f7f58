"""Webhooks: setWebhook's checks, getWebhookInfo, and updates POSTed to a local endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Conflict

from sandbox import TelegramEmulator
from sandbox.webhook import SECRET_TOKEN_HEADER
from tests.sandbox.helpers import last_description, raw


@dataclass
class Endpoint:
    """A tiny webhook receiver: records each POST, answers ``status``."""

    url: str = ""
    status: int = 200
    posts: list[tuple[str | None, dict[str, Any]]] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [update["message"]["text"] for _, update in self.posts if "message" in update]


@pytest.fixture
async def endpoint() -> AsyncIterator[Endpoint]:
    hook = Endpoint()

    async def receive(request: web.Request) -> web.Response:
        hook.posts.append((request.headers.get(SECRET_TOKEN_HEADER), await request.json()))
        return web.Response(status=hook.status)

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    hook.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield hook
    await runner.cleanup()


async def test_updates_are_posted_in_order_with_the_secret_header(
    emu: TelegramEmulator, bot: Bot, endpoint: Endpoint
) -> None:
    assert await bot.set_webhook(endpoint.url, secret_token="Sec-ret_42")
    user = emu.create_user()
    for text in ("/start", "one", "two"):
        await user.send(text)
    await emu.wait_until(lambda: len(endpoint.posts) == 3)
    assert endpoint.texts == ["/start", "one", "two"]
    assert [secret for secret, _ in endpoint.posts] == ["Sec-ret_42"] * 3
    ids = [update["update_id"] for _, update in endpoint.posts]
    assert ids == sorted(ids) and len(set(ids)) == 3
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.max_connections) == (endpoint.url, 0, 40)
    assert info.last_error_date is None and info.last_error_message is None
    with pytest.raises(Conflict):
        await bot.get_updates()
    assert last_description(emu) == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )


async def test_without_a_secret_no_header_is_sent(
    emu: TelegramEmulator, bot: Bot, endpoint: Endpoint
) -> None:
    await bot.set_webhook(endpoint.url)
    await emu.create_user().send("/start")
    await emu.wait_until(lambda: len(endpoint.posts) == 1)
    assert endpoint.posts[0][0] is None


async def test_an_update_is_retried_until_the_endpoint_takes_it(
    emu: TelegramEmulator, bot: Bot, endpoint: Endpoint
) -> None:
    endpoint.status = 500
    await bot.set_webhook(endpoint.url, secret_token="s")
    user = emu.create_user()
    await user.send("first")
    await user.send("second")
    await emu.wait_until(lambda: len(endpoint.posts) >= 3)
    # Nothing overtakes the update that is failing.
    assert set(endpoint.texts) == {"first"}
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 2
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert info.last_error_date is not None
    endpoint.status = 200
    await emu.wait_until(lambda: endpoint.texts[-2:] == ["first", "second"])
    await emu.wait_until(lambda: not emu.pending_updates())
    assert endpoint.texts.count("second") == 1
    # The last error stays on record until the webhook changes, as on Telegram.
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 0
    assert info.last_error_message is not None


async def test_an_unreachable_endpoint_is_reported(emu: TelegramEmulator, bot: Bot) -> None:
    probe = web.AppRunner(web.Application())
    await probe.setup()
    await web.TCPSite(probe, "127.0.0.1", 0).start()
    closed_port = probe.addresses[0][1]
    await probe.cleanup()
    await bot.set_webhook(f"http://127.0.0.1:{closed_port}/hook")
    await emu.create_user().send("/start")

    def reported() -> bool:
        return emu.webhook_last_error is not None

    await emu.wait_until(reported)
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Connection refused"
    assert info.pending_update_count == 1


async def test_set_webhook_checks_like_telegram(emu: TelegramEmulator) -> None:
    https = "https://example.org/hook"
    unallowed = "secret token contains unallowed characters"
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"url": "http://example.org/hook"},
            "bad webhook: An HTTPS URL must be provided for webhook",
        ),
        (
            {"url": "https://example.org:8080/hook"},
            "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
        ),
        ({"url": https, "secret_token": "with space"}, unallowed),
        ({"url": https, "secret_token": "a+b/c="}, unallowed),
        ({"url": https, "secret_token": "Жұмыс"}, unallowed),
        ({"url": https, "secret_token": "a" * 257}, "secret token is too long"),
    ]
    for params, description in cases:
        status, body = await raw(emu, "setWebhook", **params)
        assert (status, body["description"]) == (400, f"Bad Request: {description}"), params
    assert emu.webhook_url == ""
    status, _ = await raw(emu, "setWebhook", url=https, secret_token="a" * 256, max_connections=500)
    assert status == 200
    _, body = await raw(emu, "getWebhookInfo")
    assert body["result"]["max_connections"] == 100


async def test_webhook_info_and_dropping_pending_updates(emu: TelegramEmulator, bot: Bot) -> None:
    _, body = await raw(emu, "getWebhookInfo")
    assert body["result"] == {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
    user = emu.create_user()
    await user.send("/start")
    # Unreachable on purpose: the update stays pending.
    await bot.set_webhook("https://example.org/hook", allowed_updates=["message", "callback_query"])
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert set(info.allowed_updates or ()) == {"message", "callback_query"}
    await bot.set_webhook("https://example.org/hook", drop_pending_updates=True)
    assert (await bot.get_webhook_info()).pending_update_count == 0
    await user.send("again")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()
    await user.send("kept")
    assert await bot.delete_webhook()
    assert [u.message.text for u in await bot.get_updates() if u.message] == ["kept"]


async def test_an_empty_url_removes_the_webhook(emu: TelegramEmulator, bot: Bot) -> None:
    await bot.set_webhook("https://example.org/hook", secret_token="abc")
    await bot.set_webhook("")
    assert (await bot.get_webhook_info()).url == ""
    with pytest.raises(BadRequest, match="Secret token contains unallowed characters"):
        await bot.set_webhook("https://example.org/hook", secret_token="no!")
