"""Casework: opening cases, alerting staff, the anonymous relay, taking and closing.

Handlers and the escalation job call these; each change is written in one transaction
together with the outbox messages that report it, then delivery is woken. Telegram is
called directly only where no message can be lost by it (the forum check and topic
creation, which fall back to the General topic when they fail).

Identity rules live here: whatever goes to the staff group is built from the case
(code, category, texts) and never from the Telegram user; whatever goes to the user is
labelled "psychologist" and never carries a staff name.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import aiosqlite
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError

from bot.cases import (
    CardFacts,
    FloodWindow,
    caption_for,
    card_header,
    cases_day_start,
    next_escalation,
    pack_texts,
    reason_texts,
    render_card,
    taken_line,
)
from bot.domain import rota
from bot.domain.codes import new_code
from bot.domain.language import Language
from bot.domain.triage import DangerSignal, UrgencyReason, assess_urgency, find_danger_signals
from bot.i18n import Safe, Translator
from storage import cases as case_store
from storage.audit import record
from storage.cases import Case, CaseMessage, CodeTaken, MessageKind, ReplyBy
from storage.outbox import OutboxItem, enqueue, erase_refs

if TYPE_CHECKING:
    from bot.context import Services

logger = logging.getLogger(__name__)

TAKE_PREFIX = "case:take:"
CLOSE_PREFIX = "case:close:"
BLOCK_PREFIX = "case:block:"

# Outbox purposes; the delivery hooks below are registered for them.
CARD = "case_card"  # the first card in the staff group
REPOST = "case_repost"  # a re-alert, or the alert when a case turns urgent later
PART = "case_part"  # the rest of a long card, the story's voice notes
RELAY = "case_relay"  # the user's messages, in batches
NOTICE = "case_notice"  # what the bot tells staff about a case
CARD_EDIT = "case_card_edit"
TOPIC_CLOSE = "case_topic_close"
DUTY_ALERT = "case_duty_alert"  # a direct message to the on-duty psychologist or a backup
TO_USER = "case_user"  # anything for the user: staff replies, "taken", "closed"
ERASED = "case_erased"  # forget-me: a card edited, a relayed message deleted

_GROUP_KINDS = {CARD: "card", REPOST: "repost", PART: "relay", RELAY: "relay", NOTICE: "notice"}


@dataclass
class Casework:
    """Per-process state: whether the staff group is a forum, flood windows, notices sent."""

    forum: bool | None = None
    flood: FloodWindow = field(default_factory=FloodWindow)
    # (case id, staff id): the "cannot DM them" notice was posted already.
    dm_failures: set[tuple[int, int]] = field(default_factory=set)
    topic_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # When each user was last told "passed on": once in a while, not after every message.
    acknowledged: dict[int, datetime] = field(default_factory=dict)
    # When each case's staff were last alerted by a repeated SOS (see `sos_again`).
    sos_alerted: dict[int, datetime] = field(default_factory=dict)


def staff_tr(services: Services) -> Translator:
    return services.tr(services.settings.general.default_language)


def staff_chat(services: Services) -> int:
    return services.settings.telegram.staff_chat_id


def _html(text: str, markup: InlineKeyboardMarkup | None = None, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"text": text, "parse_mode": "HTML", **extra}
    if markup is not None:
        params["reply_markup"] = markup.to_dict()
    return params


# ------------------------------------------------------------------------ the staff room


async def is_forum(services: Services) -> bool:
    """Asked of Telegram once and cached; an error means "not now" and is asked again."""
    work = services.casework
    if work.forum is None:
        try:
            chat = await services.bot.get_chat(staff_chat(services))
        except TelegramError as error:
            logger.warning("cannot read the staff group: %s", type(error).__name__)
            return False
        work.forum = bool(chat.is_forum)
    return work.forum


async def create_topic(services: Services, code: str) -> int | None:
    try:
        topic = await services.bot.create_forum_topic(staff_chat(services), name=code)
    except TelegramError as error:
        logger.warning("cannot create a forum topic: %s", type(error).__name__)
        return None
    return topic.message_thread_id


def _placement(case: Case, *, reply_to_card: bool) -> dict[str, Any]:
    """Where a message about the case goes in the staff group: its topic, or under its card."""
    if case.topic_id is not None:
        return {"message_thread_id": case.topic_id}
    if reply_to_card and case.card_message_id is not None:
        return {
            "reply_parameters": {
                "message_id": case.card_message_id,
                "allow_sending_without_reply": True,
            }
        }
    return {}


async def _to_staff(
    services: Services,
    connection: aiosqlite.Connection,
    case: Case,
    params: dict[str, Any],
    purpose: str,
    method: str = "sendMessage",
) -> int:
    return await enqueue(
        connection,
        services.sealer,
        chat_id=staff_chat(services),
        method=method,
        params=params,
        purpose=purpose,
        ref=case.id,
        now=services.clock.now(),
        # Everything about an urgent case overtakes booking notices in the group's queue.
        priority=1 if case.urgent else 0,
    )


# ------------------------------------------------------------------------------ duty


async def on_duty_now(services: Services) -> list[int]:
    settings = services.settings
    manual = await services.cases.manual_duty()
    return rota.on_duty(
        now=services.clock.now(),
        tz=settings.general.timezone,
        rota=settings.duty,
        manual=[rota.ManualDuty(entry.user_id, entry.since) for entry in manual],
        max_manual=settings.urgent.manual_duty_max,
    )


# ------------------------------------------------------------------------------ cards


def _signals(case: Case) -> tuple[DangerSignal, ...]:
    return tuple(find_danger_signals(case.story or ""))


def card_facts(case: Case, *, signals: tuple[DangerSignal, ...] | None = None) -> CardFacts:
    return CardFacts(
        code=case.code,
        category=case.category,
        reasons=case.urgent_reasons,
        signals=_signals(case) if signals is None else signals,
        screen=case.screen,
        reply_by=case.reply_by,
        callback_phone=case.callback_phone if case.reply_by == "call" else None,
        created_at=case.created_at,
        story=case.story,
        voice_notes=len(case.story_voice),
        in_topic=case.topic_id is not None,
    )


def take_keyboard(tr: Translator, case: Case) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(tr("card.take"), callback_data=f"{TAKE_PREFIX}{case.id}")]]
    )


def taken_keyboard(tr: Translator, case: Case) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(tr("card.close"), callback_data=f"{CLOSE_PREFIX}{case.id}"),
                InlineKeyboardButton(tr("card.block"), callback_data=f"{BLOCK_PREFIX}{case.id}"),
            ]
        ]
    )


async def _post_card(services: Services, connection: aiosqlite.Connection, case: Case) -> None:
    """The first card, the rest of a long story and the story's voice notes."""
    tr = staff_tr(services)
    tz = services.settings.general.timezone
    first, *rest = render_card(tr, card_facts(case), tz)
    place = _placement(case, reply_to_card=False)
    await _to_staff(
        services, connection, case, _html(first, take_keyboard(tr, case), **place), CARD
    )
    for text in rest:
        await _to_staff(services, connection, case, _html(text, **place), PART)
    label = tr("relay.label", code=case.code)
    for file_id in case.story_voice:
        await _to_staff(
            services,
            connection,
            case,
            {"voice": file_id, "caption": label, "parse_mode": "HTML", **place},
            PART,
            "sendVoice",
        )


