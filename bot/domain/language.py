"""The languages every text exists in."""

from __future__ import annotations

from typing import Literal

Language = Literal["kk", "ru"]
LANGUAGES: tuple[Language, ...] = ("kk", "ru")
