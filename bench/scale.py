"""The bot on a database holding a few years of a busy region (issue 8's scale run).

100,000 appointments, 20,000 cases with their messages and 50,000 users, with audit rows,
reminders, agendas and the last 48 hours of outbox in proportion, over six centres with
four services each (bench/scale_data.py makes them, in a child process so that its
memory does not count, once per run in a temporary folder). Then the real Application
runs on that file against the local emulator over loopback HTTP, with the manual clock
at the test harness's "now" (a Wednesday morning), and this measures:

* start-up: from building the Application to polling (each time on the big database);
* resident memory (VmRSS of this process, which also holds the emulator) before the
  bot, after start-up and after the commands, and the peak (VmHWM);
* ``/agenda`` in the staff group: from the command to the day's last agenda message;
* ``/stats`` for a month (the last whole one) and for its year (``/stats 2026``): to the
  figures' text, and to the chart image that follows it;
* a booking confirm: a villager walks the whole booking flow, pressing the first offered
  button at each step; timed from the Confirm press to the confirmation message (the
  slowest other step is shown too);
* the first due-work pass (reminders, agenda, retention, escalations) on the big file.

Times are taken on the emulator's clock from the moment the update is posted to the
moment the bot's request arrives. Each command runs several times; median and worst,
and the first time apart (the first after start-up also loads what Python loads lazily).
The CPU time the process spent on it (median) is shown too: on a busy machine elapsed
times grow with the load, CPU times much less.

    .venv/bin/python -m bench.scale [--reps 5] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bench.scale_data import region_settings
from bot.app import SANDBOX_TOKEN
from bot.clock import ManualClock
from bot.config import DATA_KEY_ENV
from bot.reports.figures import figures_of_counts, month_starts
from bot.reports.period import Period
from handlers.staff.stats import render
from sandbox import RecordedRequest, SimMessage, SimUser, TelegramEmulator
from storage.crypto import new_key
from tests.conftest import START, Harness

TARGET_START_SECONDS = 3.0
TARGET_MEGABYTES = 150.0
TARGET_COMMAND_MS = 300.0
SEND_METHODS = ("sendMessage", "editMessageText", "sendPhoto")
# What each booking step waits for: a button data prefix on the bot's newest message.
BOOKING_STEPS = (
    "bk:center:",
    "bk:service:",
    "bk:day:",
    "bk:time:",
    "bk:skipnote",
    "bk:naming:0",
    "bk:confirm:",
)


def memory_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB, from /proc/self/status."""
    found: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) / 1024
    return found["VmRSS"], found["VmHWM"]


@dataclass
class Figures:
    rows: dict[str, int] = field(default_factory=dict)
    generation_seconds: float = 0.0
    database_mb: float = 0.0
    start_seconds: list[float] = field(default_factory=list)
    memory: dict[str, tuple[float, float]] = field(default_factory=dict)
    ms: dict[str, list[float]] = field(default_factory=dict)
    # CPU time of this process (bot and emulator) during each run: what load on the
    # machine does not change much, unlike the elapsed times.
    cpu_ms: dict[str, list[float]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, seconds: float, cpu_seconds: float) -> None:
        self.ms.setdefault(name, []).append(seconds * 1000)
        self.cpu_ms.setdefault(name, []).append(cpu_seconds * 1000)


def generate(folder: Path, scale: float, key: str) -> tuple[dict[str, int], float]:
    """The database, made by a child process (its memory is not this process's)."""
    path = folder / "helpline.sqlite3"
    environment = os.environ | {DATA_KEY_ENV: key}
    done = subprocess.run(
        [sys.executable, "-m", "bench.scale_data", str(path), str(scale)],
        check=True,
        capture_output=True,
        text=True,
        env=environment,
    )
    report = json.loads(done.stdout)
    return report["rows"], float(report["seconds"])


