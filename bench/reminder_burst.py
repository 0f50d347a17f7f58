"""Time to deliver 1,000 reminders due at the same minute, within Telegram's limits.

Runs the real Application against the sandbox with the emulator enforcing Telegram's
limits (30 messages a second overall, 20 a minute into a group) and the bot's real
limits (``telegram_per_second = 30``). 1,000 users who started the bot each have an
appointment on Thursday at 12:00 with a reminder 24 hours before; the clock is moved to
Wednesday 12:00 and the due work runs once. Measured on the wall clock from that run to
the moment the emulator has accepted the 1,000th reminder; also counts the 429 answers
the bot met. At 30 messages a second the ideal is about 34 s.

    /work/venv/bin/python -m bench.reminder_burst [reminders]      (from the repository root)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bot.app import SANDBOX_TOKEN
from bot.appointments.rules import planned_reminders
from bot.clock import ManualClock
from sandbox import TelegramEmulator
from storage.appointments import NewAppointment, ReminderChanges, SeatChanges
from tests.conftest import START, Harness, make_settings

APPOINTMENT = START.replace(day=3, hour=12)  # Thursday 12:00 in Almaty
DUE = APPOINTMENT - timedelta(hours=24)


def reminders_accepted(emu: TelegramEmulator, since: int) -> int:
    return sum(
        1
        for r in emu.requests[since:]
        if r.method == "sendMessage" and r.ok and "🔔" in str(r.params.get("text", ""))
    )


async def measure(count: int) -> tuple[float, int, int]:
    changes = {
        "booking": {"reminders": ["24h"]},
        "limits": {"telegram_per_second": 30, "telegram_group_per_minute": 20},
    }
    async with TelegramEmulator(token=SANDBOX_TOKEN, bot_username="helpline_bench_bot") as emu:
        emu.advance_time(START.timestamp() - emu.now())
        with tempfile.TemporaryDirectory() as folder:
            settings = make_settings(Path(folder), emu.base_url, changes)
            harness = Harness(emu, settings, ManualClock(START))
            await harness.start()
            try:
                services = harness.services
                service = settings.service("training")
                assert service is not None
                now = harness.clock.now()
                users = [harness.user(f"Bench{n}") for n in range(count)]
                for user in users:
                    # The bot may write to a user only after they wrote to it.
                    user.started = True
                    await services.users.set_language(user.id, "ru", now)
                    await services.users.give_consent(user.id, now)
                    # Straight into storage: the staff notices of the bot's path would
                    # share the sending rate with the reminders measured here.
                    async with services.write() as tx:
                        appointment = await SeatChanges(tx.connection, tx.sealer).insert_if_free(
                            NewAppointment(
                                user_id=user.id,
                                center_id=service.center,
                                service_id=service.id,
                                starts_at=APPOINTMENT,
                                ends_at=APPOINTMENT + service.duration,
                                capacity=count,
                                note=None,
                                name_in_reminders=False,
                            ),
                            now,
                        )
                        assert appointment is not None
                        await ReminderChanges(tx.connection, tx.sealer).plan(
                            appointment.id,
                            planned_reminders(
                                APPOINTMENT, now, settings.booking, settings.general.timezone
                            ),
                        )
                emu.enforce_rate_limits(global_per_second=30, group_per_minute=20)
                harness.advance(DUE - harness.clock.now())
                since = len(emu.requests)
                started = time.perf_counter()
                await harness.run_due_work()
                await emu.wait_until(lambda: reminders_accepted(emu, since) >= count, timeout=600)
                seconds = time.perf_counter() - started
                too_many = sum(1 for r in emu.requests[since:] if r.status == 429)
                sent = reminders_accepted(emu, since)
                return seconds, too_many, sent
            finally:
                await harness.stop()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    seconds, too_many, sent = asyncio.run(measure(count))
    print(f"{count} reminders due at the same minute, Telegram's limits enforced (30/s):")
    print(f"  all {sent} delivered in {seconds:.1f} s (ideal about {count / 30 + 0.5:.0f} s)")
    print(f"  429 answers met: {too_many}")


if __name__ == "__main__":
    main()
