"""The HTTP side: envelopes, required parameters, typing of form values."""

import asyncio

from telegram import (
    Bot,
)

from sandbox import TelegramEmulator
from tests.sandbox.helpers import raw, started_user


async def test_get_me_and_envelopes(emu: TelegramEmulator, bot: Bot) -> None:
    assert bot.username == "helpline_test_bot"
    assert bot.id == 123456
    assert await raw(emu, "getMe", token="123456:WRONG") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert await raw(emu, "sendTelepathy") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    status, body = await raw(emu, "GETME")
    assert status == 200 and body["ok"] and body["result"]["is_bot"] is True
    assert [r.method for r in emu.requests][-1] == "getMe"


async def test_missing_required_parameters(emu: TelegramEmulator) -> None:
    user = await started_user(emu)
    assert await raw(emu, "sendMessage", text="hi") == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"},
    )
    status, body = await raw(emu, "sendMessage", chat_id=user.id)
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = await raw(emu, "deleteMessage", chat_id=user.id)
    assert body["description"] == "Bad Request: message identifier is not specified"


async def test_form_encoded_values_are_typed_by_the_method_table(emu: TelegramEmulator) -> None:
    user = await started_user(emu)
    markup = '{"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}'
    status, body = await raw(
        emu, "sendMessage", form=True, chat_id=str(user.id), text="123", reply_markup=markup
    )
    assert status == 200
    assert body["result"]["text"] == "123"  # a numeric text stays a string
    assert user.last_bot_message().buttons == [("OK", "ok")]
    assert emu.requests_for("sendmessage")[-1].params["chat_id"] == user.id


async def test_a_call_is_recorded_on_arrival_and_answered_later(emu: TelegramEmulator) -> None:
    # Why tests wait on `answered`: a pending call is already in `requests_for`.
    user = await started_user(emu)
    emu.hold("sendMessage")
    call = asyncio.create_task(raw(emu, "sendMessage", chat_id=user.id, text="later"))
    await emu.wait_until(lambda: len(emu.requests_for("sendMessage")) == 1)
    assert emu.answered("sendMessage") == []
    emu.release("sendMessage")
    assert (await call)[0] == 200
    [answered] = emu.answered("sendMessage")
    assert answered.ok and answered.params["text"] == "later"
