"""Case and booking codes: six random characters written ``XXX-XXX`` (``7KQ-M2F``).

A user quotes a code instead of a name, and staff see it instead of one, so codes
are made to survive being read aloud, copied from a neutral reminder and retyped
on a phone with a Russian or Kazakh keyboard.

Decisions:

* The alphabet has no ``0``/``O`` and no ``1``/``I``: they are confused when read
  or typed. 32 symbols, 6 positions: 32**6, about 1.07e9 codes, so random codes
  rarely collide; uniqueness is still the storage's job (a unique index, and a
  retry with a fresh ``new_code()`` on conflict).
* ``new_code`` uses ``secrets`` so codes cannot be guessed from earlier ones: a
  code is the only thing that ties a message to a case.
* ``parse_code`` is lenient about *form* and strict about *content*: case,
  spaces, dashes (any Unicode dash) and underscores are ignored, and Cyrillic
  letters that look like Latin ones are mapped to them (a user on a Cyrillic
  keyboard types ``7КQ-М2F`` with a Cyrillic К and М). Characters outside the
  alphabet (``O``, ``0``, ``I``, ``1``, other letters) make it return ``None``
  rather than guess: ``O`` could be ``0`` or ``Q`` or ``D``, and a wrong guess
  would attach a message to somebody else's case.
* The whole text must be the code (after trimming); finding a code inside a
  sentence is the caller's decision, not this module's.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable
from typing import Final

CODE_ALPHABET: Final = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH: Final = 6
# Where the dash goes in the written form: "XXX-XXX".
_HALF: Final = CODE_LENGTH // 2

# Canonical written form; storage and callback-data checks can use it to reject
# forged or corrupted codes before touching the database.
CODE_RE: Final = re.compile(
    rf"[{CODE_ALPHABET}]{{{_HALF}}}-[{CODE_ALPHABET}]{{{CODE_LENGTH - _HALF}}}"
)

# Cyrillic (Russian and Kazakh) capitals that look like a symbol of the alphabet.
# Only unambiguous look-alikes: О is deliberately absent (O is not in the
# alphabet, so it is rejected either way) and so is П (looks like nothing there).
_LOOKALIKES: Final = str.maketrans(
    {
        "А": "A",
        "В": "B",
        "Е": "E",
        "Ё": "E",
        "К": "K",
        "Қ": "K",  # Kazakh qa: a K with a tail
        "М": "M",
        "Н": "H",
        "Ң": "H",  # Kazakh ng: an H with a tail
        "Р": "P",
        "С": "C",
        "Т": "T",
        "Х": "X",
        "У": "Y",
        "Ү": "Y",  # Kazakh straight u
        "Ұ": "Y",  # Kazakh u with a stroke
        "З": "3",  # Cyrillic ze and the digit three are told apart by context only
    }
)

# Separators people put between the halves, or anywhere: any whitespace, the
# underscore, the ASCII hyphen-minus and its Unicode relatives (phones autocorrect
# "-" into an en dash), and the soft hyphen.
_SEPARATORS: Final = re.compile(r"[\s\-_\u2010-\u2015\u2212\u00ad]+")


def new_code(choice: Callable[[str], str] = secrets.choice) -> str:
    """A fresh random code, ``XXX-XXX``. ``choice`` is injectable for tests."""
    chars = "".join(choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{chars[:_HALF]}-{chars[_HALF:]}"


def parse_code(text: str) -> str | None:
    """The canonical ``XXX-XXX`` form of what someone typed, or ``None``."""
    # NFKC folds full-width letters and digits (some phone keyboards produce them).
    normal = unicodedata.normalize("NFKC", text)
    # Upper-case letter by letter: a letter whose capital is two letters ("ß" is
    # "SS") must not turn five typed characters into a valid six.
    folded = "".join(c.upper() if len(c.upper()) == 1 else "\0" for c in normal)
    folded = folded.translate(_LOOKALIKES)
    chars = _SEPARATORS.sub("", folded)
    if len(chars) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in chars):
        return None
    return f"{chars[:_HALF]}-{chars[_HALF:]}"
