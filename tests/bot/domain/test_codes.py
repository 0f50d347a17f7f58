"""Case and booking codes: generation, canonical form, lenient parsing."""

import secrets
from collections.abc import Iterator

import pytest

from bot.domain.codes import CODE_ALPHABET, CODE_LENGTH, CODE_RE, new_code, parse_code


def test_alphabet_is_the_documented_one() -> None:
    assert CODE_ALPHABET == "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    assert len(set(CODE_ALPHABET)) == 32
    assert not set("01IO") & set(CODE_ALPHABET)


def test_new_code_uses_the_given_choice_in_order() -> None:
    picks: Iterator[str] = iter("7KQM2F")

    def choice(alphabet: str) -> str:
        assert alphabet == CODE_ALPHABET
        return next(picks)

    assert new_code(choice) == "7KQ-M2F"


def test_new_code_default_is_random_and_well_formed() -> None:
    codes = {new_code() for _ in range(200)}
    assert all(CODE_RE.fullmatch(c) for c in codes)
    # 200 draws from ~1e9 codes: a repeat would mean the randomness is broken.
    assert len(codes) == 200


def test_new_code_round_trips_through_parse() -> None:
    for _ in range(50):
        code = new_code(secrets.choice)
        assert parse_code(code) == code


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("7KQ-M2F", "7KQ-M2F", id="canonical"),
        pytest.param("7kq-m2f", "7KQ-M2F", id="lower-case"),
        pytest.param("7KQM2F", "7KQ-M2F", id="no-dash"),
        pytest.param("  7kq m2f \n", "7KQ-M2F", id="space-and-padding"),
        pytest.param("7 K Q - M 2 F", "7KQ-M2F", id="spaces-everywhere"),
        pytest.param("7KQ_M2F", "7KQ-M2F", id="underscore"),
        pytest.param("7KQ\u2013M2F", "7KQ-M2F", id="en-dash-autocorrect"),
        pytest.param("7KQ\u2014M2F", "7KQ-M2F", id="em-dash"),
        pytest.param("7KQ\u2212M2F", "7KQ-M2F", id="minus-sign"),
        pytest.param("7KQ--M2F", "7KQ-M2F", id="double-dash"),
        pytest.param("7КQ-М2F", "7KQ-M2F", id="cyrillic-ka-em"),
        pytest.param("7кq-м2f", "7KQ-M2F", id="cyrillic-lower"),
        pytest.param("АВЕ-КМН", "ABE-KMH", id="cyrillic-a-ve-ie-ka-em-en"),
        pytest.param("РСТ-ХУ2", "PCT-XY2", id="cyrillic-er-es-te-ha-u"),
        pytest.param("ҚҢҮ-Ұ22", "KHY-Y22", id="kazakh-look-alikes"),
        pytest.param("З45-678", "345-678", id="cyrillic-ze-as-three"),
        pytest.param("ёее-еее", "EEE-EEE", id="cyrillic-yo"),
        pytest.param("７ＫＱ-Ｍ２Ｆ", "7KQ-M2F", id="full-width"),
        pytest.param("7kq-M2f", "7KQ-M2F", id="mixed-case"),
    ],
)
def test_parse_code_accepts(typed: str, expected: str) -> None:
    assert parse_code(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("7KQ-M2", id="too-short"),
        pytest.param("7KQ-M2FF", id="too-long"),
        pytest.param("7KO-M2F", id="letter-O"),
        pytest.param("7K0-M2F", id="digit-zero"),
        pytest.param("7KО-M2F", id="cyrillic-O"),
        pytest.param("7KI-M2F", id="letter-I"),
        pytest.param("7K1-M2F", id="digit-one"),
        pytest.param("7KQ-M2Б", id="cyrillic-be-no-lookalike"),
        pytest.param("7KQ-M2П", id="cyrillic-pe-no-lookalike"),
        pytest.param("7KQ.M2F", id="dot-is-not-a-separator"),
        pytest.param("код 7KQ-M2F", id="code-inside-a-sentence"),
        pytest.param("7KQ-M2ß", id="sharp-s-does-not-become-SS"),
        pytest.param("7KQMß", id="sharp-s-cannot-fill-two-places"),
        pytest.param("/start", id="command"),
    ],
)
def test_parse_code_rejects(typed: str) -> None:
    assert parse_code(typed) is None


def test_code_length_matches_written_form() -> None:
    assert len(new_code().replace("-", "")) == CODE_LENGTH
