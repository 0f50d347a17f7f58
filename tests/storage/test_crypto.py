"""Sealing texts: authenticated encryption with a key, explicit plaintext without one."""

from __future__ import annotations

import pytest

from storage.crypto import SealError, TextSealer, new_key

SECRET = "он грозится убить меня"


def test_seal_round_trip_and_wrong_key() -> None:
    sealer = TextSealer([new_key().encode()])
    sealed = sealer.seal(SECRET)
    assert sealed.startswith("f1:") and SECRET not in sealed
    assert sealer.open(sealed) == SECRET
    with pytest.raises(SealError):
        TextSealer([new_key().encode()]).open(sealed)
    with pytest.raises(SealError):
        TextSealer().open(sealed)


def test_several_keys_open_old_values_and_seal_with_the_first() -> None:
    old, new = new_key().encode(), new_key().encode()
    sealed_before = TextSealer([old]).seal(SECRET)
    both = TextSealer([new, old])
    assert both.open(sealed_before) == SECRET
    assert TextSealer([new]).open(both.seal(SECRET)) == SECRET


def test_without_a_key_the_plain_text_is_marked_as_such() -> None:
    sealer = TextSealer()
    assert not sealer.encrypts
    assert sealer.seal(SECRET) == "p:" + SECRET
    assert sealer.open("p:" + SECRET) == SECRET
