"""Files: the media of users' messages, uploads, file ids reused, getFile and downloads."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from sandbox.limits import bad_request
from sandbox.models import ApiError, UploadedFile
from sandbox.state import EmulatorState, FileRecord, Params, compact


class FilesArea(EmulatorState):
    """Every file the emulator has seen, by file id."""

    def _new_file(self, kind: str, size: int, extension: str, data: bytes = b"") -> FileRecord:
        token = uuid.uuid4().hex
        record = FileRecord(
            file_id=f"{kind}-{token}",
            file_unique_id=token[:16],
            kind=kind,
            size=size,
            path=f"{kind}s/file_{len(self._files)}.{extension}",
            data=data,
        )
        self._files[record.file_id] = record
        return record

    def _media_for(self, kind: str, **options: Any) -> dict[str, Any]:
        if kind == "voice":
            duration = int(options.get("duration") or 5)
            record = self._new_file("voice", max(duration, 1) * 2_000, "oga")
            return {
                "file_id": record.file_id,
                "file_unique_id": record.file_unique_id,
                "duration": duration,
                "mime_type": "audio/ogg",
                "file_size": record.size,
            }
        if kind == "sticker":
            record = self._new_file("sticker", 24_000, "webp")
            return {
                "file_id": record.file_id,
                "file_unique_id": record.file_unique_id,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": options.get("emoji") or "😀",
                "file_size": record.size,
            }
        if kind == "photo":
            sizes = []
            for width, height, size in ((90, 67, 1_200), (320, 240, 15_000), (1280, 960, 120_000)):
                # The largest size keeps the uploaded picture, for the sandbox's page to show.
                data = options.get("data", b"") if width == 1280 else b""
                record = self._new_file("photo", len(data) or size, "jpg", data)
                sizes.append(
                    {
                        "file_id": record.file_id,
                        "file_unique_id": record.file_unique_id,
                        "width": width,
                        "height": height,
                        "file_size": record.size,
                    }
                )
            return {"photo": sizes}
        if kind == "document":
            file_name = str(options.get("file_name") or "document")
            extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
            record = self._new_file(
                "document", int(options.get("size") or 1), extension, options.get("data", b"")
            )
            return compact(
                {
                    "file_id": record.file_id,
                    "file_unique_id": record.file_unique_id,
                    "file_name": file_name,
                    "mime_type": options.get("mime_type"),
                    "file_size": record.size,
                }
            )
        raise ValueError(f"unknown media kind {kind!r}")

    def _file_param(self, params: Params, name: str, kind: str) -> tuple[FileRecord | None, Any]:
        value = params[name]
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
            if not isinstance(value, UploadedFile):
                raise bad_request(f"there is no {name} in the request")
        if isinstance(value, UploadedFile):
            return None, value
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {name} in the request")
        if value.startswith(("http://", "https://")):
            return None, value
        record = self._files.get(value)
        if record is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if record.kind != kind:
            raise bad_request(f"can't use file of type {record.kind.title()} as {kind.title()}")
        return record, value

    def _reuse_media(self, record: FileRecord) -> dict[str, Any]:
        for chat in self._chats.values():
            for message in chat.messages.values():
                if message.media is not None and message.file_id == record.file_id:
                    return dict(message.media)
        return {"file_id": record.file_id, "file_unique_id": record.file_unique_id, "duration": 1}

    def file_data(self, file_id: str) -> bytes:
        """The bytes of an uploaded file; b"" for the stand-ins of simulated people's media."""
        record = self._files.get(file_id)
        return record.data if record is not None else b""

    async def _get_file(self, params: Params) -> dict[str, Any]:
        record = self._files.get(str(params["file_id"]))
        if record is None:
            raise bad_request("invalid file_id")
        if record.size > 20 * 1024 * 1024:
            raise bad_request("file is too big")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.size,
            "file_path": record.path,
        }

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        path = request.match_info["path"]
        for record in self._files.values():
            if record.path == path:
                return web.Response(body=record.data or b"\0" * min(record.size, 1 << 20))
        return web.json_response(ApiError(404, "Not Found").body(), status=404)
