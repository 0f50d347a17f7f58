"""A terminal chat with the bot on the local emulator: `helpline-bot demo` / `run` without a token.

One person at the terminal plays a villager and a staff member. What the bot sends to
the villager's chat, to the staff group and to the psychologist's private chat is
printed as it arrives; buttons get numbers, typed to press them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import signal
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any, TextIO, TypeVar

from bot.app import SANDBOX_TOKEN, build_application
from bot.config import Settings
from bot.runner import running
from sandbox.configured import (
    configured_user_ids,
    create_staff_groups,
    sandbox_settings,
    sandbox_staff_id,
)
from sandbox.emulator import SimGroup, SimUser, TelegramEmulator
from sandbox.entities import utf16_len
from sandbox.limits import MAX_TEXT_LENGTH
from sandbox.models import CallbackAnswer, SimMessage
from sandbox.persistence import state_path_for

T = TypeVar("T")

VILLAGER_ID = 10001

HELP = """\
How to talk to the bot here:
  any text             the villager writes it (also commands: /start, /sos, /help ...)
  3                    press button [3] (of whatever chat it was shown in); a number
                       no button has (a phone number) is written as text
  :voice  :sticker  :photo      the villager sends one of these
  :staff TEXT          the psychologist writes TEXT in the staff group
  :reply N TEXT        the psychologist replies to staff-group message #N
  :group [N]           lists the staff groups (a region has several); N: write in group N
  :help                this text
  :quit                stop (Ctrl-C and Ctrl-D work too)
