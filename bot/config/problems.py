"""Config problems in the config's own words: a dotted key and what is expected there.

pydantic finds the problems; this module says them. Each pydantic error becomes one
`Problem` whose key is the error's location written as in the file
(`services[0].hours.mon`) and whose message comes from the leaf type at that key
(`bot.config.values.Leaf`), never from pydantic's English and never echoing a secret.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.config.leaf import Described, Internal, describe
from bot.config.values import Localized


@dataclass(frozen=True)
class Problem:
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class ConfigError(Exception):
    """The config has problems; `problems` lists every one of them."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s) in the configuration:\n{lines}")


def dotted_key(location: Sequence[str | int]) -> str:
    key = ""
    for part in location:
        key += f"[{part}]" if isinstance(part, int) else f".{part}" if key else str(part)
    return key


@dataclass(frozen=True)
class _Slot:
    """What the type says about one key: its type and the words it carries."""

    annotation: Any
    described: Described | None = None


def _unwrap(annotation: Any, described: Described | None) -> _Slot:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            extras = [m for m in annotation.__metadata__ if isinstance(m, Described)]
            described = extras[-1] if extras else described
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            # X | None: the key holds an X when it is given.
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return _Slot(annotation, described)


def _fields(annotation: Any) -> Mapping[str, Any]:
    """A settings class's keys as written in the file (aliases), with their FieldInfo."""
    fields = getattr(annotation, "__pydantic_fields__", None)
    if not isinstance(fields, dict):
        return {}
    return {info.alias or name: info for name, info in fields.items()}


def _slot_at(root: type, location: Sequence[str | int]) -> _Slot | None:
    slot = _Slot(root)
    for part in location:
        slot = _unwrap(slot.annotation, slot.described)
        origin = get_origin(slot.annotation)
        if isinstance(part, str) and dataclasses.is_dataclass(slot.annotation):
            info = _fields(slot.annotation).get(part)
            if info is None:
                return None
            described = next((m for m in info.metadata if isinstance(m, Described)), None)
            slot = _Slot(info.annotation, described)
        elif origin in (tuple, list) and isinstance(part, int):
            slot = _Slot(get_args(slot.annotation)[0])
        elif origin is dict and isinstance(part, str):
            slot = _Slot(get_args(slot.annotation)[1])
        else:
            return None
    return _unwrap(slot.annotation, slot.described)


def _known_keys(annotation: Any) -> list[str]:
    return sorted(
        key
        for key, info in _fields(annotation).items()
        if not any(isinstance(m, Internal) for m in info.metadata)
    )


def _unknown(root: type, location: Sequence[str | int]) -> str:
    parent = _slot_at(root, location[:-1])
    owner = parent.annotation if parent else None
    if owner is root:
        return f"unknown section (known: {', '.join(_known_keys(root))})"
    if owner is Localized:
        return "unknown language (expected kk and ru)"
    return f"unknown key (known keys: {', '.join(_known_keys(owner))})"


def _expected(slot: _Slot | None, key: str) -> str:
    if slot is not None and slot.described is not None:
        return slot.described.expected
    annotation = slot.annotation if slot else None
    if get_origin(annotation) in (tuple, list):
        # A list of tables: [[duty]], [[services]], ...
        return f"a list of tables ([[{key.rsplit('.', 1)[-1]}]])"
    return "a table" if dataclasses.is_dataclass(annotation) else "another value"


def problem_from(root: type, error: ErrorDetails) -> Problem:
    location = [part for part in error["loc"] if part != "[key]"]
    key = dotted_key(location)
    kind = error["type"]
    if kind == "config":
        return Problem(key, str((error.get("ctx") or {})["message"]))
    if kind in ("unexpected_keyword_argument", "extra_forbidden"):
        return Problem(key, _unknown(root, location))
    slot = _slot_at(root, location)
    if kind == "missing":
        if slot is not None and slot.described is not None:
            return Problem(key, slot.described.missing)
        return Problem(key, f"missing; expected {_expected(slot, key)}")
    # A table where a value belongs, a value where a table belongs, and the like.
    return Problem(key, f"expected {_expected(slot, key)}, got {describe(error['input'])}")


def problems_from(root: type, error: ValidationError) -> list[Problem]:
    # include_input=False would hide the "got ..." for the structural cases; secrets are
    # leaves, and a leaf's own message never echoes a secret.
    return [problem_from(root, details) for details in error.errors(include_url=False)]
