"""Case cards in the staff group: their texts, their buttons, and posting or editing them.

A card shows the case (code, category, why urgent, risk answers, the story) and never
the user's name, username, id or (unasked) phone. Every card of a case says who took it;
only the first keeps the story.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.cases.outgoing import (
    CARD,
    CARD_EDIT,
    DUTY_ALERT,
    NOW_URGENT,
    PART,
    REGION,
    REPOST,
    SOS_AGAIN,
    html,
    placement,
    to_staff,
)
from bot.cases.staff_side import StaffSide, StaffSides
from bot.domain.message_text import (
    TELEGRAM_TEXT_LIMIT,
    distinct_phrases,
    split_text,
    visible_length,
)
from bot.domain.someone_else import CHILD_AT_RISK, OTHER_IN_DANGER, is_about_other
from bot.domain.triage import (
    LETHALITY_QUESTIONS,
    DangerSignal,
    UrgencyReason,
    find_danger_signals,
)
from bot.i18n import Safe, Translator, escape
from storage.cases import Case, CaseMessageStore
from storage.unit_of_work import OutboxWriter, Transaction

TAKE_PREFIX = "case:take:"
CLOSE_PREFIX = "case:close:"
BLOCK_PREFIX = "case:block:"
# The staff tools' pickers (handlers/staff/case_tools.py).
TOOL_PREFIX = "tool:"
HAND_PREFIX = "case:hand:"  # "To another centre…": the list of centres
HAND_TO_PREFIX = "case:to:"  # case:to:<case id>:<centre id>

# Room kept on a card for the line added when someone takes the case.
CARD_EDIT_RESERVE: Final = 300

# A repost's first line by why it was posted: its outbox purpose, and the line it keeps
# when the case is taken or closed (a re-alert's "nobody took it" is no longer true).
_REPOST_PURPOSES: Final = {"card.now_urgent": NOW_URGENT, "card.sos_again": SOS_AGAIN}
_KEPT_LEADS: Final = {"now_urgent": "card.now_urgent", "sos_again": "card.sos_again"}

Translate = Callable[..., str]


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
    # She said it is not safe to talk: the card warns instead of offering a call-back.
    not_safe: bool = False


def card_facts(case: Case, *, signals: tuple[DangerSignal, ...] | None = None) -> CardFacts:
    return CardFacts(
        code=case.code,
        category=case.category,
        reasons=case.urgent_reasons,
        signals=tuple(find_danger_signals(case.story or "")) if signals is None else signals,
        screen=case.screen,
        reply_by=case.reply_by,
        callback_phone=case.callback_phone if case.reply_by == "call" else None,
        created_at=case.created_at,
        story=case.story,
        voice_notes=len(case.story_voice),
        in_topic=case.topic_id is not None,
        not_safe=case.not_safe_to_talk,
    )


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d.%m.%Y %H:%M")


def card_header(tr: Translate, facts: CardFacts, tz: ZoneInfo) -> str:
    """The card without the story: title, category, why urgent, risk answers, time."""
    urgent = bool(facts.reasons)
    lines = [tr("card.title_urgent" if urgent else "card.title", code=facts.code)]
    lines.append(tr("card.category", category=tr(f"category.{facts.category}")))
    if urgent:
        lines.append(tr("card.reasons", reasons=Safe("; ".join(reason_texts(tr, facts)))))
    if facts.screen is not None and is_about_other(facts.screen):
        lines.append(about_other_summary(tr, facts.screen))
    elif facts.screen is not None:
        lines.append(screen_summary(tr, facts.screen))
    if facts.not_safe:
        lines.append(tr("card.not_safe"))
    elif facts.reply_by == "call" and facts.callback_phone:
        lines.append(tr("card.reply_call", phone=facts.callback_phone))
    else:
        lines.append(tr("card.reply_topic" if facts.in_topic else "card.reply_chat"))
    lines.append(tr("card.time", time=local_time(facts.created_at, tz)))
    return "\n".join(lines)


def reason_texts(tr: Translate, facts: CardFacts) -> list[str]:
    texts = []
    for reason in facts.reasons:
        if reason == UrgencyReason.DANGER_WORDS:
            # Whole short phrases, each once: a fragment or a word twice reads as garble.
            phrases = distinct_phrases([s.phrase or s.matched for s in facts.signals])
            words = "», «".join(phrases)
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


def about_other_summary(tr: Translate, answers: Mapping[str, bool | None]) -> str:
    """A request about someone else: its two answers instead of the writer's risk screen."""
    named = {True: "card.answer_yes", False: "card.answer_no", None: "card.answer_unknown"}
    return tr(
        "card.about_other",
        danger=tr(named[answers.get(OTHER_IN_DANGER)]),
        child=tr(named[answers.get(CHILD_AT_RISK)]),
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


def closed_footer(side: StaffSide, case: Case, closed_by: str, at: datetime) -> str:
    """Who took the case (if anyone did) and who closed it: a closed card says so."""
    closed = side.tr("card.closed", name=closed_by, time=at.astimezone(side.tz).strftime("%H:%M"))
    if case.taken_at is None or not case.taken_by_name:
        return closed
    return taken_line(side.tr, case.taken_by_name, case.taken_at, side.tz) + "\n" + closed


def _hand_over_row(tr: Translator, case: Case) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(tr("card.hand_over"), callback_data=f"{HAND_PREFIX}{case.id}")]


