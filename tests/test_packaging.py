"""`pip install .` (the quick start, the container) installs every package of the bot."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_installed() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = project["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("bot", "handlers", "storage", "sandbox")
        for init in (ROOT / top).rglob("__init__.py")
    ]
    assert {"bot.domain", "handlers.private", "storage.migrations"} <= set(packages)
    missing = [p for p in packages if not any(fnmatch.fnmatchcase(p, i) for i in include)]
    assert not missing, f"not installed by `pip install .`: {missing}"
