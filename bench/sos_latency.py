"""How long from a user's /sos to the staff alert reaching Telegram, on the local emulator.

Runs the real Application against the sandbox (the test configuration, a real SQLite
file in a temporary folder), sends /sos from 100 different onboarded users one after
another, and measures, on the emulator's clock, from the moment the /sos message is
posted to the moment the emulator receives the bot's sendMessage into the staff group
carrying that case's code. Prints the median and the worst.

    /work/venv/bin/python -m bench.sos_latency [tries]      (from the repository root)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

from bot.app import SANDBOX_TOKEN
from bot.clock import ManualClock
from bot.domain.codes import CODE_RE
from sandbox import TelegramEmulator
from tests.conftest import START, Harness, make_settings


async def measure(tries: int) -> list[float]:
    async with TelegramEmulator(token=SANDBOX_TOKEN, bot_username="helpline_bench_bot") as emu:
        emu.advance_time(START.timestamp() - emu.now())
        with tempfile.TemporaryDirectory() as folder:
            settings = make_settings(Path(folder), emu.base_url)
            harness = Harness(emu, settings, ManualClock(START))
            await harness.start()
            try:
                await harness.duty.send("/start")
                users = [harness.user(f"Bench{n}") for n in range(tries)]
                for user in users:
                    await harness.onboard(user, "ru")
                staff_chat = settings.telegram.staff_chat_id
                latencies = []
                for user in users:
                    seen = len(emu.requests)
                    sent_at = emu.now()
                    await user.send("/sos")
                    status = await user.wait_for_bot_message(
                        lambda m: CODE_RE.search(m.text or "") is not None, timeout=10
                    )
                    found = CODE_RE.search(status.text or "")
                    assert found is not None
                    code = found.group()

                    def alert_arrived(code: str = code, seen: int = seen) -> bool:
                        return any(
                            r.method == "sendMessage"
                            and r.params.get("chat_id") == staff_chat
                            and code in str(r.params.get("text", ""))
                            for r in emu.requests[seen:]
                        )

                    await emu.wait_until(alert_arrived, timeout=10)
                    alert = next(
                        r
                        for r in emu.requests[seen:]
                        if r.params.get("chat_id") == staff_chat
                        and code in str(r.params.get("text", ""))
                    )
                    latencies.append(alert.at - sent_at)
                    async with asyncio.timeout(10):
                        await harness.services.delivery.wait_idle()
                return latencies
            finally:
                await harness.stop()


def main() -> None:
    tries = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    latencies = asyncio.run(measure(tries))
    ms = sorted(value * 1000 for value in latencies)
    print(f"/sos to staff alert request, {len(ms)} tries on the local emulator:")
    print(f"  median {statistics.median(ms):.1f} ms, worst {ms[-1]:.1f} ms, best {ms[0]:.1f} ms")


if __name__ == "__main__":
    main()
