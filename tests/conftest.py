"""The end-to-end harness: the real Application against the local emulator over HTTP.

Each test gets a fresh emulator on an ephemeral port, a real SQLite file in tmp_path
and a manual clock. Time-driven work (escalations, reminders, retention) runs when a
test moves the clock and calls `harness.run_due_work()`; nothing waits for real time.
"""

from __future__ import annotations

import asyncio
import copy
import os
import socket
import tomllib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pytest

from bot.app import SANDBOX_TOKEN, HelplineApplication, build_application
from bot.clock import ManualClock
from bot.config import Settings, parse_settings
from bot.context import Services, services_of
from bot.i18n import Texts
from bot.runner import running
from sandbox import SimGroup, SimUser, TelegramEmulator

# As the command line does: PTB gives durations as timedelta (the PTB 23 behaviour).
os.environ.setdefault("PTB_TIMEDELTA", "1")

ALMATY = ZoneInfo("Asia/Almaty")
# A Wednesday morning in Almaty: the centre is open and the rota has someone on duty.
START = datetime(2026, 12, 2, 10, 0, tzinfo=ALMATY)

STAFF_CHAT_ID = -1001000000001
ADMIN_ID = 900
DUTY_ID = 901
BACKUP_ID = 902
STAFF_ID = 903

# The second centre of a two-centre region (`start_bot(two_centers=True)`).
SECOND_CHAT_ID = -1001000000002
REGION_CHAT_ID = -1001000000009
SECOND_ADMIN_ID = 910
SECOND_DUTY_ID = 911
SECOND_BACKUP_ID = 912
SECOND_STAFF_ID = 913

_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
TWO_CENTERS: dict[str, Any] = {
    "telegram": {"region_chat_id": REGION_CHAT_ID},
    "duty": [
        {"user_id": DUTY_ID, "days": _WEEKDAYS, "hours": "09:00-18:00", "center": "sairam"},
        {
            "user_id": SECOND_DUTY_ID,
            "days": _WEEKDAYS,
            "hours": "09:00-18:00",
            "center": "saryagash",
        },
    ],
    "centers": [
        {
            "id": "sairam",
            "name": {"kk": "Сайрам ауданы", "ru": "Сайрамский район"},
            "address": {"kk": "Ақсу ауылы", "ru": "село Аксу"},
            "phone": "+7 725 000 00 00",
        },
        {
            "id": "saryagash",
            "name": {"kk": "Сарыағаш ауданы", "ru": "Сарыагашский район"},
            "address": {"kk": "Сарыағаш қаласы", "ru": "город Сарыагаш"},
            "phone": "+7 725 111 11 11",
            "staff_chat_id": SECOND_CHAT_ID,
            "admin_ids": [SECOND_ADMIN_ID],
            "backup_ids": [SECOND_BACKUP_ID],
        },
    ],
}
_SECOND_SERVICE: dict[str, Any] = {
    "id": "saryagash_psychologist",
    "center": "saryagash",
    "name": {"kk": "Сарыағаш психологы", "ru": "Психолог в Сарыагаше"},
    "duration": "45m",
    "capacity": 1,
    "hours": {day: "09:00-18:00" for day in _WEEKDAYS},
}

TEST_CONFIG = f"""
[telegram]
staff_chat_id = {STAFF_CHAT_ID}
admin_ids = [{ADMIN_ID}]

[general]
timezone = "Asia/Almaty"
default_language = "kk"

[urgent]
escalate_after = "30s"
max_escalations = 2
backup_ids = [{BACKUP_ID}]

[[duty]]
user_id = {DUTY_ID}
days = ["mon", "tue", "wed", "thu", "fri"]
hours = "09:00-18:00"

[booking]
horizon_days = 14
min_lead = "2h"
reminders = ["24h", "2h"]
quiet_hours = "22:00-08:00"
holidays = ["2026-12-25"]

[[centers]]
id = "sairam"
name = {{ kk = "Сайрам орталығы", ru = "Сайрамский центр" }}
address = {{ kk = "Ақсу ауылы", ru = "село Аксу" }}
phone = "+7 725 000 00 00"

[[services]]
id = "psychologist"
center = "sairam"
name = {{ kk = "Психолог кеңесі", ru = "Консультация психолога" }}
duration = "45m"
capacity = 1
[services.hours]
mon = "09:00-18:00"
tue = "09:00-18:00"
wed = "09:00-18:00"
thu = "09:00-18:00"
fri = "09:00-18:00"

[[services]]
id = "training"
center = "sairam"
name = {{ kk = "Тренинг", ru = "Тренинг" }}
duration = "2h"
capacity = 12
hours = {{ sat = "10:00-12:00" }}

[privacy]
retention_days = 90
allow_plaintext = true

[limits]
cases_per_day = 5
bookings_per_day = 5
# Far above Telegram's: tests must not wait for the rate limiter.
telegram_per_second = 10000
telegram_group_per_minute = 100000

[timing]
# The tick job never fires by itself in a test: tests call run_due_work().
tick = "1d"
retry_base = "1s"
retry_max = "4s"
poll_timeout = "1s"
"""