async def _post_alert(
    services: Services,
    connection: aiosqlite.Connection,
    case: Case,
    key: str,
    *,
    signals: tuple[DangerSignal, ...] | None = None,
    **params: Any,
) -> None:
    """A re-alert or a "now urgent" alert: the card's header, under the card, with the button."""
    tr = staff_tr(services)
    facts = card_facts(case, signals=signals)
    header = card_header(tr, facts, services.settings.general.timezone)
    text = tr(key, **params) + "\n\n" + header
    place = _placement(case, reply_to_card=True)
    markup = take_keyboard(tr, case) if case.taken_at is None else None
    await _to_staff(services, connection, case, _html(text, markup, **place), REPOST)


async def _alert_duty(
    services: Services,
    connection: aiosqlite.Connection,
    case: Case,
    targets: list[int],
    signals: tuple[DangerSignal, ...] | None = None,
) -> None:
    """Direct messages to the on-duty people (and backups): short, no story, no buttons."""
    tr = staff_tr(services)
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
        await enqueue(
            connection,
            services.sealer,
            chat_id=user_id,
            method="sendMessage",
            params=_html(text),
            purpose=DUTY_ALERT,
            ref=case.id,
            now=services.clock.now(),
        )


# ----------------------------------------------------------------------- opening a case


