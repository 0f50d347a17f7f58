"""The page's sandbox as `helpline-bot demo --web` and `run --web` start it: every configured
group, the demo's referrals and quick answers, and starting over between two trainees."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from sandbox.models import SimMessage
from sandbox.web import WebSandbox, WebWorld, build_web_app
from tests.conftest import REGION_CHAT_ID, SECOND_CHAT_ID, SECOND_DUTY_ID, make_settings
from tests.sandbox.web_helpers import demo_settings, onboard, region_settings, tr

Http = TestClient[Any, Any]


@pytest.fixture
async def started() -> AsyncIterator[list[WebSandbox]]:
    sandboxes: list[WebSandbox] = []
    yield sandboxes
    for sandbox in sandboxes:
        await sandbox.stop()


async def page_for(
    sandboxes: list[WebSandbox], settings: Settings, *, keep_database: bool = False
) -> tuple[WebSandbox, WebWorld]:
    sandbox = WebSandbox(settings, keep_database=keep_database)
    sandboxes.append(sandbox)
    return sandbox, await sandbox.start()


async def act(http: Http, **action: Any) -> None:
    response = await http.post("/api/act", json=action)
    assert response.status == 200, await response.text()


async def state(http: Http) -> dict[str, Any]:
    response = await http.get("/api/state")
    assert response.status == 200
    body: dict[str, Any] = await response.json()
    return body


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_a_saryagash_sos_reaches_saryagash_group_shown_in_the_switcher(
    started: list[WebSandbox], tmp_path: Path, language: str
) -> None:
    settings = region_settings(tmp_path)
    _, world = await page_for(started, settings)
    villager = world.villagers[0]
    async with TestClient(TestServer(build_web_app(world))) as http:
        await onboard(villager, settings, language, "saryagash")
        await act(http, where="private", kind="text", user=villager.id, text="/sos")
        saryagash = world.emulator.group(SECOND_CHAT_ID)
        card = await saryagash.wait_for_bot_message(lambda m: bool(m.buttons), timeout=10)

        page = await state(http)
        groups = {g["id"]: g for g in page["groups"]}
        # Every configured group, the top-level one first; the region group last.
        assert list(groups) == [settings.telegram.staff_chat_id, SECOND_CHAT_ID, REGION_CHAT_ID]
        assert groups[SECOND_CHAT_ID]["title"] == "Staff · saryagash"
        assert any(m["id"] == card.message_id for m in groups[SECOND_CHAT_ID]["messages"])
        assert not any(m["buttons"] for m in groups[settings.telegram.staff_chat_id]["messages"])
        # People are named by their role and centre, for "playing as".
        names = {s["id"]: s["name"] for s in page["staff"]}
        assert names[SECOND_DUTY_ID] == "Psychologist · saryagash"
        assert {"Psychologist · sairam", "Admin · saryagash", "Backup · saryagash"} <= {
            *names.values()
        }
        # Saryagash's psychologist sits in Saryagash's group (and is offered there) ...
        assert SECOND_DUTY_ID in groups[SECOND_CHAT_ID]["members"]
        assert SECOND_DUTY_ID not in groups[settings.telegram.staff_chat_id]["members"]
        # ... and takes the case from the page.
        take = card.buttons[0][0]
        await act(
            http,
            where="group",
            group=SECOND_CHAT_ID,
            kind="press",
            user=SECOND_DUTY_ID,
            button=take,
            message_id=card.message_id,
        )
        await saryagash.wait_for_bot_message(
            lambda m: m.message_id == card.message_id and m.edited, include_edits=True
        )
        unknown = await http.post(
            "/api/act",
            json={
                "where": "group",
                "group": -5,
                "kind": "text",
                "user": SECOND_DUTY_ID,
                "text": "x",
            },
        )
        assert unknown.status == 404


def mentions(wanted: str) -> Callable[[SimMessage], bool]:
    return lambda m: wanted in str(m.buttons) or wanted in m.content


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_the_demo_has_referrals_and_quick_answers_to_try(
    started: list[WebSandbox], language: str
) -> None:
    settings = demo_settings()
    assert settings.referrals and settings.quick_replies
    _, world = await page_for(started, settings)
    villager = world.villagers[0]
    await onboard(villager, settings, language, "sairam")
    # /contacts shows the example services in her language.
    await villager.send("/contacts")
    police = settings.referrals[0].name.get(language)  # type: ignore[arg-type]
    await villager.wait_for_bot_message(lambda m: police in m.content, timeout=10)

    await villager.send("/sos")
    group = world.group
    card = await group.wait_for_bot_message(lambda m: bool(m.buttons), timeout=10)
    staff = settings.staff_language
    duty = next(m for m in world.staff if m.full_name == "Psychologist")
    await duty.press(tr(staff, "card.take"), chat=group, message_id=card.message_id)
    await group.wait_for_bot_message(
        lambda m: tr(staff, "card.refer") in str(m.buttons), include_edits=True, timeout=10
    )
    for button, wanted in (
        ("card.refer", settings.referrals[0].name.get(staff)),
        ("card.quick_reply", settings.quick_replies[0].id),
    ):
        await duty.press(tr(staff, button), chat=group, message_id=card.message_id)
        listed = await group.wait_for_bot_message(mentions(wanted), include_edits=True, timeout=10)
        assert tr(staff, "staff_tools.no_referrals") not in listed.content
        assert tr(staff, "staff_tools.no_quick_replies") not in listed.content


async def test_start_over_gives_a_fresh_sandbox_and_a_kept_database_is_never_erased(
    started: list[WebSandbox], tmp_path: Path
) -> None:
    settings = demo_settings()
    sandbox, world = await page_for(started, settings)
    async with TestClient(TestServer(build_web_app(world, reset=sandbox.reset))) as http:
        villager = world.villagers[0]
        await act(http, where="private", kind="text", user=villager.id, text="/start")
        await villager.wait_for_bot_message(timeout=10)
        assert (await state(http))["can_reset"]
        old_database = sandbox.run_settings.storage.path

        response = await http.post("/api/reset")
        assert response.status == 200
        page = await state(http)
        assert page["private"][str(villager.id)] == []
        assert all(g["messages"] == [] for g in page["groups"])
        assert not old_database.exists()
        # The new sandbox answers as the first did.
        first = page["villagers"][0]["id"]
        await act(http, where="private", kind="text", user=first, text="/start")
        assert sandbox.world is not None and sandbox.world is not world
        await sandbox.world.villagers[0].wait_for_bot_message(timeout=10)

    kept = make_settings(tmp_path, "http://127.0.0.1:9/bot")
    _, kept_world = await page_for(started, kept, keep_database=True)
    async with TestClient(TestServer(build_web_app(kept_world))) as http:
        assert not (await state(http))["can_reset"]
        refused = await http.post("/api/reset")
        assert refused.status == 409
        assert "demo --web" in (await refused.json())["error"]
