"""The sandbox in a browser: a villager's phone and the staff group side by side.

`helpline-bot demo --web` (and `run --web` without a token) serves this page on
localhost. A centre uses it to train new staff without Telegram: one person can play
villagers and staff members, press buttons, send voice and sticker stand-ins, and see
what each side sees. The page polls a small JSON API; everything it does goes through
the emulator exactly as a Telegram client would (sandbox/emulator.py).

Texts from the bot are shown as plain text (never as HTML in the page), so nothing a
villager types can run in the trainer's browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import SANDBOX_TOKEN, build_application
from bot.config import Settings
from bot.runner import running
from sandbox.configured import (
    DEFAULT_STAFF_ID,
    configured_user_ids,
    create_staff_groups,
    role_names,
    sandbox_settings,
)
from sandbox.emulator import SimGroup, SimUser, TelegramEmulator
from sandbox.models import SimMessage
from sandbox.persistence import state_path_for

logger = logging.getLogger(__name__)

FIRST_VILLAGER_ID = 10001


@dataclass
class WebWorld:
    """Who is on the page: the villagers one can play, the staff groups and their members.

    ``group`` is the top-level staff group; ``more_groups`` the other centres' groups and
    the region group, each shown by the page's group switcher.
    """

    emulator: TelegramEmulator
    group: SimGroup
    staff: list[SimUser]
    villagers: list[SimUser] = field(default_factory=list)
    language: str = "ru"
    more_groups: list[SimGroup] = field(default_factory=list)

    @property
    def groups(self) -> list[SimGroup]:
        return [self.group, *self.more_groups]

    def add_villager(self) -> SimUser:
        number = len(self.villagers) + 1
        villager = self.emulator.create_user(
            user_id=FIRST_VILLAGER_ID + number - 1,
            first_name=f"Villager {number}",
            username=None,
            language_code=self.language,
        )
        self.villagers.append(villager)
        return villager

    def villager(self, user_id: int) -> SimUser:
        for villager in self.villagers:
            if villager.id == user_id:
                return villager
        raise web.HTTPNotFound(text=f"no villager {user_id}")

    def staff_member(self, user_id: int) -> SimUser:
        for member in self.staff:
            if member.id == user_id:
                return member
        raise web.HTTPNotFound(text=f"no staff member {user_id}")

    def staff_group(self, chat_id: Any) -> SimGroup:
        """The group an action names; none named: the top-level one."""
        if chat_id in (None, ""):
            return self.group
        for group in self.groups:
            if str(group.id) == str(chat_id):
                return group
        raise web.HTTPNotFound(text=f"no staff group {chat_id}")


QUOTE_LENGTH = 120


def _short(text: str, length: int = QUOTE_LENGTH) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def message_view(
    message: SimMessage,
    names: dict[int, str],
    chat: dict[int, SimMessage] | None = None,
    emulator: TelegramEmulator | None = None,
) -> dict[str, Any]:
    """One message as the page shows it: plain text, its kind, its buttons, the message it
    quotes (as Telegram shows a reply) and, for the bot's pictures, where to fetch them."""
    quote = None
    quoted = (chat or {}).get(message.reply_to_message_id or 0)
    if quoted is not None:
        quote = {
            "id": quoted.message_id,
            "sender": "Bot" if quoted.from_bot else names.get(quoted.sender_id, "?"),
            "text": "" if quoted.deleted else _short(quoted.content or f"[{quoted.kind}]"),
            "deleted": quoted.deleted,
        }
    picture = None
    file_id = message.file_id if message.kind == "photo" else None
    if emulator is not None and file_id and emulator.file_data(file_id):
        picture = f"/api/file/{file_id}"
    return {
        "id": message.message_id,
        "from_bot": message.from_bot,
        "sender": "Bot" if message.from_bot else names.get(message.sender_id, "?"),
        "sender_id": 0 if message.from_bot else message.sender_id,
        "kind": message.kind,
        "text": message.content,
        "buttons": [text for text, _ in message.buttons],
        "reply_to": message.reply_to_message_id,
        "quote": quote,
        "picture": picture,
        "edited": message.edited,
    }


def _chat_view(
    messages: list[SimMessage], names: dict[int, str], emulator: TelegramEmulator
) -> list[dict[str, Any]]:
    by_id = {m.message_id: m for m in messages}
    shown = [m for m in messages if not m.deleted and m.kind != "service"]
    return [message_view(m, names, by_id, emulator) for m in shown]