@dataclass(frozen=True)
class OpenedCase:
    case: Case
    on_duty: list[int]


class DailyLimitReached(Exception):
    """The user opened `limits.cases_per_day` cases today."""


async def cases_today(services: Services, user_id: int) -> int:
    since = cases_day_start(services.clock.now(), services.settings.general.timezone)
    return await services.cases.count_since(user_id, since)


async def open_case(
    services: Services,
    *,
    user_id: int,
    language: Language,
    category: str,
    story_texts: list[str],
    story_voice: list[str],
    screen: dict[str, bool | None] | None,
    reply_by: ReplyBy,
    callback_phone: str | None,
    sos: bool,
) -> OpenedCase:
    """Stores a confirmed request and, in the same transaction, its card and alerts."""
    settings = services.settings
    reasons = [str(r) for r in assess_urgency(sos=sos, texts=story_texts, screen=screen)]
    on_duty = await on_duty_now(services) if reasons else []
    forum = await is_forum(services)
    story = "\n\n".join(t for t in story_texts if t.strip()) or None
    since = cases_day_start(services.clock.now(), settings.general.timezone)
    # A plain read first, so a request over the limit leaves no empty forum topic behind
    # (the check inside the transaction below still settles a race).
    if forum and await services.cases.count_since(user_id, since) >= settings.limits.cases_per_day:
        raise DailyLimitReached
    for _ in range(5):
        code = new_code()
        topic_id = await create_topic(services, code) if forum else None
        now = services.clock.now()
        try:
            async with services.write() as tx:
                if await case_store.count_cases_since(tx.connection, user_id, since) >= (
                    settings.limits.cases_per_day
                ):
                    raise DailyLimitReached
                case_id = await case_store.insert_case(
                    tx.connection,
                    services.sealer,
                    code=code,
                    user_id=user_id,
                    language=language,
                    category=category,
                    urgent_reasons=reasons,
                    story=story,
                    story_voice=story_voice,
                    screen=screen,
                    reply_by=reply_by,
                    callback_phone=callback_phone if reply_by == "call" else None,
                    now=now,
                    next_escalation_at=next_escalation(
                        step=0,
                        now=now,
                        escalate_after=settings.urgent.escalate_after,
                        max_escalations=settings.urgent.max_escalations,
                    )
                    if reasons
                    else None,
                    topic_id=topic_id,
                )
                case = await case_store.fetch_case(tx.connection, services.sealer, case_id)
                assert case is not None
                await _post_card(services, tx.connection, case)
                if reasons:
                    targets = rota.escalation_targets(
                        step=0, on_duty=on_duty, backups=settings.urgent.backup_ids
                    )
                    await _alert_duty(services, tx.connection, case, targets)
        except CodeTaken:
            continue
        logger.info("case opened (urgent: %s)", bool(reasons))
        return OpenedCase(case, on_duty)
    raise RuntimeError("could not draw a free case code")


