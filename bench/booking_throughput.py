"""Bookings per second with 200 simulated users booking at once, on the local emulator.

Runs the real Application against the sandbox (the test configuration with a 60-day
horizon, a real SQLite file in a temporary folder). 200 onboarded users each book a
different free slot of the psychologist through the whole conversation (/book, service,
day, time, skip the note, discreet reminders, confirm), all at the same time, each user
answering the bot's actual last message as soon as it arrives. Prints:

* the whole flow: bookings per second from the first /book to the last confirmation;
* the confirm step alone: 200 other users wait at their summary and press Confirm at once.

One driver loop watches every chat (instead of 200 ``wait_for_bot_message`` calls, whose
scans of the emulator's event list would make the simulator, not the bot, the bottleneck).
By default Telegram's limits are off (the bot's own work is measured); with
``--telegram-limits`` the emulator enforces 30 messages a second, and so does the bot.

    /work/venv/bin/python -m bench.booking_throughput [users] [--telegram-limits]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.app import SANDBOX_TOKEN
from bot.appointments.rules import slots_on
from bot.clock import ManualClock
from bot.domain.slots import FreeSlot, bookable_days
from sandbox import SimUser, TelegramEmulator
from tests.conftest import START, Harness, make_settings

# What each step waits for (a button data prefix on the bot's last message).
STEPS = (
    "bk:service:",
    "bk:day:",
    "bk:time:",
    "bk:skipnote",
    "bk:naming:",
    "bk:confirm:",
    "bk:menu",
)
CONFIRM_STEP = STEPS.index("bk:confirm:")


@dataclass
class Booker:
    user: SimUser
    slot: FreeSlot
    step: int = 0  # the index in STEPS of the message this user waits for
    answered: int = 0  # the id of the last bot message this user acted on
    summary: tuple[int, str] | None = None  # the summary's message id and Confirm data

    def action(self, step: int) -> str:
        start = self.slot.start
        return (
            "bk:service:psychologist",
            f"bk:day:psychologist:{start.date().isoformat()}",
            f"bk:time:psychologist:{int(start.timestamp())}",
            "bk:skipnote",
            "bk:naming:0",
        )[step]


def free_slots(harness: Harness, count: int) -> list[FreeSlot]:
    settings = harness.settings
    service = settings.service("psychologist")
    assert service is not None
    tz = settings.general.timezone
    now = harness.clock.now()
    days = bookable_days(
        weekly_hours=service.hours,
        duration=service.duration,
        capacity=service.capacity,
        taken={},
        now=now,
        min_lead=settings.booking.min_lead,
        horizon_days=settings.booking.horizon_days,
        extra_holidays=settings.booking.holidays,
        tz=tz,
    )
    found: list[FreeSlot] = []
    for day in days:
        found += slots_on(service, day, {}, now, settings.booking, tz)
    assert len(found) >= count, f"only {len(found)} free slots for {count} users"
    return found[:count]


async def drive(
    emu: TelegramEmulator, bookers: list[Booker], *, until: int, press_confirm: bool
) -> None:
    """Answers each user's newest bot message until each one waits for step `until`."""
    while waiting := [b for b in bookers if b.step < until]:
        ready: list[tuple[Booker, int, str]] = []

        def find_ready(
            waiting: list[Booker] = waiting, ready: list[tuple[Booker, int, str]] = ready
        ) -> bool:
            for booker in waiting:
                messages = booker.user.bot_messages()
                last = messages[-1] if messages else None
                if last is None or last.message_id <= booker.answered:
                    continue
                data = [d for _, d in last.buttons if d and d.startswith(STEPS[booker.step])]
                if data:
                    ready.append((booker, last.message_id, data[0]))
            return bool(ready)

        await emu.wait_until(find_ready, timeout=300)
        for booker, message_id, data in ready:
            booker.answered = message_id
            step, booker.step = booker.step, booker.step + 1
            if step < CONFIRM_STEP:
                await booker.user.press_data(booker.action(step), message_id)
            elif step == CONFIRM_STEP:
                booker.summary = (message_id, data)
                if press_confirm:
                    await booker.user.press_data(data, message_id)


async def measure(count: int, telegram_limits: bool) -> tuple[float, float]:
    limits: dict[str, object] = {"bookings_per_day": 5}
    if telegram_limits:
        limits |= {"telegram_per_second": 30, "telegram_group_per_minute": 20}
    changes = {"booking": {"horizon_days": 60}, "limits": limits}
    async with TelegramEmulator(token=SANDBOX_TOKEN, bot_username="helpline_bench_bot") as emu:
        emu.advance_time(START.timestamp() - emu.now())
        with tempfile.TemporaryDirectory() as folder:
            settings = make_settings(Path(folder), emu.base_url, changes)
            harness = Harness(emu, settings, ManualClock(START))
            await harness.start()
            try:
                users = [harness.user(f"Bench{n}") for n in range(2 * count)]
                size = 10 if telegram_limits else 50
                for first in range(0, len(users), size):
                    # In batches: onboarding waits at most 5 s for each answer.
                    batch = users[first : first + size]
                    await asyncio.gather(*(harness.onboard(u, "ru") for u in batch))
                if telegram_limits:
                    emu.enforce_rate_limits(global_per_second=30, group_per_minute=20)
                slots = free_slots(harness, 2 * count)
                bookers = [Booker(u, s) for u, s in zip(users, slots, strict=True)]
                whole, confirming = bookers[:count], bookers[count:]

                started = time.perf_counter()
                for booker in whole:
                    await booker.user.send("/book")
                await drive(emu, whole, until=len(STEPS), press_confirm=True)
                flow_seconds = time.perf_counter() - started

                for booker in confirming:
                    await booker.user.send("/book")
                await drive(emu, confirming, until=CONFIRM_STEP + 1, press_confirm=False)
                started = time.perf_counter()
                for booker in confirming:
                    assert booker.summary is not None
                    message_id, data = booker.summary
                    await booker.user.press_data(data, message_id)
                await drive(emu, confirming, until=len(STEPS), press_confirm=False)
                confirm_seconds = time.perf_counter() - started

                booked = await harness.services.db.fetch_one(
                    "SELECT COUNT(*) FROM appointments WHERE status = 'booked'"
                )
                assert booked is not None and booked[0] == 2 * count, booked
                if not telegram_limits:
                    # With the limits, 20 messages a minute into the staff group: the notices
                    # of 400 bookings take 20 minutes to drain; nobody waits for them here.
                    async with asyncio.timeout(900):
                        await harness.services.delivery.wait_idle()
                return flow_seconds, confirm_seconds
            finally:
                await harness.stop()


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else 200
    limits = "--telegram-limits" in sys.argv
    flow_seconds, confirm_seconds = asyncio.run(measure(count, limits))
    where = "Telegram's limits enforced (30/s)" if limits else "no Telegram limits"
    print(f"{count} users booking at once on the local emulator, {where}:")
    print(
        f"  whole flow (/book .. confirmed): {flow_seconds:.2f} s, "
        f"{count / flow_seconds:.1f} bookings/s"
    )
    print(
        f"  confirm step only:               {confirm_seconds:.2f} s, "
        f"{count / confirm_seconds:.1f} bookings/s"
    )


if __name__ == "__main__":
    main()
