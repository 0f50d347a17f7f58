"""One bot for a region: two centres, two staff groups, two rotas, and the region group.

Each group sees only its own centre's cases; an urgent case its centre leaves untaken
reaches the region group; a case handed to the other centre is answered from there.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from bot.domain.codes import CODE_RE
from sandbox import SimGroup, SimUser
from tests.conftest import START, Harness, HarnessFactory
from tests.handlers.booking_steps import book, data_of, has_data, slot
from tests.handlers.case_helpers import code_in, plain, request_case, settle

STAFF = "kk"


def _mentions(group: SimGroup, code: str) -> bool:
    return any(code in (m.text or m.caption or "") for m in group.bot_messages())


def _center_of(bot: Harness, code: str) -> str | None:
    with sqlite3.connect(bot.settings.storage.path) as db:
        row = db.execute("SELECT center_id FROM cases WHERE code = ?", (code,)).fetchone()
    return row[0] if row else None


async def _two_villagers(bot: Harness) -> tuple[SimUser, SimUser]:
    aigul = bot.user("Aigul", "ru")
    await bot.onboard(aigul, "ru", center="sairam")
    dana = bot.user("Dana", "kk")
    await bot.onboard(dana, "kk", center="saryagash")
    return aigul, dana


async def test_each_centre_sees_only_its_own_requests_and_sos(start_bot: HarnessFactory) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.second_group is not None and bot.region_group is not None
    for person in (bot.duty, bot.second_duty):
        await person.send("/start")
    aigul, dana = await _two_villagers(bot)
    sairam_code = await request_case(bot, aigul, "ru")
    saryagash_code = await request_case(
        bot, dana, "kk", story="Маған өте ауыр, бір апта ұйықтамадым."
    )
    await bot.group.wait_for_bot_message(lambda m: sairam_code in (m.text or ""))
    await bot.second_group.wait_for_bot_message(lambda m: saryagash_code in (m.text or ""))
    await settle(bot)
    assert not _mentions(bot.group, saryagash_code)
    assert not _mentions(bot.second_group, sairam_code)
    assert _center_of(bot, sairam_code) == "sairam"
    assert _center_of(bot, saryagash_code) == "saryagash"

    # /sos on the open case: the alert goes to its own centre's group and rota only.
    await dana.send("/sos")
    await bot.second_group.wait_for_bot_message(
        lambda m: saryagash_code in (m.text or "") and "ШҰҒЫЛ" in (m.text or "")
    )
    await bot.second_duty.wait_for_bot_message(lambda m: saryagash_code in (m.text or ""))
    await settle(bot)
    assert not _mentions(bot.group, saryagash_code)
    assert not any(saryagash_code in (m.text or "") for m in bot.duty.bot_messages())

    # Her words reach her centre's group only; a reply there reaches her.
    await dana.send("Мен әлі осындамын")
    relayed = await bot.second_group.wait_for_bot_message(
        lambda m: "Мен әлі осындамын" in (m.text or "")
    )
    await settle(bot)
    assert not _mentions(bot.group, "Мен әлі осындамын")
    await bot.second_staff.send_in(bot.second_group, "Сізбен біргеміз", reply_to=relayed.message_id)
    await dana.wait_for_bot_message(lambda m: "Сізбен біргеміз" in (m.text or ""))

    # A staff member of the other centre cannot act on it: /close CODE there changes nothing.
    await bot.staff.send_in(bot.group, f"/close {saryagash_code}")
    await bot.handled()
    case = await bot.services.cases.by_code(saryagash_code)
    assert case is not None and case.is_open


async def test_duty_and_onduty_concern_the_group_s_own_centre(start_bot: HarnessFactory) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.second_group is not None
    await bot.second_staff.send("/start")
    await bot.second_staff.send_in(bot.second_group, "/duty")
    await bot.second_group.wait_for_bot_message(lambda m: "Yerlan" in (m.text or ""))
    await bot.staff.send_in(bot.group, "/onduty")
    sairam = await bot.group.wait_for_bot_message(lambda m: "Dilnaz" in (m.text or ""))
    assert "Yerlan" not in (sairam.text or "") and "Marat" not in (sairam.text or "")
    await bot.second_staff.send_in(bot.second_group, "/onduty")
    saryagash = await bot.second_group.wait_for_bot_message(
        lambda m: "Yerlan" in (m.text or "") and "Gulnara" in (m.text or "")
    )
    assert "Dilnaz" not in (saryagash.text or "")
    # An urgent case of Sairam alerts Sairam's rota, not the one who took /duty in Saryagash.
    aigul = bot.user("Aigul", "ru")
    await bot.onboard(aigul, "ru", center="sairam")
    await aigul.send("/sos")
    status = await aigul.wait_for_bot_message(lambda m: "Дежурный" in (m.text or ""))
    code = code_in(status.text or "")
    await settle(bot)
    assert not any(code in (m.text or "") for m in bot.second_staff.bot_messages())


async def test_an_untaken_urgent_case_reaches_the_region_group(start_bot: HarnessFactory) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.region_group is not None and bot.second_group is not None
    dana = bot.user("Dana", "kk")
    await bot.onboard(dana, "kk", center="saryagash")
    await dana.send("/sos")
    status = await dana.wait_for_bot_message(lambda m: CODE_RE.search(m.text or "") is not None)
    code = code_in(status.text or "")
    await bot.second_group.wait_for_bot_message(lambda m: code in (m.text or ""))
    # The first re-alert stays in the centre; the last one, still untaken, reaches the region.
    bot.advance(timedelta(seconds=31))
    await bot.run_due_work()
    await settle(bot)
    assert not _mentions(bot.region_group, code)
    bot.advance(timedelta(seconds=31))
    await bot.run_due_work()
    alert = await bot.region_group.wait_for_bot_message(lambda m: code in (m.text or ""))
    assert "Сарыағаш ауданы" in (alert.text or "") and not alert.buttons
    assert "Маған" not in (alert.text or "")
    await settle(bot)
    assert not _mentions(bot.group, code)


async def test_a_handover_moves_the_conversation_to_the_other_centre(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.second_group is not None
    aigul = bot.user("Aigul", "ru")
    await bot.onboard(aigul, "ru", center="sairam")
    code = await request_case(bot, aigul, "ru")
    card = await bot.group.wait_for_bot_message(lambda m: code in m.content and bool(m.buttons))
    await settle(bot)
    await bot.staff.press(bot.tr(STAFF, "card.hand_over"), chat=bot.group)
    choice = await bot.group.wait_for_bot_message(
        lambda m: any((d or "").startswith("case:to:") for _, d in m.buttons)
    )
    assert [text for text, _ in choice.buttons] == ["Сарыағаш ауданы"]
    await bot.staff.press("Сарыағаш ауданы", chat=bot.group)
    told = await aigul.wait_for_bot_message(lambda m: "Сарыагашский район" in (m.text or ""))
    assert code in (told.text or "") and "Saule" not in (told.text or "")
    new_card = await bot.second_group.wait_for_bot_message(
        lambda m: code in (m.text or "") and bool(m.buttons)
    )
    await settle(bot)
    old = bot.group.message(card.message_id)
    assert "Сарыағаш" in (old.text or "") and not old.buttons
    assert _center_of(bot, code) == "saryagash"
    # The old centre can no longer answer; the new one can, and she keeps her code.
    await bot.staff.send_in(bot.group, "Ещё здесь?", reply_to=card.message_id)
    await bot.group.wait_for_bot_message(
        lambda m: (
            "Сарыағаш" in (m.text or "")
            and code in (m.text or "")
            and "жіберілмеді" in (m.text or "")
        )
    )
    await bot.second_staff.send_in(bot.second_group, "Здравствуйте", reply_to=new_card.message_id)
    answer = await aigul.wait_for_bot_message(lambda m: "Здравствуйте" in (m.text or ""))
    await settle(bot)
    assert not any("Ещё здесь?" in (m.text or "") for m in aigul.bot_messages())
    assert answer.text is not None
    await aigul.send("Спасибо")
    await bot.second_group.wait_for_bot_message(lambda m: "Спасибо" in (m.text or ""))
    with sqlite3.connect(bot.settings.storage.path) as db:
        audit = db.execute(
            "SELECT actor_id, detail FROM audit_log WHERE action = 'hand_over'"
        ).fetchall()
    assert audit == [(bot.staff.id, "sairam -> saryagash")]


async def test_each_villager_books_at_her_centre_and_only_its_group_hears(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.second_group is not None
    aigul, dana = await _two_villagers(bot)
    tomorrow = slot(START.date() + timedelta(days=1), 12)
    await dana.send("/book")
    offer = await dana.wait_for_bot_message(has_data("bk:service:"))
    # Her centre's services only, and a word on where the others are.
    assert data_of(offer, "bk:service:") == ["bk:service:saryagash_psychologist"]
    assert "Сайрам ауданы" in (offer.text or "")
    await dana.press(bot.tr("kk", "booking.button.cancel"))
    await dana.wait_for_bot_message(lambda m: not has_data("bk:service:")(m))
    sairam_code = await book(bot, aigul, start=tomorrow)
    saryagash_code = await book(
        bot, dana, start=tomorrow, service="saryagash_psychologist", language="kk"
    )
    await bot.group.wait_for_bot_message(lambda m: sairam_code in (m.text or ""))
    await bot.second_group.wait_for_bot_message(lambda m: saryagash_code in (m.text or ""))
    await settle(bot)
    assert not _mentions(bot.group, saryagash_code)
    assert not _mentions(bot.second_group, sairam_code)
    # The next morning's agenda: each group its own appointments.
    bot.advance(timedelta(days=1))
    await bot.run_due_work()
    await bot.second_group.wait_for_bot_message(
        lambda m: saryagash_code in (m.text or "") and "12:00" in (m.text or "")
    )
    await bot.group.wait_for_bot_message(
        lambda m: sairam_code in (m.text or "") and "12:00" in (m.text or "")
    )
    await settle(bot)
    assert not _mentions(bot.group, saryagash_code)
    assert not _mentions(bot.second_group, sairam_code)
    # /agenda in a group: that centre's day.
    await bot.second_staff.send_in(bot.second_group, "/agenda")
    await bot.handled()
    assert not _mentions(bot.second_group, sairam_code)


async def test_sos_before_choosing_a_centre_reaches_every_centre_and_the_first_takes_it(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.second_group is not None and bot.region_group is not None
    for person in (bot.duty, bot.second_duty):
        await person.send("/start")
    user = bot.user("Aigul", "ru")
    await user.send("/start")
    await user.wait_for_bot_message(lambda m: "Выберите язык" in m.content)
    await user.press(bot.tr("ru", "language.ru"))
    await user.wait_for_bot_message(lambda m: bool(m.buttons))
    await user.press(bot.tr("ru", "consent.accept"))
    await user.wait_for_bot_message(lambda m: "Сарыагашский район" in str(m.buttons))
    # Each group numbers its own messages: here the two cards get different numbers.
    await bot.staff.send_in(bot.group, "Доброе утро")
    await user.send("/sos")
    status = await user.wait_for_bot_message(lambda m: CODE_RE.search(m.text or "") is not None)
    code = code_in(status.text or "")
    first = await bot.group.wait_for_bot_message(lambda m: code in m.content and bool(m.buttons))
    second = await bot.second_group.wait_for_bot_message(
        lambda m: code in (m.text or "") and bool(m.buttons)
    )
    await bot.duty.wait_for_bot_message(lambda m: code in (m.text or ""))
    await bot.second_duty.wait_for_bot_message(lambda m: code in (m.text or ""))
    await bot.region_group.wait_for_bot_message(lambda m: code in (m.text or ""))
    await settle(bot)
    # Saryagash takes it first: the case is theirs, Sairam's card says who took it.
    await bot.second_staff.press(bot.tr(STAFF, "card.take"), chat=bot.second_group)
    await user.wait_for_bot_message(lambda m: "в работе" in (m.text or ""))
    await bot.emulator.wait_until(
        lambda: "Yerlan" in (bot.group.message(first.message_id).text or "")
    )
    await settle(bot)
    assert not bot.group.message(first.message_id).buttons
    assert bot.second_group.message(second.message_id).buttons
    assert _center_of(bot, code) == "saryagash"
    # A late press in Sairam changes nothing.
    await bot.staff.press_data(f"case:take:{1}", message_id=first.message_id, chat=bot.group)
    await bot.handled()
    case = await bot.services.cases.by_code(code)
    assert case is not None and case.taken_by == bot.second_staff.id
    # Saryagash's card is the case's card now (message ids are numbered per group): it
    # keeps its first lines, and her next words go under it, to Saryagash only.
    assert case.card_message_id == second.message_id
    taken_card = bot.second_group.message(second.message_id).text or ""
    assert not taken_card.startswith(plain(bot.tr(STAFF, "card.realert_done")))
    assert taken_card.startswith((second.text or "").splitlines()[0])
    before = len(bot.group.bot_messages())
    await user.send("Спасибо, я на связи")
    relayed = await bot.second_group.wait_for_bot_message(lambda m: "на связи" in m.content)
    assert relayed.reply_to_message_id == second.message_id
    await settle(bot)
    assert len(bot.group.bot_messages()) == before


async def test_a_poster_link_chooses_the_centre(start_bot: HarnessFactory) -> None:
    bot = await start_bot(two_centers=True)
    user = bot.user("Dana", "kk")
    await user.send("/start saryagash")
    await user.wait_for_bot_message(lambda m: "Выберите язык" in m.content)
    await user.press(bot.tr("kk", "language.kk"))
    await user.wait_for_bot_message(lambda m: bool(m.buttons))
    await user.press(bot.tr("kk", "consent.accept"))
    chosen = bot.tr("kk", "center.chosen", center="Сарыағаш ауданы")
    await user.wait_for_bot_message(lambda m: chosen in m.content)
    stored = await bot.services.users.get(user.id)
    assert stored is not None and stored.center_id == "saryagash"
    # She changes it from the menu.
    await user.press(bot.tr("kk", "menu.center"))
    await user.wait_for_bot_message(lambda m: "Сайрам ауданы" in str(m.buttons))
    await user.press("Сайрам ауданы")
    chosen = bot.tr("kk", "center.chosen", center="Сайрам ауданы")
    await user.wait_for_bot_message(lambda m: chosen in m.content)
    stored = await bot.services.users.get(user.id)
    assert stored is not None and stored.center_id == "sairam"
    # /forget erases it with the rest (the users row goes).
    await user.send("/forget")
    await user.wait_for_bot_message(lambda m: bot.tr("kk", "forget.yes") in str(m.buttons))
    await user.press(bot.tr("kk", "forget.yes"))
    await bot.emulator.wait_until(lambda: _user_rows(bot) == 0)


def _user_rows(bot: Harness) -> int:
    with sqlite3.connect(bot.settings.storage.path) as db:
        return int(db.execute("SELECT COUNT(*) FROM users").fetchone()[0])


OLD_EXAMPLE = Path(__file__).parent / "data" / "config_fca7a52.toml"


async def test_the_one_centre_example_config_of_before_runs_unchanged(
    start_bot: HarnessFactory,
) -> None:
    """The example config as it was before regions (git show fca7a52:config.example.toml):
    no centre question, the card in its one group, the rota's psychologist alerted."""
    fast = {
        "limits": {"telegram_per_second": 10000, "telegram_group_per_minute": 100000},
        "timing": {"tick": "1d", "retry_base": "1s", "retry_max": "4s", "poll_timeout": "1s"},
    }
    bot = await start_bot(fast, base_config=OLD_EXAMPLE.read_text(encoding="utf-8"))
    assert bot.second_group is None and bot.region_group is None
    duty = bot.emulator.create_user(user_id=333333333, first_name="Duty", username="duty")
    bot.group.add_member(duty)
    await duty.send("/start")
    user = bot.user()
    await bot.onboard(user, "ru")
    menu = user.last_bot_message()
    assert bot.tr("ru", "menu.center") not in str(menu.buttons)
    code = await request_case(bot, user, "ru")
    await bot.group.wait_for_bot_message(lambda m: code in (m.text or ""))
    await user.send("/sos")
    await duty.wait_for_bot_message(lambda m: code in (m.text or ""))
    assert _center_of(bot, code) == "sairam"
    await bot.staff.send_in(bot.group, "/onduty")
    await bot.group.wait_for_bot_message(lambda m: "Duty" in (m.text or ""))


