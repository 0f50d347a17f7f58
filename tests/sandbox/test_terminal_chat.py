"""The terminal chat of `helpline-bot demo`: typed lines become actions, replies are printed."""

from __future__ import annotations

import io

from sandbox.chat import TerminalChat
from tests.conftest import HarnessFactory


async def test_a_newcomer_walks_through_start_consent_and_menu(start_bot: HarnessFactory) -> None:
    bot = await start_bot()
    out = io.StringIO()
    villager = bot.user("Villager", language_code="kk")
    chat = TerminalChat(bot.emulator, villager, bot.duty, bot.group, out=out)

    def printed(expected: str) -> bool:
        chat.print_news()
        return expected in out.getvalue()

    async def type_line(line: str, expected: str) -> None:
        assert await chat.handle(line)
        await bot.emulator.wait_until(lambda: printed(expected))

    # [3] is the quick exit, the last button of every private screen.
    await type_line("/start", "[1] Қазақша   [2] Русский   [3] 🚪")
    await type_line("1", "[4] Иә, бастау   [5] Жоқ")
    await type_line("4", "🆘 Қазір қауіп бар")
    assert "Рақмет" in out.getvalue()
    await type_line(":sticker", bot.tr("kk", "fallback.unsupported"))
    assert await chat.handle("999")  # no such button: said, nothing sent
    assert "No button [999]" in out.getvalue()
    assert not await chat.handle(":quit")