def bot_imports_mb() -> float:
    """VmRSS of a fresh process once it has imported the bot (bot.app and the command
    line), without this process's emulator, pytest and harness."""
    code = (
        "import bot.__main__, bot.app, pathlib\n"
        "status = pathlib.Path('/proc/self/status').read_text().splitlines()\n"
        "print(next(int(l.split()[1]) for l in status if l.startswith('VmRSS')))"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return int(done.stdout) / 1024


class Run:
    def __init__(self, emulator: TelegramEmulator, harness: Harness, figures: Figures) -> None:
        self.emulator = emulator
        self.harness = harness
        self.figures = figures

    def requests_since(self, seen: int, chat_id: int) -> list[RecordedRequest]:
        return [
            r
            for r in self.emulator.requests[seen:]
            if r.method in SEND_METHODS and r.params.get("chat_id") == chat_id
        ]

    async def staff_command(
        self, text: str, last_method: str | None = None
    ) -> tuple[float, list[RecordedRequest], float]:
        """Sends a command in the staff group: (when it was posted, the messages the bot
        sent in answer, the CPU seconds it took), on the emulator's clock."""
        harness = self.harness
        seen = len(self.emulator.requests)
        cpu = time.process_time()
        posted = self.emulator.now()
        await harness.staff.send_in(harness.group, text)
        chat = harness.settings.telegram.staff_chat_id
        if last_method is not None:
            # A slow answer (the chart) may take longer than handled() waits.
            await self.emulator.wait_until(
                lambda: any(r.method == last_method for r in self.requests_since(seen, chat)),
                timeout=300,
            )
        await harness.handled()
        cpu = time.process_time() - cpu
        sent = self.requests_since(seen, harness.settings.telegram.staff_chat_id)
        assert sent, f"no answer to {text}"
        return posted, sent, cpu

    async def agenda(self, reps: int) -> None:
        for _ in range(reps):
            posted, sent, cpu = await self.staff_command("/agenda")
            self.figures.add("/agenda, first message", sent[0].at - posted, cpu)
            self.figures.add("/agenda, last message", sent[-1].at - posted, cpu)
        lines = sum(str(r.params.get("text", "")).count("\n") for r in sent)
        self.figures.notes["/agenda, last message"] = f"{len(sent)} messages, {lines} lines"

    async def stats(self, reps: int, month: date) -> None:
        """/stats for a month and for its year: the figures' text, then the chart."""
        for period in (f"{month:%Y-%m}", f"{month:%Y}"):
            for _ in range(reps):
                posted, sent, cpu = await self.staff_command(f"/stats {period}", "sendPhoto")
                assert sent[-1].method == "sendPhoto", "the chart comes last"
                self.figures.add(f"/stats {period}, text", sent[0].at - posted, cpu)
                self.figures.add(f"/stats {period}, chart", sent[-1].at - posted, cpu)
        # The CPU times above include the chart's; the text's own, called directly:
        for parsed in (Period(month.year, month.month), Period(month.year)):
            for _ in range(reps):
                elapsed, cpu = await self.text(parsed)
                self.figures.add(f"/stats {parsed.label}, text alone (direct)", elapsed, cpu)

    async def text(self, period: Period) -> tuple[float, float]:
        """(elapsed, CPU) seconds of /stats's text: counting in SQL, the figures, the text."""
        services = self.harness.services
        tr = services.tr(services.settings.general.default_language)
        tz = services.settings.general.timezone
        labels = {s.id: s.name.get(tr.language) for s in services.settings.services}
        started, cpu = time.perf_counter(), time.process_time()
        counts = await services.stats.counts(*period.bounds(tz), month_starts(period, tz))
        figures = figures_of_counts(period, counts, (), service_labels=labels)
        render(figures.totals, tr, services, period)
        return time.perf_counter() - started, time.process_time() - cpu

    async def press_and_wait(
        self, user: SimUser, data: str, message_id: int, next_prefix: str
    ) -> tuple[SimMessage, float, float]:
        seen = len(self.emulator.requests)
        cpu = time.process_time()
        posted = self.emulator.now()
        await user.press_data(data, message_id)
        message = await user.wait_for_bot_message(has_button(next_prefix), timeout=30)
        cpu = time.process_time() - cpu
        sent = self.requests_since(seen, user.id)
        return message, sent[-1].at - posted, cpu

    async def booking(self, reps: int) -> None:
        harness = self.harness
        slowest: tuple[float, str] = (0.0, "")
        for n in range(reps):
            user = harness.user(f"Villager{n}")
            await harness.onboard(user, "ru")
            seen = len(self.emulator.requests)
            posted = self.emulator.now()
            await user.send("/book")
            message = await user.wait_for_bot_message(has_button("bk:"), timeout=30)
            slowest = max(slowest, (self.requests_since(seen, user.id)[-1].at - posted, "/book"))
            # With one centre the flow starts at the services.
            first = next(n for n, p in enumerate(BOOKING_STEPS) if has_button(p)(message))
            steps = BOOKING_STEPS[first:]
            for step, following in zip(steps, (*steps[1:], "bk:menu"), strict=True):
                data = next(d for _, d in message.buttons if d and d.startswith(step))
                message, seconds, cpu = await self.press_and_wait(
                    user, data, message.message_id, following
                )
                if step == "bk:confirm:":
                    self.figures.add("booking confirm", seconds, cpu)
                else:
                    slowest = max(slowest, (seconds, step.rstrip(":")))
            await harness.handled()
        self.figures.notes["booking confirm"] = (
            f"slowest other step: {slowest[1]} {slowest[0] * 1000:.0f} ms"
        )

    async def due_work(self) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        await self.harness.run_due_work()
        await self.harness.handled()
        elapsed = time.perf_counter() - started
        self.figures.add("first due-work pass", elapsed, time.process_time() - cpu)


def has_button(prefix: str) -> Callable[[SimMessage], bool]:
    def check(message: SimMessage) -> bool:
        return any(d and d.startswith(prefix) for _, d in message.buttons)

    return check


async def measure(folder: Path, key: str, reps: int, figures: Figures) -> None:
    async with TelegramEmulator(token=SANDBOX_TOKEN, bot_username="helpline_bench_bot") as emu:
        emu.advance_time(START.timestamp() - emu.now())
        settings = region_settings(folder, emu.base_url, key)
        harness = Harness(emu, settings, ManualClock(START))
        figures.memory["before the bot (emulator, imports)"] = memory_mb()
        alone = bot_imports_mb()
        figures.memory["the bot's imports alone (a fresh process)"] = (alone, alone)
        for attempt in range(reps):
            started = time.perf_counter()
            await harness.start()
            figures.start_seconds.append(time.perf_counter() - started)
            if attempt < reps - 1:
                await harness.stop()
        figures.memory["after start-up"] = memory_mb()
        run = Run(emu, harness, figures)
        try:
            await run.agenda(reps)
            month = START.astimezone(settings.general.timezone).date().replace(day=1)
            last_month = (month - timedelta(days=1)).replace(day=1)
            await run.stats(reps, last_month)
            await run.booking(reps)
            await run.due_work()
            figures.memory["after the commands"] = memory_mb()
        finally:
            await harness.stop()


def report(figures: Figures, scale: float) -> None:
    rows = figures.rows
    print(
        f"Scale run (x{scale:g}): {rows['appointments']:,} appointments, {rows['cases']:,} cases "
        f"with {rows['case_messages']:,} messages, {rows['users']:,} users, "
        f"{rows['audit_log']:,} audit rows, {rows['appointment_reminders']:,} reminders, "
        f"{rows['outbox']:,} outbox rows (48 h); {figures.database_mb:.0f} MB, "
        f"made in {figures.generation_seconds:.1f} s"
    )

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    starts = figures.start_seconds
    print(
        f"  start-up, {len(starts)} times: median {statistics.median(starts):.2f} s, "
        f"worst {max(starts):.2f} s  [target < {TARGET_START_SECONDS:g} s: "
        f"{verdict(max(starts) < TARGET_START_SECONDS)}]"
    )
    peak = 0.0
    for name, (rss, hwm) in figures.memory.items():
        peak = max(peak, hwm)
        print(f"  memory {name}: VmRSS {rss:.0f} MB, peak {hwm:.0f} MB")
    within = verdict(peak < TARGET_MEGABYTES)
    print(f"  memory peak {peak:.0f} MB  [target < {TARGET_MEGABYTES:g} MB: {within}]")
    for name, values in figures.ms.items():
        within = verdict(max(values) < TARGET_COMMAND_MS)
        target = f"  [target < {TARGET_COMMAND_MS:g} ms: {within}]"
        if name.startswith("first"):
            target = ""  # work in the background, not a command: no target
        note = f" ({figures.notes[name]})" if name in figures.notes else ""
        first = f", the first {values[0]:.0f} ms" if len(values) > 1 else ""
        cpu = statistics.median(figures.cpu_ms[name])
        print(
            f"  {name}, {len(values)} times: median {statistics.median(values):.0f} ms, "
            f"worst {max(values):.0f} ms{first}, CPU {cpu:.0f} ms{note}{target}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reps", type=int, default=5, help="repetitions of each measure")
    parser.add_argument("--scale", type=float, default=1.0, help="size factor of the data")
    args = parser.parse_args(argv)
    figures = Figures()
    key = new_key()
    with tempfile.TemporaryDirectory(prefix="helpline-scale-") as name:
        folder = Path(name)
        figures.rows, figures.generation_seconds = generate(folder, args.scale, key)
        figures.database_mb = (folder / "helpline.sqlite3").stat().st_size / 2**20
        asyncio.run(measure(folder, key, args.reps, figures))
    report(figures, args.scale)


if __name__ == "__main__":
    main()
