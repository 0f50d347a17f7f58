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
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import SANDBOX_TOKEN, build_application
from bot.config import Settings
from bot.runner import running
from sandbox.chat import DEFAULT_STAFF_ID, configured_user_ids, sandbox_settings
from sandbox.emulator import SimGroup, SimUser, TelegramEmulator
from sandbox.models import SimMessage
from sandbox.persistence import state_path_for

logger = logging.getLogger(__name__)

FIRST_VILLAGER_ID = 10001


@dataclass
class WebWorld:
    """Who is on the page: the villagers one can play, the staff group and its members."""

    emulator: TelegramEmulator
    group: SimGroup
    staff: list[SimUser]
    villagers: list[SimUser] = field(default_factory=list)
    language: str = "ru"

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


def message_view(message: SimMessage, names: dict[int, str]) -> dict[str, Any]:
    """One message as the page shows it: plain text, its kind, its buttons."""
    return {
        "id": message.message_id,
        "from_bot": message.from_bot,
        "sender": "Bot" if message.from_bot else names.get(message.sender_id, "?"),
        "sender_id": 0 if message.from_bot else message.sender_id,
        "kind": message.kind,
        "text": message.content,
        "buttons": [text for text, _ in message.buttons],
        "reply_to": message.reply_to_message_id,
        "edited": message.edited,
    }


def state_of(world: WebWorld) -> dict[str, Any]:
    names = {user.id: user.full_name for user in [*world.staff, *world.villagers]}
    emulator = world.emulator
    return {
        "villagers": [{"id": v.id, "name": v.full_name} for v in world.villagers],
        "staff": [{"id": s.id, "name": s.full_name} for s in world.staff],
        "private": {
            str(user.id): [message_view(m, names) for m in user.messages()]
            for user in [*world.villagers, *world.staff]
        },
        "group": [message_view(m, names) for m in world.group.messages() if m.kind != "service"],
        # Button pop-ups (answerCallbackQuery texts), newest last, for the page to show.
        "popups": [
            {"user": answer.user_id, "text": answer.text, "alert": answer.show_alert}
            for answer in emulator.callback_answers[-20:]
            if answer.text
        ],
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
    group = world.group if where == "group" else None
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


def build_web_app(world: WebWorld) -> web.Application:
    app = web.Application()

    async def page(request: web.Request) -> web.Response:
        html = resources.files("sandbox").joinpath("web_page.html").read_text("utf-8")
        return web.Response(text=html, content_type="text/html")

    async def state(request: web.Request) -> web.Response:
        return web.json_response(state_of(world))

    async def act(request: web.Request) -> web.Response:
        try:
            action = await request.json()
        except ValueError as error:
            raise web.HTTPBadRequest(text="expected JSON") from error
        if not isinstance(action, dict):
            raise web.HTTPBadRequest(text="expected a JSON object")
        try:
            await _act(world, action)
        except AssertionError as error:
            # The emulator refuses what Telegram would refuse (a button that is gone, a
            # non-member writing in the group): the page shows why.
            return web.json_response({"ok": False, "error": str(error)}, status=409)
        return web.json_response({"ok": True})

    async def new_villager(request: web.Request) -> web.Response:
        villager = world.add_villager()
        return web.json_response({"id": villager.id, "name": villager.full_name})

    app.router.add_get("/", page)
    app.router.add_get("/api/state", state)
    app.router.add_post("/api/act", act)
    app.router.add_post("/api/villagers", new_villager)
    return app


async def start_web(world: WebWorld, host: str = "127.0.0.1", port: int = 8088) -> web.AppRunner:
    """Serves the page on localhost only: the sandbox is a training tool, not a service."""
    runner = web.AppRunner(build_web_app(world), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


async def run_sandbox_web(settings: Settings, *, keep_database: bool, port: int = 8088) -> int:
    """The emulator, the bot and the page, until Ctrl-C."""
    with tempfile.TemporaryDirectory(prefix="helpline-sandbox-") as temp:
        # A kept database keeps the emulator's numbering beside it (see sandbox/persistence.py).
        state_path = state_path_for(settings.storage.path) if keep_database else None
        async with TelegramEmulator(
            token=SANDBOX_TOKEN, bot_username="helpline_sandbox_bot", state_path=state_path
        ) as emulator:
            world = sandbox_world(emulator, settings)
            settings = sandbox_settings(settings, emulator.base_url, keep_database, Path(temp))
            application = build_application(settings)
            async with running(application, poll_timeout=1):
                runner = await start_web(world, port=port)
                print(f"Sandbox in the browser: http://127.0.0.1:{port}/  (Ctrl-C stops it)")
                print(f"Database: {settings.storage.path}")
                stop = asyncio.Event()
                loop = asyncio.get_running_loop()
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(signal.SIGINT, stop.set)
                    loop.add_signal_handler(signal.SIGTERM, stop.set)
                try:
                    await stop.wait()
                finally:
                    await runner.cleanup()
    print("\nStopped.")
    return 0


def sandbox_world(emulator: TelegramEmulator, settings: Settings) -> WebWorld:
    """The staff group with the config's staff as members (admins may use admin tools), and
    a first villager in the centre's default language."""
    group = emulator.create_group(chat_id=settings.telegram.staff_chat_id, title="Staff (sandbox)")
    staff: list[SimUser] = []
    names = {settings.duty[0].user_id: "Psychologist"} if settings.duty else {}
    ids = [*names, *configured_user_ids(settings)]
    for number, user_id in enumerate(dict.fromkeys(ids), start=1):
        member = emulator.create_user(
            user_id=user_id, first_name=names.get(user_id, f"Colleague {number}"), username=None
        )
        member.started = True  # as if they once pressed Start, so the bot may write to them
        group.add_member(member, status="administrator")
        staff.append(member)
    if not staff:
        member = emulator.create_user(user_id=DEFAULT_STAFF_ID, first_name="Psychologist")
        member.started = True
        group.add_member(member, status="administrator")
        staff.append(member)
    world = WebWorld(emulator, group, staff, language=settings.general.default_language)
    world.add_villager()
    return world
