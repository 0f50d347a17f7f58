"""Edits: editing and deleting the bot's messages, answering button presses."""

import pytest
from telegram import (
    Bot,
    Update,
)
from telegram.error import BadRequest

from sandbox import TelegramEmulator
from tests.sandbox.helpers import STAFF_ID, keyboard, raw, started_user


async def test_edit_rules(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    markup = keyboard(("Yes", "y"))
    sent = await bot.send_message(user.id, "Question?", reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified: specified new message"):
        await bot.edit_message_text("Question?", user.id, sent.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", user.id, 999)
    own = user.messages()[0]
    with pytest.raises(BadRequest, match=r"^Message can't be edited$"):
        await bot.edit_message_text("x", user.id, own.message_id)
    # Without reply_markup the keyboard goes away, as on Telegram.
    edited = await bot.edit_message_text("Answered", user.id, sent.message_id)
    assert not isinstance(edited, bool) and edited.reply_markup is None
    stored = user.message(sent.message_id)
    assert stored.edited and stored.text == "Answered" and stored.history == ["Question?"]
    assert stored.buttons == []


async def test_delete_rules_and_48_hours(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    old = await bot.send_message(user.id, "old")
    emu.advance_time(48 * 3600 + 1)
    fresh = await bot.send_message(user.id, "fresh")
    with pytest.raises(BadRequest, match=r"^Message can't be deleted for everyone$"):
        await bot.delete_message(user.id, old.message_id)
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await bot.delete_message(user.id, 999)
    assert await bot.delete_message(user.id, fresh.message_id)
    assert user.message(fresh.message_id).deleted
    assert [m.text for m in user.messages()] == ["/start", "old"]


async def test_delete_messages_batch(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    ids = [(await bot.send_message(user.id, f"m{i}")).message_id for i in range(3)]
    assert await bot.delete_messages(user.id, [*ids, 999])  # deletes what it can
    assert user.bot_messages() == []
    with pytest.raises(BadRequest, match=r"^Too many messages to delete$"):
        await bot.delete_messages(user.id, list(range(1, 102)))
    status, body = await raw(emu, "deleteMessages", chat_id=user.id, message_ids=[])
    assert (status, body["description"]) == (
        400,
        "Bad Request: message identifiers are not specified",
    )


async def test_set_message_reaction_rules(emu: TelegramEmulator, bot: Bot) -> None:
    group = emu.create_group(chat_id=STAFF_ID)
    member = emu.create_user(first_name="Saule")
    group.add_member(member)
    theirs = await member.send_in(group, "Здравствуйте")
    assert await bot.set_message_reaction(STAFF_ID, theirs.message_id, "👌")
    assert group.message(theirs.message_id).bot_reactions == [{"type": "emoji", "emoji": "👌"}]
    # No reaction given: the bot's reaction goes.
    assert await bot.set_message_reaction(STAFF_ID, theirs.message_id)
    assert group.message(theirs.message_id).bot_reactions == []
    refused = {
        "REACTIONS_TOO_MANY": [{"type": "emoji", "emoji": "👌"}, {"type": "emoji", "emoji": "👍"}],
        "REACTION_INVALID": [{"type": "emoji", "emoji": "✓"}],
    }
    for description, reaction in refused.items():
        status, body = await raw(
            emu,
            "setMessageReaction",
            chat_id=STAFF_ID,
            message_id=theirs.message_id,
            reaction=reaction,
        )
        assert (status, body["description"]) == (400, f"Bad Request: {description}")
    status, body = await raw(
        emu,
        "setMessageReaction",
        chat_id=STAFF_ID,
        message_id=theirs.message_id,
        reaction=[{"type": "paid"}],
    )
    assert (status, body["description"]) == (400, "Bad Request: REACTION_INVALID")
    with pytest.raises(BadRequest, match="Message_id_invalid"):
        await bot.set_message_reaction(STAFF_ID, 999, "👌")
    status, body = await raw(emu, "setMessageReaction", chat_id=STAFF_ID)
    assert (status, body["description"]) == (
        400,
        "Bad Request: message identifier is not specified",
    )


async def test_press_and_answer_callback(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    await bot.send_message(user.id, "Rate us", reply_markup=keyboard(("👍 Good", "rate:good")))
    query_id = await user.press("Good")  # substring match
    update = Update.de_json(emu.pending_updates()[-1], bot)
    assert update.callback_query is not None
    assert update.callback_query.id == query_id and update.callback_query.data == "rate:good"
    assert update.callback_query.message is not None
    with pytest.raises(BadRequest, match=r"^Message_too_long$"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    assert await bot.answer_callback_query(query_id, text="Thanks", show_alert=True)
    assert [(a.id, a.text, a.show_alert) for a in emu.callback_answers] == [
        (query_id, "Thanks", True)
    ]
    with pytest.raises(BadRequest, match="Query is too old and response timeout expired"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(AssertionError, match=r"no inline button 'Bad'.*\['👍 Good'\]"):
        await user.press("Bad")
    forged = await user.press_data("rate:" + "x" * 100, user.last_bot_message().message_id)
    assert emu.pending_updates()[-1]["callback_query"]["id"] == forged
