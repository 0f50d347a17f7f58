"""Sealing stored texts: authenticated encryption (Fernet) when a key is configured.

A sealed value is text: "f1:" + a Fernet token, or "p:" + the plain text when the
config allows plaintext (trying the bot without a key). Several keys may be given,
newest first: all of them open old values, the first seals new ones, so a key can be
rotated without losing data.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

_FERNET = "f1:"
_PLAIN = "p:"


class SealError(Exception):
    """A stored value cannot be opened: wrong key, or damaged."""


class TextSealer:
    def __init__(self, keys: Sequence[bytes] = ()) -> None:
        self._fernet = MultiFernet([Fernet(key) for key in keys]) if keys else None

    @property
    def encrypts(self) -> bool:
        return self._fernet is not None

    def seal(self, text: str) -> str:
        if self._fernet is None:
            return _PLAIN + text
        return _FERNET + self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        if sealed.startswith(_PLAIN):
            return sealed[len(_PLAIN) :]
        if sealed.startswith(_FERNET):
            if self._fernet is None:
                raise SealError("an encrypted value, but no key is configured")
            try:
                return self._fernet.decrypt(sealed[len(_FERNET) :].encode("ascii")).decode("utf-8")
            except InvalidToken:
                raise SealError("the value cannot be opened with the configured keys") from None
        raise SealError("not a sealed value")

    def reseal(self, sealed: str) -> str:
        """Under the newest key (key rotation); plain values get encrypted too."""
        return self.seal(self.open(sealed))


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")
