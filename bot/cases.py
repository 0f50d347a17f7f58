"""Pure rules of casework: categories, staff cards, splitting long texts, relay batches,
escalation timing, flood control.

No I/O here. Telegram counts a message's length in UTF-16 code units of the *visible*
text (after HTML is parsed), at most 4096; a card or a relay that would be longer is
split into several messages, at a line break or a space when one is near.
"""

from __future__ import annotations

import html
import re
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.domain.triage import LETHALITY_QUESTIONS, DangerSignal, UrgencyReason
from bot.i18n import Safe, escape

# What the user picks at the first step; "unknown" is a /sos case, which asks nothing.
CATEGORIES: Final[tuple[str, ...]] = ("violence", "crisis", "addiction", "someone_else", "other")
UNKNOWN_CATEGORY: Final = "unknown"
# The category for which the Lethality Screen is offered.
SCREENED_CATEGORY: Final = "violence"

TELEGRAM_TEXT_LIMIT: Final = 4096
TELEGRAM_CAPTION_LIMIT: Final = 1024
# Room kept on a card for the line added when someone takes the case.
CARD_EDIT_RESERVE: Final = 300

_TAG = re.compile(r"<[^>]+>")

Translate = Callable[..., str]


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def visible_length(html_text: str) -> int:
    """How long Telegram finds a message written in the bot's simple HTML."""
    return utf16_length(html.unescape(_TAG.sub("", html_text)).strip())


def split_text(text: str, limit: int) -> list[str]:
    """Cuts plain text into pieces of at most `limit` UTF-16 units, at a break if near."""
    if limit < 16:
        raise ValueError("limit too small to split into")
    pieces: list[str] = []
    rest = text
    while utf16_length(rest) > limit:
        # The longest prefix that fits (emoji count twice).
        cut = 0
        used = 0
        for index, char in enumerate(rest):
            size = 2 if ord(char) > 0xFFFF else 1
            if used + size > limit:
                break
            used += size
            cut = index + 1
        window = rest[:cut]
        # Prefer a line break, then a space, in the last quarter of the window.
        floor = cut * 3 // 4
        for separator in ("\n", " "):
            at = window.rfind(separator)
            if at >= floor:
                cut = at + 1
                break
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest.strip() or not pieces:
        pieces.append(rest)
    return [piece for piece in pieces if piece.strip()] or [text]


@dataclass(frozen=True)
class CardFacts:
    """What a staff card shows; never the user's name, username, id or (unasked) phone."""

    code: str
    category: str
    reasons: tuple[str, ...]
    signals: tuple[DangerSignal, ...]
    screen: Mapping[str, bool | None] | None
    reply_by: str
    callback_phone: str | None
    created_at: datetime
    story: str | None
    voice_notes: int
    in_topic: bool


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d.%m.%Y %H:%M")


def card_header(tr: Translate, facts: CardFacts, tz: ZoneInfo) -> str:
    """The card without the story: title, category, why urgent, risk answers, time."""
    urgent = bool(facts.reasons)
    lines = [tr("card.title_urgent" if urgent else "card.title", code=facts.code)]
    lines.append(tr("card.category", category=tr(f"category.{facts.category}")))
    if urgent:
        lines.append(tr("card.reasons", reasons=Safe("; ".join(reason_texts(tr, facts)))))
    if facts.screen is not None:
        lines.append(screen_summary(tr, facts.screen))
    if facts.reply_by == "call" and facts.callback_phone:
        lines.append(tr("card.reply_call", phone=facts.callback_phone))
    else:
        lines.append(tr("card.reply_topic" if facts.in_topic else "card.reply_chat"))
    lines.append(tr("card.time", time=local_time(facts.created_at, tz)))
    return "\n".join(lines)


def reason_texts(tr: Translate, facts: CardFacts) -> list[str]:
    texts = []
    for reason in facts.reasons:
        if reason == UrgencyReason.DANGER_WORDS:
            words = ", ".join(dict.fromkeys(s.matched for s in facts.signals))
            if words:
                texts.append(tr("card.reason.danger_words", words=words))
            else:
                # The words were in the conversation, which the card does not repeat.
                texts.append(tr("card.reason.danger_words_later"))
        elif reason in (UrgencyReason.SOS_BUTTON, UrgencyReason.LETHALITY_SCREEN):
            texts.append(tr(f"card.reason.{reason}"))
    return texts


