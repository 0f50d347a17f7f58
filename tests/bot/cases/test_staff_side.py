"""The staff group as cases see it: who is on duty, names, whether it is a forum."""

from __future__ import annotations

from tests.conftest import DUTY_ID, STAFF_ID, Harness


async def test_duty_names_come_from_duty_then_the_rota(bot: Harness) -> None:
    side = bot.services.cases.staff_side
    assert await side.on_duty_now() == [DUTY_ID]  # a Wednesday morning: the rota
    await bot.services.cases.staff_actions.set_duty(STAFF_ID, "Saule", on=True)
    people, backups = await side.on_duty_names()
    assert "Saule" in people and backups == ["Bolat"]


async def test_an_unknown_person_is_named_by_id_and_the_forum_is_asked_once(
    bot: Harness,
) -> None:
    side = bot.services.cases.staff_side
    assert await side.name_of(777777) == "777777"
    assert await side.name_of(DUTY_ID) == "Dilnaz"
    assert not await side.is_forum() and not await side.is_forum()
    assert len(bot.emulator.requests_for("getChat")) == 1
