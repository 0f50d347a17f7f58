"""Urgent work under a storm (issue 17), beside a bare echo bot in the same run.

Against the local emulator with Telegram's limits enforced (30 messages a second overall,
20 a minute into a group) and the bot at its real limits, each part with a fresh emulator,
bot and database; times on the emulator's clock, from the moment a user's message (or
press) is posted to the moment the emulator accepted the bot's request:

1. a bare python-telegram-bot echo bot (bench/urgent_latency.py's), 200 texts;
2. a take during a storm: 30 /sos fill the staff group's minute, then five times a staff
   member sends /onduty (its answer must wait for the group's minute) and presses "I take
   it" on a card right behind it: press to its answer, and whether the take was stored;
3. 80 /sos within two seconds in one centre: each case to its on-duty DM (merged DMs
   count for every case they name) and to its card; how many DMs; 429 answers;
4. the same storm in one centre of two, with 5 /sos in the other centre meanwhile: the
   other centre's cards and DMs, and the storm's own DMs;
5. /sos while ``/stats 2026`` draws a year's chart of 100,000 appointments (the database
   of bench/scale_data.py, made once in a child process): /sos to its card.

    .venv/bin/python -m bench.storm      (from the repository root)
"""

from __future__ import annotations

import asyncio
import math
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.scale import generate
from bench.scale_data import region_changes
from bench.urgent_latency import (
    GROUP_PER_MINUTE,
    LIMITS,
    PER_SECOND,
    WAIT,
    accepted_at,
    echo_bot,
    enforce_limits,
    ms,
    percentile,
    ready_users,
    sends_to,
    spread,
    too_many,
)
from bot.app import SANDBOX_TOKEN
from bot.clock import ManualClock
from bot.domain.codes import CODE_RE
from bot.rate_limits import SendingRateLimiter
from sandbox import RecordedRequest, SimUser, TelegramEmulator
from storage.crypto import new_key
from tests.conftest import START, Harness, make_settings

STORM = 80
STORM_SPREAD = 2.0
TOLD_WITHIN = 5.0  # seconds: every on-duty person hears of every case by then
OTHER_CENTRE = 5
TAKE_CROWD = 30
TAKES = 5
CHART_TRIES = 3


@asynccontextmanager
async def helpline(name: str, *, two_centers: bool = False) -> AsyncIterator[Harness]:
    async with TelegramEmulator(token=SANDBOX_TOKEN, bot_username=f"{name}_bench_bot") as emu:
        emu.advance_time(START.timestamp() - emu.now())
        with tempfile.TemporaryDirectory() as folder:
            settings = make_settings(Path(folder), emu.base_url, LIMITS, two_centers=two_centers)
            harness = Harness(emu, settings, ManualClock(START))
            await harness.start()
            try:
                await harness.duty.send("/start")
                if two_centers:
                    await harness.second_duty.send("/start")
                await harness.handled()
                yield harness
            finally:
                await harness.stop()


@dataclass
class Alert:
    card: float = math.inf
    duty: float = math.inf


async def alert(harness: Harness, user: SimUser, group: int, duty: int | None) -> Alert:
    """Sends /sos; from then until its card in ``group`` and its DM to ``duty``."""
    emu = harness.emulator
    since = len(emu.requests)
    sent_at = emu.now()
    await user.send("/sos")
    try:
        status = await user.wait_for_bot_message(
            lambda m: CODE_RE.search(m.text or "") is not None, timeout=WAIT
        )
    except AssertionError:
        return Alert()
    found = CODE_RE.search(status.text or "")
    assert found is not None
    card = accepted_at(emu, since, sends_to(group, found.group()))
    if duty is None:
        return Alert(await card - sent_at)
    at_card, at_duty = await asyncio.gather(
        card, accepted_at(emu, since, sends_to(duty, found.group()))
    )
    return Alert(at_card - sent_at, at_duty - sent_at)


