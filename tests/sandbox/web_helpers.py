"""Helpers of the page's tests: texts, a region's and the demo's settings, onboarding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.__main__ import find_example_config
from bot.config import Settings
from bot.i18n import Texts
from sandbox.demo import load_demo_settings
from sandbox.emulator import SimUser
from tests.conftest import make_settings

TEXTS = Texts.load()


def tr(language: str, key: str, /, **params: Any) -> str:
    return TEXTS.get(language, key, **params)  # type: ignore[arg-type]


def region_settings(tmp_path: Path) -> Settings:
    # The base URL is the sandbox's own once it runs (sandbox_settings).
    return make_settings(tmp_path, "http://127.0.0.1:9/bot", two_centers=True)


def demo_settings() -> Settings:
    example = find_example_config()
    assert example is not None
    return load_demo_settings(example)


async def onboard(villager: SimUser, settings: Settings, language: str, center: str) -> None:
    """/start, the language, consent and her district, as she presses them on the page."""
    await villager.send("/start")
    await villager.wait_for_bot_message(lambda m: bool(m.buttons), timeout=10)
    await villager.press(tr(language, f"language.{language}"))
    await villager.wait_for_bot_message(lambda m: bool(m.buttons), timeout=10)
    await villager.press(tr(language, "consent.accept"))
    if len(settings.centers) > 1:
        found = settings.center(center)
        assert found is not None
        name = found.name.get(language)  # type: ignore[arg-type]
        await villager.wait_for_bot_message(lambda m: name in str(m.buttons), timeout=10)
        await villager.press(name)
        chosen = tr(language, "center.chosen", center=name)
        await villager.wait_for_bot_message(lambda m: chosen in m.content, timeout=10)
    else:
        accepted = tr(language, "consent.accepted")
        await villager.wait_for_bot_message(lambda m: accepted in m.content, timeout=10)