WEBHOOK_SECRET = "test-webhook-secret_0123"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def make_settings(
    tmp_path: Path,
    base_url: str,
    changes: dict[str, Any] | None = None,
    data_key: str | None = None,
    two_centers: bool = False,
    base_config: str | None = None,
) -> Settings:
    root = tomllib.loads(base_config or TEST_CONFIG)
    if two_centers:
        root = _merge(root, TWO_CENTERS)
        root["services"].append(_SECOND_SERVICE)
    root["telegram"]["base_url"] = base_url
    root["storage"] = {"path": str(tmp_path / "helpline.sqlite3")}
    env = {"HELPLINE_BOT_DATA_KEY": data_key} if data_key else {}
    return parse_settings(_merge(root, changes or {}), base_dir=tmp_path, env=env)


def _in_flight(application: HelplineApplication) -> int:
    return application.update_processor.current_concurrent_updates


class Harness:
    """One bot, its emulator, its staff group and its clock; restartable on the same database."""

    def __init__(
        self,
        emulator: TelegramEmulator,
        settings: Settings,
        clock: ManualClock,
        forum: bool = False,
    ) -> None:
        self.emulator = emulator
        self.settings = settings
        self.clock = clock
        self.texts = Texts.load()
        self.application: HelplineApplication | None = None
        self._stack: AsyncExitStack | None = None
        self.group: SimGroup = emulator.create_group(
            chat_id=settings.telegram.staff_chat_id, title="Staff", is_forum=forum
        )
        self.admin = self._staff(ADMIN_ID, "Admin", "administrator")
        self.duty = self._staff(DUTY_ID, "Dilnaz", "member")
        self.backup = self._staff(BACKUP_ID, "Bolat", "member")
        self.staff = self._staff(STAFF_ID, "Saule", "member")
        # A two-centre region: Saryagash's own group and people, and the region group.
        sides = settings.staff_sides
        self.second_group: SimGroup | None = None
        self.region_group: SimGroup | None = None
        if len(sides) > 1:
            second = emulator.create_group(chat_id=sides[1].staff_chat_id, title="Staff 2")
            self.second_group = second
            self.second_admin = self._staff(SECOND_ADMIN_ID, "Aruzhan", "administrator", second)
            self.second_duty = self._staff(SECOND_DUTY_ID, "Marat", "member", second)
            self.second_backup = self._staff(SECOND_BACKUP_ID, "Gulnara", "member", second)
            self.second_staff = self._staff(SECOND_STAFF_ID, "Yerlan", "member", second)
        if settings.telegram.region_chat_id is not None:
            self.region_group = emulator.create_group(
                chat_id=settings.telegram.region_chat_id, title="Region"
            )

    def _staff(
        self,
        user_id: int,
        name: str,
        status: Literal["member", "administrator"],
        group: SimGroup | None = None,
    ) -> SimUser:
        member = self.emulator.create_user(user_id=user_id, first_name=name, username=name.lower())
        (group or self.group).add_member(member, status=status)
        return member

    @property
    def services(self) -> Services:
        assert self.application is not None, "the bot is not running"
        return services_of(self.application)

    async def start(self) -> None:
        self.application = build_application(self.settings, clock=self.clock, texts=self.texts)
        self._stack = AsyncExitStack()
        poll = self.settings.timing.poll_timeout.total_seconds()
        webhook = self.settings.telegram if self.settings.telegram.webhook_url else None
        await self._stack.enter_async_context(
            running(self.application, poll_timeout=poll, webhook=webhook)
        )

    async def stop(self) -> None:
        if self._stack is not None:
            await self._stack.aclose()
        self._stack = None
        self.application = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def handled(self) -> None:
        """Until every update sent so far is confirmed and handled: lets a test say that
        nothing happened, without waiting for time to pass. The deadlines are generous
        (a year's chart takes seconds of CPU on a busy machine); it returns at once when
        all is handled."""
        await self.emulator.wait_until(lambda: not self.emulator.pending_updates(), timeout=30)
        application = self.application
        assert application is not None
        async with asyncio.timeout(30):
            # PTB offers no event for "every update handled"; the sleep only yields.
            while not application.update_queue.empty() or _in_flight(application):  # noqa: ASYNC110
                await asyncio.sleep(0.005)
        async with asyncio.timeout(30):
            await self.services.delivery.wait_idle()

    async def run_due_work(self) -> None:
        await self.services.run_due_work()

    def advance(self, delta: timedelta) -> None:
        self.clock.advance(delta)
        self.emulator.advance_time(delta.total_seconds())

    def tr(self, language: str, key: str, /, **params: Any) -> str:
        return self.texts.get(language, key, **params)  # type: ignore[arg-type]

    def user(
        self, name: str = "Aigul", language_code: str = "ru", user_id: int | None = None
    ) -> SimUser:
        return self.emulator.create_user(
            user_id=user_id,
            first_name=name,
            username=f"{name.lower()}_private",
            language_code=language_code,
        )

    async def onboard(
        self,
        user: SimUser,
        language: str = "ru",
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline per step is what tests want
        center: str | None = None,
    ) -> None:
        """/start, the language, consent (and, in a region, her `center`): the user ends at
        the main menu."""
        await user.send("/start")
        await user.wait_for_bot_message(lambda m: "Выберите язык" in m.content, timeout=timeout)
        await user.press(self.tr(language, f"language.{language}"))
        await user.wait_for_bot_message(lambda m: bool(m.buttons), timeout=timeout)
        await user.press(self.tr(language, "consent.accept"))
        accepted = self.tr(language, "consent.accepted")
        await user.wait_for_bot_message(lambda m: accepted in m.content, timeout=timeout)
        if center is not None:
            found = self.settings.center(center)
            assert found is not None
            await user.press(found.name.get(language))  # type: ignore[arg-type]
            chosen = self.tr(language, "center.chosen", center=found.name.get(language))  # type: ignore[arg-type]
            await user.wait_for_bot_message(lambda m: chosen in m.content, timeout=timeout)


