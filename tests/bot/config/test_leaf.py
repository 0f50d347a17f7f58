"""The leaf machinery on its own: one converter per value, problems in our own words."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from bot.config.leaf import STRICT, Described, Internal, Leaf, describe


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _path(value: Any) -> Path | None:
    if isinstance(value, Path):
        return value
    return Path(value) if isinstance(value, str) and value else None


Count = Annotated[int, Leaf("a whole number above zero", _count)]
Token = Annotated[str, Leaf("a bot token", _text, secret=True)]
Shortly = Annotated[int, Leaf("a count", _count, wrong="must be 1 or more")]
Maybe = Annotated[int | None, Leaf("a count", _count, optional=True)]
Blank = Annotated[int | None, Leaf("a count", _count, blank_is_none=True)]
File = Annotated[Path, Leaf("a file path", _path, needs_base_dir=True)]
FromCode = Annotated[int, Internal(int)]


def problem_of(annotated: Any, value: Any) -> str:
    with pytest.raises(ValidationError) as raised:
        TypeAdapter(annotated).validate_python(value)
    errors = raised.value.errors()
    assert len(errors) == 1
    return str(errors[0]["msg"])


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("30s", '"30s"'),
        ("", '""'),
        (True, "true"),
        (False, "false"),
        ({"kk": "x"}, "a table"),
        ([1, 2], "a list"),
        (12, "12"),
        (1.5, "1.5"),
    ],
)
def test_describe_spells_a_value_as_the_config_file_does(value: object, shown: str) -> None:
    assert describe(value) == shown


@pytest.mark.parametrize(
    ("annotated", "value", "expected"),
    [
        (Count, 3, 3),
        (Maybe, None, None),
        (Maybe, 2, 2),
        (Blank, "", None),
        (Blank, None, None),
        (Blank, 4, 4),
        (FromCode, 9, 9),
    ],
)
def test_a_leaf_converts_or_lets_an_unset_value_pass(
    annotated: Any, value: Any, expected: Any
) -> None:
    assert TypeAdapter(annotated).validate_python(value) == expected


@pytest.mark.parametrize(
    ("annotated", "value", "message"),
    [
        (Count, 0, "expected a whole number above zero, got 0"),
        (Count, "3", 'expected a whole number above zero, got "3"'),
        (Count, True, "expected a whole number above zero, got true"),
        (Count, None, "expected a whole number above zero, got None"),
        (Count, "", 'expected a whole number above zero, got ""'),
        (Maybe, "", 'expected a count, got ""'),
        (Shortly, 0, "must be 1 or more"),
        (Token, 123456, "expected a bot token"),
        (FromCode, "9", "unknown key"),
    ],
)
def test_a_wrong_value_is_told_in_our_own_words(annotated: Any, value: Any, message: str) -> None:
    assert problem_of(annotated, value) == message


def test_a_secret_is_never_echoed() -> None:
    assert "123456" not in problem_of(Token, 123456)


def test_wrong_also_words_the_missing_key() -> None:
    assert Leaf("a count", _count, wrong="must be 1 or more").missing == "must be 1 or more"
    assert Leaf("a count", _count).missing == "missing; expected a count"
    assert Described("a table", missing="add it").missing == "add it"


@pytest.mark.parametrize(
    ("value", "base_dir", "expected"),
    [
        ("data/bot.sqlite3", Path("/etc/helpline"), Path("/etc/helpline/data/bot.sqlite3")),
        ("/var/lib/bot.sqlite3", Path("/etc/helpline"), Path("/var/lib/bot.sqlite3")),
        ("data/bot.sqlite3", None, Path("data/bot.sqlite3")),
        ("data/bot.sqlite3", "/etc/helpline", Path("data/bot.sqlite3")),  # not a Path
    ],
)
def test_a_relative_path_is_read_from_the_config_files_folder(
    value: str, base_dir: object, expected: Path
) -> None:
    context = {"base_dir": base_dir} if base_dir is not None else None
    assert TypeAdapter(File).validate_python(value, context=context) == expected


class Section(BaseModel):
    model_config = STRICT
    keep: Count = 1


def test_a_settings_class_refuses_a_key_it_does_not_know() -> None:
    assert Section.model_validate({"keep": 2}).keep == 2
    with pytest.raises(ValidationError) as raised:
        Section.model_validate({"keep": 2, "every": 1})
    assert [e["type"] for e in raised.value.errors()] == ["extra_forbidden"]
