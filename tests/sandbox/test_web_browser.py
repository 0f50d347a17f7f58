"""The sandbox's page in headless Chromium for a region of two centres, at a laptop's
1366 px and a small screen's 800 px: the group switcher, a quoted reply, the /stats chart
as a picture, the emoji button inside the phone, what a reload keeps and forgets, and
starting over."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.i18n import Texts
from sandbox.models import CallbackAnswer
from sandbox.web import WebSandbox, start_web
from tests.conftest import ADMIN_ID, SECOND_CHAT_ID, SECOND_DUTY_ID
from tests.sandbox.web_helpers import onboard, region_settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TEXTS = Texts.load()
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"
)


@pytest.fixture
async def region(tmp_path: Path) -> AsyncIterator[tuple[WebSandbox, int]]:
    settings = region_settings(tmp_path)
    sandbox = WebSandbox(settings, keep_database=False)
    world = await sandbox.start()
    runner = await start_web(world, port=0, reset=sandbox.reset)
    try:
        yield sandbox, runner.addresses[0][1]
    finally:
        await runner.cleanup()
        await sandbox.stop()


def inside(inner: dict[str, float] | None, outer: dict[str, float] | None) -> bool:
    assert inner is not None and outer is not None
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
    )


@pytest.mark.parametrize("width", [1366, 800])
async def test_a_region_in_the_browser(
    region: tuple[WebSandbox, int], tmp_path: Path, width: int
) -> None:
    playwright_api = pytest.importorskip("playwright.async_api")
    sandbox, port = region
    assert sandbox.world is not None
    world, settings = sandbox.world, sandbox.settings
    staff_language = settings.staff_language
    villager = world.villagers[0]
    # A pop-up answered before the page was opened is old news: never shown.
    world.emulator.callback_answers.append(
        CallbackAnswer("old", villager.id, None, "Old pop-up", False, None, 0.0)
    )
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = await browser.new_page(viewport={"width": width, "height": 800})
        missing: list[str] = []
        page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
        await page.goto(f"http://127.0.0.1:{port}/")
        phone = page.get_by_test_id("villager-pane")
        staff = page.get_by_test_id("staff-pane")

        # The page's language survives a reload.
        await page.get_by_test_id("page-language").select_option("kk")
        await page.reload()
        await page.get_by_text("Тұрғынның телефоны").wait_for()
        assert await page.get_by_test_id("page-language").input_value() == "kk"
        # The 😀 button sits inside the phone at this width.
        sticker = await page.get_by_test_id("villager-sticker").bounding_box()
        assert inside(sticker, await phone.bounding_box()), (sticker, width)

        # A Saryagash villager's /sos, in Saryagash's group, taken and answered there.
        await onboard(villager, settings, "ru", "saryagash")
        await page.get_by_test_id("villager-input").fill("/sos")
        await page.get_by_test_id("villager-send").click()
        saryagash = world.emulator.group(SECOND_CHAT_ID)
        card = await saryagash.wait_for_bot_message(lambda m: bool(m.buttons), timeout=10)
        await page.get_by_test_id("group-select").select_option(str(SECOND_CHAT_ID))
        assert await page.get_by_test_id("staff-select").input_value() == str(SECOND_DUTY_ID)
        take = TEXTS.get(staff_language, "card.take")
        await staff.get_by_role("button", name=take).click()
        await saryagash.wait_for_bot_message(
            lambda m: m.message_id == card.message_id and m.edited, include_edits=True
        )
        await staff.locator(f'[data-message-id="{card.message_id}"]').click()
        await page.get_by_test_id("staff-input").fill("Мы рядом. Можете говорить?")
        await page.get_by_test_id("staff-send").click()
        await phone.get_by_text("Мы рядом. Можете говорить?").wait_for()
        # The answer shows the card it replies to.
        answer = staff.locator(".msg.mine", has_text="Мы рядом")
        quote = answer.get_by_test_id("quote")
        await quote.wait_for()
        assert (await quote.inner_text()).startswith("Bot")
        assert card.content.splitlines()[0][:20] in await quote.inner_text()
        target = os.environ.get("HELPLINE_SCREENSHOT")
        if target and width == 1366:
            # `HELPLINE_SCREENSHOT=docs/sandbox-web.png pytest -k browser` refreshes the README's.
            await page.screenshot(path=target)
        if shots := os.environ.get("HELPLINE_SCREENSHOT_DIR"):
            await page.screenshot(path=str(Path(shots) / f"sandbox-web-{width}-case.png"))

        # The /stats chart as a picture, in Sairam's group (the admin plays there).
        await page.get_by_test_id("group-select").select_option(
            str(settings.telegram.staff_chat_id)
        )
        await page.get_by_test_id("staff-select").select_option(str(ADMIN_ID))
        await page.get_by_test_id("staff-input").fill("/stats")
        await page.get_by_test_id("staff-send").click()
        chart = staff.locator("img.picture").last
        await chart.wait_for(timeout=30_000)
        await page.wait_for_function(
            "() => [...document.querySelectorAll('img.picture')].some(i => i.naturalWidth > 0)"
        )
        assert not await staff.get_by_text("[photo]").count()

        # A new pop-up shows; after a reload it does not come back.
        world.emulator.callback_answers.append(
            CallbackAnswer("new", villager.id, None, "New pop-up", False, None, 0.0)
        )
        toast = page.get_by_test_id("toast")
        await page.get_by_text("New pop-up").wait_for()
        await page.screenshot(path=str(tmp_path / f"sandbox-web-{width}.png"))
        if shots := os.environ.get("HELPLINE_SCREENSHOT_DIR"):
            await page.screenshot(path=str(Path(shots) / f"sandbox-web-{width}-chart.png"))
        await page.reload()
        await page.get_by_test_id("group-select").wait_for()
        await phone.get_by_text("Мы рядом").wait_for()
        assert not await toast.is_visible()
        assert "Old pop-up" not in await toast.inner_text()
        assert await page.get_by_test_id("group-select").input_value() == str(
            settings.telegram.staff_chat_id
        )

        # Starting over: confirmed, then every chat is empty and the bot answers afresh.
        page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
        await page.get_by_test_id("reset").click()
        await page.wait_for_function(
            "() => !document.querySelector('[data-testid=villager-messages] .msg')"
        )
        await page.get_by_test_id("villager-input").fill("/start")
        await page.get_by_test_id("villager-send").click()
        await phone.get_by_role("button", name="Русский").wait_for()
        await browser.close()
    assert not missing, missing
    assert sandbox.world is not world
    assert (tmp_path / f"sandbox-web-{width}.png").stat().st_size > 10_000
