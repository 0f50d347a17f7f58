"""How fast urgent things go out under Telegram's limits, beside a bare echo bot.

Every part runs against the local emulator with Telegram's limits enforced (30
messages a second overall, 20 a minute into a group) and the bot at its real limits
(``telegram_per_second = 30``, ``telegram_group_per_minute = 20``); each part has a
fresh emulator, bot and database, so one part's windows do not slow the next. Times are
on the emulator's clock, from the moment a user's message is posted to the moment the
emulator accepted the bot's request:

1. a bare python-telegram-bot echo bot (no rate limiter), 20 texts a second: text to echo;
2. /sos to the staff card, idle: one a little over a second after another (below the
   group's 20 a minute and with the last one's sends out of the 30 a second);
3. /sos to the staff card right after 120 users wrote at once (their handlers and the
   /sos handler share the database), and once 20 of their replies went out (the other
   100 wait in the rate limiter), 5 rounds each;
4. /sos to the staff card while 1,000 reminders go out, and the burst's rate and 429s;
5. 30 /sos from 30 users within two seconds: each on-duty DM, each staff card, 429s.

    .venv/bin/python -m bench.urgent_latency      (from the repository root)
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import SANDBOX_TOKEN
from bot.appointments.rules import planned_reminders
from bot.clock import ManualClock
from bot.domain.codes import CODE_RE
from sandbox import RecordedRequest, SimUser, TelegramEmulator
from storage.appointments import NewAppointment, ReminderChanges, SeatChanges
from tests.conftest import START, Harness, make_settings

PER_SECOND = 30
GROUP_PER_MINUTE = 20
LIMITS = {
    "limits": {
        "telegram_per_second": PER_SECOND,
        "telegram_group_per_minute": GROUP_PER_MINUTE,
        "cases_per_day": 5,
    }
}
WAIT = 300.0  # the longest any one thing is waited for; "> 300 s" means it never came
ECHO_TRIES = 200
ECHO_PACE = 0.05
IDLE_TRIES = 15
IDLE_GAP = 1.1  # seconds between idle tries: the last one's sends have left the window
QUEUED_ROUNDS = 5
QUEUED_REPLIES = 120
QUEUED_SENT_FIRST = 20  # replies already out when the /sos comes: the handlers are done
REMINDERS = 1000
SOS_DURING_BURST = (2.0, 12.0, 22.0)  # seconds after the reminders became due
CROWD = 30
CROWD_SPREAD = 2.0


# ------------------------------------------------------------------------------ helpers


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def ms(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def spread(values: list[float]) -> str:
    if not values:
        return "none arrived"
    return (
        f"median {ms(percentile(values, 0.5))}, p95 {ms(percentile(values, 0.95))}, "
        f"worst {ms(max(values))}"
    )


def too_many(emu: TelegramEmulator, since: int = 0) -> int:
    return sum(1 for r in emu.requests[since:] if r.status == 429)


def first_accepted(
    emu: TelegramEmulator, since: int, match: Callable[[RecordedRequest], bool]
) -> RecordedRequest | None:
    return next((r for r in emu.requests[since:] if r.ok and match(r)), None)


async def accepted_at(
    emu: TelegramEmulator, since: int, match: Callable[[RecordedRequest], bool]
) -> float:
    """When the emulator accepted the first request matching; inf if not within WAIT."""
    try:
        await emu.wait_until(lambda: first_accepted(emu, since, match) is not None, WAIT)
    except AssertionError:
        return math.inf
    found = first_accepted(emu, since, match)
    assert found is not None
    return found.at


def sends_to(chat_id: int, code: str) -> Callable[[RecordedRequest], bool]:
    def match(record: RecordedRequest) -> bool:
        return (
            record.method == "sendMessage"
            and record.params.get("chat_id") == chat_id
            and code in str(record.params.get("text", ""))
        )

    return match


@asynccontextmanager
async def helpline(name: str) -> AsyncIterator[Harness]:
    async with TelegramEmulator(token=SANDBOX_TOKEN, bot_username=f"{name}_bench_bot") as emu:
        emu.advance_time(START.timestamp() - emu.now())
        with tempfile.TemporaryDirectory() as folder:
            settings = make_settings(Path(folder), emu.base_url, LIMITS)
            harness = Harness(emu, settings, ManualClock(START))
            await harness.start()
            try:
                await harness.duty.send("/start")
                await harness.handled()
                yield harness
            finally:
                await harness.stop()


async def ready_users(harness: Harness, count: int, prefix: str) -> list[SimUser]:
    """Users who started the bot, chose Russian and consented, straight in the database."""
    services = harness.services
    now = harness.clock.now()
    users = [harness.user(f"{prefix}{n}") for n in range(count)]
    for user in users:
        user.started = True
        await services.users.set_language(user.id, "ru", now)
        await services.users.give_consent(user.id, now)
    return users


def enforce_limits(emu: TelegramEmulator) -> None:
    emu.enforce_rate_limits(global_per_second=PER_SECOND, group_per_minute=GROUP_PER_MINUTE)


@dataclass
class SosTimes:
    card: float
    duty: float


async def sos(harness: Harness, user: SimUser) -> SosTimes:
    """Sends /sos; from then until the staff card and the on-duty DM were accepted."""
    emu = harness.emulator
    since = len(emu.requests)
    sent_at = emu.now()
    await user.send("/sos")
    try:
        status = await user.wait_for_bot_message(
            lambda m: CODE_RE.search(m.text or "") is not None, timeout=WAIT
        )
    except AssertionError:
        return SosTimes(math.inf, math.inf)
    found = CODE_RE.search(status.text or "")
    assert found is not None
    staff_chat = harness.settings.telegram.staff_chat_id
    card, duty = await asyncio.gather(
        accepted_at(emu, since, sends_to(staff_chat, found.group())),
        accepted_at(emu, since, sends_to(harness.duty.id, found.group())),
    )
    return SosTimes(card - sent_at, duty - sent_at)


# -------------------------------------------------------------------------------- parts


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


def echo_of(text: str) -> Callable[[RecordedRequest], bool]:
    def match(record: RecordedRequest) -> bool:
        return record.method == "sendMessage" and bool(record.params.get("text") == text)

    return match


async def echo_bot() -> list[float]:
    async with TelegramEmulator(token=SANDBOX_TOKEN, bot_username="echo_bench_bot") as emu:
        enforce_limits(emu)
        application = (
            ApplicationBuilder()
            .token(SANDBOX_TOKEN)
            .base_url(emu.base_url)
            # Two: the last poll may still be open when stopping asks for updates once more.
            .get_updates_connection_pool_size(2)
            .build()
        )
        application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
        latencies: list[float] = []
        async with application:
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=1)
            await application.start()
            users = [emu.create_user(first_name=f"Echo{n}", username=None) for n in range(10)]
            for n in range(ECHO_TRIES):
                # Paced below 30 a second: the echo bot has no rate limiter.
                await asyncio.sleep(ECHO_PACE)
                text = f"echo {n}"
                since = len(emu.requests)
                sent_at = emu.now()
                await users[n % len(users)].send(text)
                at = await accepted_at(emu, since, echo_of(text))
                latencies.append(at - sent_at)
            await application.updater.stop()
            await application.stop()
        return latencies


async def sos_idle() -> list[float]:
    async with helpline("idle") as harness:
        users = await ready_users(harness, IDLE_TRIES, "Idle")
        enforce_limits(harness.emulator)
        latencies = []
        for user in users:
            latencies.append((await sos(harness, user)).card)
            await harness.handled()
            # Idle means idle: each /sos makes four sends (numbers, card, DM, status), so
            # back to back they would fill Telegram's 30 a second and measure the limit.
            await asyncio.sleep(IDLE_GAP)
        return latencies


async def sos_behind_queued_replies(sent_first: int) -> list[float]:
    """120 users write at once; once ``sent_first`` of their replies went out (their
    handlers are done and the rest of the replies wait to be sent), a /sos."""
    async with helpline("queued") as harness:
        emu = harness.emulator
        crowd = await ready_users(harness, QUEUED_REPLIES * QUEUED_ROUNDS, "Chatty")
        people = await ready_users(harness, QUEUED_ROUNDS, "Urgent")
        enforce_limits(emu)
        latencies = []
        for round_ in range(QUEUED_ROUNDS):
            chatty = crowd[round_ * QUEUED_REPLIES : (round_ + 1) * QUEUED_REPLIES]
            chats = {user.id for user in chatty}
            since = len(emu.requests)

            def replies(since: int = since, chats: set[int] = chats) -> int:
                return sum(
                    1 for r in emu.requests[since:] if r.ok and r.params.get("chat_id") in chats
                )

            # Each gets the menu's answer: 120 ordinary replies to send at 30 a second.
            await asyncio.gather(*(user.send("добрый день") for user in chatty))
            await emu.wait_until(lambda: replies() >= sent_first, timeout=WAIT)
            latencies.append((await sos(harness, people[round_])).card)
            await harness.handled()
        return latencies


@dataclass
class BurstResult:
    sos: list[float]
    seconds: float
    sent: int
    too_many: int


async def sos_during_reminders() -> BurstResult:
    async with helpline("burst") as harness:
        services, settings = harness.services, harness.settings
        service = settings.service("training")
        assert service is not None
        appointment = START.replace(day=3, hour=12)
        now = harness.clock.now()
        for user in await ready_users(harness, REMINDERS, "Booked"):
            # Straight into storage, as bench/reminder_burst.py does.
            async with services.write() as tx:
                booked = await SeatChanges(tx.connection, tx.sealer).insert_if_free(
                    NewAppointment(
                        user_id=user.id,
                        center_id=service.center,
                        service_id=service.id,
                        starts_at=appointment,
                        ends_at=appointment + service.duration,
                        capacity=REMINDERS,
                        note=None,
                        name_in_reminders=False,
                    ),
                    now,
                )
                assert booked is not None
                await ReminderChanges(tx.connection, tx.sealer).plan(
                    booked.id,
                    planned_reminders(
                        appointment, now, settings.booking, settings.general.timezone
                    ),
                )
        people = await ready_users(harness, len(SOS_DURING_BURST), "Urgent")
        emu = harness.emulator
        enforce_limits(emu)
        harness.advance(appointment - timedelta(hours=24) - harness.clock.now())
        since = len(emu.requests)
        started = time.perf_counter()
        await harness.run_due_work()

        def reminders_sent() -> int:
            return sum(
                1
                for r in emu.requests[since:]
                if r.method == "sendMessage" and r.ok and "🔔" in str(r.params.get("text", ""))
            )

        async def sos_at(delay: float, user: SimUser) -> float:
            await asyncio.sleep(max(0.0, delay - (time.perf_counter() - started)))
            return (await sos(harness, user)).card

        latencies = await asyncio.gather(
            *(sos_at(delay, user) for delay, user in zip(SOS_DURING_BURST, people, strict=True))
        )
        await emu.wait_until(lambda: reminders_sent() >= REMINDERS, timeout=900)
        seconds = time.perf_counter() - started
        return BurstResult(list(latencies), seconds, reminders_sent(), too_many(emu, since))


@dataclass
class CrowdResult:
    duty: list[float]
    card: list[float]
    too_many: int


async def sos_crowd() -> CrowdResult:
    async with helpline("crowd") as harness:
        people = await ready_users(harness, CROWD, "Crowd")
        enforce_limits(harness.emulator)
        since = len(harness.emulator.requests)

        async def one(index: int, user: SimUser) -> SosTimes:
            await asyncio.sleep(index * CROWD_SPREAD / CROWD)
            return await sos(harness, user)

        times = await asyncio.gather(*(one(n, user) for n, user in enumerate(people)))
        return CrowdResult(
            [t.duty for t in times], [t.card for t in times], too_many(harness.emulator, since)
        )


# --------------------------------------------------------------------------------- main


async def measure() -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    echo = await echo_bot()
    rows.append(
        (
            f"bare PTB echo bot, {ECHO_TRIES} texts one after another",
            f"median {ms(percentile(echo, 0.5))}, p90 {ms(percentile(echo, 0.9))}, "
            f"p99 {ms(percentile(echo, 0.99))}",
        )
    )
    idle = await sos_idle()
    rows.append(
        (
            f"/sos to staff card, idle ({IDLE_TRIES} one after another)",
            f"{spread(idle)} (median / echo p99: "
            f"{percentile(idle, 0.5) / percentile(echo, 0.99):.1f}x)",
        )
    )
    arriving = await sos_behind_queued_replies(sent_first=0)
    rows.append(
        (
            f"/sos to staff card right after {QUEUED_REPLIES} texts ({QUEUED_ROUNDS} rounds)",
            spread(arriving),
        )
    )
    queued = await sos_behind_queued_replies(sent_first=QUEUED_SENT_FIRST)
    rows.append(
        (
            f"/sos to staff card behind {QUEUED_REPLIES - QUEUED_SENT_FIRST} queued replies "
            f"({QUEUED_ROUNDS} rounds)",
            spread(queued),
        )
    )
    burst = await sos_during_reminders()
    rows.append(
        (
            f"/sos to staff card while {REMINDERS} reminders go out "
            f"(at {', '.join(f'{d:.0f}' for d in SOS_DURING_BURST)} s)",
            ", ".join(ms(v) for v in burst.sos),
        )
    )
    rate = burst.sent / burst.seconds
    rows.append(
        (
            f"{REMINDERS} reminders due at once",
            f"{burst.sent} in {burst.seconds:.1f} s = {rate:.1f}/s "
            f"({rate / PER_SECOND:.0%} of {PER_SECOND}/s), {burst.too_many} × 429",
        )
    )
    crowd = await sos_crowd()
    rows.append((f"{CROWD} /sos within {CROWD_SPREAD:.0f} s: on-duty DM", spread(crowd.duty)))
    rows.append((f"{CROWD} /sos within {CROWD_SPREAD:.0f} s: staff card", spread(crowd.card)))
    rows.append((f"{CROWD} /sos within {CROWD_SPREAD:.0f} s: 429 answers", str(crowd.too_many)))
    return rows


def main() -> None:
    rows = asyncio.run(measure())
    width = max(len(name) for name, _ in rows)
    print(f"Under Telegram's limits ({PER_SECOND}/s, {GROUP_PER_MINUTE}/min per group):")
    for name, result in rows:
        print(f"  {name.ljust(width)}  {result}")


if __name__ == "__main__":
    main()
