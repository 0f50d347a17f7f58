"""Internal notes, handing a case over and who has taken cases, in SQL."""

from __future__ import annotations

from datetime import timedelta

from storage.cases import CaseRepository, CaseStore
from storage.cases.notes import CaseNoteRepository, CaseNoteStore
from storage.crypto import TextSealer
from storage.db import Database
from tests.storage.cases.helpers import NOW, insert_case


async def add_note(db: Database, sealer: TextSealer, case_id: int, body: str) -> int:
    async with db.transaction() as connection:
        return await CaseNoteStore(connection, sealer).add(
            case_id=case_id, staff_id=901, body=body, now=NOW
        )


async def test_notes_are_stored_sealed_and_read_back_in_order(
    db: Database, sealer: TextSealer
) -> None:
    case_id = await insert_case(db, sealer)
    other = await insert_case(db, sealer, code="AAA-BBB", user_id=43)
    first = await add_note(db, sealer, case_id, "Called her back")
    second = await add_note(db, sealer, case_id, "Мужа нет дома до 18:00")
    await add_note(db, sealer, other, "Another case")

    notes = await CaseNoteRepository(db, sealer).notes(case_id)

    assert [(n.id, n.case_id, n.staff_id, n.body, n.created_at) for n in notes] == [
        (first, case_id, 901, "Called her back", NOW),
        (second, case_id, 901, "Мужа нет дома до 18:00", NOW),
    ]
    stored = await db.fetch_all("SELECT body FROM case_notes")
    assert all("Called" not in row[0] and "Мужа" not in row[0] for row in stored)


async def hand_over(db: Database, sealer: TextSealer, case_id: int) -> bool:
    async with db.transaction() as connection:
        return await CaseNoteStore(connection, sealer).hand_over(case_id, 902, "Bolat")


async def test_a_taken_open_case_is_handed_over(db: Database, sealer: TextSealer) -> None:
    case_id = await insert_case(db, sealer)
    async with db.transaction() as connection:
        await CaseStore(connection, sealer).claim(case_id, 901, "Dilnaz", NOW)

    assert await hand_over(db, sealer, case_id)

    case = await CaseRepository(db, sealer).get(case_id)
    assert case is not None and (case.taken_by, case.taken_by_name) == (902, "Bolat")


async def test_an_untaken_or_closed_case_is_not_handed_over(
    db: Database, sealer: TextSealer
) -> None:
    untaken = await insert_case(db, sealer)
    closed = await insert_case(db, sealer, code="AAA-BBB", user_id=43)
    async with db.transaction() as connection:
        store = CaseStore(connection, sealer)
        await store.claim(closed, 901, "Dilnaz", NOW)
        await store.close(closed, NOW)

    assert not await hand_over(db, sealer, untaken)
    assert not await hand_over(db, sealer, closed)
    case = await CaseRepository(db, sealer).get(closed)
    assert case is not None and case.taken_by == 901


async def test_forget_me_erases_only_that_users_notes(db: Database, sealer: TextSealer) -> None:
    hers = await insert_case(db, sealer, user_id=42)
    theirs = await insert_case(db, sealer, code="AAA-BBB", user_id=43)
    await add_note(db, sealer, hers, "hers")
    await add_note(db, sealer, theirs, "theirs")

    async with db.transaction() as connection:
        await CaseNoteStore(connection, sealer).erase_of_user(42)

    repository = CaseNoteRepository(db, sealer)
    assert await repository.notes(hers) == []
    assert [n.body for n in await repository.notes(theirs)] == ["theirs"]


async def test_retention_erases_notes_of_cases_closed_before_the_moment(
    db: Database, sealer: TextSealer
) -> None:
    old = await insert_case(db, sealer)
    recent = await insert_case(db, sealer, code="AAA-BBB", user_id=43)
    still_open = await insert_case(db, sealer, code="CCC-DDD", user_id=44)
    async with db.transaction() as connection:
        store = CaseStore(connection, sealer)
        await store.close(old, NOW)
        await store.close(recent, NOW + timedelta(days=10))
    for case_id in (old, recent, still_open):
        await add_note(db, sealer, case_id, "note")

    async with db.transaction() as connection:
        erased = await CaseNoteStore(connection, sealer).erase_closed(NOW + timedelta(days=1))

    assert erased == 1
    repository = CaseNoteRepository(db, sealer)
    assert await repository.notes(old) == []
    assert len(await repository.notes(recent)) == 1
    assert len(await repository.notes(still_open)) == 1


async def test_staff_who_took_cases_are_listed_once(db: Database, sealer: TextSealer) -> None:
    repository = CaseNoteRepository(db, sealer)
    assert await repository.staff_who_took_cases() == []
    first = await insert_case(db, sealer)
    second = await insert_case(db, sealer, code="AAA-BBB", user_id=43)
    await insert_case(db, sealer, code="CCC-DDD", user_id=44)
    async with db.transaction() as connection:
        await CaseStore(connection, sealer).claim(first, 901, "Dilnaz", NOW)
        await CaseStore(connection, sealer).claim(second, 901, "Dilnaz", NOW)

    assert await repository.staff_who_took_cases() == [901]
