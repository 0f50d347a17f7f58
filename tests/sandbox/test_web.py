"""The sandbox in the browser: its JSON API over the real bot, and the page in headless Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.__main__ import find_example_config
from bot.app import SANDBOX_TOKEN
from bot.config import load_settings
from sandbox import TelegramEmulator
from sandbox.configured import configured_user_ids
from sandbox.web import WebWorld, build_web_app, sandbox_world, start_web
from tests.conftest import Harness, HarnessFactory

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def world_of(bot: Harness) -> WebWorld:
    world = WebWorld(bot.emulator, bot.group, [bot.duty, bot.admin], language="ru")
    world.add_villager()
    return world


@pytest.fixture
async def helpline(start_bot: HarnessFactory) -> Harness:
    # tests/sandbox/conftest.py's `bot` is a bare PTB Bot: this file needs the whole helpline.
    return await start_bot()


@pytest.fixture
async def client(helpline: Harness) -> AsyncIterator[tuple[TestClient[Any, Any], WebWorld]]:
    world = world_of(helpline)
    async with TestClient(TestServer(build_web_app(world))) as test_client:
        yield test_client, world


async def _state(client: TestClient[Any, Any]) -> dict[str, Any]:
    response = await client.get("/api/state")
    assert response.status == 200
    body: dict[str, Any] = await response.json()
    return body


async def test_the_api_walks_a_villager_and_a_psychologist_through_an_sos(
    helpline: Harness, client: tuple[TestClient[Any, Any], WebWorld]
) -> None:
    bot = helpline
    http, world = client
    villager = world.villagers[0]
    page = await http.get("/")
    assert page.status == 200 and "villager-pane" in await page.text()

    async def act(**action: Any) -> None:
        response = await http.post("/api/act", json=action)
        assert response.status == 200, await response.text()

    await act(where="private", kind="text", user=villager.id, text="/start")
    prompt = await villager.wait_for_bot_message()
    await act(
        where="private",
        kind="press",
        user=villager.id,
        button="Русский",
        message_id=prompt.message_id,
    )
    consent = await villager.wait_for_bot_message(lambda m: bool(m.buttons))
    await act(
        where="private",
        kind="press",
        user=villager.id,
        button=bot.tr("ru", "consent.accept"),
        message_id=consent.message_id,
    )
    await villager.wait_for_bot_message(lambda m: "Спасибо" in m.content)
    await act(where="private", kind="text", user=villager.id, text="/sos")
    card = await bot.group.wait_for_bot_message(lambda m: bool(m.buttons))
    take = card.buttons[0][0]
    await act(
        where="group", kind="press", user=bot.duty.id, button=take, message_id=card.message_id
    )
    await bot.handled()
    await act(
        where="group",
        kind="text",
        user=bot.duty.id,
        text="Мы с вами. Вы в безопасности?",
        reply_to=card.message_id,
    )
    await villager.wait_for_bot_message(lambda m: "Мы с вами" in m.content)
    await act(where="private", kind="voice", user=villager.id)
    await bot.handled()

    state = await _state(http)
    mine = state["private"][str(villager.id)]
    assert any("Мы с вами" in m["text"] for m in mine)
    assert any(m["kind"] == "voice" and not m["from_bot"] for m in mine)
    group = state["groups"][0]["messages"]
    assert any(m["buttons"] == [] and "#" not in m["sender"] for m in group)
    # The villager's name never shows in the staff pane: only the bot speaks there for her.
    assert all(m["sender"] != villager.full_name for m in group)
    # The staff answer shows the card it replies to, as Telegram shows a quote.
    answer = next(m for m in group if m["text"].startswith("Мы с вами"))
    assert answer["quote"]["id"] == card.message_id and answer["quote"]["sender"] == "Bot"
    assert answer["quote"]["text"] and len(answer["quote"]["text"]) <= 120


async def test_bad_actions_get_a_clear_answer_and_change_nothing(
    client: tuple[TestClient[Any, Any], WebWorld],
) -> None:
    http, world = client
    villager = world.villagers[0]
    cases = [
        ({"where": "moon", "kind": "text", "user": villager.id, "text": "hi"}, 400),
        ({"where": "private", "kind": "dance", "user": villager.id}, 400),
        ({"where": "private", "kind": "text", "user": villager.id, "text": "   "}, 400),
        ({"where": "group", "kind": "text", "user": 424242, "text": "hi"}, 404),
        (
            {
                "where": "private",
                "kind": "press",
                "user": villager.id,
                "button": "Nope",
                "message_id": 99,
            },
            409,
        ),
    ]
    for action, status in cases:
        response = await http.post("/api/act", json=action)
        assert response.status == status, (action, await response.text())
    not_json = await http.post("/api/act", data=b"{oops")
    assert not_json.status == 400
    assert villager.messages() == []


async def test_a_second_villager_can_be_played(
    client: tuple[TestClient[Any, Any], WebWorld],
) -> None:
    http, world = client
    response = await http.post("/api/villagers")
    second = await response.json()
    state = await _state(http)
    assert [v["id"] for v in state["villagers"]] == [world.villagers[0].id, second["id"]]


@pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"
)
async def test_in_a_real_browser_onboard_sos_take_and_answer(
    helpline: Harness, tmp_path: Any
) -> None:
    bot = helpline
    playwright_api = pytest.importorskip("playwright.async_api")
    world = world_of(bot)
    runner = await start_web(world, port=0)
    port = runner.addresses[0][1]
    try:
        async with playwright_api.async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM or "chromium",
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            await page.goto(f"http://127.0.0.1:{port}/")
            villager = page.get_by_test_id("villager-pane")
            staff = page.get_by_test_id("staff-pane")

            await page.get_by_test_id("villager-input").fill("/start")
            await page.get_by_test_id("villager-send").click()
            await villager.get_by_role("button", name="Русский").click()
            await villager.get_by_role("button", name=bot.tr("ru", "consent.accept")).click()
            await villager.get_by_text("Спасибо").wait_for()
            await page.get_by_test_id("villager-input").fill("/sos")
            await page.get_by_test_id("villager-send").click()

            take = bot.tr(bot.settings.general.default_language, "card.take")
            await staff.get_by_role("button", name=take).click()
            await bot.handled()
            card = next(m for m in bot.group.bot_messages() if m.buttons)
            # Answer by replying to the card: click it, type, send.
            await staff.locator(f'[data-message-id="{card.message_id}"]').click()
            await page.get_by_test_id("replying").get_by_text(str(card.message_id)).wait_for()
            await page.get_by_test_id("staff-input").fill("Мы рядом. Можете говорить?")
            await page.get_by_test_id("staff-send").click()
            await villager.get_by_text("Мы рядом. Можете говорить?").wait_for()

            await page.screenshot(path=str(tmp_path / "sandbox-web.png"))
            # `HELPLINE_SCREENSHOT=docs/sandbox-web.png pytest -k browser` refreshes the README's.
            if target := os.environ.get("HELPLINE_SCREENSHOT"):
                await page.screenshot(path=target)
            await browser.close()
    finally:
        await runner.cleanup()
    messages = [m.content for m in world.villagers[0].bot_messages()]
    assert any("Мы рядом" in text for text in messages)
    assert (tmp_path / "sandbox-web.png").stat().st_size > 10_000


async def test_the_web_world_creates_every_user_the_config_names() -> None:
    example = find_example_config()
    assert example is not None
    settings = load_settings(example)
    async with TelegramEmulator(token=SANDBOX_TOKEN) as emulator:
        world = sandbox_world(emulator, settings)
        for user_id in configured_user_ids(settings):
            assert emulator.user(user_id).started
        assert settings.telegram.admin_ids <= {member.id for member in world.staff}


async def test_the_stats_chart_is_a_picture_on_the_page_and_the_tab_has_an_icon(
    helpline: Harness, client: tuple[TestClient[Any, Any], WebWorld]
) -> None:
    http, _ = client
    response = await http.post(
        "/api/act",
        json={"where": "group", "kind": "text", "user": helpline.admin.id, "text": "/stats"},
    )
    assert response.status == 200, await response.text()
    chart = await helpline.group.wait_for_bot_message(lambda m: m.kind == "photo", timeout=30)
    await helpline.handled()
    shown = next(
        m for m in (await _state(http))["groups"][0]["messages"] if m["id"] == chart.message_id
    )
    assert shown["picture"], shown
    picture = await http.get(shown["picture"])
    assert picture.status == 200 and picture.content_type == "image/png"
    assert (await picture.read()).startswith(b"\x89PNG")
    assert (await http.get("/api/file/photo-nothing")).status == 404
    icon = await http.get("/favicon.ico")
    assert icon.status == 200 and icon.content_type == "image/svg+xml"