"""


def split_like_telegram(text: str, limit: int = MAX_TEXT_LENGTH) -> list[str]:
    """Cuts a long text into messages as the Telegram app does: at most ``limit`` UTF-16
    units each, at the last line break or space that fits, else mid-word."""
    parts: list[str] = []
    rest = text.strip()
    while utf16_len(rest) > limit:
        cut = len(rest)
        while utf16_len(rest[:cut]) > limit:
            cut = limit if cut > limit else cut - 1
        window = rest[:cut]
        at = max(window.rfind("\n"), window.rfind(" "))
        if at > 0:
            cut = at
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


@dataclasses.dataclass
class _Button:
    actor: SimUser
    message: SimMessage
    text: str
    group: SimGroup | None


class TerminalChat:
    """Prints the bot's messages and turns typed lines into the simulated people's actions."""

    def __init__(
        self,
        emulator: TelegramEmulator,
        villager: SimUser,
        staff: SimUser,
        group: SimGroup,
        out: TextIO = sys.stdout,
        more_groups: Iterable[SimGroup] = (),
    ) -> None:
        self.emulator = emulator
        self.villager = villager
        self.staff = staff
        # Where :staff and :reply write; :group switches among ``groups`` (a region's).
        self.group = group
        self.groups = [group, *more_groups]
        self.out = out
        self._seen: dict[tuple[int, int], str] = {}
        # What was last printed of each message (its text and buttons): an edit prints the
        # difference.
        self._shown: dict[tuple[int, int], tuple[str, list[tuple[str, str | None]]]] = {}
        self._buttons: dict[int, _Button] = {}
        self._next_button = 1
        # Messages kept from an earlier run (a kept database) are history, not news.
        for _, messages, _, _ in self._views():
            for message in messages:
                self._seen[(message.chat_id, message.message_id)] = self._signature(message)
                self._shown[(message.chat_id, message.message_id)] = self._shape(message)
        for message in self.villager.messages(include_deleted=True):
            self._seen[(message.chat_id, message.message_id)] = self._signature(message)
        self._answers_shown = len(emulator.callback_answers)

    def _views(self) -> list[tuple[str, list[SimMessage], SimUser, SimGroup | None]]:
        return [
            ("you", self.villager.bot_messages(), self.villager, None),
            *(
                (self._group_label(group), group.bot_messages(), self.staff, group)
                for group in self.groups
            ),
            ("psychologist's private chat", self.staff.bot_messages(), self.staff, None),
        ]

    def _group_label(self, group: SimGroup) -> str:
        return "staff group" if len(self.groups) == 1 else f"group “{group.title}”"

    def _shape(self, message: SimMessage) -> tuple[str, list[tuple[str, str | None]]]:
        return message.content, message.buttons

    def _signature(self, message: SimMessage) -> str:
        return f"{message.content}|{message.buttons}|{message.deleted}"

    def has_news(self) -> bool:
        return (
            bool(self._new_answers())
            or any(
                self._seen.get((m.chat_id, m.message_id)) != self._signature(m)
                for _, messages, _, _ in self._views()
                for m in messages
            )
            or any(
                m.deleted
                and (m.chat_id, m.message_id) in self._seen
                and not self._seen[(m.chat_id, m.message_id)].endswith("|True")
                for m in self.villager.messages(include_deleted=True)
            )
        )

    def print_news(self) -> None:
        for where, messages, actor, group in self._views():
            for message in messages:
                key = (message.chat_id, message.message_id)
                signature = self._signature(message)
                if self._seen.get(key) == signature:
                    continue
                before = self._shown.get(key)
                self._seen[key] = signature
                self._shown[key] = self._shape(message)
                if before is None:
                    self._print_message(where, message, actor, group)
                else:
                    self._print_edit(where, before, message, actor, group)
        for message in self.villager.messages(include_deleted=True):
            key = (message.chat_id, message.message_id)
            if message.deleted and not self._seen.get(key, "").endswith("|True"):
                self._seen[key] = self._signature(message)
                self.out.write(f"  (message #{message.message_id} deleted from your chat)\n")
        for answer in self._new_answers():
            self._print_answer(answer)
        self._answers_shown = len(self.emulator.callback_answers)
        self.out.flush()

    def _new_answers(self) -> list[CallbackAnswer]:
        """Button answers with a text: Telegram shows them as a pop-up (or an alert)."""
        return [a for a in self.emulator.callback_answers[self._answers_shown :] if a.text]

    def _print_answer(self, answer: CallbackAnswer) -> None:
        who = "you" if answer.user_id == self.villager.id else "the psychologist"
        if answer.show_alert:
            self.out.write(f"  ┌─ alert for {who} (OK to close) ─\n  │ {answer.text}\n  └─\n")
        else:
            self.out.write(f"  (pop-up for {who}: {answer.text})\n")

    def _print_message(
        self, where: str, message: SimMessage, actor: SimUser, group: SimGroup | None
    ) -> None:
        if message.deleted:
            return
        thread = f" topic {message.thread_id}" if message.thread_id else ""
        body = message.content if message.kind == "text" else f"[{message.kind}] {message.content}"
        self.out.write(f"\n── {where}{thread} · #{message.message_id} (new) ──\n{body}\n")
        self._print_buttons(message, actor, group)

    def _print_edit(
        self,
        where: str,
        before: tuple[str, list[tuple[str, str | None]]],
        message: SimMessage,
        actor: SimUser,
        group: SimGroup | None,
    ) -> None:
        """An edit as one short line and only what changed: a card's status, a list that
        became a confirmation. Reprinting the whole message buried the conversation."""
        if message.deleted:
            return
        old_text, old_buttons = before
        old_lines = old_text.splitlines()
        added = [line for line in message.content.splitlines() if line not in old_lines]
        if message.content == old_text:
            change = "its buttons changed"
        elif added:
            change = "now also says:" if len(added) > 1 else f"now says: {added[0]}"
        else:
            change = "shortened"
        self.out.write(f"  ✎ {where} #{message.message_id} edited, {change}\n")
        if len(added) > 1:
            self.out.write("".join(f"    {line}\n" for line in added))
        if message.buttons != old_buttons:
            if any(data is not None for _, data in message.buttons):
                self._print_buttons(message, actor, group)
            else:
                self.out.write("   (no buttons now)\n")

    def _print_buttons(self, message: SimMessage, actor: SimUser, group: SimGroup | None) -> None:
        labels = []
        for text, data in message.buttons:
            if data is None:
                continue
            number = self._next_button
            self._next_button += 1
            self._buttons[number] = _Button(actor, message, text, group)
            labels.append(f"[{number}] {text}")
        if labels:
            self.out.write("   " + "   ".join(labels) + "\n")

    async def handle(self, line: str) -> bool:
        """Acts on one typed line; False means stop."""
        line = line.strip()
        if not line:
            return True
        if line in (":quit", ":q", ":exit"):
            return False
        if line == ":help":
            self.out.write(HELP)
        elif line.isdigit() and int(line) < self._next_button:
            # Only numbers a button was given: a phone number typed at the call-back step
            # ("87012345678") is text for the bot.
            await self._press(int(line))
        elif line == ":voice":
            await self.villager.send_voice(duration=7)
        elif line == ":sticker":
            await self.villager.send_sticker()
        elif line == ":photo":
            await self.villager.send_photo()
        elif line.startswith(":staff "):
            for part in split_like_telegram(line.removeprefix(":staff ")):
                await self._act(self.staff.send_in(self.group, part))
        elif line.startswith(":reply "):
            await self._reply(line.removeprefix(":reply ").strip())
        elif line == ":group" or line.startswith(":group "):
            self._switch_group(line.removeprefix(":group").strip())
        elif line.startswith(":"):
            self.out.write("Unknown sandbox command; :help lists them.\n")
        else:
            for part in split_like_telegram(line):
                await self._act(self.villager.send(part))
        return True

    async def _act(self, action: Any) -> None:
        """Runs a simulated action; what the Telegram app would not allow is said, not raised."""
        try:
            await action
        except AssertionError as error:
            self.out.write(f"Not sent: {error}\n")

    async def _press(self, number: int) -> None:
        button = self._buttons.get(number)
        if button is None:
            self.out.write(f"No button [{number}].\n")
            return
        data = next((d for t, d in button.message.buttons if t == button.text), None)
        if data is None or button.message.deleted:
            self.out.write(f"Button [{number}] is gone.\n")
            return
        await self._act(
            button.actor.press_data(data, message_id=button.message.message_id, chat=button.group)
        )

    def _switch_group(self, number: str) -> None:
        if number.isdigit() and 1 <= int(number) <= len(self.groups):
            self.group = self.groups[int(number) - 1]
        elif number:
            self.out.write(f"No group {number}.\n")
        for index, group in enumerate(self.groups, start=1):
            mark = "  ← :staff and :reply write here" if group is self.group else ""
            self.out.write(f"  {index}. {group.title}{mark}\n")

    async def _reply(self, rest: str) -> None:
        number, _, text = rest.partition(" ")
        if not number.isdigit() or not text.strip():
            self.out.write("Usage: :reply N TEXT\n")
            return
        target = next(
            (m for m in self.group.messages(include_deleted=True) if m.message_id == int(number)),
            None,
        )
        if target is None:
            self.out.write(f"No message #{number} in the staff group.\n")
            return
        if target.deleted:
            self.out.write(f"Message #{number} was deleted from the staff group.\n")
            return
        parts = split_like_telegram(text)
        await self._act(self.staff.send_in(self.group, parts[0], reply_to=int(number)))
        for part in parts[1:]:
            await self._act(self.staff.send_in(self.group, part, thread_id=target.thread_id))


def _read_lines(queue: asyncio.Queue[str | None], loop: asyncio.AbstractEventLoop) -> None:
    # A daemon thread, so a pending read never keeps the process alive after Ctrl-C.
    for line in sys.stdin:
        loop.call_soon_threadsafe(queue.put_nowait, line)
    loop.call_soon_threadsafe(queue.put_nowait, None)


def populate_sandbox(
    emu: TelegramEmulator, settings: Settings
) -> tuple[list[SimGroup], SimUser, SimUser]:
    """Every configured staff group (the top-level one first), the terminal's psychologist
    (an admin in each), every other user the config names (started, in their groups) and
    the villager."""
    staff = emu.create_user(
        user_id=sandbox_staff_id(settings), first_name="Psychologist", username=None
    )
    staff.started = True  # as if they once pressed Start, so the bot may write to them
    people = {staff.id: staff}
    others = [i for i in configured_user_ids(settings) if i != staff.id]
    for number, user_id in enumerate(others, start=2):
        colleague = emu.create_user(
            user_id=user_id, first_name=f"Colleague {number}", username=None
        )
        colleague.started = True
        people[user_id] = colleague
    groups = create_staff_groups(emu, settings, people, everywhere=staff)
    villager = emu.create_user(
        user_id=VILLAGER_ID,
        first_name="Villager",
        username=None,
        language_code=settings.general.default_language,
    )
    return groups, staff, villager


@dataclasses.dataclass
class SandboxSession:
    chat: TerminalChat
    emulator: TelegramEmulator
    settings: Settings


@contextlib.asynccontextmanager
async def sandbox_session(
    settings: Settings, *, keep_database: bool, out: TextIO = sys.stdout
) -> AsyncIterator[SandboxSession]:
    """The emulator, the bot running on it, and a terminal chat writing to ``out``.

    With a kept database the emulator keeps its state beside it, so message ids go on
    from the last run instead of pointing at old cases.
    """
    state_path = state_path_for(settings.storage.path) if keep_database else None
    with tempfile.TemporaryDirectory(prefix="helpline-sandbox-") as temp:
        async with TelegramEmulator(
            token=SANDBOX_TOKEN, bot_username="helpline_sandbox_bot", state_path=state_path
        ) as emu:
            groups, staff, villager = populate_sandbox(emu, settings)
            settings = sandbox_settings(settings, emu.base_url, keep_database, Path(temp))
            chat = TerminalChat(emu, villager, staff, groups[0], out=out, more_groups=groups[1:])
            application = build_application(settings)
            async with running(application, poll_timeout=1):
                yield SandboxSession(chat, emu, settings)


async def run_sandbox_chat(settings: Settings, *, keep_database: bool) -> int:
    """The emulator, the bot and the terminal chat, until :quit, Ctrl-D or Ctrl-C."""
    async with sandbox_session(settings, keep_database=keep_database) as session:
        print(
            f"Sandbox: a local Telegram emulator at {session.emulator.base_url}; the bot uses it."
        )
        print(f"Database: {session.settings.storage.path}")
        print(HELP)
        print("Type /start to begin.")
        return await _converse(session.chat, session.emulator)


async def _converse(chat: TerminalChat, emu: TelegramEmulator) -> int:
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    threading.Thread(target=_read_lines, args=(lines, loop), daemon=True).start()
    stop = asyncio.Event()
    with contextlib.suppress(NotImplementedError):
        loop.add_signal_handler(signal.SIGINT, stop.set)

    async def printer() -> None:
        while True:
            await emu.wait_until(chat.has_news, timeout=3600)
            chat.print_news()

    printing = asyncio.create_task(printer())
    try:
        while not stop.is_set():
            next_line = asyncio.create_task(lines.get())
            stopped = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait({next_line, stopped}, return_when=asyncio.FIRST_COMPLETED)
            for task in (next_line, stopped):
                if task not in done:
                    task.cancel()
            if stopped in done:
                break
            line = next_line.result()
            if line is None or not await chat.handle(line):
                break
            await _settle(chat, emu)
    finally:
        printing.cancel()
        with contextlib.suppress(asyncio.CancelledError, AssertionError):
            await printing
        with contextlib.suppress(NotImplementedError):
            loop.remove_signal_handler(signal.SIGINT)
    print("\nStopped.")
    return 0


async def _settle(chat: TerminalChat, emu: TelegramEmulator) -> None:
    """Gives the bot a moment to answer before the next typed line is read."""
    with contextlib.suppress(AssertionError, TimeoutError):
        await emu.wait_until(chat.has_news, timeout=2)
    chat.print_news()