def dms_to(emu: TelegramEmulator, since: int, chat_id: int) -> int:
    return sum(
        1
        for r in emu.requests[since:]
        if r.ok and r.method == "sendMessage" and r.params.get("chat_id") == chat_id
    )


# -------------------------------------------------------------------------------- parts


@dataclass
class TakeResult:
    answered: list[float] = field(default_factory=list)
    stored: int = 0
    # The group's minute was still full after the last press: every answer beat a slot.
    group_full: bool = False


async def take_during_storm() -> TakeResult:
    result = TakeResult()
    async with helpline("take") as harness:
        emu, services = harness.emulator, harness.services
        people = await ready_users(harness, TAKE_CROWD, "Crowd")
        enforce_limits(emu)
        group = harness.settings.telegram.staff_chat_id
        limiter = harness.application.bot.rate_limiter if harness.application else None
        assert isinstance(limiter, SendingRateLimiter)
        await asyncio.gather(*(person.send("/sos") for person in people))
        # The group's minute fills with cards (the rest fold into lists and wait).
        await emu.wait_until(lambda: limiter.room(group) == 0, timeout=WAIT)
        cards = [
            m
            for m in harness.group.bot_messages()
            if any("case:take:" in (d or "") for _, d in m.buttons)
        ][:TAKES]
        for card in cards:
            data = next(d for _, d in card.buttons if d and d.startswith("case:take:"))
            await harness.staff.send_in(harness.group, "/onduty")
            since = len(emu.requests)
            pressed = emu.now()
            await harness.staff.press_data(data, message_id=card.message_id, chat=harness.group)

            def answer(record: RecordedRequest) -> bool:
                return record.method == "answerCallbackQuery"

            result.answered.append(await accepted_at(emu, since, answer) - pressed)
            case = await services.cases.get(int(data.rsplit(":", 1)[1]))
            result.stored += case is not None and case.taken_by == harness.staff.id
        result.group_full = limiter.room(group) == 0
    return result


@dataclass
class StormResult:
    storm: list[Alert]
    other: list[Alert]
    storm_dms: int
    other_dms: int
    too_many: int


async def storm(two_centers: bool) -> StormResult:
    async with helpline("storm2" if two_centers else "storm", two_centers=two_centers) as harness:
        emu = harness.emulator
        users = harness.services.users
        crowd = await ready_users(harness, STORM, "Storm")
        others = await ready_users(harness, OTHER_CENTRE if two_centers else 0, "Other")
        first, second = harness.settings.staff_sides[0], harness.settings.staff_sides[-1]
        if two_centers:
            for person in crowd:
                await users.set_center(person.id, first.center_id)
            for person in others:
                await users.set_center(person.id, second.center_id)
        enforce_limits(emu)
        since = len(emu.requests)
        other_duty = harness.second_duty.id if two_centers else None

        async def one(delay: float, person: SimUser, group: int, duty: int | None) -> Alert:
            await asyncio.sleep(delay)
            return await alert(harness, person, group, duty)

        storm_alerts = [
            one(n * STORM_SPREAD / STORM, p, first.staff_chat_id, harness.duty.id)
            for n, p in enumerate(crowd)
        ]
        other_alerts = [
            one((n + 0.5) * STORM_SPREAD / max(1, len(others)), p, second.staff_chat_id, other_duty)
            for n, p in enumerate(others)
        ]
        times = await asyncio.gather(*storm_alerts, *other_alerts)
        return StormResult(
            list(times[:STORM]),
            list(times[STORM:]),
            dms_to(emu, since, harness.duty.id),
            dms_to(emu, since, other_duty) if other_duty is not None else 0,
            too_many(emu, since),
        )


