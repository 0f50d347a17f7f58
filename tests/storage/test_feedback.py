"""Feedback SQL: questions, anonymous answers and lines, quick exits, purge and forget-me."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.crypto import TextSealer, new_key
from storage.db import Database, to_db_time
from storage.feedback import (
    FeedbackRepository,
    FeedbackStore,
    StoredFeedback,
    erase_feedback_of_user,
    note_quick_exit,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "feedback.sqlite3")
    yield database
    await database.close()


@pytest.fixture
def sealer() -> TextSealer:
    return TextSealer([new_key().encode("ascii")])


async def ask(db: Database, sealer: TextSealer, token: str, user_id: int, at: datetime) -> None:
    async with db.transaction() as connection:
        await FeedbackStore(connection, sealer).ask(
            token=token, user_id=user_id, about="case", now=at
        )


async def answer(
    db: Database, sealer: TextSealer, token: str, user_id: int, given: str = "good"
) -> str | None:
    async with db.transaction() as connection:
        return await FeedbackStore(connection, sealer).answer(
            token=token, user_id=user_id, answer=given, day=DAY
        )


async def rows(db: Database, sql: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in await db.fetch_all(sql)]


async def count(db: Database, table: str) -> int:
    row = await db.fetch_one(f"SELECT COUNT(*) FROM {table}")
    assert row is not None
    return int(row[0])


async def test_an_answer_is_stored_without_id_and_its_question_goes(
    db: Database, sealer: TextSealer
) -> None:
    await ask(db, sealer, "tok-1", 42, NOW)

    assert await answer(db, sealer, "tok-1", 42, "bad") == "case"

    assert await count(db, "feedback_asks") == 0
    assert await rows(db, "SELECT about, answer, given_on FROM feedback") == [
        ("case", "bad", to_db_time(DAY))
    ]
    # Nothing in the answers' table could name a person.
    columns = [row[1] for row in await rows(db, "PRAGMA table_info(feedback)")]
    assert columns == ["id", "about", "answer", "given_on"]
    assert await FeedbackRepository(db).answers(DAY, DAY + timedelta(days=1)) == [
        StoredFeedback(DAY, "case", "bad")
    ]


@pytest.mark.parametrize(
    ("token", "user_id"),
    [("tok-1", 43), ("tok-2", 42)],  # someone else's question; no such question
)
async def test_only_her_own_open_question_can_be_answered(
    db: Database, sealer: TextSealer, token: str, user_id: int
) -> None:
    await ask(db, sealer, "tok-1", 42, NOW)

    assert await answer(db, sealer, token, user_id) is None

    assert await count(db, "feedback") == 0
    assert await count(db, "feedback_asks") == 1


async def test_a_question_is_answered_once(db: Database, sealer: TextSealer) -> None:
    await ask(db, sealer, "tok-1", 42, NOW)
    assert await answer(db, sealer, "tok-1", 42) == "case"
    assert await answer(db, sealer, "tok-1", 42) is None
    assert await count(db, "feedback") == 1


async def test_answers_are_read_for_the_period_only(db: Database, sealer: TextSealer) -> None:
    for token, day in (("a", DAY - timedelta(days=1)), ("b", DAY), ("c", DAY + timedelta(days=1))):
        await ask(db, sealer, token, 42, NOW)
        async with db.transaction() as connection:
            await FeedbackStore(connection, sealer).answer(
                token=token, user_id=42, answer="neutral", day=day
            )

    stored = await FeedbackRepository(db).answers(DAY, DAY + timedelta(days=1))

    assert [s.given_on for s in stored] == [DAY]


async def test_a_comment_is_sealed(db: Database, sealer: TextSealer) -> None:
    async with db.transaction() as connection:
        await FeedbackStore(connection, sealer).add_comment(
            about="case", body="Спасибо, помогли", day=DAY
        )
    stored = await rows(db, "SELECT about, body, given_on FROM feedback_comments")
    assert len(stored) == 1
    assert stored[0][0] == "case" and stored[0][2] == to_db_time(DAY)
    assert "Спасибо" not in str(stored[0][1])
    assert sealer.open(str(stored[0][1])) == "Спасибо, помогли"


async def test_quick_exit_time_is_kept_per_person_and_updated(
    db: Database, sealer: TextSealer
) -> None:
    repository = FeedbackRepository(db)
    await repository.note_quick_exit(42, NOW - timedelta(days=10))
    async with db.transaction() as connection:
        store = FeedbackStore(connection, sealer)
        assert not await store.used_quick_exit_since(42, NOW - timedelta(days=7))
    await repository.note_quick_exit(42, NOW)
    async with db.transaction() as connection:
        store = FeedbackStore(connection, sealer)
        assert await store.used_quick_exit_since(42, NOW - timedelta(days=7))
        assert not await store.used_quick_exit_since(43, NOW - timedelta(days=7))
    assert await count(db, "quick_exits") == 1


async def book(db: Database, code: str, user_id: int, *, name_in_reminders: bool) -> None:
    async with db.transaction() as connection:
        await connection.execute(
            "INSERT OR IGNORE INTO users (user_id, language, created_at) VALUES (?, 'kk', 'x')",
            (user_id,),
        )
        await connection.execute(
            "INSERT INTO appointments (code, user_id, center_id, service_id, starts_at, "
            "ends_at, name_in_reminders, booked_at) VALUES (?, ?, 'c', 's', ?, ?, ?, ?)",
            (
                code,
                user_id,
                to_db_time(NOW),
                to_db_time(NOW + timedelta(hours=1)),
                int(name_in_reminders),
                to_db_time(NOW),
            ),
        )


@pytest.mark.parametrize(
    ("choices", "discreet"),
    [((), False), ((True,), False), ((True, False), True), ((False,), True)],
)
async def test_one_discreet_booking_means_discreet(
    db: Database, sealer: TextSealer, choices: tuple[bool, ...], discreet: bool
) -> None:
    for n, named in enumerate(choices):
        await book(db, f"AP{n}-XYZ", 42, name_in_reminders=named)
    await book(db, "OTH-ERS", 43, name_in_reminders=False)

    async with db.transaction() as connection:
        assert await FeedbackStore(connection, sealer).chose_discreet_reminders(42) is discreet


async def test_forget_me_erases_her_questions_and_quick_exit_only(
    db: Database, sealer: TextSealer
) -> None:
    await ask(db, sealer, "hers", 42, NOW)
    await ask(db, sealer, "theirs", 43, NOW)
    async with db.transaction() as connection:
        await note_quick_exit(connection, 42, NOW)
        await note_quick_exit(connection, 43, NOW)

    async with db.transaction() as connection:
        await erase_feedback_of_user(connection, 42)

    assert await rows(db, "SELECT token FROM feedback_asks") == [("theirs",)]
    assert await rows(db, "SELECT user_id FROM quick_exits") == [(43,)]


async def test_purge_erases_old_questions_exits_and_lines(db: Database, sealer: TextSealer) -> None:
    week_ago = NOW - timedelta(days=7)
    await ask(db, sealer, "old", 42, week_ago - timedelta(seconds=1))
    await ask(db, sealer, "new", 43, week_ago)
    async with db.transaction() as connection:
        await note_quick_exit(connection, 42, week_ago - timedelta(days=1))
        await note_quick_exit(connection, 43, NOW)
        store = FeedbackStore(connection, sealer)
        await store.add_comment(about="case", body="old", day=DAY - timedelta(days=400))
        await store.add_comment(about="case", body="new", day=DAY)
    await ask(db, sealer, "kept", 44, NOW)
    assert await answer(db, sealer, "kept", 44) == "case"

    erased = await FeedbackRepository(db).purge(
        asked_before=week_ago, comments_before=DAY - timedelta(days=365)
    )

    assert erased == 3
    assert await rows(db, "SELECT token FROM feedback_asks") == [("new",)]
    assert await rows(db, "SELECT user_id FROM quick_exits") == [(43,)]
    assert await count(db, "feedback_comments") == 1
    assert await count(db, "feedback") == 1  # answers hold no id and are kept