def take_keyboard(tr: Translator, case: Case, *, hand_over: bool = False) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(tr("card.take"), callback_data=f"{TAKE_PREFIX}{case.id}")]]
    if hand_over:
        rows.append(_hand_over_row(tr, case))
    return InlineKeyboardMarkup(rows)


def taken_keyboard(tr: Translator, case: Case, *, hand_over: bool = False) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(tr("card.close"), callback_data=f"{CLOSE_PREFIX}{case.id}"),
            InlineKeyboardButton(tr("card.block"), callback_data=f"{BLOCK_PREFIX}{case.id}"),
        ],
        [
            InlineKeyboardButton(
                tr("card.quick_reply"), callback_data=f"{TOOL_PREFIX}qr:{case.id}"
            ),
            InlineKeyboardButton(tr("card.refer"), callback_data=f"{TOOL_PREFIX}ref:{case.id}"),
            InlineKeyboardButton(tr("card.pass"), callback_data=f"{TOOL_PREFIX}pass:{case.id}"),
        ],
    ]
    if hand_over:
        rows.append(_hand_over_row(tr, case))
    return InlineKeyboardMarkup(rows)


def centers_keyboard(
    tr: Translator, case: Case, centers: list[tuple[str, str]]
) -> InlineKeyboardMarkup:
    """The centres a case can be handed to, as (id, name)."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(name, callback_data=f"{HAND_TO_PREFIX}{case.id}:{center_id}")]
            for center_id, name in centers
        ]
    )


# ------------------------------------------------------------------ posting and editing


async def post_cards(sides: StaffSides, outbox: OutboxWriter, case: Case) -> None:
    """The card in its centre's group (in every group while it has no centre)."""
    for side in sides.of(case):
        await post_card(side, outbox, case)


async def post_alerts(
    sides: StaffSides,
    outbox: OutboxWriter,
    case: Case,
    key: str,
    *,
    signals: tuple[DangerSignal, ...] | None = None,
    **params: Any,
) -> None:
    home = sides.home(case)
    for side in sides.of(case):
        await post_alert(side, outbox, case, key, signals=signals, home=side is home, **params)


async def post_card(side: StaffSide, outbox: OutboxWriter, case: Case) -> None:
    """The first card, the rest of a long story and the story's voice notes."""
    tr = side.tr
    first, *rest = render_card(tr, card_facts(case), side.tz)
    place = placement(case, reply_to_card=False)
    markup = take_keyboard(tr, case, hand_over=side.can_hand_over and case.center_id is not None)
    await to_staff(outbox, side.chat_id, case, html(first, markup, **place), CARD)
    for text in rest:
        await to_staff(outbox, side.chat_id, case, html(text, **place), PART)
    label = tr("relay.label", code=case.code)
    for file_id in case.story_voice:
        await to_staff(
            outbox,
            side.chat_id,
            case,
            {"voice": file_id, "caption": label, "parse_mode": "HTML", **place},
            PART,
            "sendVoice",
        )


