"""A villager's handlers reach the cases feature through its front only (issue 17).

The import contract in pyproject.toml keeps them from importing the parts of bot/cases;
this keeps them from reaching the parts through the front's attributes
(`services.cases.intake.open_case`), which no import contract can see.
"""

from __future__ import annotations

import re
from pathlib import Path

PRIVATE = Path(__file__).resolve().parents[3] / "handlers" / "private"
PARTS = re.compile(
    r"cases\s*\.\s*(intake|relay|staff_actions|staff_tools|escalation|erasing|folding|"
    r"staff_sides)\b"
)


def test_villager_handlers_do_not_reach_inside_the_cases_front() -> None:
    reaching = [
        f"{path.relative_to(PRIVATE.parent.parent)}:{number}: {line.strip()}"
        for path in sorted(PRIVATE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PARTS.search(line)
    ]
    assert reaching == []
