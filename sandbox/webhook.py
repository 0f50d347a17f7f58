"""Webhooks: setWebhook, deleteWebhook, getWebhookInfo, and posting updates to the bot.

While a webhook is set, getUpdates answers 409 and every update is POSTed as JSON to the
webhook's URL, one at a time and in order, with the ``X-Telegram-Bot-Api-Secret-Token``
header when a secret was given. An update the endpoint does not answer with a 2xx is tried
again until it is taken; the last failure is what getWebhookInfo reports.

Three deliberate differences from Telegram: a plain ``http://`` URL is accepted for loopback
hosts (tests and the sandbox have no TLS certificate); updates are posted only to loopback
hosts, so the emulator never reaches outside this machine (a webhook elsewhere keeps its
updates pending, as an unreachable one would); and updates go over one connection whatever
``max_connections`` says (it is kept and reported).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import re
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from sandbox.limits import bad_request
from sandbox.state import Params
from sandbox.updates import UpdatesArea

logger = logging.getLogger(__name__)

SECRET_TOKEN_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]*")
_WEBHOOK_PORTS = (443, 80, 88, 8443)
#: Telegram answers the webhook's request within this time or counts it as failed.
_DELIVERY_TIMEOUT_SECONDS = 10.0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_webhook_url(url: str) -> None:
    """Telegram's checks of a webhook URL (an empty URL removes the webhook)."""
    if not url:
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "http" and _is_loopback(host):
        return  # see the module's docstring
    if parts.scheme != "https":
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if not host:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    if parts.port is not None and parts.port not in _WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


def check_secret_token(secret: str) -> None:
    if len(secret) > 256:
        raise bad_request("secret token is too long")
    if not _SECRET_TOKEN.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")


class WebhookArea(UpdatesArea):
    """The webhook settings and the task that delivers updates while one is set."""

    _webhook_task: asyncio.Task[None] | None = None

    async def _set_webhook(self, params: Params) -> bool:
        url = str(params["url"])
        check_webhook_url(url)
        secret = params.get("secret_token")
        if secret is not None:
            check_secret_token(str(secret))
        allowed = params.get("allowed_updates")
        if allowed is not None and not isinstance(allowed, list):
            raise bad_request("can't parse allowed updates JSON object")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) if allowed else None
        if url != self.webhook_url:
            self.webhook_last_error = None
        self.webhook_url = url
        self.webhook_secret = str(secret) if secret else None
        # Telegram keeps the value within 1..100 rather than refusing it.
        self.webhook_max_connections = min(max(int(params.get("max_connections") or 40), 1), 100)
        if self._delivers_here() and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = asyncio.create_task(self._deliver_webhook_updates())
        self._touch()
        return True

    async def _delete_webhook(self, params: Params) -> bool:
        self.webhook_url = ""
        self.webhook_secret = None
        self.webhook_last_error = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._touch()
        return True

    async def _get_webhook_info(self, params: Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if not self.webhook_url:
            return info
        if self.webhook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = self.webhook_last_error
        info["max_connections"] = self.webhook_max_connections
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    # ---- delivery

    async def _stop_webhook_delivery(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _deliver_webhook_updates(self) -> None:
        timeout = aiohttp.ClientTimeout(total=_DELIVERY_TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            # Runs while a webhook is set; wakes on closing too, as a cancel alone can be lost
            # in wait_for on Python 3.11.
            while True:
                await self._wait_for(self._webhook_work_or_end, 3600)
                if self._closing or not self._delivers_here():
                    return
                update = self._next_webhook_update()
                if update is None:
                    continue
                url, secret = self.webhook_url, self.webhook_secret
                error = await self._post_update(session, url, secret, update)
                if error is None:
                    if self._updates and self._updates[0] is update:
                        self._updates.pop(0)
                    self._touch()
                    continue
                self.webhook_last_error = (int(self.now()), error)
                self._touch()
                await asyncio.sleep(self.webhook_retry_delay)

    def _delivers_here(self) -> bool:
        """True while a webhook on this machine is set (see the module's docstring)."""
        return _is_loopback(urlsplit(self.webhook_url).hostname or "")

    def _webhook_work_or_end(self) -> bool | None:
        if self._closing or not self._delivers_here():
            return True
        return True if self._next_webhook_update() is not None else None

    def _next_webhook_update(self) -> dict[str, Any] | None:
        if not self.webhook_url:
            return None
        self._updates = [u for u in self._updates if self._update_allowed(u)]
        return self._updates[0] if self._updates else None

    async def _post_update(
        self,
        session: aiohttp.ClientSession,
        url: str,
        secret: str | None,
        update: dict[str, Any],
    ) -> str | None:
        """Posts one update; None when the endpoint took it, else Telegram's error text."""
        headers = {SECRET_TOKEN_HEADER: secret} if secret else {}
        try:
            async with session.post(url, json=update, headers=headers) as response:
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientConnectorError:
            return "Connection refused"
        except aiohttp.ClientError as error:
            logger.debug("webhook delivery failed: %s", type(error).__name__)
            return "Connection reset by peer"
