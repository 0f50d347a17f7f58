"""The staff group as cases see it: who is on duty, names, whether it is a forum."""

from __future__ import annotations

from tests.conftest import (
    BACKUP_ID,
    DUTY_ID,
    SECOND_BACKUP_ID,
    SECOND_CHAT_ID,
    SECOND_DUTY_ID,
    STAFF_CHAT_ID,
    STAFF_ID,
    Harness,
    HarnessFactory,
)


async def test_duty_names_come_from_duty_then_the_rota(bot: Harness) -> None:
    side = bot.services.cases.staff_sides.all[0]
    assert await side.on_duty_now() == [DUTY_ID]  # a Wednesday morning: the rota
    await bot.services.cases.staff_actions.set_duty(STAFF_ID, "Saule", on=True)
    people, backups = await side.on_duty_names()
    assert "Saule" in people and backups == ["Bolat"]


async def test_an_unknown_person_is_named_by_id_and_the_forum_is_asked_once(
    bot: Harness,
) -> None:
    side = bot.services.cases.staff_sides.all[0]
    assert await side.name_of(777777) == "777777"
    assert await side.name_of(DUTY_ID) == "Dilnaz"
    assert not await side.is_forum() and not await side.is_forum()
    assert len(bot.emulator.requests_for("getChat")) == 1


async def test_each_centre_has_its_own_rota_duty_and_backups(start_bot: HarnessFactory) -> None:
    bot = await start_bot(two_centers=True)
    sides = bot.services.cases.staff_sides
    sairam, saryagash = sides.all
    assert sides.of_chat(STAFF_CHAT_ID) is sairam and sides.of_chat(SECOND_CHAT_ID) is saryagash
    assert await sairam.on_duty_now() == [DUTY_ID]
    assert await saryagash.on_duty_now() == [SECOND_DUTY_ID]
    # /duty taken for Saryagash is no shift at Sairam.
    actions = bot.services.cases.staff_actions
    await actions.set_duty(STAFF_ID, "Saule", on=True, center_id="saryagash")
    assert STAFF_ID in await saryagash.on_duty_now()
    assert STAFF_ID not in await sairam.on_duty_now()
    assert sairam.backup_ids == (BACKUP_ID,) and saryagash.backup_ids == (SECOND_BACKUP_ID,)
    assert sides.of_center(None) is None and sides.of_center("saryagash") is saryagash
