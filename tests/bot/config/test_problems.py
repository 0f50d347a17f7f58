"""pydantic's errors told in the config's words: the dotted key and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config.problems import dotted_key
from tests.bot.config.toml import KEY_ENV, MINIMAL, problems_of, write


@pytest.mark.parametrize(
    ("location", "key"),
    [
        (("telegram",), "telegram"),
        (("telegram", "token"), "telegram.token"),
        (("services", 0, "hours", "mon"), "services[0].hours.mon"),
        (("referrals", 2, "centers"), "referrals[2].centers"),
        (("centers", 1, "name", "kk"), "centers[1].name.kk"),
    ],
)
def test_dotted_keys(location: tuple[str | int, ...], key: str) -> None:
    assert dotted_key(location) == key


@pytest.mark.parametrize(
    ("addition", "key", "message"),
    [
        (
            "[health]\nlisten = 1\nport = 2\n",
            "health.port",
            "unknown key (known keys: listen, outbox_max_age)",
        ),
        (
            '[privacy]\nallow_plaintext = true\ndata_keys = ["x"]\n',
            "privacy.data_keys",
            "unknown key (known keys: allow_plaintext, data_key_file, hold_after_exit, "
            "insecure_plaintext_with_token, "
            "retention_days)",
        ),
        ("[backup]\n[backup.extra]\n", "backup.extra", "unknown key (known keys: dir, keep, time)"),
        ("health = 5\n", "health", "expected a table, got 5"),
        (
            "quick_replies = 5\n",
            "quick_replies",
            "expected a list of tables ([[quick_replies]]), got 5",
        ),
        (
            '[[quick_replies]]\nid = "hi"\ntext = { kk = "С", ru = "З", en = "H" }\n',
            "quick_replies[0].text.en",
            "unknown language (expected kk and ru)",
        ),
    ],
)
def test_structure_problems(tmp_path: Path, addition: str, key: str, message: str) -> None:
    top_level = not addition.startswith("[")
    text = addition + MINIMAL if top_level else MINIMAL + addition
    assert problems_of(tmp_path, text).get(key) == message


def test_problems_are_never_in_pydantic_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPLINE_BOT_DATA_KEY", KEY_ENV["HELPLINE_BOT_DATA_KEY"])
    text = (
        "health = 5\nreferrals = {}\n"
        + MINIMAL.replace('duration = "45m"', "duration = 45\ncapacity = 1.5")
        + '[[duty]]\nuser_id = "x"\n[timing]\ntick = []\n[general]\nbad = {}\n'
        + "[[emergency_numbers]]\nnumber = 102\n"
    )
    assert main(["check-config", "--config", str(write(tmp_path, text))]) == 1
    err = capsys.readouterr().err
    for pydantic_words in ("Input should", "Field required", "Unexpected keyword", "type="):
        assert pydantic_words not in err
    for line in err.splitlines()[1:]:
        key, _, message = line.strip().partition(": ")
        assert key and message.startswith(("expected", "missing", "unknown")), line
