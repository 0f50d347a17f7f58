"""Fixtures of the case storage tests: a real SQLite file and a sealer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.crypto import TextSealer, new_key
from storage.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "cases.sqlite3")
    yield database
    await database.close()


@pytest.fixture
def sealer() -> TextSealer:
    return TextSealer([new_key().encode("ascii")])
