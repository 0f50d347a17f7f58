"""The leaf machinery: a config value converted by one function, in our own words.

Each leaf type is `Annotated[T, Leaf(expected, convert)]`: pydantic walks the tables and
lists, and `convert` turns one TOML value into its Python value (or None when it cannot).
A leaf owns its wording, so a problem reads "expected a duration such as "30s" ...",
never pydantic's own sentence. Converters also accept the value already converted, so a
settings object can be rebuilt with `dataclasses.replace` or written out in a test.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, GetCoreSchemaHandler, ValidationInfo
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

# Every settings class: a key it does not know is a problem, not ignored.
STRICT = ConfigDict(extra="forbid")


def describe(value: object) -> str:
    """A value as the config file spells it, for "got ..." in a message."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def problem(message: str) -> PydanticCustomError:
    """A problem in our own words; the key is added from where pydantic found it."""
    return PydanticCustomError("config", "{message}", {"message": message})


class Described:
    """What a key expects, in words; read for "missing; expected ..." and type problems."""

    def __init__(self, expected: str, *, missing: str | None = None) -> None:
        self.expected = expected
        self.missing = missing or f"missing; expected {expected}"


class Leaf(Described):
    """A TOML value converted by one function (None: it cannot be converted).

    `secret` values are never echoed; `optional` lets None (an unset key, when a
    settings object is rebuilt) pass; `blank_is_none` also reads "" as "none";
    `wrong` replaces "expected ..., got ..." when a shorter sentence says it better.
    """

    def __init__(
        self,
        expected: str,
        convert: Callable[[Any], Any],
        *,
        secret: bool = False,
        optional: bool = False,
        blank_is_none: bool = False,
        needs_base_dir: bool = False,
        written_by_bot: bool = False,
        wrong: str | None = None,
    ) -> None:
        super().__init__(expected, missing=wrong)
        self.convert = convert
        self.secret = secret
        self.optional = optional or blank_is_none
        self.blank_is_none = blank_is_none
        self.needs_base_dir = needs_base_dir or written_by_bot
        self.written_by_bot = written_by_bot
        self.wrong = wrong

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.with_info_plain_validator_function(self.validate)

    def validate(self, value: Any, info: ValidationInfo) -> Any:
        if (self.optional and value is None) or (self.blank_is_none and value == ""):
            return None
        converted = self.convert(value)
        if converted is None:
            if self.wrong:
                raise problem(self.wrong)
            got = "" if self.secret else f", got {describe(value)}"
            raise problem(f"expected {self.expected}{got}")
        if self.needs_base_dir and isinstance(converted, Path):
            return _relative_to_config(converted, info, self.written_by_bot)
        return converted


def _relative_to_config(path: Path, info: ValidationInfo, written_by_bot: bool) -> Path:
    # Relative to the config file, so the bot finds its files wherever it is started; what
    # the bot writes (the database, backups) relative to the data folder when one is given
    # ($HELPLINE_BOT_DATA_DIR: the container's /data beside its read-only /config).
    context = info.context or {}
    base_dir = context.get("data_dir") if written_by_bot else None
    base_dir = base_dir if isinstance(base_dir, Path) else context.get("base_dir")
    if path.is_absolute() or not isinstance(base_dir, Path):
        return path
    return base_dir / path


class Internal(Described):
    """A value the code sets (such as keys read from the environment), never the file."""

    def __init__(self, python_type: type) -> None:
        super().__init__("")
        self.python_type = python_type

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(self.validate)

    def validate(self, value: Any) -> Any:
        if isinstance(value, self.python_type):
            return value
        raise PydanticCustomError("unexpected_keyword_argument", "unknown key")