async def make_urgent(
    services: Services, case: Case, reasons: list[UrgencyReason], text: str | None = None
) -> tuple[Case, list[int]] | None:
    """Turns an open case urgent (a later /sos, danger words in the conversation `text`)."""
    settings = services.settings
    signals = tuple(find_danger_signals(text)) if text else None
    on_duty = await on_duty_now(services)
    now = services.clock.now()
    async with services.write() as tx:
        changed = await case_store.make_urgent(
            tx.connection,
            case.id,
            [str(r) for r in reasons],
            now,
            next_escalation(
                step=0,
                now=now,
                escalate_after=settings.urgent.escalate_after,
                max_escalations=settings.urgent.max_escalations,
            ),
        )
        if not changed:
            return None
        updated = await case_store.fetch_case(tx.connection, services.sealer, case.id)
        assert updated is not None
        await _post_alert(services, tx.connection, updated, "card.now_urgent", signals=signals)
        targets = rota.escalation_targets(
            step=0, on_duty=on_duty, backups=settings.urgent.backup_ids
        )
        await _alert_duty(services, tx.connection, updated, targets, signals)
    return updated, on_duty


# An SOS this soon after the case turned urgent or was last re-alerted is a double tap:
# the staff heard it already and are not alerted again.
SOS_REPEAT_AFTER = timedelta(seconds=30)


async def sos_again(services: Services, case: Case) -> bool:
    """Danger now on a case that is urgent already: the group and the people on duty hear it
    again, and so does whoever took the case. False (nobody alerted) for a double tap,
    within `SOS_REPEAT_AFTER` of the last alert, or for a case closed meanwhile."""
    settings = services.settings
    now = services.clock.now()
    work = services.casework
    last = [at for at in (case.urgent_at, work.sos_alerted.get(case.id)) if at is not None]
    if last and now - max(last) < SOS_REPEAT_AFTER:
        return False
    on_duty = await on_duty_now(services)
    async with services.write() as tx:
        fresh = await case_store.fetch_case(tx.connection, services.sealer, case.id)
        if fresh is None or not fresh.is_open:
            return False
        await _post_alert(services, tx.connection, fresh, "card.sos_again")
        targets = rota.escalation_targets(
            step=0, on_duty=on_duty, backups=settings.urgent.backup_ids
        )
        if fresh.taken_by is not None and fresh.taken_by not in targets:
            targets.append(fresh.taken_by)
        await _alert_duty(services, tx.connection, fresh, targets)
    work.sos_alerted[case.id] = now
    return True


