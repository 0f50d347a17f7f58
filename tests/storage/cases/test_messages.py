"""A case's messages: relays wait while a batch is pending."""

from __future__ import annotations

from storage.cases import CaseMessageStore, CaseRepository
from storage.crypto import TextSealer
from storage.db import Database
from storage.outbox import enqueue
from tests.storage.cases.helpers import NOW, insert_case


async def test_relays_wait_while_a_batch_is_pending(db: Database, sealer: TextSealer) -> None:
    case_id = await insert_case(db, sealer)
    async with db.transaction() as connection:
        first = await CaseMessageStore(connection, sealer).add(
            case_id=case_id,
            author="user",
            kind="text",
            body="1",
            file_id=None,
            now=NOW,
        )
        outbox_id = await enqueue(
            connection,
            sealer,
            chat_id=-100,
            method="sendMessage",
            params={"text": "1"},
            purpose="case_relay",
            ref=case_id,
            now=NOW,
        )
        await CaseMessageStore(connection, sealer).set_relay([first], outbox_id)
        await CaseMessageStore(connection, sealer).add(
            case_id=case_id,
            author="user",
            kind="text",
            body="2",
            file_id=None,
            now=NOW,
        )
        assert await CaseMessageStore(connection, sealer).has_pending_relay(case_id)
        waiting = await CaseMessageStore(connection, sealer).unrelayed_user_messages(case_id)
    assert [m.body for m in waiting] == ["2"]
    repository = CaseRepository(db, sealer)
    assert await repository.cases_with_stalled_relays() == []
    await db.execute("UPDATE outbox SET status = 'failed'")
    assert await repository.cases_with_stalled_relays() == [case_id]