HarnessFactory = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def emulator() -> AsyncIterator[TelegramEmulator]:
    async with TelegramEmulator(token=SANDBOX_TOKEN, bot_username="helpline_test_bot") as emu:
        yield emu


@pytest.fixture
async def start_bot(tmp_path: Path, emulator: TelegramEmulator) -> AsyncIterator[HarnessFactory]:
    """Starts the bot with the test config, changed by `changes` (a nested dict of TOML keys)."""
    started: list[Harness] = []

    # The emulator dates messages; Telegram's 48-hour rules count from those dates.
    emulator.advance_time(START.timestamp() - emulator.now())

    async def factory(
        changes: dict[str, Any] | None = None,
        *,
        forum: bool = False,
        data_key: str | None = None,
        webhook: bool = False,
        two_centers: bool = False,
        base_config: str | None = None,
    ) -> Harness:
        """`two_centers`: a region of Sairam (the usual group and people) and Saryagash
        (`second_group`, `second_duty` ...), with a region group (`region_group`)."""
        if webhook:
            # Updates come by webhook: PTB's own server on a free local port, Telegram's
            # secret required (the emulator posts only to this machine).
            port = free_port()
            changes = _merge(
                changes or {},
                {
                    "telegram": {
                        "webhook_url": f"http://127.0.0.1:{port}/telegram-updates",
                        "webhook_listen": f"127.0.0.1:{port}",
                        "webhook_secret": WEBHOOK_SECRET,
                    }
                },
            )
        settings = make_settings(
            tmp_path, emulator.base_url, changes, data_key, two_centers, base_config
        )
        clock = ManualClock(START)
        harness = Harness(emulator, settings, clock, forum=forum)
        await harness.start()
        started.append(harness)
        return harness

    yield factory
    for harness in started:
        await harness.stop()


@pytest.fixture
async def bot(start_bot: HarnessFactory) -> Harness:
    return await start_bot()