async def post_alert(
    side: StaffSide,
    outbox: OutboxWriter,
    case: Case,
    key: str,
    *,
    signals: tuple[DangerSignal, ...] | None = None,
    home: bool = True,
    **params: Any,
) -> None:
    """A re-alert or a "now urgent" alert: the card's header, under the card, with the button."""
    tr = side.tr
    header = card_header(tr, card_facts(case, signals=signals), side.tz)
    text = tr(key, **params) + "\n\n" + header
    place = placement(case, reply_to_card=True, home=home)
    hand_over = side.can_hand_over and case.center_id is not None
    markup = take_keyboard(tr, case, hand_over=hand_over) if case.taken_at is None else None
    if case.taken_at is not None and case.taken_by_name:
        # Born taken (a repeated /sos on a taken case): it says who took it itself, and
        # keeps its own first line (delivery_hooks.py edits only reposts with a button).
        text += "\n\n" + taken_line(tr, case.taken_by_name, case.taken_at, side.tz)
    purpose = _REPOST_PURPOSES.get(key, REPOST)
    await to_staff(outbox, side.chat_id, case, html(text, markup, **place), purpose)


async def alert_duty(
    side: StaffSide,
    outbox: OutboxWriter,
    case: Case,
    targets: list[int],
    signals: tuple[DangerSignal, ...] | None = None,
) -> None:
    """Direct messages to the on-duty people (and backups): short, no story, no buttons."""
    tr = side.tr
    facts = card_facts(case, signals=signals)
    text = tr(
        "duty_alert.text",
        code=case.code,
        category=tr(f"category.{case.category}"),
        group=tr("duty_alert.group"),
    )
    if facts.reasons:
        text += "\n" + tr("card.reasons", reasons=Safe("; ".join(reason_texts(tr, facts))))
    for user_id in targets:
        await outbox.add(
            chat_id=user_id,
            method="sendMessage",
            params=html(text),
            purpose=DUTY_ALERT,
            ref=case.id,
            # An alert to a person is urgent work: it must not wait behind booking notices.
            priority=1,
        )


async def alert_sos_again_taken(
    side: StaffSide, outbox: OutboxWriter, case: Case, targets: list[int]
) -> None:
    """A repeated "Danger now" on a case someone took: no "press I take it" (there is no
    button to press); whoever took it hears that their person pressed danger again, the
    others who took it."""
    tr = side.tr
    for user_id in targets:
        if user_id == case.taken_by:
            text = tr("duty_alert.sos_again_yours", code=case.code)
        else:
            text = tr("duty_alert.sos_again_taken", code=case.code, name=case.taken_by_name or "")
        await outbox.add(
            chat_id=user_id,
            method="sendMessage",
            params=html(text),
            purpose=DUTY_ALERT,
            ref=case.id,
            priority=1,
        )


async def edit_all_cards(
    sides: StaffSides, tx: Transaction, case: Case, footer: str, *, heard: bool = False
) -> None:
    """Every card of the case, in its group (and, with `heard`, in every group that heard
    it before it had a centre), says who took it."""
    working = sides.of(case)
    for side in sides.all if heard else working:
        await edit_cards(side, tx, case, footer, buttons=side in working)


async def edit_cards(
    side: StaffSide, tx: Transaction, case: Case, footer: str, *, buttons: bool = True
) -> None:
    """Every card of the case says who took it; only the first keeps the story."""
    tr = side.tr
    cards = await CaseMessageStore.of(tx).cards(side.chat_id, case.id)
    facts = card_facts(case)
    first = render_card(tr, facts, side.tz)[0]
    header = card_header(tr, facts, side.tz)
    hand_over = side.can_hand_over and case.center_id is not None
    markup = taken_keyboard(tr, case, hand_over=hand_over) if case.is_open and buttons else None
    for message_id, kind in cards:
        # The group's own card keeps the story (case.card_message_id is the home group's).
        if kind == "card":
            text = first
        else:
            text = tr(_KEPT_LEADS.get(kind, "card.realert_done")) + "\n\n" + header
        await to_staff(
            tx.outbox,
            side.chat_id,
            case,
            html(text + "\n\n" + footer, markup, message_id=message_id),
            CARD_EDIT,
            "editMessageText",
        )


async def region_alert(
    sides: StaffSides,
    outbox: OutboxWriter,
    case: Case,
    minutes: int = 0,
    key: str = "region.untaken",
) -> None:
    """The region group hears of an urgent case its own centre has not taken (or of one
    every centre hears, `region.no_center`): the code, the centre and how long it waits;
    never the story, and no button (it is worked in the centres' groups)."""
    if sides.region_chat_id is None:
        return
    tr = sides.tr
    text = tr(
        key,
        code=case.code,
        center=sides.center_name(case.center_id),
        category=tr(f"category.{case.category}"),
        minutes=minutes,
    )
    await to_staff(outbox, sides.region_chat_id, case, html(text), REGION)