async def test_an_urgent_case_handed_over_alerts_the_new_centre_s_rota(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.second_group is not None
    await bot.second_duty.send("/start")
    aigul = bot.user("Aigul", "ru")
    await bot.onboard(aigul, "ru", center="sairam")
    await aigul.send("/sos")
    status = await aigul.wait_for_bot_message(lambda m: CODE_RE.search(m.text or "") is not None)
    code = code_in(status.text or "")
    await bot.group.wait_for_bot_message(lambda m: code in m.content and bool(m.buttons))
    await settle(bot)
    assert not any(code in (m.text or "") for m in bot.second_duty.bot_messages())
    await bot.staff.press(bot.tr(STAFF, "card.hand_over"), chat=bot.group)
    await bot.group.wait_for_bot_message(
        lambda m: any((d or "").startswith("case:to:") for _, d in m.buttons)
    )
    await bot.staff.press("Сарыағаш ауданы", chat=bot.group)
    await bot.second_duty.wait_for_bot_message(lambda m: code in (m.text or ""))
    # Its re-alerts start afresh, in the new centre only.
    bot.advance(timedelta(seconds=31))
    await bot.run_due_work()
    realert = await bot.second_group.wait_for_bot_message(lambda m: "⏰" in (m.text or ""))
    assert code in (realert.text or "") and "1/2" in (realert.text or "")
    await settle(bot)
    assert not any("⏰" in (m.text or "") for m in bot.group.bot_messages())


async def test_the_region_group_gets_a_daily_line_of_open_urgent_cases(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.region_group is not None
    dana = bot.user("Dana", "kk")
    await bot.onboard(dana, "kk", center="saryagash")
    await dana.send("/sos")
    status = await dana.wait_for_bot_message(lambda m: CODE_RE.search(m.content) is not None)
    code = code_in(status.content)
    await bot.run_due_work()
    line = await bot.region_group.wait_for_bot_message(
        lambda m: bot.tr(STAFF, "region.daily") in m.content
    )
    assert "Сарыағаш ауданы: 1" in line.content and "Сайрам ауданы: 0" in line.content
    assert code not in line.content
    # Once a day: the next tick the same day adds nothing.
    await bot.run_due_work()
    await settle(bot)
    daily = bot.tr(STAFF, "region.daily")
    assert sum(daily in m.content for m in bot.region_group.bot_messages()) == 1


async def test_stats_per_centre_in_its_group_and_side_by_side_in_the_region_group(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.region_group is not None and bot.second_group is not None
    aigul, dana = await _two_villagers(bot)
    await request_case(bot, aigul, "ru")
    await dana.send("/sos")
    await dana.wait_for_bot_message(lambda m: CODE_RE.search(m.content) is not None)
    await settle(bot)
    await bot.second_staff.send_in(bot.second_group, "/stats")
    own = await bot.second_group.wait_for_bot_message(
        lambda m: bot.tr(STAFF, "stats.cases", count=1, urgent=1) in m.content
    )
    assert own.content
    coordinator = bot.emulator.create_user(first_name="Coordinator", username="coordinator")
    bot.region_group.add_member(coordinator)
    await coordinator.send_in(bot.region_group, "/stats")
    region = await bot.region_group.wait_for_bot_message(
        lambda m: "Сайрам ауданы" in m.content and "Сарыағаш ауданы" in m.content
    )
    lines = region.content.splitlines()
    sairam = next(line for line in lines if line.startswith("Сайрам ауданы"))
    saryagash = next(line for line in lines if line.startswith("Сарыағаш ауданы"))
    assert "өтініш 1 (шұғыл 0" in sairam and "өтініш 1 (шұғыл 1" in saryagash
    # Someone who left the region group gets nothing (membership is asked of Telegram).
    stranger = bot.emulator.create_user(first_name="Stranger", username="stranger")
    bot.region_group.add_member(stranger)
    bot.region_group.remove_member(stranger)
    bot.region_group.add_member(stranger)
    await stranger.send_in(bot.region_group, "/stats")
    bot.region_group.remove_member(stranger)
    await bot.handled()
    assert len(bot.region_group.bot_messages()) == 1


_TOOLS = {
    "referrals": [
        {
            "kind": "legal_aid",
            "name": {"kk": "Тегін заң кеңесі", "ru": "Бесплатная юридическая консультация"},
            "phone": "+7 725 000 00 03",
        },
        {
            "kind": "police",
            "name": {"kk": "Ақсу инспекторы", "ru": "Инспектор в Аксу"},
            "phone": "+7 725 000 00 01",
            "centers": ["sairam"],
        },
    ],
}


async def test_staff_tools_act_in_the_case_s_own_centre(start_bot: HarnessFactory) -> None:
    bot = await start_bot(_TOOLS, two_centers=True)
    group = bot.second_group
    assert group is not None
    dana = bot.user("Dana", "kk")
    await bot.onboard(dana, "kk", center="saryagash")
    code = await request_case(bot, dana, "kk")
    card = await group.wait_for_bot_message(lambda m: code in m.content and bool(m.buttons))
    await settle(bot)
    await bot.second_staff.press(bot.tr(STAFF, "card.take"), chat=group, message_id=card.message_id)
    await group.wait_for_bot_message(
        lambda m: bot.tr(STAFF, "card.pass") in [t for t, _ in m.buttons], include_edits=True
    )
    await settle(bot)

    # "Pass to…" lists Saryagash's own staff (its admin, backup and rota), not Sairam's.
    await bot.second_staff.press(bot.tr(STAFF, "card.pass"), chat=group, message_id=card.message_id)
    picker = await group.wait_for_bot_message(lambda m: "Marat" in [t for t, _ in m.buttons])
    assert sorted(t for t, _ in picker.buttons) == ["Aruzhan", "Gulnara", "Marat"]
    # "Refer…" offers the referrals of the case's centre: not Sairam's own.
    await bot.second_staff.press(
        bot.tr(STAFF, "card.refer"), chat=group, message_id=card.message_id
    )
    referrals = await group.wait_for_bot_message(
        lambda m: any("Тегін заң кеңесі" in t for t, _ in m.buttons)
    )
    assert not any("Ақсу инспекторы" in t for t, _ in referrals.buttons)
    await bot.second_staff.press(
        next(t for t, _ in referrals.buttons), chat=group, message_id=referrals.message_id
    )
    await dana.wait_for_bot_message(lambda m: "+7 725 000 00 03" in m.content)

    # A note stays in the case's own group.
    await bot.second_staff.send_in(group, "// бүгін қайта жазады", reply_to=card.message_id)
    await group.wait_for_bot_message(lambda m: code in m.content and "бүгін" not in m.content)
    await settle(bot)
    assert not _mentions(bot.group, code)
    assert not any("бүгін қайта жазады" in m.content for m in dana.bot_messages())

    # Sairam's staff cannot use the tools on Saryagash's case, even with forged buttons.
    case = await bot.services.cases.by_code(code)
    assert case is not None
    own = await bot.staff.send_in(bot.group, "?")
    for data in (f"tool:pass:{case.id}", f"tr:{case.id}:0", f"tp:{case.id}:{bot.staff.id}"):
        await bot.staff.press_data(data, message_id=own.message_id, chat=bot.group)
    await bot.handled()
    await settle(bot)
    after = await bot.services.cases.by_code(code)
    assert after is not None and after.taken_by == bot.second_staff.id
    assert not _mentions(bot.group, code)
    assert sum("+7 725 000 00 03" in m.content for m in dana.bot_messages()) == 1


async def test_contacts_list_the_referrals_of_her_own_centre(start_bot: HarnessFactory) -> None:
    bot = await start_bot(_TOOLS, two_centers=True)
    aigul, dana = await _two_villagers(bot)
    for person in (aigul, dana):
        await person.send("/contacts")
    sairam = await aigul.wait_for_bot_message(lambda m: "+7 725 000 00 03" in m.content)
    saryagash = await dana.wait_for_bot_message(lambda m: "+7 725 000 00 03" in m.content)
    assert "+7 725 000 00 01" in sairam.content
    assert "+7 725 000 00 01" not in saryagash.content
