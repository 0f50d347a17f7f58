"""Reads of cases outside any write."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

from storage.cases import CaseRepository
from storage.crypto import TextSealer
from storage.db import Database
from tests.storage.cases.helpers import NOW, insert_case


async def test_counting_todays_cases_does_not_need_the_write_lock(
    db: Database, sealer: TextSealer
) -> None:
    """Another writer (the backup command, a migration) holds SQLite's write lock: the
    daily-limit check is a plain read and answers at once (WAL), it does not wait."""
    await insert_case(db, sealer)
    repository = CaseRepository(db, sealer)
    writer = sqlite3.connect(db.path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        async with asyncio.timeout(1):
            assert await repository.count_since(42, NOW - timedelta(hours=1)) == 1
            assert await repository.count_since(42, NOW + timedelta(seconds=1)) == 0
    finally:
        writer.execute("ROLLBACK")
        writer.close()


async def test_a_case_is_found_by_code_topic_and_open_case(
    db: Database, sealer: TextSealer
) -> None:
    case_id = await insert_case(db, sealer, topic_id=77)
    repository = CaseRepository(db, sealer)
    by_code = await repository.by_code("7KQ-M2F")
    [by_topic] = await repository.by_topic(77)
    open_case = await repository.open_case_of(42)
    assert by_code is not None and open_case is not None
    assert by_code.id == by_topic.id == open_case.id == case_id
    assert await repository.by_topic(78) == []
    assert await repository.by_code("ZZZ-ZZZ") is None
    assert await repository.open_case_of(7) is None


async def test_a_topic_number_may_be_one_case_s_in_each_centre_s_group(
    db: Database, sealer: TextSealer
) -> None:
    # Topic ids are numbered per group: the handler picks the one of its own centre.
    sairam = await insert_case(db, sealer, code="AAA-AAA", topic_id=5, center_id="sairam")
    saryagash = await insert_case(db, sealer, code="BBB-BBB", topic_id=5, center_id="saryagash")
    found = await CaseRepository(db, sealer).by_topic(5)
    assert [(case.id, case.center_id) for case in found] == [
        (saryagash, "saryagash"),
        (sairam, "sairam"),
    ]
