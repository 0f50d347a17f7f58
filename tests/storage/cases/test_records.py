"""A case's row and back: sealed columns are opened, the values are typed."""

from __future__ import annotations

import sqlite3

from storage.cases import CaseRepository
from storage.crypto import TextSealer
from storage.db import Database
from tests.storage.cases.helpers import insert_case


async def test_a_case_round_trips_and_its_texts_are_sealed_at_rest(
    db: Database, sealer: TextSealer
) -> None:
    case_id = await insert_case(db, sealer)
    case = await CaseRepository(db, sealer).get(case_id)
    assert case is not None
    assert (case.code, case.user_id, case.urgent, case.urgent_reasons) == (
        "7KQ-M2F",
        42,
        True,
        ("sos_button",),
    )
    assert case.story == "Он сказал, что убьёт меня" and case.story_voice == ("voice-1",)
    assert case.screen == {"weapon": True, "gun": None}
    assert case.callback_phone == "+7 701 234 56 78"
    with sqlite3.connect(db.path) as raw:
        row = raw.execute("SELECT story, callback_phone, screen FROM cases").fetchone()
    assert all(value.startswith("f1:") for value in row)
    assert "убьёт" not in " ".join(row) and "701" not in " ".join(row)
