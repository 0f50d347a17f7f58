"""Edits: editing and deleting the bot's messages, and answering button presses."""

from __future__ import annotations

from typing import Any

from sandbox.chats import ChatsArea
from sandbox.content import (
    caption_of,
    checked_markup,
    formatted_text,
    parse_message_ids,
    same_entities,
)
from sandbox.limits import (
    DELETE_WINDOW_SECONDS,
    MAX_CALLBACK_ANSWER_LENGTH,
    bad_request,
    not_modified,
)
from sandbox.models import ApiError, CallbackAnswer, SimMessage
from sandbox.spec import REACTION_EMOJI
from sandbox.state import ChatState, Params


class EditsArea(ChatsArea):
    """Changes to messages already sent, with Telegram's rules on who may change what."""

    def _message_to_edit(self, params: Params) -> tuple[ChatState, SimMessage]:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        if params.get("chat_id") in (None, ""):
            raise bad_request("chat_id is empty")
        if params.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        chat = self._resolve_chat(params["chat_id"])
        self._check_bot_can_write(chat)
        message = self._message_for_bot(chat, params["message_id"], "message to edit not found")
        if not message.from_bot or message.kind == "service" or message.forward_origin:
            raise bad_request("message can't be edited")
        return chat, message

    def _apply_edit(self, chat: ChatState, message: SimMessage) -> dict[str, Any]:
        message.edited = True
        message.edit_date = int(self.now())
        self._bot_event(chat, "edit", message)
        return self._message_dict(message)

    async def _edit_message_text(self, params: Params) -> dict[str, Any]:
        chat, message = self._message_to_edit(params)
        raw_text = params.get("text")
        if not isinstance(raw_text, str) or not raw_text:
            raise bad_request("message text is empty")
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        text, entities = formatted_text(
            raw_text, params.get("parse_mode"), params.get("entities"), caption=False
        )
        # Leaving reply_markup out removes the keyboard, exactly as on Telegram.
        markup = checked_markup(params.get("reply_markup"), inline_only=True)
        if (
            text == message.text
            and same_entities(entities, message.entities)
            and (markup == message.reply_markup)
        ):
            raise not_modified()
        message.history.append(message.text)
        message.text, message.raw_text, message.entities = text, raw_text, entities
        message.parse_mode = params.get("parse_mode")
        message.reply_markup = markup
        return self._apply_edit(chat, message)

    async def _edit_message_caption(self, params: Params) -> dict[str, Any]:
        chat, message = self._message_to_edit(params)
        if message.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        caption, entities = caption_of(params)
        markup = checked_markup(params.get("reply_markup"), inline_only=True)
        if (
            caption == message.caption
            and same_entities(entities, message.caption_entities)
            and (markup == message.reply_markup)
        ):
            raise not_modified()
        message.history.append(message.caption)
        message.caption, message.caption_entities = caption, entities
        message.raw_text = params.get("caption")
        message.reply_markup = markup
        return self._apply_edit(chat, message)

    async def _edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        chat, message = self._message_to_edit(params)
        markup = checked_markup(params.get("reply_markup"), inline_only=True)
        if markup == message.reply_markup:
            raise not_modified()
        message.reply_markup = markup
        return self._apply_edit(chat, message)

    async def _answer_callback_query(self, params: Params) -> bool:
        query = self._queries.get(str(params["callback_query_id"]))
        if query is None or query.answered:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers.append(
            CallbackAnswer(
                id=query.id,
                user_id=query.user_id,
                data=query.data,
                text=str(text) if text else None,
                show_alert=bool(params.get("show_alert")),
                url=params.get("url"),
                at=self.now(),
            )
        )
        return True

    # ---- deleting

    def _delete_one(self, chat: ChatState, message_id: Any) -> None:
        message = self._message_for_bot(chat, message_id, "message to delete not found")
        if (
            message.kind == "service"
            and message.service
            and "forum_topic_created" in message.service
        ):
            raise bad_request("message can't be deleted")
        too_old = self.now() - message.sent_at > DELETE_WINDOW_SECONDS
        if chat.type == "private":
            if too_old:
                raise bad_request("message can't be deleted for everyone")
        elif chat.bot_status not in ("administrator", "creator"):
            if not message.from_bot:
                raise bad_request("message can't be deleted")
            if too_old:
                raise bad_request("message can't be deleted for everyone")
        message.deleted = True

    async def _delete_message(self, params: Params) -> bool:
        chat = self._resolve_chat(params["chat_id"])
        self._check_bot_can_write(chat)
        self._delete_one(chat, params["message_id"])
        return True

    async def _delete_messages(self, params: Params) -> bool:
        ids = parse_message_ids(params["message_ids"])
        if len(ids) > 100:
            raise bad_request("too many messages to delete")
        chat = self._resolve_chat(params["chat_id"])
        self._check_bot_can_write(chat)
        for message_id in ids:
            try:
                self._delete_one(chat, message_id)
            except ApiError:
                continue  # Telegram deletes what it can and stays silent about the rest
        return True

    async def _set_message_reaction(self, params: Params) -> bool:
        """The bot's own reaction on a message: one at most (bots are not premium users),
        an emoji from Telegram's list, never a paid one; none given removes it."""
        chat = self._resolve_chat(params["chat_id"])
        self._check_bot_can_write(chat)
        reaction = params.get("reaction", [])
        if not isinstance(reaction, list) or not all(isinstance(r, dict) for r in reaction):
            raise bad_request("can't parse reaction types JSON object")
        if len(reaction) > 1:
            raise bad_request("REACTIONS_TOO_MANY")
        for item in reaction:
            kind = item.get("type")
            if kind == "emoji":
                if item.get("emoji") not in REACTION_EMOJI:
                    raise bad_request("REACTION_INVALID")
            elif kind == "custom_emoji":
                # Allowed only where the chat's admins allowed it: never in the emulator.
                if not isinstance(item.get("custom_emoji_id"), str):
                    raise bad_request("can't parse reaction types JSON object")
                raise bad_request("REACTION_INVALID")
            elif kind == "paid":
                raise bad_request("REACTION_INVALID")
            else:
                raise bad_request("can't parse reaction types JSON object")
        message = self._message_for_bot(chat, params["message_id"], "MESSAGE_ID_INVALID")
        if message.kind == "service":
            raise bad_request("REACTION_INVALID")
        message.bot_reactions = [dict(item) for item in reaction]
        return True
