"""Messages: sending text and media, copying and forwarding, replies and threads."""

from __future__ import annotations

from typing import Any

from sandbox.chats import ChatsArea
from sandbox.content import caption_of, checked_markup, formatted_text, parse_message_ids
from sandbox.files import FilesArea
from sandbox.limits import bad_request
from sandbox.models import SimMessage, UploadedFile
from sandbox.state import ChatState, Params

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class MessagesArea(ChatsArea, FilesArea):
    """The bot's new messages in any chat."""

    def _bot_message(
        self,
        chat: ChatState,
        params: Params,
        kind: str,
        *,
        text: str | None = None,
        raw_text: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        caption: str | None = None,
        caption_entities: list[dict[str, Any]] | None = None,
        media: dict[str, Any] | None = None,
        forward_origin: dict[str, Any] | None = None,
        markup: dict[str, Any] | None = None,
        reply: SimMessage | None = None,
        thread_id: int | None = None,
    ) -> SimMessage:
        if thread_id is None and reply is not None and reply.chat_id == chat.id:
            thread_id = reply.thread_id
        now = self.now()
        message = SimMessage(
            message_id=chat.take_message_id(),
            chat_id=chat.id,
            from_bot=True,
            sender_id=self.bot_id,
            date=int(now),
            sent_at=now,
            kind=kind,
            thread_id=thread_id,
            text=text,
            raw_text=raw_text,
            parse_mode=params.get("parse_mode"),
            entities=entities or [],
            caption=caption,
            caption_entities=caption_entities or [],
            media=media,
            reply_markup=markup,
            reply_to_message_id=reply.message_id
            if reply is not None and reply.chat_id == chat.id
            else None,
            forward_origin=forward_origin,
        )
        chat.messages[message.message_id] = message
        self._bot_event(chat, "new", message)
        return message

    def _prepare_send(self, params: Params) -> tuple[ChatState, int | None, SimMessage | None]:
        chat = self._chat_for_sending(params["chat_id"])
        thread_id = self._resolve_thread(chat, params.get("message_thread_id"))
        reply = self._resolve_reply(chat, params)
        return chat, thread_id, reply

    def _resolve_reply(self, chat: ChatState, params: Params) -> SimMessage | None:
        reply_parameters = params.get("reply_parameters")
        allow_without = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply_parameters, dict):
            message_id = reply_parameters.get("message_id")
            allow_without = bool(reply_parameters.get("allow_sending_without_reply", allow_without))
            other_chat = reply_parameters.get("chat_id")
            if other_chat is not None and other_chat != chat.id:
                # A reply can quote a message of another chat the bot can see.
                chat = self._resolve_chat(other_chat)
        elif reply_parameters is not None:
            raise bad_request("can't parse reply parameters JSON object")
        else:
            message_id = params.get("reply_to_message_id")
        if message_id is None:
            return None
        if not isinstance(message_id, int):
            raise bad_request("invalid reply message identifier specified")
        target: SimMessage | None = chat.messages.get(message_id)
        if target is None or target.deleted:
            if allow_without:
                return None
            raise bad_request("message to be replied not found")
        return target

    # ---- sending

    async def _send_message(self, params: Params) -> dict[str, Any]:
        raw_text = params.get("text")
        if not isinstance(raw_text, str):
            raise bad_request("message text is empty")
        text, entities = formatted_text(
            raw_text, params.get("parse_mode"), params.get("entities"), caption=False
        )
        markup = checked_markup(params.get("reply_markup"))
        chat, thread_id, reply = self._prepare_send(params)
        message = self._bot_message(
            chat,
            params,
            "text",
            text=text,
            raw_text=raw_text,
            entities=entities,
            markup=markup,
            reply=reply,
            thread_id=thread_id,
        )
        return self._message_dict(message)

    async def _send_media(self, params: Params, kind: str) -> dict[str, Any]:
        caption, caption_entities = caption_of(params)
        markup = checked_markup(params.get("reply_markup"))
        chat, thread_id, reply = self._prepare_send(params)
        record, source = self._file_param(params, kind, kind)
        if record is not None and kind != "photo":
            media: dict[str, Any] = {
                key: value
                for key, value in self._reuse_media(record).items()
                if key != "duration" or kind == "voice"
            }
        else:
            upload = source if isinstance(source, UploadedFile) else None
            media = self._media_for(
                kind,
                duration=params.get("duration"),
                file_name=(upload.filename if upload else None) or f"{kind}.bin",
                mime_type=upload.content_type if upload else None,
                size=upload.size if upload else 50_000,
                data=upload.data if upload else b"",
            )
        if kind == "voice" and isinstance(params.get("duration"), int):
            media["duration"] = params["duration"]
        message = self._bot_message(
            chat,
            params,
            kind,
            caption=caption,
            raw_text=params.get("caption"),
            caption_entities=caption_entities,
            media=media,
            markup=markup,
            reply=reply,
            thread_id=thread_id,
        )
        return self._message_dict(message)

    async def _send_photo(self, params: Params) -> dict[str, Any]:
        return await self._send_media(params, "photo")

    async def _send_document(self, params: Params) -> dict[str, Any]:
        return await self._send_media(params, "document")

    async def _send_voice(self, params: Params) -> dict[str, Any]:
        return await self._send_media(params, "voice")

    async def _send_sticker(self, params: Params) -> dict[str, Any]:
        return await self._send_media(params, "sticker")

    async def _send_chat_action(self, params: Params) -> bool:
        chat = self._chat_for_sending(params["chat_id"])
        self._resolve_thread(chat, params.get("message_thread_id"))
        if params["action"] not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    # ---- copy and forward

    def _source_message(self, params: Params, message_id: Any, verb: str) -> SimMessage:
        source_chat = self._resolve_chat(params["from_chat_id"])
        message = self._message_for_bot(source_chat, message_id, f"message to {verb} not found")
        if message.kind == "service":
            raise bad_request(
                "message can't be copied" if verb == "copy" else "message can't be forwarded"
            )
        return message

    def _copy_into(
        self,
        chat: ChatState,
        params: Params,
        source: SimMessage,
        thread_id: int | None,
        reply: SimMessage | None,
        *,
        remove_caption: bool = False,
    ) -> SimMessage:
        caption, caption_entities = source.caption, source.caption_entities
        if "caption" in params and source.kind != "text":
            caption, caption_entities = caption_of(params)
        if remove_caption:
            caption, caption_entities = None, []
        return self._bot_message(
            chat,
            params,
            source.kind,
            text=source.text,
            raw_text=source.raw_text,
            entities=list(source.entities),
            caption=caption,
            caption_entities=list(caption_entities),
            media=dict(source.media) if source.media is not None else None,
            markup=checked_markup(params.get("reply_markup")),
            reply=reply,
            thread_id=thread_id,
        )

    async def _copy_message(self, params: Params) -> dict[str, Any]:
        source = self._source_message(params, params["message_id"], "copy")
        chat, thread_id, reply = self._prepare_send(params)
        message = self._copy_into(chat, params, source, thread_id, reply)
        return {"message_id": message.message_id}

    async def _copy_messages(self, params: Params) -> list[dict[str, Any]]:
        ids = parse_message_ids(params["message_ids"])
        source_chat = self._resolve_chat(params["from_chat_id"])
        chat, thread_id, _ = self._prepare_send(params)
        sources = [
            m
            for m in (source_chat.messages.get(i) for i in sorted(set(ids)))
            if m is not None and not m.deleted and m.kind != "service"
        ]
        if not sources:
            raise bad_request("message to copy not found")
        return [
            {
                "message_id": self._copy_into(
                    chat,
                    {},
                    source,
                    thread_id,
                    None,
                    remove_caption=bool(params.get("remove_caption")),
                ).message_id
            }
            for source in sources
        ]

    async def _forward_message(self, params: Params) -> dict[str, Any]:
        source = self._source_message(params, params["message_id"], "forward")
        chat = self._chat_for_sending(params["chat_id"])
        thread_id = self._resolve_thread(chat, params.get("message_thread_id"))
        origin = source.forward_origin
        if origin is None:
            if source.from_bot:
                origin = {"type": "user", "date": source.date, "sender_user": self.bot_user()}
            else:
                sender = self._users[source.sender_id]
                if sender.hides_forwards:
                    origin = {
                        "type": "hidden_user",
                        "date": source.date,
                        "sender_user_name": sender.full_name,
                    }
                else:
                    origin = {"type": "user", "date": source.date, "sender_user": sender.to_api()}
        message = self._bot_message(
            chat,
            params,
            source.kind,
            text=source.text,
            raw_text=source.raw_text,
            entities=list(source.entities),
            caption=source.caption,
            caption_entities=list(source.caption_entities),
            media=dict(source.media) if source.media is not None else None,
            forward_origin=origin,
            thread_id=thread_id,
        )
        return self._message_dict(message)
