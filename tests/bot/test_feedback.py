"""The feedback service on a real database: when the question is asked, what an answer
keeps (the local day only), the line's limit, the figures and the purge."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.domain.language import Language
from bot.feedback import (
    ANSWER_PATTERN,
    FEEDBACK_ASK,
    MAX_COMMENT,
    FeedbackService,
    answer_keyboard,
)
from bot.i18n import Texts
from bot.reports.figures import FeedbackFact
from storage.crypto import TextSealer
from storage.db import Database, to_db_time
from storage.feedback import FeedbackRepository
from storage.outbox import OutboxRepository
from storage.unit_of_work import UnitOfWork

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ALMATY = ZoneInfo("Asia/Almaty")
TEXTS = Texts.load()


@dataclass
class World:
    db: Database
    clock: ManualClock
    service: FeedbackService
    unit: UnitOfWork
    sealer: TextSealer

    async def ask(self, user_id: int = 42, language: Language = "ru") -> bool:
        async with self.unit.write() as tx:
            return await self.service.ask(tx, user_id=user_id, language=language, about="case")

    async def token_of_question(self, user_id: int = 42) -> str:
        item = await OutboxRepository(self.db, self.sealer).next_for_chat(user_id)
        assert item is not None and item.purpose == FEEDBACK_ASK
        data = item.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        return str(data).split(":")[1]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    db = await Database.open(tmp_path / "feedback.sqlite3")
    clock = ManualClock(NOW)
    sealer = TextSealer()
    service = FeedbackService(
        repository=FeedbackRepository(db), texts=TEXTS, clock=clock, tz=ALMATY
    )
    yield World(db, clock, service, UnitOfWork(db, sealer, clock.now, lambda: None), sealer)
    await db.close()


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_keyboard_offers_the_three_answers_in_her_language(language: Language) -> None:
    tr = TEXTS.for_language(language)
    token = "A" * 22
    buttons = answer_keyboard(tr, token).inline_keyboard[0]
    assert [b.text for b in buttons] == [
        tr(f"feedback.answer.{a}") for a in ("good", "neutral", "bad")
    ]
    for button, answer in zip(buttons, ("good", "neutral", "bad"), strict=True):
        assert button.callback_data == f"fb:{token}:{answer}"
        assert re.match(ANSWER_PATTERN, str(button.callback_data))


@pytest.mark.parametrize(
    "data",
    ["fb:short:good", f"fb:{'A' * 22}:great", f"fb:{'A' * 22}:good:x", f"bk:{'A' * 22}:good"],
)
def test_the_answer_pattern_refuses_other_buttons(data: str) -> None:
    assert re.match(ANSWER_PATTERN, data) is None


async def test_the_question_goes_out_in_her_language_with_its_buttons(world: World) -> None:
    assert await world.ask(language="kk")

    item = await OutboxRepository(world.db, world.sealer).next_for_chat(42)
    assert item is not None
    assert item.params["text"] == TEXTS.for_language("kk")("feedback.question")
    token = await world.token_of_question()
    assert len(token) >= 16
    rows = await world.db.fetch_all("SELECT token, user_id, about FROM feedback_asks")
    assert [tuple(r) for r in rows] == [(token, 42, "case")]


@pytest.mark.parametrize(
    ("exit_days_ago", "asked"),
    [(None, True), (1, False), (6.9, False), (7, False), (7.1, True), (30, True)],
)
async def test_no_question_within_a_week_of_a_quick_exit(
    world: World, exit_days_ago: float | None, asked: bool
) -> None:
    if exit_days_ago is not None:
        await world.service.note_quick_exit(42)
        world.clock.advance(timedelta(days=exit_days_ago))

    assert await world.ask() is asked

    pending = await OutboxRepository(world.db, world.sealer).count("pending")
    assert pending == (1 if asked else 0)


async def test_no_question_after_discreet_reminders(world: World) -> None:
    async with world.db.transaction() as connection:
        await connection.execute(
            "INSERT INTO users (user_id, language, created_at) VALUES (42, 'ru', 'x')"
        )
        await connection.execute(
            "INSERT INTO appointments (code, user_id, center_id, service_id, starts_at, "
            "ends_at, name_in_reminders, booked_at) VALUES ('ABC-DEF', 42, 'c', 's', ?, ?, 0, ?)",
            (to_db_time(NOW), to_db_time(NOW), to_db_time(NOW)),
        )
    assert not await world.ask(user_id=42)
    assert await world.ask(user_id=43)


@pytest.mark.parametrize(
    ("answered_at", "kept_day"),
    [
        # Almaty is UTC+5: late evening in UTC is already the next local day.
        (datetime(2026, 12, 1, 9, 0, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=ALMATY)),
        (datetime(2026, 12, 1, 18, 59, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=ALMATY)),
        (datetime(2026, 12, 1, 19, 0, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=ALMATY)),
    ],
)
async def test_an_answer_keeps_the_local_day_never_the_moment(
    world: World, answered_at: datetime, kept_day: datetime
) -> None:
    await world.ask()
    token = await world.token_of_question()
    world.clock.set(answered_at)

    async with world.unit.write() as tx:
        about = await world.service.answer(tx, token=token, user_id=42, answer="good")

    assert about == "case"
    facts = await world.service.facts(NOW - timedelta(days=2), NOW + timedelta(days=2))
    assert facts == [FeedbackFact(kept_day, "case", "good")]
    assert facts[0].given_at == kept_day


async def test_a_stranger_cannot_answer_her_question(world: World) -> None:
    await world.ask()
    token = await world.token_of_question()
    async with world.unit.write() as tx:
        assert await world.service.answer(tx, token=token, user_id=43, answer="bad") is None
    assert await world.service.facts(NOW - timedelta(days=1), NOW + timedelta(days=1)) == []


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Спасибо  \n", "Спасибо"),
        ("я" * (MAX_COMMENT + 50), "я" * MAX_COMMENT),
        (" " + "a" * MAX_COMMENT + " ", "a" * MAX_COMMENT),
    ],
)
async def test_a_line_is_trimmed_and_kept_short(world: World, typed: str, kept: str) -> None:
    async with world.unit.write() as tx:
        await world.service.add_comment(tx, about="case", text=typed)
    rows = await world.db.fetch_all("SELECT body, given_on FROM feedback_comments")
    assert len(rows) == 1
    assert world.sealer.open(rows[0][0]) == kept
    assert rows[0][1] == to_db_time(datetime(2026, 12, 1, tzinfo=ALMATY))


async def test_purge_drops_week_old_questions_and_lines_past_retention(world: World) -> None:
    await world.ask(user_id=42)
    async with world.unit.write() as tx:
        await world.service.add_comment(tx, about="case", text="old line")
    world.clock.advance(timedelta(days=6))
    await world.ask(user_id=43)

    # A day later: the first question is a week old; the line is within 90 days.
    later = NOW + timedelta(days=7, seconds=1)
    assert await world.service.purge(later, timedelta(days=90)) == 1
    asks = await world.db.fetch_all("SELECT user_id FROM feedback_asks")
    assert [r[0] for r in asks] == [43]
    assert await world.service.purge(NOW + timedelta(days=91), timedelta(days=90)) == 2
