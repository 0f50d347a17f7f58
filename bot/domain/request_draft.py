"""A help request being written: what the request flow has collected so far."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.case_rules import ReplyBy


@dataclass
class RequestDraft:
    """An unsent request; only opening the case turns it into a stored case."""

    category: str = ""
    screen: dict[str, bool | None] | None = None
    question: int = 0
    texts: list[str] = field(default_factory=list)
    voices: list[str] = field(default_factory=list)
    reply_by: ReplyBy = "chat"
    phone: str | None = None
    # The emergency numbers were shown in this flow (danger words, a high screen, "not
    # safe"): the urgent confirmation does not repeat them; once per answer is enough.
    numbers_shown: bool = False
    # She answered "not safe to talk now": no call-back is offered, the card warns staff.
    not_safe: bool = False

    @property
    def parts(self) -> int:
        return len(self.texts) + len(self.voices)