def state_of(world: WebWorld, *, can_reset: bool = False) -> dict[str, Any]:
    names = {user.id: user.full_name for user in [*world.staff, *world.villagers]}
    emulator = world.emulator
    return {
        "villagers": [{"id": v.id, "name": v.full_name} for v in world.villagers],
        "staff": [{"id": s.id, "name": s.full_name} for s in world.staff],
        "private": {
            str(user.id): _chat_view(user.messages(include_deleted=True), names, emulator)
            for user in [*world.villagers, *world.staff]
        },
        "groups": [
            {
                "id": group.id,
                "title": group.title,
                # Who may write there: the page offers only them as "playing as".
                "members": [s.id for s in world.staff if group.is_member(s.id)],
                "messages": _chat_view(
                    group.messages(include_deleted=True, include_service=True), names, emulator
                ),
            }
            for group in world.groups
        ],
        # Button pop-ups (answerCallbackQuery texts) with their running number, so that a
        # reloaded page shows only those that come after it, never an old one again.
        "popups": [
            {"seq": seq, "user": answer.user_id, "text": answer.text, "alert": answer.show_alert}
            for seq, answer in enumerate(emulator.callback_answers)
            if answer.text
        ][-20:],
        "can_reset": can_reset,
    }


async def _act(world: WebWorld, action: dict[str, Any]) -> None:
    """Does what the page asked: a text, a voice or sticker stand-in, or a button press."""
    where = action.get("where")
    kind = action.get("kind")
    user_id = int(action.get("user", 0))
    if where == "group":
        actor = world.staff_member(user_id)
    elif where == "private":
        actor = (
            world.villager(user_id)
            if any(v.id == user_id for v in world.villagers)
            else world.staff_member(user_id)
        )
    else:
        raise web.HTTPBadRequest(text="where must be 'group' or 'private'")
    group = world.staff_group(action.get("group")) if where == "group" else None
    reply_to = action.get("reply_to")
    reply_to = int(reply_to) if reply_to else None
    if kind == "text":
        text = str(action.get("text", "")).strip()
        if not text:
            raise web.HTTPBadRequest(text="empty text")
        if group is not None:
            await actor.send_in(group, text, reply_to=reply_to)
        elif reply_to is not None:
            await actor.reply(reply_to, text)
        else:
            await actor.send(text)
    elif kind == "voice":
        if group is not None:
            await actor.send_voice_in(group, reply_to=reply_to)
        else:
            await actor.send_voice()
    elif kind == "sticker":
        if group is not None:
            await actor.send_sticker_in(group, reply_to=reply_to)
        else:
            await actor.send_sticker()
    elif kind == "press":
        await actor.press(
            str(action.get("button", "")), chat=group, message_id=int(action["message_id"])
        )
    else:
        raise web.HTTPBadRequest(text="kind must be text, voice, sticker or press")


# The tab's icon, so the browser's automatic /favicon.ico finds one instead of a 404.
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect width="32" height="32" rx="8" fill="#2f6ea5"/>'
    '<path d="M8 10h16v10H14l-5 4v-4H8z" fill="#fff"/></svg>'
)
Reset = Callable[[], Awaitable[WebWorld]]


def build_web_app(world: WebWorld, reset: Reset | None = None) -> web.Application:
    """The page and its JSON API; ``reset`` (None: the page offers no reset) starts the
    sandbox afresh and gives the new world."""
    app = web.Application()
    current = [world]

    async def page(request: web.Request) -> web.Response:
        html = resources.files("sandbox").joinpath("web_page.html").read_text("utf-8")
        return web.Response(text=html, content_type="text/html")

    async def favicon(request: web.Request) -> web.Response:
        return web.Response(text=FAVICON, content_type="image/svg+xml")

    async def state(request: web.Request) -> web.Response:
        return web.json_response(state_of(current[0], can_reset=reset is not None))

    async def file(request: web.Request) -> web.Response:
        data = current[0].emulator.file_data(request.match_info["file_id"])
        if not data:
            raise web.HTTPNotFound(text="no such picture")
        # The bot's uploads are its charts (PNG); the browser sniffs other kinds itself.
        kind = "image/png" if data.startswith(b"\x89PNG") else "application/octet-stream"
        return web.Response(body=data, content_type=kind)

    async def act(request: web.Request) -> web.Response:
        try:
            action = await request.json()
        except ValueError as error:
            raise web.HTTPBadRequest(text="expected JSON") from error
        if not isinstance(action, dict):
            raise web.HTTPBadRequest(text="expected a JSON object")
        try:
            await _act(current[0], action)
        except AssertionError as error:
            # The emulator refuses what Telegram would refuse (a button that is gone, a
            # non-member writing in the group): the page shows why.
            return web.json_response({"ok": False, "error": str(error)}, status=409)
        return web.json_response({"ok": True})

    async def new_villager(request: web.Request) -> web.Response:
        villager = current[0].add_villager()
        return web.json_response({"id": villager.id, "name": villager.full_name})

    async def start_over(request: web.Request) -> web.Response:
        if reset is None:
            # A kept database is the centre's: the page never erases it.
            error = "the database is kept: only `helpline-bot demo --web` starts over"
            return web.json_response({"ok": False, "error": error}, status=409)
        current[0] = await reset()
        return web.json_response({"ok": True})

    app.router.add_get("/", page)
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_get("/api/state", state)
    app.router.add_get("/api/file/{file_id}", file)
    app.router.add_post("/api/act", act)
    app.router.add_post("/api/villagers", new_villager)
    app.router.add_post("/api/reset", start_over)
    return app