def screen_summary(tr: Translate, screen: Mapping[str, bool | None]) -> str:
    """Risk answers, yes ones named: staff act on the yes answers."""
    yes = [tr(f"card.screen.{q}") for q in LETHALITY_QUESTIONS if screen.get(q) is True]
    no = sum(1 for q in LETHALITY_QUESTIONS if screen.get(q) is False)
    skipped = len(LETHALITY_QUESTIONS) - len(yes) - no
    return tr(
        "card.screen",
        yes=Safe(", ".join(yes)) if yes else "—",
        no=no,
        skipped=skipped,
    )


def render_card(tr: Translate, facts: CardFacts, tz: ZoneInfo) -> list[str]:
    """The card as one or more HTML messages; only the first carries the buttons."""
    header = card_header(tr, facts, tz)
    if facts.story:
        story_title = tr("card.story")
        budget = (
            TELEGRAM_TEXT_LIMIT
            - visible_length(header)
            - visible_length(story_title)
            - CARD_EDIT_RESERVE
        )
        first_budget = max(budget, 200)
        first, *rest = split_text(facts.story, first_budget)
        if rest:
            # Later parts get a fresh full budget.
            rest = split_text(facts.story[len(first) :].lstrip(), TELEGRAM_TEXT_LIMIT - 200)
        body = f"{header}\n\n{story_title}\n{escape(first)}"
    else:
        rest = []
        body = f"{header}\n\n{tr('card.no_story')}"
    if facts.voice_notes:
        body += "\n" + tr("card.voice", count=facts.voice_notes)
    total = len(rest) + 1
    messages = [body]
    for number, piece in enumerate(rest, start=2):
        messages.append(tr("card.continued", code=facts.code, part=number, total=total) + "\n")
        messages[-1] += escape(piece)
    return messages


def taken_line(tr: Translate, name: str, at: datetime, tz: ZoneInfo) -> str:
    return tr("card.taken", name=name, time=at.astimezone(tz).strftime("%H:%M"))


def pack_texts(label: str, texts: Sequence[str], limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """User texts relayed together: as few messages as fit, each starting with `label`.

    `label` is HTML made by the bot; texts are escaped here. A text too long for one
    message is split over several.
    """
    room = limit - visible_length(label) - 8
    messages: list[str] = []
    current: list[str] = []
    used = 0
    for text in texts:
        for piece in split_text(text, room):
            size = utf16_length(piece) + (2 if current else 0)
            if current and used + size > room:
                messages.append(label + "\n" + "\n\n".join(current))
                current, used = [], 0
                size = utf16_length(piece)
            current.append(escape(piece))
            used += size
    if current:
        messages.append(label + "\n" + "\n\n".join(current))
    return messages


def caption_for(label: str, caption: str | None) -> tuple[str, list[str]]:
    """A label and the user's own caption (escaped) within Telegram's caption limit, and
    what did not fit, as follow-up texts (each with the label) so nothing is lost."""
    if not caption:
        return label, []
    room = TELEGRAM_CAPTION_LIMIT - visible_length(label) - 2
    first, *rest = split_text(caption, max(room, 16))
    return f"{label}\n{escape(first)}", pack_texts(label, rest) if rest else []


def next_escalation(
    *, step: int, now: datetime, escalate_after: timedelta, max_escalations: int
) -> datetime | None:
    """When the re-alert after `step` is due (0 = the first alert), or None at the end."""
    if step >= max_escalations:
        return None
    return now + escalate_after


def cases_day_start(now: datetime, tz: ZoneInfo) -> datetime:
    """The start of the user's local day: `limits.cases_per_day` counts from it."""
    local = now.astimezone(tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


class FloodWindow:
    """Counts one person's messages in a sliding window; says when to ask them to wait.

    Nothing is dropped because of it: it only decides when the bot says "please wait"
    (once per window), while every message still goes to the database and the outbox.
    """

    def __init__(self, window: timedelta = timedelta(seconds=10), limit: int = 8) -> None:
        self._window = window
        self._limit = limit
        self._hits: dict[int, deque[datetime]] = {}
        self._warned: dict[int, datetime] = {}

    def hit(self, key: int, now: datetime) -> bool:
        """Records a message; True when the sender should now be asked to slow down."""
        hits = self._hits.setdefault(key, deque())
        hits.append(now)
        while hits and hits[0] <= now - self._window:
            hits.popleft()
        if len(hits) <= self._limit:
            return False
        warned = self._warned.get(key)
        if warned is not None and now - warned < self._window:
            return False
        self._warned[key] = now
        return True

    def forget_idle(self, now: datetime) -> None:
        for key in [
            k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self._window
        ]:
            self._hits.pop(key, None)
            self._warned.pop(key, None)
