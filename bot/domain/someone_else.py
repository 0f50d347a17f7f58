"""A request about someone else (a relative, a neighbour, a child): its own two questions
instead of the risk screen, which is about the writer herself.

The answers are kept in the case's sealed `screen` column under their own keys, which the
Lethality Screen never uses, so an old case and a new one read the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

ABOUT_OTHER_CATEGORY: Final = "someone_else"
# Asked in this order; an answer is yes (True), no (False) or "I don't know" (None).
OTHER_IN_DANGER: Final = "other_in_danger"
CHILD_AT_RISK: Final = "child_at_risk"
ABOUT_OTHER_QUESTIONS: Final[tuple[str, ...]] = (OTHER_IN_DANGER, CHILD_AT_RISK)


def is_about_other(answers: Mapping[str, bool | None]) -> bool:
    return any(key in answers for key in ABOUT_OTHER_QUESTIONS)


def needs_numbers_first(answers: Mapping[str, bool | None]) -> bool:
    """Someone in danger now, or a child at risk: 102 and 150 before anything else."""
    return any(answers.get(key) is True for key in ABOUT_OTHER_QUESTIONS)