async def start_web(
    world: WebWorld, host: str = "127.0.0.1", port: int = 8088, reset: Reset | None = None
) -> web.AppRunner:
    """Serves the page on localhost only: the sandbox is a training tool, not a service."""
    runner = web.AppRunner(build_web_app(world, reset), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


class WebSandbox:
    """The emulator and the bot behind the page, which a throw-away sandbox can start afresh
    (the page's reset: an empty database, new chats) between two trainees."""

    def __init__(self, settings: Settings, *, keep_database: bool) -> None:
        self.settings = settings
        self.keep_database = keep_database
        self.run_settings = settings
        self.world: WebWorld | None = None
        self._stack: contextlib.AsyncExitStack | None = None
        # Two presses of "Start over" (two tabs) restart it once each, never interleaved.
        self._restarting = asyncio.Lock()

    async def start(self) -> WebWorld:
        async with contextlib.AsyncExitStack() as stack:
            temp = stack.enter_context(tempfile.TemporaryDirectory(prefix="helpline-sandbox-"))
            # A kept database keeps the emulator's numbering beside it (sandbox/persistence.py).
            keep = self.keep_database
            state_path = state_path_for(self.settings.storage.path) if keep else None
            emulator = await stack.enter_async_context(
                TelegramEmulator(
                    token=SANDBOX_TOKEN, bot_username="helpline_sandbox_bot", state_path=state_path
                )
            )
            world = sandbox_world(emulator, self.settings)
            self.run_settings = sandbox_settings(self.settings, emulator.base_url, keep, Path(temp))
            application = build_application(self.run_settings)
            await stack.enter_async_context(running(application, poll_timeout=1))
            self._stack = stack.pop_all()
        self.world = world
        return world

    async def stop(self) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()

    async def reset(self) -> WebWorld:
        async with self._restarting:
            await self.stop()
            return await self.start()


async def run_sandbox_web(settings: Settings, *, keep_database: bool, port: int = 8088) -> int:
    """The emulator, the bot and the page, until Ctrl-C."""
    sandbox = WebSandbox(settings, keep_database=keep_database)
    world = await sandbox.start()
    try:
        runner = await start_web(world, port=port, reset=None if keep_database else sandbox.reset)
        print(f"Sandbox in the browser: http://127.0.0.1:{port}/  (Ctrl-C stops it)")
        print(f"Database: {sandbox.run_settings.storage.path}")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signal.SIGINT, stop.set)
            loop.add_signal_handler(signal.SIGTERM, stop.set)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
    finally:
        await sandbox.stop()
    print("\nStopped.")
    return 0


def sandbox_world(emulator: TelegramEmulator, settings: Settings) -> WebWorld:
    """Every configured staff group with the config's staff as members (admins, so admin
    tools can be tried), and a first villager in the centre's default language."""
    names = role_names(settings)
    ids = list(dict.fromkeys([*names, *configured_user_ids(settings)])) or [DEFAULT_STAFF_ID]
    people: dict[int, SimUser] = {}
    for number, user_id in enumerate(ids, start=1):
        member = emulator.create_user(
            user_id=user_id,
            first_name=names.get(user_id)
            or ("Psychologist" if user_id == DEFAULT_STAFF_ID else f"Colleague {number}"),
            username=None,
        )
        member.started = True  # as if they once pressed Start, so the bot may write to them
        people[user_id] = member
    groups = create_staff_groups(emulator, settings, people)
    staff = list(people.values())
    if ids == [DEFAULT_STAFF_ID]:
        # A config naming nobody: one psychologist in every group, to play staff at all.
        for group in groups:
            group.add_member(staff[0], status="administrator")
    world = WebWorld(
        emulator,
        groups[0],
        staff,
        language=settings.general.default_language,
        more_groups=groups[1:],
    )
    world.add_villager()
    return world