async def sos_while_charting(folder: Path, key: str) -> tuple[list[float], list[float]]:
    """(/sos to its card while the year chart is drawn, /stats 2026 to its chart)."""
    latencies: list[float] = []
    charts: list[float] = []
    async with TelegramEmulator(token=SANDBOX_TOKEN, bot_username="chart_bench_bot") as emu:
        emu.advance_time(START.timestamp() - emu.now())
        # bench/scale_data.py's region, at Telegram's real limits.
        changes = region_changes() | {"privacy": {"allow_plaintext": False}} | LIMITS
        settings = make_settings(folder, emu.base_url, changes, key)
        harness = Harness(emu, settings, ManualClock(START))
        await harness.start()
        try:
            people = await ready_users(harness, CHART_TRIES, "Urgent")
            group = harness.settings.staff_sides[0].staff_chat_id
            home = harness.settings.staff_sides[0].center_id
            for person in people:
                await harness.services.users.set_center(person.id, home)
            enforce_limits(emu)
            for person in people:
                since = len(emu.requests)
                posted = emu.now()
                await harness.staff.send_in(harness.group, "/stats 2026")

                def figures(record: RecordedRequest, since: int = since) -> bool:
                    return record.method == "sendMessage" and record.params.get("chat_id") == group

                # The figures' text is out: the chart is being drawn now.
                await accepted_at(emu, since, figures)
                latencies.append((await alert(harness, person, group, None)).card)

                def chart(record: RecordedRequest) -> bool:
                    return record.method == "sendPhoto"

                charts.append(await accepted_at(emu, since, chart) - posted)
                await harness.handled()
        finally:
            await harness.stop()
    return latencies, charts


# --------------------------------------------------------------------------------- main


def within(values: list[float], seconds: float) -> str:
    return f"{sum(1 for v in values if v <= seconds)} of {len(values)} within {seconds:.0f} s"


async def measure(folder: Path, key: str) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    echo = await echo_bot()
    rows.append(
        (
            "bare PTB echo bot, 200 texts one after another",
            f"median {ms(percentile(echo, 0.5))}, p99 {ms(percentile(echo, 0.99))}",
        )
    )
    take = await take_during_storm()
    rows.append(
        (
            f'"I take it" behind /onduty, the group\'s minute full ({TAKES} presses)',
            f"{spread(take.answered)}; {take.stored} of {TAKES} stored; group minute "
            f"{'still full' if take.group_full else 'freed meanwhile'}",
        )
    )
    for two in (False, True):
        result = await storm(two)
        where = "in one centre of two" if two else "in one centre"
        name = f"{STORM} /sos within {STORM_SPREAD:.0f} s {where}"
        rows.append((f"{name}: on-duty DM", f"{spread([a.duty for a in result.storm])}"))
        rows.append(
            (
                f"{name}: told within {TOLD_WITHIN:.0f} s",
                f"{within([a.duty for a in result.storm], TOLD_WITHIN)} "
                f"in {result.storm_dms} DMs; {result.too_many} x 429",
            )
        )
        rows.append((f"{name}: staff card", spread([a.card for a in result.storm])))
        if two:
            other = result.other
            rows.append(
                (
                    f"  the other centre's {OTHER_CENTRE} /sos meanwhile: card",
                    spread([a.card for a in other]),
                )
            )
            rows.append(
                (
                    f"  the other centre's {OTHER_CENTRE} /sos meanwhile: on-duty DM",
                    f"{spread([a.duty for a in other])} in {result.other_dms} DMs",
                )
            )
    generate(folder, 1.0, key)
    latencies, charts = await sos_while_charting(folder, key)
    rows.append(
        (
            f"/sos to staff card while /stats 2026 draws (100,000 appointments, {CHART_TRIES}x)",
            spread(latencies),
        )
    )
    rows.append(("/stats 2026 to its chart meanwhile", spread(charts)))
    return rows


def main() -> None:
    key = new_key()
    with tempfile.TemporaryDirectory() as folder:
        rows = asyncio.run(measure(Path(folder), key))
    width = max(len(name) for name, _ in rows)
    print(f"Under Telegram's limits ({PER_SECOND}/s, {GROUP_PER_MINUTE}/min per group):")
    for name, result in rows:
        print(f"  {name.ljust(width)}  {result}")


if __name__ == "__main__":
    main()
