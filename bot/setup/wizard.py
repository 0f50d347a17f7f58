"""The setup's questions, one at a time, each asked again after a clear answer to bad input.

    language -> (overwrite?) -> token (getMe) -> staff language
      -> per centre: id, name kk/ru, address kk/ru, phone
         -> its staff group (getUpdates: the bot added, /start@bot written in it)
         -> the bot's rights there (getChatMember), asked again until fixed or passed
      -> another centre? -> data key (0600) -> config.toml (0600) -> checked as check-config does

The terminal is one `Console`; tests give another that answers from a script. Nothing is
written before the last answer: stopping half-way (Ctrl+C, Ctrl+D) leaves no file behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from telegram import Bot
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError

from bot.config import ConfigError, load_settings
from bot.domain.language import Language
from bot.i18n import Texts
from bot.setup.probe import (
    SETUP_UPDATES,
    BasicGroup,
    BotAdded,
    Right,
    StaffGroup,
    group_event,
    missing_rights,
)
from bot.setup.writing import (
    KEY_FILE_NAME,
    BadKeyFile,
    CenterAnswers,
    Pair,
    SetupAnswers,
    config_text,
    ensure_data_key,
    key_is_usable,
    write_private,
)

TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
# The shape check-config asks of a token; getMe then says whether Telegram knows it.
TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
CENTER_ID = re.compile(r"^[a-z0-9_-]{1,32}$")
PHONE = re.compile(r"^\+?[0-9 ()-]{5,25}$")
TEXT_LIMIT = 200
CONTROL = re.compile(r"[\x00-\x1f\x7f]")

_LANGUAGES: dict[str, Language] = {
    "1": "kk", "kk": "kk", "қазақша": "kk", "казахский": "kk",
    "2": "ru", "ru": "ru", "русский": "ru", "орысша": "ru",
}  # fmt: skip
_YES = {"иә", "ия", "иа", "йә", "да", "д", "yes", "y"}
_NO = {"жоқ", "жок", "нет", "н", "no", "n"}
_GO_ON = {"әрі қарай", "ары қарай", "дальше", "далее", "skip"}
_RIGHT_KEYS: dict[Right, str] = {
    "admin": "setup.right_admin",
    "delete": "setup.right_delete",
    "pin": "setup.right_pin",
    "topics": "setup.right_topics",
}


class SetupAborted(Exception):
    """The person stopped the setup (end of input) or Telegram refuses to go on."""


class Console(Protocol):
    """Where the questions go and the answers come from."""

    async def ask(self, prompt: str) -> str: ...

    def say(self, text: str) -> None: ...


class TerminalConsole:
    """stdin and stdout. Nothing else runs while a person types, so input() may block."""

    async def ask(self, prompt: str) -> str:
        try:
            return input(f"{prompt}\n> ")  # noqa: ASYNC250 - see the class docstring
        except EOFError:
            raise SetupAborted from None
        except KeyboardInterrupt:
            sys.stdout.write("\n")  # what comes next starts on its own line, not after "> "
            raise

    def say(self, text: str) -> None:
        # The terminal is this console's whole purpose: a person reads it, not a log.
        sys.stdout.write(f"{text}\n")
        sys.stdout.flush()


class SetupWizard:
    def __init__(
        self,
        console: Console,
        texts: Texts,
        config_path: Path,
        *,
        base_url: str = TELEGRAM_BASE_URL,
        poll_seconds: int = 30,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._console = console
        self._texts = texts
        self._path = config_path
        self._base_url = base_url
        self._poll_seconds = poll_seconds
        self._today = today
        self._language: Language = "kk"

    def _tr(self, key: str, /, **params: Any) -> str:
        # The catalogue escapes parameters for Telegram's HTML; a terminal wants characters.
        return html.unescape(self._texts.get(self._language, key, **params))

    def _say(self, key: str, /, **params: Any) -> None:
        self._console.say(self._tr(key, **params))

    async def _ask(self, key: str, /, **params: Any) -> str:
        return (await self._console.ask(self._tr(key, **params))).strip()

    def say_stopped(self) -> None:
        """For the command line, when Ctrl+C came while Telegram was being waited for."""
        self._say("setup.stopped")

    async def run(self) -> int:
        """0 when a config was written and accepted; 1 when stopped (nothing written)."""
        try:
            return await self._run()
        except (SetupAborted, KeyboardInterrupt):
            # Ctrl+C too: the command line runs this loop without asyncio's SIGINT handler,
            # so the interrupt leaves input() at once instead of after the next Enter.
            self._say("setup.stopped")
            return 1

    async def _run(self) -> int:
        self._language = await self._choose_language()
        self._say("setup.welcome")
        if self._path.exists() and not await self._yes_no("setup.exists", path=self._path):
            raise SetupAborted
        key_path = self._path.parent / KEY_FILE_NAME
        if not key_is_usable(key_path):
            # Said before the questions: the key cannot be replaced (old texts need it).
            self._say("setup.key_bad", path=key_path)
            return 1
        bot = await self._checked_bot()
        try:
            staff_language = await self._choice("setup.staff_language")
            centers: list[CenterAnswers] = []
            while True:
                centers.append(await self._center(bot, centers))
                if not await self._yes_no("setup.another_center"):
                    break
        finally:
            await bot.shutdown()
        answers = SetupAnswers(
            token=bot.token,
            bot_username=bot.username,
            language=self._language,
            staff_language=staff_language,
            service_name=Pair(
                self._texts.get("kk", "setup.service_name"),
                self._texts.get("ru", "setup.service_name"),
            ),
            centers=tuple(centers),
        )
        return self._write(answers, key_path)

    # ---- the questions

    async def _choose_language(self) -> Language:
        while True:
            answer = (await self._console.ask(self._tr("setup.language"))).strip().lower()
            if answer in _LANGUAGES:
                return _LANGUAGES[answer]
            self._say("setup.language_bad")

    async def _choice(self, key: str) -> Language:
        while True:
            answer = (await self._ask(key)).lower()
            if answer in _LANGUAGES:
                return _LANGUAGES[answer]
            self._say("setup.choice_bad")

    async def _yes_no(self, key: str, /, **params: Any) -> bool:
        while True:
            answer = (await self._ask(key, **params)).lower()
            if answer in _YES or answer in _NO:
                return answer in _YES
            self._say("setup.yes_no_bad")

    async def _text(self, key: str) -> str:
        while True:
            answer = await self._ask(key)
            if answer and len(answer) <= TEXT_LIMIT and not CONTROL.search(answer):
                return answer
            self._say("setup.text_bad", limit=TEXT_LIMIT)

    async def _phone(self) -> str:
        while True:
            answer = await self._ask("setup.phone")
            if PHONE.match(answer) and sum(c.isdigit() for c in answer) >= 5:
                return answer
            self._say("setup.phone_bad")

    async def _center_id(self, taken: set[str]) -> str:
        while True:
            answer = (await self._ask("setup.center_id")).lower()
            if not CENTER_ID.match(answer):
                self._say("setup.center_id_bad")
            elif answer in taken:
                self._say("setup.center_id_taken", center=answer)
            else:
                return answer

    async def _checked_bot(self) -> Bot:
        """A Bot whose token Telegram knows (getMe answered)."""
        while True:
            token = await self._ask("setup.token")
            if not TOKEN_SHAPE.match(token):
                self._say("setup.token_bad")
                continue
            bot = Bot(token, base_url=self._base_url)
            try:
                await bot.initialize()
            except (InvalidToken, NetworkError) as error:
                # Its connections are open even though getMe failed. The error's own text
                # is never shown: PTB's names the token.
                await bot.shutdown()
                if isinstance(error, InvalidToken):
                    self._say("setup.token_refused")
                else:
                    self._say("setup.unreachable", url=self._base_url)
                continue
            self._say("setup.bot_found", username=bot.username, name=bot.first_name)
            return bot

    async def _center(self, bot: Bot, done: list[CenterAnswers]) -> CenterAnswers:
        self._say("setup.center_intro", number=len(done) + 1)
        center_id = await self._center_id({c.id for c in done})
        name = Pair(await self._text("setup.name_kk"), await self._text("setup.name_ru"))
        address = Pair(await self._text("setup.address_kk"), await self._text("setup.address_ru"))
        phone = await self._phone()
        group = await self._staff_group(bot, {c.group.chat_id for c in done})
        await self._check_rights(bot, group)
        return CenterAnswers(center_id, name, address, phone, group)

    # ---- Telegram

    async def _staff_group(self, bot: Bot, taken: set[int]) -> StaffGroup:
        """Waits for a supergroup the bot is in and someone wrote /start@bot in."""
        self._say("setup.add_to_group", username=bot.username)
        offset: int | None = None
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset, timeout=self._poll_seconds, allowed_updates=SETUP_UPDATES
                )
            except Conflict:
                self._say("setup.conflict")
                raise SetupAborted from None
            except NetworkError:
                # Includes a long poll that timed out on a slow line: ask again, after a
                # breath, so a dead line does not spin.
                await asyncio.sleep(1)
                continue
            for update in updates:
                offset = update.update_id + 1
                event = group_event(update)
                if isinstance(event, BotAdded) and event.chat_id not in taken:
                    self._say("setup.bot_added", title=event.title, username=bot.username)
                elif isinstance(event, BasicGroup):
                    self._say("setup.group_basic", title=event.title, username=bot.username)
                elif isinstance(event, StaffGroup):
                    if event.chat_id in taken:
                        self._say("setup.group_used", title=event.title)
                        continue
                    # Confirm what was read, so the bot's first poll does not see it again;
                    # if this fails, it sees an old /start@bot in a group, which is harmless.
                    with contextlib.suppress(TelegramError):
                        await bot.get_updates(offset=offset, timeout=0)
                    name = event.admin_name or "?"
                    self._say(
                        "setup.group_found", title=event.title, chat_id=event.chat_id, name=name
                    )
                    return event

    async def _check_rights(self, bot: Bot, group: StaffGroup) -> None:
        """Says what the bot may not do in the group and how to fix it, until fixed or passed."""
        while True:
            try:
                chat = await bot.get_chat(group.chat_id)
                member = await bot.get_chat_member(group.chat_id, bot.id)
            except TelegramError as error:
                self._say("setup.rights_unknown", error=error.message)
                return
            is_forum = bool(chat.is_forum)
            missing = missing_rights(member, is_forum)
            if not missing:
                self._say("setup.rights_ok")
                if not is_forum:
                    self._say("setup.topics_hint")
                return
            names = ", ".join(self._tr(_RIGHT_KEYS[right]) for right in missing)
            self._say(
                "setup.rights_missing", title=group.title, missing=names, username=bot.username
            )
            if not await self._check_again():
                return

    async def _check_again(self) -> bool:
        """True: check the rights again (Enter); False: go on without them."""
        while True:
            answer = (await self._ask("setup.rights_again")).lower()
            if not answer:
                return True
            if answer in _GO_ON:
                return False
            self._say("setup.rights_again_bad")

    # ---- the files

    def _write(self, answers: SetupAnswers, key_path: Path) -> int:
        try:
            made = ensure_data_key(key_path)
        except BadKeyFile:
            self._say("setup.key_bad", path=key_path)
            return 1
        try:
            write_private(self._path, config_text(answers, self._today()))
        except OSError as error:
            self._say("setup.write_failed", error=error.strerror or str(error))
            return 1
        self._say("setup.key_made" if made else "setup.key_kept", path=key_path)
        try:
            # As check-config reads it, without the environment's token or key in the way.
            load_settings(self._path, env={})
        except ConfigError as error:
            for problem in error.problems:
                self._console.say(str(problem))
            return 1
        self._say("setup.written", path=self._path)
        self._say("setup.next", path=self._path, center=answers.centers[0].id)
        return 0
