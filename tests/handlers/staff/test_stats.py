"""/stats in the staff group: figures for members, the CSV only for admins, in private."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from sandbox import RecordedRequest
from sandbox.models import UploadedFile
from tests.conftest import STAFF_CHAT_ID, Harness, HarnessFactory
from tests.handlers.booking_steps import book, slot
from tests.handlers.case_helpers import request_case, settle


async def test_members_see_figures_admins_get_the_csv_privately(bot: Harness) -> None:
    villager = bot.user()
    await bot.onboard(villager, "ru")
    await request_case(bot, villager, category="crisis")
    await settle(bot)

    await bot.staff.send_in(bot.group, "/stats")
    figures = await bot.group.wait_for_bot_message(lambda m: "2026-12" in m.content)
    assert "1" in figures.content
    assert bot.tr("kk", "category.crisis") in figures.content

    # A member who is not an admin presses CSV: nothing is sent anywhere.
    await bot.staff.press(bot.tr("kk", "stats.csv"), chat=bot.group)
    await bot.emulator.wait_until(lambda: len(bot.emulator.callback_answers) >= 1)
    assert bot.emulator.requests_for("sendDocument") == []

    await bot.admin.send("/start")  # the admin opened a private chat with the bot once
    await bot.admin.wait_for_bot_message()
    await bot.admin.press(bot.tr("kk", "stats.csv"), chat=bot.group)
    document = await bot.admin.wait_for_bot_message(lambda m: m.kind == "document")
    assert document.chat_id == bot.admin.id
    assert [r.params["chat_id"] for r in bot.emulator.requests_for("sendDocument")] == [
        bot.admin.id
    ]
    exports = await bot.services.db.fetch_all(
        "SELECT actor_id FROM audit_log WHERE action = 'export'"
    )
    assert [row[0] for row in exports] == [bot.admin.id]


async def test_non_members_and_private_chats_get_no_figures(bot: Harness) -> None:
    villager = bot.user()
    await bot.onboard(villager, "ru")
    await villager.send("/stats")
    answer = await villager.wait_for_bot_message()
    assert answer.text == bot.tr("ru", "fallback.unknown_command")
    # Someone who left the group: their /stats (posted just before leaving) gets nothing.
    await bot.staff.send_in(bot.group, "/stats")
    bot.group.remove_member(bot.staff)
    await bot.admin.send_in(bot.group, "/stats 2026-13")
    usage = await bot.group.wait_for_bot_message()
    assert usage.text == bot.tr("kk", "stats.usage")


async def test_forged_stats_buttons_outside_the_staff_group_do_nothing(bot: Harness) -> None:
    # Even an admin (a member of the staff group) gets nothing from a button forged
    # in a private chat: staff buttons act only where staff work.
    await bot.admin.send("/start")
    own = await bot.admin.wait_for_bot_message()
    for data in ("stats:csv:2026-12", "stats:m:2026-11"):
        await bot.admin.press_data(data, message_id=own.message_id)
    await bot.handled()
    assert bot.emulator.requests_for("sendDocument") == []
    assert bot.emulator.requests_for("editMessageText") == []
    exports = await bot.services.db.fetch_all("SELECT * FROM audit_log WHERE action = 'export'")
    assert exports == []


async def test_months_out_of_range_get_the_usage_text(bot: Harness) -> None:
    for month in ("9999-12", "0000-01", "0001-01", "2026-00", "hello"):
        await bot.admin.send_in(bot.group, f"/stats {month}")
        usage = await bot.group.wait_for_bot_message()
        assert usage.text == bot.tr("kk", "stats.usage"), month


# ---------------------------------------------------------------- the chart and the workbook


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (its IHDR chunk comes first)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def uploaded(request: RecordedRequest, field: str) -> UploadedFile:
    upload = request.params[field]
    assert isinstance(upload, UploadedFile), f"{field} was not uploaded as a file"
    return upload


async def some_figures(bot: Harness, language: str) -> None:
    """Two cases (one urgent, by /sos) and an appointment, this month."""
    villager, other = bot.user(), bot.user()
    await bot.onboard(villager, language)
    await bot.onboard(other, language)
    await request_case(bot, villager, language, category="crisis")
    await other.send("/sos")
    await other.wait_for_bot_message(timeout=30)
    await book(bot, villager, start=slot(date(2026, 12, 2), 12), language=language)
    await settle(bot)


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_stats_sends_a_chart_of_the_month_and_of_the_year(
    start_bot: HarnessFactory, language: str
) -> None:
    bot = await start_bot({"general": {"default_language": language}})
    await some_figures(bot, language)

    await bot.staff.send_in(bot.group, "/stats")
    # The figures' title, not any message of the group that names the month (a booking).
    title = bot.tr(language, "stats.title", month="2026-12")
    text = await bot.group.wait_for_bot_message(lambda m: title in (m.html or ""), timeout=30)
    assert bot.tr(language, "category.crisis") in text.content
    photo = await bot.group.wait_for_bot_message(lambda m: m.kind == "photo", timeout=30)
    assert photo.caption == bot.tr(language, "report.chart.caption", period="2026-12")
    [sent] = bot.emulator.requests_for("sendPhoto")
    assert sent.ok and sent.params["chat_id"] in (STAFF_CHAT_ID, str(STAFF_CHAT_ID))
    month_png = uploaded(sent, "photo").data
    assert png_size(month_png) == (1200, 860)

    await bot.staff.send_in(bot.group, "/stats 2026")
    await bot.group.wait_for_bot_message(
        lambda m: bot.tr(language, "stats.title", month="2026") in (m.html or ""), timeout=30
    )
    await bot.emulator.wait_until(lambda: len(bot.emulator.answered("sendPhoto")) == 2, 30)
    year = bot.emulator.requests_for("sendPhoto")[1]
    # A year has one more row of panels: the months.
    assert png_size(uploaded(year, "photo").data) == (1200, 1260)
    assert year.params["caption"] == bot.tr(language, "report.chart.caption", period="2026")


async def test_the_previous_button_redraws_the_text_and_sends_that_months_chart(
    bot: Harness,
) -> None:
    await bot.staff.send_in(bot.group, "/stats")
    await bot.group.wait_for_bot_message(lambda m: m.kind == "photo", timeout=30)
    await bot.staff.press(bot.tr("kk", "stats.previous", month="2026-11"), chat=bot.group)
    await bot.emulator.wait_until(lambda: len(bot.emulator.answered("sendPhoto")) == 2, 30)
    [edit] = bot.emulator.requests_for("editMessageText")
    assert "2026-11" in edit.params["text"]
    assert bot.emulator.requests_for("sendPhoto")[1].params["caption"] == bot.tr(
        "kk", "report.chart.caption", period="2026-11"
    )


async def test_bad_periods_get_the_usage_and_change_nothing(bot: Harness) -> None:
    for argument in ("2026-13", "abc", "1999-12", "2101", "2026 11", "2026-1"):
        await bot.staff.send_in(bot.group, f"/stats {argument}")
        usage = await bot.group.wait_for_bot_message()
        assert usage.text == bot.tr("kk", "stats.usage"), argument
    await bot.handled()
    assert bot.emulator.requests_for("sendPhoto") == []
    assert bot.emulator.requests_for("sendDocument") == []
    assert await bot.services.db.fetch_all("SELECT * FROM audit_log") == []


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_admins_get_an_excel_report_whose_totals_are_the_databases(
    start_bot: HarnessFactory, language: str
) -> None:
    bot = await start_bot({"general": {"default_language": language}})
    await some_figures(bot, language)
    await bot.admin.send("/start")
    await bot.admin.wait_for_bot_message()

    await bot.admin.send_in(bot.group, "/stats")
    await bot.group.wait_for_bot_message(lambda m: m.kind == "photo", timeout=30)
    await bot.admin.press(bot.tr(language, "stats.csv"), chat=bot.group)
    await bot.emulator.wait_until(lambda: len(bot.emulator.answered("sendDocument")) == 2, 30)
    csv_request, excel_request = bot.emulator.requests_for("sendDocument")
    assert uploaded(csv_request, "document").filename == "helpline-2026-12.csv"
    excel = uploaded(excel_request, "document")
    assert excel.filename == "helpline-2026-12.xlsx"
    assert excel_request.params["chat_id"] in (bot.admin.id, str(bot.admin.id))

    workbook = load_workbook(io.BytesIO(excel.data))
    tr = bot.services.tr(language)  # type: ignore[arg-type]
    assert workbook.sheetnames == [
        tr(f"report.sheet.{name}") for name in ("summary", "cases", "appointments", "feedback")
    ]
    summary = {
        row[0]: row[1] for row in workbook.worksheets[0].iter_rows(values_only=True) if row[0]
    }
    cases = await bot.services.db.fetch_one("SELECT COUNT(*), SUM(urgent) FROM cases")
    visits = await bot.services.db.fetch_one(
        "SELECT COUNT(*) FROM appointments WHERE status = 'booked'"
    )
    assert cases is not None and visits is not None
    assert (summary[tr("report.total.cases")], summary[tr("report.total.urgent")]) == (2, 1)
    assert (cases[0], cases[1]) == (2, 1)
    assert summary[tr("report.total.appointments")] == visits[0] == 1
    assert workbook.worksheets[2].max_row == 1 + visits[0]
    assert workbook.worksheets[1].max_row == 1 + cases[0]
    assert [cell.value for cell in workbook.worksheets[3][1]] == [
        tr("report.column.given"),
        tr("report.column.about"),
        tr("report.column.answer"),
    ]
    # Figures only: no case code anywhere in the workbook.
    codes = {row[0] for row in await bot.services.db.fetch_all("SELECT code FROM cases")}
    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert not [cell for cell in cells if any(code in cell for code in codes)]
