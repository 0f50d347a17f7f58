"""`helpline-bot setup` end to end over the emulator: the token checked by getMe, the staff
group found by the bot being added and someone writing in it, its rights checked, and a
config written (0600, with a 0600 data key) that check-config accepts. In both languages."""

from __future__ import annotations

import asyncio
import html
import io
import stat
import tomllib
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main
from bot.domain.language import LANGUAGES, Language
from bot.i18n import Texts
from bot.setup import SetupAborted, SetupWizard
from sandbox import SimGroup, TelegramEmulator

TOKEN = "123456789:AAE-setup-test-token-0123456789"
BOT = "sairam_help_bot"
GROUP_ID = -1001000000077
SECOND_GROUP_ID = -1001000000078
YES = {"kk": "иә", "ru": "да"}
NO = {"kk": "жоқ", "ru": "нет"}
GO_ON = {"kk": "әрі қарай", "ru": "дальше"}
CHOICE = {"kk": "1", "ru": "2"}


class ScriptedConsole:
    """Answers from a queue the test fills; everything said is kept, and can be awaited."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        # None: the end of input (Ctrl+D), as the terminal reports it.
        self._answers: asyncio.Queue[str | None] = asyncio.Queue()
        self._changed = asyncio.Event()

    def answer(self, *answers: str | None) -> None:
        for text in answers:
            self._answers.put_nowait(text)

    async def ask(self, prompt: str) -> str:
        self.say(prompt)
        answer = await self._answers.get()
        if answer is None:
            raise SetupAborted
        return answer

    def say(self, text: str) -> None:
        self.lines.append(text)
        self._changed.set()

    async def said(self, text: str, count: int = 1) -> None:
        """Until `text` was said `count` times (a wait on events, never on time)."""
        async with asyncio.timeout(20):
            while sum(text in line for line in self.lines) < count:
                self._changed.clear()
                await self._changed.wait()

    def count(self, text: str) -> int:
        """How often exactly this was said (a prompt or an answer, one whole line)."""
        return self.lines.count(text)


@pytest.fixture
async def emulator() -> AsyncIterator[TelegramEmulator]:
    async with TelegramEmulator(token=TOKEN, bot_username=BOT) as emu:
        yield emu


@pytest.fixture
def texts() -> Texts:
    return Texts.load()


def said(texts: Texts, language: Language, key: str, **params: Any) -> str:
    return html.unescape(texts.get(language, key, **params))


def start(
    emulator: TelegramEmulator, console: ScriptedConsole, texts: Texts, path: Path
) -> asyncio.Task[int]:
    wizard = SetupWizard(
        console,
        texts,
        path,
        base_url=emulator.base_url,
        poll_seconds=1,
        today=lambda: date(2026, 12, 8),
    )
    return asyncio.create_task(wizard.run())


def staff_group(emulator: TelegramEmulator, chat_id: int, title: str) -> tuple[SimGroup, Any]:
    """A group with its creator in it, the bot not yet added."""
    group = emulator.create_group(chat_id=chat_id, title=title, bot_status="left")
    person = emulator.create_user(user_id=abs(chat_id) % 1000, first_name="Aigerim")
    group.add_member(person, status="creator")
    return group, person


@pytest.mark.parametrize("language", LANGUAGES)
async def test_first_day_token_group_rights_and_a_config_check_config_accepts(
    emulator: TelegramEmulator, texts: Texts, tmp_path: Path, language: Language
) -> None:
    console = ScriptedConsole()
    path = tmp_path / "config.toml"
    group, person = staff_group(emulator, GROUP_ID, "Сайрам қызметкерлері")
    console.answer(
        "3",  # not a language
        CHOICE[language],
        "not-a-token",
        "123456789:AAE-a-token-telegram-does-not-know",
        TOKEN,
        "3",  # not a language
        "kk",  # the staff language, typed as its code
        "Sairam!",  # not an id
        "Sairam",  # taken as sairam
        "",  # an empty name
        "Сайрам орталығы",
        "Сайрамский центр",
        "Ақсу ауылы",
        "село Аксу",
        "abc",  # not a phone
        "+7 725 000 00 00",
    )
    task = start(emulator, console, texts, path)

    await console.said(said(texts, language, "setup.add_to_group", username=BOT))
    # Added as a plain member: it sees the command, but may not delete or pin.
    group.set_bot_status("member")
    await console.said(said(texts, language, "setup.bot_added", title=group.title, username=BOT))
    await person.send_in(group, f"/start@{BOT}")
    found = said(
        texts, language, "setup.group_found", title=group.title, chat_id=GROUP_ID, name="Aigerim"
    )
    await console.said(found)
    missing = ", ".join(
        said(texts, language, f"setup.right_{right}") for right in ("admin", "delete", "pin")
    )
    await console.said(
        said(
            texts,
            language,
            "setup.rights_missing",
            title=group.title,
            missing=missing,
            username=BOT,
        )
    )
    group.set_bot_status("administrator")
    console.answer("maybe", "", NO[language])  # not understood; Enter: checked again; no more
    assert await task == 0

    for key in ("setup.language_bad", "setup.token_bad", "setup.token_refused"):
        assert console.count(said(texts, language, key)) == 1, key
    for key in ("setup.choice_bad", "setup.center_id_bad", "setup.phone_bad"):
        assert console.count(said(texts, language, key)) == 1, key
    assert console.count(said(texts, language, "setup.rights_again_bad")) == 1
    assert console.count(said(texts, language, "setup.text_bad", limit=200)) == 1
    assert console.count(said(texts, language, "setup.rights_ok")) == 1
    assert console.count(said(texts, language, "setup.written", path=path)) == 1

    config = tomllib.loads(path.read_text(encoding="utf-8"))
    assert config["telegram"]["token"] == TOKEN
    assert config["telegram"]["bot_username"] == BOT
    assert config["telegram"]["staff_language"] == "kk"
    assert config["general"]["default_language"] == language
    (center,) = config["centers"]
    assert center["id"] == "sairam"
    assert center["staff_chat_id"] == GROUP_ID
    assert center["admin_ids"] == [person.id]
    assert center["name"] == {"kk": "Сайрам орталығы", "ru": "Сайрамский центр"}
    # Encrypted storage: a key file, never plaintext.
    assert config["privacy"] == {"data_key_file": "helpline.key"}
    key_file = tmp_path / "helpline.key"
    for private in (path, key_file):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600, private
    assert main(["check-config", "--config", str(path)]) == 0


async def test_two_centres_need_two_groups_and_rights_may_be_passed(
    emulator: TelegramEmulator, texts: Texts, tmp_path: Path
) -> None:
    console = ScriptedConsole()
    path = tmp_path / "config.toml"
    first, first_person = staff_group(emulator, GROUP_ID, "Сайрам")
    second, second_person = staff_group(emulator, SECOND_GROUP_ID, "Сарыағаш")
    centre = ["Сайрам", "Сайрам", "Ақсу", "Аксу", "+7 725 000 00 00"]
    console.answer("2", TOKEN, "2", "sairam", *centre)
    task = start(emulator, console, texts, path)
    first.set_bot_status("administrator")
    await first_person.send_in(first, f"/start@{BOT}")
    await console.said(said(texts, "ru", "setup.rights_ok"))
    console.answer("да", "sairam", "saryagash", "Сарыағаш", "Сарыагаш", "Сарыағаш", "Сарыагаш")
    console.answer("8 725 111 11 11")
    await console.said(said(texts, "ru", "setup.add_to_group", username=BOT), count=2)
    # The first centre's group again: refused, each centre needs its own.
    await first_person.send_in(first, f"/start@{BOT}")
    await console.said(said(texts, "ru", "setup.group_used", title="Сайрам"))
    second.set_bot_status("member")
    await second_person.send_in(second, f"/start@{BOT}")
    await console.said(said(texts, "ru", "setup.rights_again"))
    console.answer("дальше", "нет")  # go on without the rights; no third centre
    assert await task == 0

    assert console.count(said(texts, "ru", "setup.center_id_taken", center="sairam")) == 1
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    groups = [(c["id"], c["staff_chat_id"]) for c in config["centers"]]
    assert groups == [("sairam", GROUP_ID), ("saryagash", SECOND_GROUP_ID)]
    assert main(["check-config", "--config", str(path)]) == 0


async def test_an_existing_config_is_kept_unless_confirmed_and_the_key_is_never_replaced(
    emulator: TelegramEmulator, texts: Texts, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# mine\n", encoding="utf-8")
    console = ScriptedConsole()
    console.answer("1", "жоқ")
    assert await start(emulator, console, texts, path) == 1
    assert path.read_text(encoding="utf-8") == "# mine\n"
    assert console.count(said(texts, "kk", "setup.stopped")) == 1

    # A key file that holds no key: said before any question, nothing written.
    (tmp_path / "helpline.key").write_text("not a key\n", encoding="ascii")
    console = ScriptedConsole()
    console.answer("1", "иә")
    assert await start(emulator, console, texts, path) == 1
    assert console.count(said(texts, "kk", "setup.key_bad", path=tmp_path / "helpline.key")) == 1
    assert path.read_text(encoding="utf-8") == "# mine\n"
    assert (tmp_path / "helpline.key").read_text(encoding="ascii") == "not a key\n"


async def test_telegram_out_of_reach_is_said_plainly_and_asked_again(
    texts: Texts, tmp_path: Path
) -> None:
    console = ScriptedConsole()
    console.answer("2", TOKEN, None)
    # Nothing listens on port 9 of this machine: every call fails to connect.
    wizard = SetupWizard(
        console, texts, tmp_path / "config.toml", base_url="http://127.0.0.1:9/bot"
    )
    assert await wizard.run() == 1
    unreachable = said(texts, "ru", "setup.unreachable", url="http://127.0.0.1:9/bot")
    assert console.count(unreachable) == 1
    assert console.count(said(texts, "ru", "setup.token")) == 2  # asked again
    assert console.count(said(texts, "ru", "setup.stopped")) == 1
    assert not (tmp_path / "config.toml").exists()
    assert not (tmp_path / "helpline.key").exists()


async def test_an_existing_key_is_kept(
    emulator: TelegramEmulator, texts: Texts, tmp_path: Path
) -> None:
    from storage.crypto import new_key

    key = tmp_path / "helpline.key"
    old = new_key()
    key.write_text(old + "\n", encoding="ascii")
    group, person = staff_group(emulator, GROUP_ID, "Staff")
    group.set_bot_status("administrator")
    await person.send_in(group, f"/start@{BOT}")  # written before the setup asked: found too
    console = ScriptedConsole()
    path = tmp_path / "config.toml"
    console.answer("2", TOKEN, "2", "sairam", "А", "Б", "В", "Г", "+7 725 000 00 00", "нет")
    assert await start(emulator, console, texts, path) == 0
    assert key.read_text(encoding="ascii").strip() == old
    assert console.count(said(texts, "ru", "setup.key_kept", path=key)) == 1
    assert main(["check-config", "--config", str(path)]) == 0


async def test_the_command_reads_stdin_and_writes_stdout(
    emulator: TelegramEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    group, person = staff_group(emulator, GROUP_ID, "Staff")
    group.set_bot_status("administrator")
    await person.send_in(group, f"/start@{BOT}")
    answers = ["1", TOKEN, "2", "sairam", "Сайрам", "Сайрам", "Ақсу", "Аксу", "+7 725 0", "жоқ"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(answers) + "\n"))
    path = tmp_path / "config.toml"
    arguments = ["setup", "--config", str(path), "--base-url", emulator.base_url]
    # The command runs its own event loop, as from the terminal; the emulator serves here.
    assert await asyncio.to_thread(main, arguments) == 0
    out = capsys.readouterr().out
    assert said(Texts.load(), "kk", "setup.bot_found", username=BOT, name="Helpline") in out
    assert main(["check-config", "--config", str(path)]) == 0


def test_end_of_input_stops_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("2\n"))
    path = tmp_path / "config.toml"
    assert main(["setup", "--config", str(path)]) == 1
    assert said(Texts.load(), "ru", "setup.stopped") in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


async def test_a_forum_group_also_needs_the_topics_right(
    emulator: TelegramEmulator, texts: Texts, tmp_path: Path
) -> None:
    group = emulator.create_group(chat_id=GROUP_ID, title="Кейстер", is_forum=True)
    person = emulator.create_user(user_id=77, first_name="Aigerim")
    group.add_member(person, status="creator")
    group.set_bot_status("member")
    await person.send_in(group, f"/start@{BOT}")
    console = ScriptedConsole()
    console.answer("1", TOKEN, "1", "sairam", "А", "Б", "В", "Г", "+7 725 000 00 00")
    task = start(emulator, console, texts, tmp_path / "config.toml")
    rights = ("admin", "delete", "pin", "topics")
    missing = ", ".join(said(texts, "kk", f"setup.right_{right}") for right in rights)
    await console.said(
        said(texts, "kk", "setup.rights_missing", title="Кейстер", missing=missing, username=BOT)
    )
    group.set_bot_status("administrator")  # the emulator's administrator may manage topics
    console.answer("", "жоқ")
    assert await task == 0
    assert console.count(said(texts, "kk", "setup.rights_ok")) == 1
    assert console.count(said(texts, "kk", "setup.topics_hint")) == 0  # topics are on