async def escalate(services: Services, case: Case, on_duty: list[int]) -> bool:
    """One re-alert of an urgent case nobody took; False if it was taken meanwhile."""
    settings = services.settings
    step = case.escalation_step + 1
    now = services.clock.now()
    next_at = next_escalation(
        step=step,
        now=now,
        escalate_after=settings.urgent.escalate_after,
        max_escalations=settings.urgent.max_escalations,
    )
    minutes = max(1, int((now - (case.urgent_at or case.created_at)).total_seconds() // 60))
    async with services.write() as tx:
        if not await case_store.advance_escalation(tx.connection, case.id, step, next_at):
            return False
        await _post_alert(
            services,
            tx.connection,
            case,
            "card.realert",
            step=step,
            total=settings.urgent.max_escalations,
            minutes=minutes,
        )
        targets = rota.escalation_targets(
            step=step, on_duty=on_duty, backups=settings.urgent.backup_ids
        )
        await _alert_duty(services, tx.connection, case, targets)
    logger.info("urgent case re-alerted (step %d)", step)
    return True


# ------------------------------------------------------------------- the user's messages


async def _user_language(services: Services, case: Case) -> Language:
    if case.user_id is None:
        return case.language
    user = await services.users.get(case.user_id)
    return user.language if user else case.language


async def _to_user(
    services: Services,
    connection: aiosqlite.Connection,
    case: Case,
    params: dict[str, Any],
    method: str = "sendMessage",
) -> None:
    assert case.user_id is not None
    await enqueue(
        connection,
        services.sealer,
        chat_id=case.user_id,
        method=method,
        params=params,
        purpose=TO_USER,
        ref=case.id,
        now=services.clock.now(),
    )


async def _relay_pending(services: Services, connection: aiosqlite.Connection, case: Case) -> None:
    """Hands the user's waiting messages to the outbox, unless a batch is still on its way.

    One batch at a time per case: a flood becomes a few long messages instead of
    dozens, and the staff group's queue (20 messages a minute) stays free for alerts.
    """
    if await case_store.has_pending_relay(connection, case.id):
        return
    waiting = await case_store.unrelayed_user_messages(connection, services.sealer, case.id)
    if not waiting:
        return
    label = staff_tr(services)("relay.label", code=case.code)
    place = _placement(case, reply_to_card=True)
    index = 0
    while index < len(waiting):
        message = waiting[index]
        if message.kind == "text":
            run: list[CaseMessage] = []
            while index < len(waiting) and waiting[index].kind == "text":
                run.append(waiting[index])
                index += 1
            relay_id = 0
            for text in pack_texts(label, [m.body or "" for m in run]):
                relay_id = await _to_staff(services, connection, case, _html(text, **place), RELAY)
            await case_store.set_relay(connection, [m.id for m in run], relay_id)
            continue
        caption, rest = caption_for(label, message.body)
        relay_id = await _to_staff(
            services,
            connection,
            case,
            {message.kind: message.file_id, "caption": caption, "parse_mode": "HTML", **place},
            RELAY,
            _SEND_METHOD[message.kind],
        )
        for text in rest:
            relay_id = await _to_staff(services, connection, case, _html(text, **place), RELAY)
        await case_store.set_relay(connection, [message.id], relay_id)
        index += 1


_SEND_METHOD: dict[str, str] = {
    "voice": "sendVoice",
    "photo": "sendPhoto",
    "document": "sendDocument",
}


async def tell_user(
    services: Services,
    case: Case,
    texts: list[str],
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """What an urgent user must see (numbers, who was alerted) goes through the outbox:
    retried like the alerts themselves, and in order; `markup` goes on the last text."""
    if case.user_id is None:
        return
    async with services.write() as tx:
        for index, text in enumerate(texts):
            last = index == len(texts) - 1
            await _to_user(services, tx.connection, case, _html(text, markup if last else None))


async def add_user_message(
    services: Services, case: Case, kind: MessageKind, body: str | None, file_id: str | None
) -> None:
    """Stores one message of the user and relays it (in a batch if a batch is on its way)."""
    now = services.clock.now()
    async with services.write() as tx:
        await case_store.add_message(
            tx.connection,
            services.sealer,
            case_id=case.id,
            author="user",
            kind=kind,
            body=body,
            file_id=file_id,
            now=now,
        )
        if case.user_unreachable and case.user_id is not None:
            await case_store.mark_reachable(tx.connection, case.user_id)
        await _relay_pending(services, tx.connection, case)


async def resume_stalled_relays(services: Services) -> None:
    """Due work: relays whose batch failed for good (or was lost) are handed on again."""
    now = services.clock.now()
    # The in-memory flood and receipt records of people who went quiet are dropped.
    services.casework.flood.forget_idle(now)
    work = services.casework
    for user_id in [u for u, at in work.acknowledged.items() if now - at > timedelta(hours=1)]:
        del work.acknowledged[user_id]
    for case_id in [c for c, at in work.sos_alerted.items() if now - at > SOS_REPEAT_AFTER]:
        del work.sos_alerted[case_id]
    for case_id in await services.cases.cases_with_stalled_relays():
        case = await services.cases.get(case_id)
        if case is None:
            continue
        async with services.write() as tx:
            await _relay_pending(services, tx.connection, case)


# ---------------------------------------------------------------------- staff actions


TakeOutcome = Literal["taken", "already", "closed"]


async def _card_edits(
    services: Services, connection: aiosqlite.Connection, case: Case, footer: str
) -> None:
    """Every card of the case says who took it; only the first keeps the story."""
    tr = staff_tr(services)
    tz = services.settings.general.timezone
    chat_id = staff_chat(services)
    ids = await case_store.card_ids(connection, chat_id, case.id)
    facts = card_facts(case)
    first = render_card(tr, facts, tz)[0]
    header = card_header(tr, facts, tz)
    markup = taken_keyboard(tr, case) if case.is_open else None
    for message_id in ids:
        text = first if message_id == case.card_message_id else tr("card.realert_done") + "\n\n"
        if message_id != case.card_message_id:
            text += header
        await _to_staff(
            services,
            connection,
            case,
            _html(text + "\n\n" + footer, markup, message_id=message_id),
            CARD_EDIT,
            "editMessageText",
        )


async def take(
    services: Services, case: Case, staff_id: int, staff_name: str, *, action: str = "take"
) -> TakeOutcome:
    """The first "I take it" wins: the chain stops, every card says who, the user is told."""
    if not case.is_open:
        return "closed"
    language = await _user_language(services, case)
    now = services.clock.now()
    async with services.write() as tx:
        if not await case_store.claim(tx.connection, case.id, staff_id, staff_name, now):
            return "already"
        taken = await case_store.fetch_case(tx.connection, services.sealer, case.id)
        assert taken is not None
        await record(tx.connection, at=now, actor_id=staff_id, action=action, subject=case.code)
        tr = staff_tr(services)
        await _card_edits(
            services,
            tx.connection,
            taken,
            taken_line(tr, staff_name, now, services.settings.general.timezone),
        )
        if taken.user_id is not None:
            user_tr = services.tr(language)
            await _to_user(
                services,
                tx.connection,
                taken,
                _html(user_tr("conversation.taken", code=taken.code)),
            )
    return "taken"


async def relay_staff_message(
    services: Services,
    case: Case,
    *,
    staff_id: int,
    staff_name: str,
    message_id: int,
    kind: MessageKind,
    body: str | None,
    file_id: str | None,
) -> None:
    """A staff answer goes to the user as "Psychologist:", never with a name."""
    assert case.user_id is not None
    if case.taken_at is None:
        # Answering is taking: the escalation chain stops at the first reply too.
        await take(services, case, staff_id, staff_name, action="take")
    language = await _user_language(services, case)
    user_tr = services.tr(language)
    label = user_tr("conversation.staff_label")
    now = services.clock.now()
    async with services.write() as tx:
        await case_store.add_message(
            tx.connection,
            services.sealer,
            case_id=case.id,
            author="staff",
            staff_id=staff_id,
            kind=kind,
            body=body,
            file_id=file_id,
            now=now,
        )
        await case_store.link_staff_message(
            tx.connection, staff_chat(services), message_id, case.id, "staff"
        )
        await record(tx.connection, at=now, actor_id=staff_id, action="reply", subject=case.code)
        if kind == "text":
            for text in pack_texts(label, [body or ""]):
                await _to_user(services, tx.connection, case, _html(text))
        else:
            caption, rest = caption_for(label, body)
            await _to_user(
                services,
                tx.connection,
                case,
                {kind: file_id, "caption": caption, "parse_mode": "HTML"},
                _SEND_METHOD[kind],
            )
            for text in rest:
                await _to_user(services, tx.connection, case, _html(text))


async def close(services: Services, case: Case, staff_id: int) -> bool:
    language = await _user_language(services, case)
    now = services.clock.now()
    tr = staff_tr(services)
    async with services.write() as tx:
        if not await case_store.close_case(tx.connection, case.id, now):
            return False
        closed = await case_store.fetch_case(tx.connection, services.sealer, case.id)
        assert closed is not None
        await record(tx.connection, at=now, actor_id=staff_id, action="close", subject=case.code)
        if closed.card_message_id is not None:
            await _to_staff(
                services,
                tx.connection,
                closed,
                {"message_id": closed.card_message_id},
                CARD_EDIT,
                "editMessageReplyMarkup",
            )
        await _to_staff(
            services,
            tx.connection,
            closed,
            _html(tr("staff.closed", code=case.code), **_placement(closed, reply_to_card=True)),
            NOTICE,
        )
        if closed.topic_id is not None:
            await _to_staff(
                services,
                tx.connection,
                closed,
                {"message_thread_id": closed.topic_id},
                TOPIC_CLOSE,
                "closeForumTopic",
            )
        if closed.user_id is not None:
            user_tr = services.tr(language)
            await _to_user(
                services,
                tx.connection,
                closed,
                _html(user_tr("conversation.closed", code=case.code)),
            )
    return True


async def set_blocked(services: Services, case: Case, staff_id: int, blocked: bool) -> None:
    now = services.clock.now()
    tr = staff_tr(services)
    async with services.write() as tx:
        await case_store.set_blocked(tx.connection, case.id, blocked)
        await record(
            tx.connection,
            at=now,
            actor_id=staff_id,
            action="block" if blocked else "unblock",
            subject=case.code,
        )
        await _to_staff(
            services,
            tx.connection,
            case,
            _html(
                tr("staff.blocked" if blocked else "staff.unblocked", code=case.code),
                **_placement(case, reply_to_card=True),
            ),
            NOTICE,
        )


# ------------------------------------------------------------------------ privacy


async def erase_cases(
    connection: aiosqlite.Connection, services: Services, user_id: int, now: datetime
) -> None:
    """Forget me (inside its transaction): cases are unlinked and blanked; staff are told
    about the ones that were open, by code only."""
    tr = staff_tr(services)
    staff_messages = await case_store.staff_messages_of_user(connection, user_id)
    case_ids = sorted(await case_store.ids_of_user(connection, user_id))
    # Sent cards and relays still hold the words in the outbox until its 48-hour purge;
    # pending ones would carry them on. All go; the edits below take their place.
    await erase_refs(connection, "case_", case_ids)
    # The staff group still shows the story and the relayed words: cards and re-alerts
    # are edited to say the user erased their data, relayed messages are deleted
    # (Telegram allows it for 48 hours, or always for an admin bot).
    for case_id, code, chat_id, message_id, kind in staff_messages:
        if kind in ("card", "repost"):
            method = "editMessageText"
            params = _html(tr("staff.card_erased", code=code), message_id=message_id)
        elif kind == "relay":
            method, params = "deleteMessage", {"message_id": message_id}
        else:
            continue
        await enqueue(
            connection,
            services.sealer,
            chat_id=chat_id,
            method=method,
            params=params,
            purpose=ERASED,
            ref=case_id,
            now=now,
        )
    for case_id in await case_store.forget_user_cases(connection, user_id, now):
        case = await case_store.fetch_case(connection, services.sealer, case_id)
        if case is None:
            continue
        await _to_staff(
            services,
            connection,
            case,
            _html(tr("staff.user_forgot", code=case.code), **_placement(case, reply_to_card=True)),
            NOTICE,
        )


async def erase_closed_case_texts(services: Services, now: datetime) -> int:
    """Retention hook: the texts of cases closed `privacy.retention_days` ago."""
    kept = timedelta(days=services.settings.privacy.retention_days)
    return await services.cases.erase_closed_texts(now - kept)


# ------------------------------------------------------------------------ delivery hooks


def register_hooks(services: Services) -> None:
    delivery = services.delivery

    async def link(item: OutboxItem, message_id: int | None) -> None:
        if message_id is None or item.ref is None:
            return
        await services.cases.link_staff_message(
            item.chat_id, message_id, item.ref, _GROUP_KINDS[item.purpose]
        )
        if item.purpose == RELAY:
            case = await services.cases.get(item.ref)
            if case is not None:
                async with services.write() as tx:
                    await _relay_pending(services, tx.connection, case)
        elif item.purpose in (CARD, REPOST):
            case = await services.cases.get(item.ref)
            if case is not None and case.taken_at is not None and case.taken_by_name:
                # Taken while this card was still on its way: it must not offer the button.
                line = taken_line(
                    staff_tr(services),
                    case.taken_by_name,
                    case.taken_at,
                    services.settings.general.timezone,
                )
                async with services.write() as tx:
                    await _card_edits(services, tx.connection, case, line)

    for purpose in _GROUP_KINDS:
        delivery.on_delivered[purpose] = link
        delivery.on_failed[purpose] = _group_failure(services)
    delivery.on_failed[TO_USER] = _user_failure(services)
    delivery.on_failed[DUTY_ALERT] = _dm_failure(services)


def _group_failure(services: Services) -> Any:
    async def fix(item: OutboxItem, error: TelegramError) -> bool:
        """A deleted forum topic: make a new one for the case and send there. A relay that
        Telegram refuses for good (a file it no longer has ...) is not lost in silence:
        staff are told that a message of the case could not be passed on."""
        if item.ref is None:
            return False
        if "thread not found" not in error.message.lower():
            if item.purpose == RELAY:
                await _report_lost_relay(services, item.ref)
            return False
        async with services.casework.topic_lock:
            case = await services.cases.get(item.ref)
            if case is None:
                return False
            topic_id = case.topic_id
            if topic_id is None or topic_id == item.params.get("message_thread_id"):
                topic_id = await create_topic(services, case.code)
                if topic_id is None:
                    return False
                await services.cases.set_topic(case.id, topic_id)
        params = {k: v for k, v in item.params.items() if k != "chat_id"}
        params["message_thread_id"] = topic_id
        params.pop("reply_parameters", None)
        await services.outbox.update_params(item.id, item.chat_id, params)
        logger.info("recreated a deleted forum topic for a case")
        return True

    return fix


async def _report_lost_relay(services: Services, case_id: int) -> None:
    case = await services.cases.get(case_id)
    if case is None:
        return
    text = staff_tr(services)("staff.relay_failed", code=case.code)
    async with services.write() as tx:
        await _to_staff(
            services,
            tx.connection,
            case,
            _html(text, **_placement(case, reply_to_card=True)),
            NOTICE,
        )


def _user_failure(services: Services) -> Any:
    async def unreachable(item: OutboxItem, error: TelegramError) -> bool:
        """403 from the user (blocked the bot, deleted the account): staff are told once."""
        if not isinstance(error, Forbidden) or item.ref is None:
            return False
        case = await services.cases.get(item.ref)
        if case is None:
            return False
        tr = staff_tr(services)
        async with services.write() as tx:
            if await case_store.mark_unreachable(tx.connection, case.id):
                await _to_staff(
                    services,
                    tx.connection,
                    case,
                    _html(
                        tr("staff.unreachable", code=case.code),
                        **_placement(case, reply_to_card=True),
                    ),
                    NOTICE,
                )
        return False

    return unreachable


def _dm_failure(services: Services) -> Any:
    async def cannot_dm(item: OutboxItem, error: TelegramError) -> bool:
        """A staff member who never opened the bot cannot get direct messages: say so."""
        if not isinstance(error, Forbidden) or item.ref is None:
            return False
        key = (item.ref, item.chat_id)
        if key in services.casework.dm_failures:
            return False
        services.casework.dm_failures.add(key)
        case = await services.cases.get(item.ref)
        if case is None:
            return False
        name = str(item.chat_id)
        with contextlib.suppress(TelegramError):
            member = await services.bot.get_chat_member(staff_chat(services), item.chat_id)
            name = member.user.first_name
        tr = staff_tr(services)
        async with services.write() as tx:
            await _to_staff(
                services,
                tx.connection,
                case,
                _html(
                    tr("staff.dm_failed", name=name, code=case.code),
                    **_placement(case, reply_to_card=True),
                ),
                NOTICE,
            )
        return False

    return cannot_dm
