"""Notes, prepared answers and handovers through the service: what is stored, audited and
told, to whom, and what the villager never hears."""

from __future__ import annotations

from bot.domain.language import Language
from tests.bot.cases.helpers import open_case
from tests.conftest import BACKUP_ID, STAFF_ID, Harness
from tests.handlers.case_helpers import plain, settle


async def audited(bot: Harness, code: str) -> list[tuple[int, str, str | None]]:
    return [(e.actor_id, e.action, e.detail) for e in await bot.services.audit.for_subject(code)]


async def test_a_note_is_stored_audited_and_stays_with_staff(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    case = (await open_case(bot, user)).case
    await settle(bot)
    before = len(user.bot_messages())
    tools = bot.services.cases.staff_tools
    side = bot.services.cases.staff_sides.home(case)

    await tools.add_note(side, case, STAFF_ID, "Перезвонить после 18:00", message_id=10_000)
    await settle(bot)

    notes = await tools.notes(case.id)
    assert [(n.staff_id, n.body) for n in notes] == [(STAFF_ID, "Перезвонить после 18:00")]
    assert (STAFF_ID, "note", None) in await audited(bot, case.code)
    saved = plain(bot.tr("kk", "staff_tools.note_saved", code=case.code))
    await bot.group.wait_for_bot_message(lambda m: m.text == saved)
    assert len(user.bot_messages()) == before


def quick_hello(language: Language) -> str:
    return {"kk": "Сәлеметсіз бе", "ru": "Здравствуйте"}[language]


async def test_a_prepared_answer_takes_the_case_and_reaches_her_in_her_language(
    bot: Harness,
) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    case = (await open_case(bot, user)).case
    await settle(bot)
    assert case.taken_at is None

    await bot.services.cases.staff_tools.send_prepared(
        bot.services.cases.staff_sides.home(case),
        case,
        staff_id=STAFF_ID,
        staff_name="Saule",
        text_in=quick_hello,
        action="quick_reply",
        detail="hello",
    )
    await settle(bot)

    label = bot.tr("ru", "conversation.staff_label")
    got = await user.wait_for_bot_message(lambda m: "Здравствуйте" in (m.text or ""))
    assert got.text == plain(f"{label}\nЗдравствуйте")
    taken = await bot.services.cases.get(case.id)
    assert taken is not None and taken.taken_by == STAFF_ID
    stored = await bot.services.cases.messages(case.id)
    assert [(m.author, m.staff_id, m.body) for m in stored if m.author == "staff"] == [
        ("staff", STAFF_ID, "Здравствуйте")
    ]
    assert (STAFF_ID, "quick_reply", "hello") in await audited(bot, case.code)
    # Staff see what went in their own language (kk).
    shown = plain(bot.tr("kk", "staff_tools.prepared_sent", code=case.code, text="Сәлеметсіз бе"))
    await bot.group.wait_for_bot_message(lambda m: m.text == shown)


async def test_a_handover_moves_the_case_and_tells_the_colleague_not_her(bot: Harness) -> None:
    await bot.backup.send("/start")
    user = bot.user()
    await bot.onboard(user, "ru")
    case = (await open_case(bot, user)).case
    await bot.services.cases.staff_actions.take(case, STAFF_ID, "Saule")
    await settle(bot)
    taken = await bot.services.cases.get(case.id)
    assert taken is not None
    before = len(user.bot_messages())

    handed = await bot.services.cases.staff_tools.hand_over(
        bot.services.cases.staff_sides.home(taken),
        taken,
        from_id=STAFF_ID,
        to_id=BACKUP_ID,
        to_name="Bolat",
    )
    await settle(bot)

    assert handed
    now_with = await bot.services.cases.get(case.id)
    assert now_with is not None and (now_with.taken_by, now_with.taken_by_name) == (
        BACKUP_ID,
        "Bolat",
    )
    assert (STAFF_ID, "hand_over", str(BACKUP_ID)) in await audited(bot, case.code)
    await bot.backup.wait_for_bot_message(lambda m: case.code in (m.text or ""))
    assert len(user.bot_messages()) == before


async def test_a_closed_or_untaken_case_is_not_handed_over(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    case = (await open_case(bot, user)).case
    tools = bot.services.cases.staff_tools
    side = bot.services.cases.staff_sides.home(case)

    assert not await tools.hand_over(side, case, from_id=STAFF_ID, to_id=BACKUP_ID, to_name="Bolat")

    await bot.services.cases.staff_actions.take(case, STAFF_ID, "Saule")
    await bot.services.cases.staff_actions.close(case, STAFF_ID)
    assert not await tools.hand_over(side, case, from_id=STAFF_ID, to_id=BACKUP_ID, to_name="Bolat")
    assert [a for a in await audited(bot, case.code) if a[1] == "hand_over"] == []
    assert await tools.staff_who_took_cases(side) == [STAFF_ID]
