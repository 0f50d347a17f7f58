"""The config of `helpline-bot demo`: the example config, with its examples switched on.

config.example.toml documents `[[referrals]]` and `[[quick_replies]]` as commented-out
examples with placeholder phone numbers: a centre copying the file must not show villagers
a made-up police number. The demo uncomments exactly those examples, so "Refer…", "Quick
answer…", `/r hello` and `/contacts` can be tried, and what a trainee sees is what the
file teaches. A config that names its own keeps them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.config import Settings, parse_settings

EXAMPLE_TABLES = ("referrals", "quick_replies")

_EXAMPLE_START = re.compile(r"#\s*\[\[(" + "|".join(EXAMPLE_TABLES) + r")\]\]")
_OTHER_TABLE = re.compile(r"#\s*\[\[?[\w.]+\]\]?")


def commented_examples(text: str) -> dict[str, Any]:
    """The example tables a config file gives in comments, uncommented and parsed.

    A block starts at a commented `# [[referrals]]` (or `# [[quick_replies]]`) header and
    runs to the first line that is not a comment, or to another commented table.
    """
    lines: list[str] = []
    taking = False
    for line in text.splitlines():
        stripped = line.strip()
        if _EXAMPLE_START.fullmatch(stripped):
            taking = True
        elif not stripped.startswith("#") or _OTHER_TABLE.fullmatch(stripped):
            taking = False
        if taking:
            lines.append(stripped.removeprefix("#").removeprefix(" "))
    return tomllib.loads("\n".join(lines))


def load_demo_settings(path: Path, env: Mapping[str, str] | None = None) -> Settings:
    """The example config with its commented examples added where it has none of its own;
    raises ConfigError as load_settings does."""
    text = path.read_text(encoding="utf-8")
    root = tomllib.loads(text)
    for name, tables in commented_examples(text).items():
        root.setdefault(name, tables)
    return parse_settings(root, base_dir=path.resolve().parent, env=env, source=str(path))
