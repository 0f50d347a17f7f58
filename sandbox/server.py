"""The HTTP side: the aiohttp server, routing a call to its method, typing its parameters,
and the faults, rate limits and latency a test asked for."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from types import TracebackType
from typing import Any, Self

from aiohttp import BodyPartReader, web

from sandbox.files import FilesArea
from sandbox.limits import (
    CLIENT_CLOSED_REQUEST,
    MISSING_PARAM_TEXT,
    bad_request,
    check_rate_limits,
    take_fault,
)
from sandbox.models import ApiError, RecordedRequest, UploadedFile
from sandbox.spec import METHOD_PARAMS
from sandbox.state import MethodHandler, Params
from sandbox.webhook import WebhookArea

logger = logging.getLogger(__name__)


class ServerArea(WebhookArea, FilesArea):
    """Serves the Bot API at ``base_url``; a method's handler comes from ``_methods``."""

    _runner: web.AppRunner | None = None
    _host = ""
    _port = 0
    _saver: asyncio.Task[None] | None = None

    # ---- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._closing = False
        # Handler cancellation lets a long poll end when the bot drops the connection (e.g.
        # PTB stopping), instead of surviving to be "terminated" by the next getUpdates.
        self._runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self._host, self._port = host, int(self._runner.addresses[0][1])
        logger.info("Telegram emulator listening on %s:%s", self._host, self._port)
        if self.state_path is not None:
            self._saver = asyncio.create_task(self._keep_state_saved())

    async def stop(self) -> None:
        self._closing = True
        self._touch()  # releases pending long polls so the shutdown doesn't wait for them
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self._stop_webhook_delivery()
        saver, self._saver = self._saver, None
        if saver is not None:
            saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await saver
        self.save_state()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What PTB takes as ``base_url``: it appends the token and the method itself."""
        return f"http://{self._host}:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._host}:{self._port}/file/bot"

    # ---- one call

    async def _read_params(self, request: web.Request) -> Params:
        params: Params = dict(request.query)
        if request.method != "POST" or not request.can_read_body:
            return params
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON encoded request") from None
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON encoded request")
            params.update(body)
        elif content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    data = await part.read()
                    params[part.name] = UploadedFile(
                        name=part.name,
                        filename=part.filename,
                        size=len(data),
                        content_type=part.headers.get("Content-Type"),
                        data=bytes(data),
                    )
                else:
                    params[part.name] = await part.text()
        else:
            form = await request.post()
            for key, value in form.items():
                params[key] = value if isinstance(value, str) else str(value)
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method_name = request.match_info["method"]
        entry = self._methods.get(method_name.lower())
        canonical = entry[0] if entry is not None else method_name
        record = RecordedRequest(canonical, {}, 0, {}, self.now())
        self.requests.append(record)
        try:
            status, body = await self._process(request, record, entry)
        except asyncio.CancelledError:
            record.status = CLIENT_CLOSED_REQUEST
            self._touch()
            raise
        record.status, record.response = status, body
        self._touch()
        return web.json_response(
            body, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False)
        )

    async def _process(
        self,
        request: web.Request,
        record: RecordedRequest,
        entry: tuple[str, MethodHandler] | None,
    ) -> tuple[int, dict[str, Any]]:
        try:
            raw = await self._read_params(request)
            record.params = raw
            if self._latency:
                await asyncio.sleep(self._latency)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if entry is None:
                raise ApiError(404, "Not Found")
            canonical, handler = entry
            params = coerce_params(canonical, raw)
            record.params = params
            held = self._held.get(canonical)
            if held is not None:
                await held.wait()
            fault = take_fault(self._faults, canonical)
            if fault is not None and not fault.apply:
                raise fault.error()
            check_rate_limits(self._rate_limits, canonical, params, self.now())
            result = await handler(params)
            if fault is not None:
                raise fault.error()
            return 200, {"ok": True, "result": result}
        except ApiError as error:
            return error.status, error.body()
        except Exception:
            logger.exception("emulator failed on %s", record.method)
            return 500, ApiError(500, "Internal Server Error").body()


def coerce_params(method: str, raw: Params) -> Params:
    """Types the raw parameters like the Bot API does and checks the required ones."""
    params = dict(raw)
    for name, kind, required in METHOD_PARAMS.get(method, ()):
        value = params.get(name)
        # setWebhook's empty url is a value: it removes the webhook.
        if value is None or (value == "" and (method, name) != ("setWebhook", "url")):
            if required:
                raise bad_request(MISSING_PARAM_TEXT.get(name) or missing_text(name, kind))
            params.pop(name, None)
            continue
        if method == "getUpdates" and name == "timeout":
            kind = "float"  # lets tests long-poll for a fraction of a second
        params[name] = coerce_value(name, kind, value)
    return params


def missing_text(name: str, kind: str) -> str:
    if kind == "file":
        return f"there is no {name} in the request"
    return f'parameter "{name}" is required'


def coerce_value(name: str, kind: str, value: Any) -> Any:
    if kind == "str":
        return (
            value
            if isinstance(value, str)
            else json.dumps(value)
            if isinstance(value, dict | list)
            else str(value)
        )
    if kind == "chat":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        try:
            return int(text)
        except ValueError:
            return text
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f'field "{name}" must be a valid Number') from None
    if kind == "float":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be a valid Number') from None
    if kind == "bool":
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise bad_request(f'field "{name}" must be of type Boolean')
    if kind == "json":
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            if name == "reply_markup":
                raise bad_request("can't parse reply keyboard markup JSON object") from None
            if name in ("entities", "caption_entities"):
                raise bad_request("can't parse entities JSON object") from None
            raise bad_request(f"can't parse {name} JSON object") from None
    return value  # files stay UploadedFile or str
