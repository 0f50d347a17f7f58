"""Is this case urgent? Words of danger, the Lethality Screen, and the verdict.

Pure functions: no I/O, no Telegram. A case is urgent when the user pressed
"Danger now" (or sent ``/sos``), when anything they wrote contains words of
danger in Russian or Kazakh, or when their Lethality Screen answers are high.

How text is read
================

People type fast, badly, on shared phones and on keyboards without Kazakh
letters. Before matching, every word is reduced to a *skeleton*:

* NFKC, lower case; diacritics dropped (``ё`` -> ``е``, ``й`` -> ``и``,
  ``ö`` -> ``o``); ``ъ`` -> ``ь``.
* Kazakh letters folded to their Russian-keyboard stand-ins, which is what people
  type when the layout lacks them: ``ә``->``а``, ``ғ``->``г``, ``қ``->``к``,
  ``ң``->``н``, ``ө``->``о``, ``ұ``/``ү``->``у``, ``һ``->``х``, ``і``->``и``.
* A word written wholly in Latin letters is transliterated (Russian chat
  translit and Kazakh Latin: ``ub'yu``, ``zadushu``, ``oltiremin``,
  ``pyshaq``, ``jatyr``; ``j`` is ``ж`` as in Kazakh Latin, an apostrophe is the
  soft sign). A word that mixes scripts is read as Cyrillic with Latin
  look-alikes (``нoж`` with a Latin ``o``, ``өлтiремiн`` with a Latin ``i``).
* A letter repeated three or more times counts once (``убьюююю``); doubled
  letters stay (they are real in Russian and Kazakh spelling).
* Punctuation separates words; hyphenated words become two words.

``ы`` stays distinct from ``и`` (folding it would turn ``был`` "was" into
``бил`` "beat"), and the soft sign stays (``бьет`` "beats" without it is the
Kazakh ``бет`` "face"); patterns allow ``[ыи]`` where Kazakh typists alternate.
Patterns are regular expressions over the skeleton with word boundaries and
explicit endings, so ``нож`` matches ``ножом``/``ножик`` but not ``ножницы``
or ``ножки``.

Decisions on ambiguity
======================

The principle: a helpline would rather over-alert. A false alert costs the
on-duty psychologist a minute (they can downgrade the case); a missed one can
cost a life. So exclusions are only added where they are cheap, local (the
neighbouring words) and safe (the excluded context is hard to read as a threat):

* Idioms that are excluded: ``убить время`` (kill time), ``убить двух зайцев``,
  killing insects; ``душат слёзы``/``кашель``/``смех``, ``жаба душит``
  (idioms of choking); ``бьёт ключом``/``по карману``/``тревогу``; ``зарежу
  барана`` and other livestock (slaughter is everyday life in a village); toy,
  water, glue and foam "pistols"; ``уақытты өлтіру`` (kill time, a calque).
* Kitchen knives: a knife word next to a *recipe* verb in the polite imperative
  (``нарежьте``/``почистите``; ``пышақпен туралаңыз``/``кесіңіз``) is not a
  weapon. Nothing else about kitchens is excluded: "он взял кухонный нож" is a
  classic threat and must alert.
* Hyperbole that still alerts: ``убил бы за чашку кофе`` - "убил бы за ..."
  cannot be told from "убил бы за измену" without understanding; staff
  downgrade it.
* Known false positives we accept: ``пистолет-пулемёт в игре`` (games are
  not parsed), ``у него нет ружья`` (a weapon named at all is worth a look).
* Negation is honoured sparingly. Only "не"/"уже не"/"больше не"/"перестал"
  directly before a *beating* verb (``не бьёт, но ...`` is a common hedge in a first
  message) and before the verb in a child-danger phrase (``детей не трогает``).
  A ``не`` before a threat is ignored: "сказал, что не убьёт, если я вернусь" is
  a threat, and ``не хочу жить`` is itself a signal. Kazakh negation is a verb
  suffix (``өлтірмейді``), so negated Kazakh forms are simply different words
  that the patterns leave out (but ``өлтірмек`` "intends to kill" is kept).
* Self-directed forms are suicide, not a threat to others: ``убью себя``,
  ``өзімді өлтіремін`` give SUICIDE only. Setting oneself on fire gives both
  SUICIDE and FIRE.
* Suicide: words naming a method or a plan (hanging, veins, all the pills,
  vinegar, jumping from a roof or bridge, drowning, fire) are matched, not only
  the word "suicide" - they predict risk better. A single pill ("выпила
  таблетку"), "отравилась" (food poisoning) and "порезала руку" (an accident)
  are not matched; "все таблетки", "отравлюсь", "режу руки" are.
* BEATING_NOW means ongoing violence: present tense ("бьёт", "избивает",
  "ұрып жатыр"), "только что/опять/сейчас ... ударил", and someone breaking
  the door in. A past beating alone ("избил вчера") is not urgent by itself:
  the case still reaches staff in the ordinary queue, and an urgent queue that
  holds every case is no queue. Beating or threatening a *child* is always
  CHILD_DANGER, past or present.
* CONFINEMENT also covers bride kidnapping (``алып қашты``) and hiding behind a
  locked door (``заперлась в ванной``): both mean someone is trapped now.
* SEXUAL_VIOLENCE is the act (``изнасиловал``, ``насилует``, ``домогается``,
  ``зорлады``), urgent whatever its date: medical care and evidence are time-bound.
  The general words ``насилие`` and ``зорлық-зомбылық`` (violence) do not match:
  they name the helpline's whole subject. Against a child it is CHILD_DANGER too.

``DangerSignal.matched`` is the user's own text of the matched words (as typed,
not the skeleton), so a staff card can show what triggered the alert.

Lethality Screen
================

The Maryland Lethality Assessment Program screen: 11 yes/no questions; high
danger on a yes to any of the first three, or on four or more yes among the
other eight. A skipped question (``None`` or absent) counts as neither yes nor
no: skipping can never raise the verdict, and never lowers it below what the
answered questions show.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from bot.domain.danger_phrases import RULES, DangerKind
from bot.domain.message_text import phrase_around

__all__ = [
    "LETHALITY_PRIMARY",
    "LETHALITY_QUESTIONS",
    "LETHALITY_SECONDARY",
    "LETHALITY_SECONDARY_THRESHOLD",
    "DangerKind",
    "DangerSignal",
    "UrgencyReason",
    "assess_urgency",
    "find_danger_signals",
    "has_danger_words",
    "lethality_is_high",
    "lethality_yes_count",
    "normalise",
]


@dataclass(frozen=True)
class DangerSignal:
    kind: DangerKind
    matched: str
    # The whole short phrase around the words, as a card quotes it (not a fragment).
    phrase: str = field(default="", compare=False)


class UrgencyReason(enum.StrEnum):
    SOS_BUTTON = enum.auto()
    DANGER_WORDS = enum.auto()
    LETHALITY_SCREEN = enum.auto()


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------

# A word: letters and digits, possibly joined by apostrophes (translit soft sign).
_TOKEN: Final = re.compile(r"[^\W_]+(?:['’ʼ`][^\W_]+)*")
_APOSTROPHES: Final = "'’ʼ`"
_LATIN_VOWELS: Final = frozenset("aeiouy")
_CYRILLIC_VOWELS: Final = frozenset("аеиоуыэюяё")

# Kazakh letters to what a Russian keyboard offers instead; also й/ё/ъ which the
# diacritic stripping usually handles, listed for text that skipped it.
_CYRILLIC_FOLD: Final = str.maketrans(
    {
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "й": "и",
        "ё": "е",
        "ъ": "ь",
        "є": "е",
    }
)

# Latin letters that stand in for Cyrillic ones inside a Cyrillic word.
_HOMOGLYPHS: Final = str.maketrans(
    {
        "a": "а",
        "b": "в",
        "c": "с",
        "e": "е",
        "h": "н",
        "i": "и",
        "k": "к",
        "m": "м",
        "o": "о",
        "p": "р",
        "t": "т",
        "x": "х",
        "y": "у",
    }
)

# Transliteration of a wholly Latin word; longest spellings first.
_DIGRAPHS: Final = (
    ("shch", "щ"),
    ("sch", "щ"),
    ("sh", "ш"),
    ("ch", "ч"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
)
_LATIN: Final = {
    "a": "а",
    "b": "б",
    "c": "ц",
    "d": "д",
    "e": "е",
    "f": "ф",
    "g": "г",
    "h": "х",
    "i": "и",
    "j": "ж",  # Kazakh Latin: jatyr = жатыр
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "q": "к",  # Kazakh Latin: pyshaq = пышақ
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "v": "в",
    "w": "в",
    "x": "х",  # chat Russian uses x for х
    "z": "з",
    "ы": "ы",  # from Kazakh Latin ı, mapped earlier
}
_IOTATED: Final = {"a": "я", "u": "ю", "o": "е", "e": "е"}
# Only yu/yo take a soft sign after a consonant: ubyu = убью and byot = бьёт, but
# menya = меня and tebya = тебя (a wrong soft sign elsewhere is harmless).
_SOFTENED: Final = frozenset("uo")


def _transliterate(word: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(word):
        c = word[i]
        if c in _APOSTROPHES:
            out.append("ь")
            i += 1
            continue
        for latin, cyrillic in _DIGRAPHS:
            if word.startswith(latin, i):
                out.append(cyrillic)
                i += len(latin)
                break
        else:
            if c == "y":
                nxt = word[i + 1] if i + 1 < len(word) else ""
                prev = out[-1] if out else ""
                if nxt in _IOTATED:
                    consonant = bool(prev) and prev not in _CYRILLIC_VOWELS and prev != "ь"
                    soft = consonant and nxt in _SOFTENED
                    out.append(("ь" if soft else "") + _IOTATED[nxt])
                    i += 2
                    continue
                # After a vowel y is й (soboy); elsewhere ы (myltyq, jatyr).
                out.append("и" if prev in _CYRILLIC_VOWELS else "ы")
            else:
                out.append(_LATIN.get(c, c))
            i += 1
    return "".join(out)


def _is_latin(c: str) -> bool:
    return "a" <= c <= "z"


def _is_cyrillic(c: str) -> bool:
    return "\u0400" <= c <= "\u04ff"


def _skeleton_word(word: str) -> str:
    w = unicodedata.normalize("NFKC", word).casefold()
    # Kazakh Latin letters whose diacritic carries a different sound.
    w = w.replace("ş", "sh").replace("ç", "ch").replace("ı", "ы")
    w = "".join(c for c in unicodedata.normalize("NFD", w) if not unicodedata.combining(c))
    has_latin = any(_is_latin(c) for c in w)
    if has_latin and any(_is_cyrillic(c) and c != "ы" for c in w):
        w = w.translate(_HOMOGLYPHS)
    elif has_latin:
        w = _transliterate(w)
    for apostrophe in _APOSTROPHES:
        w = w.replace(apostrophe, "ь")
    w = w.translate(_CYRILLIC_FOLD)
    return re.sub(r"(.)\1{2,}", r"\1", w)


@dataclass(frozen=True)
class _Skeleton:
    text: str
    # For each word: start and end in the skeleton, start and end in the original.
    spans: tuple[tuple[int, int, int, int], ...]

    def original(self, source: str, start: int, end: int) -> str:
        """The user's own text of the words covering skeleton[start:end]."""
        first, last = self.original_span(start, end)
        return source[first:last]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        covered = [s for s in self.spans if s[1] > start and s[0] < end]
        return covered[0][2], covered[-1][3]


def _skeletonise(text: str) -> _Skeleton:
    parts: list[str] = []
    spans: list[tuple[int, int, int, int]] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        word = _skeleton_word(m.group())
        if not word:
            continue
        if parts:
            pos += 1  # the joining space
        parts.append(word)
        spans.append((pos, pos + len(word), m.start(), m.end()))
        pos += len(word)
    return _Skeleton(" ".join(parts), tuple(spans))


def normalise(text: str) -> str:
    """The skeleton the patterns are matched against (exposed for debugging)."""
    return _skeletonise(text).text


def find_danger_signals(text: str) -> list[DangerSignal]:
    """Words of danger in ``text``, in order of appearance, each (kind, words) once."""
    skeleton = _skeletonise(text)
    found: list[tuple[int, int, int, DangerSignal]] = []
    for order, rule in enumerate(RULES):
        for m in rule.pattern.finditer(skeleton.text):
            # Exclusions look at a few words around the match only: local context.
            before = skeleton.text[max(0, m.start() - 60) : m.start()]
            if rule.unless_before is not None and rule.unless_before.search(before):
                continue
            if rule.unless_after is not None and rule.unless_after.match(skeleton.text, m.end()):
                continue
            first, last = skeleton.original_span(m.start(), m.end())
            phrase = phrase_around(text, first, last)
            signal = DangerSignal(rule.kind, text[first:last], phrase)
            found.append((m.start(), m.end(), order, signal))
    # Earliest first; at the same start the longest (most telling) match first.
    found.sort(key=lambda item: (item[0], -item[1], item[2]))
    signals: list[DangerSignal] = []
    taken: list[tuple[int, int, DangerKind]] = []
    for start, end, _, signal in found:
        # "сейчас бьёт" and "бьёт" are one signal, not two: a match overlapping
        # an accepted one of the same kind adds nothing.
        if any(k == signal.kind and s < end and start < e for s, e, k in taken):
            continue
        taken.append((start, end, signal.kind))
        if signal not in signals:
            signals.append(signal)
    return signals


def has_danger_words(text: str) -> bool:
    return bool(find_danger_signals(text))


# --------------------------------------------------------------------------
# Lethality Screen
# --------------------------------------------------------------------------

# Stable ids in the screen's order; texts live in the catalogues as screen.<id>.
LETHALITY_QUESTIONS: Final[tuple[str, ...]] = (
    "weapon",  # 1. used a weapon against you or threatened you with one
    "threat_to_kill",  # 2. threatened to kill you or your children
    "might_kill",  # 3. do you think they might try to kill you
    "gun",  # 4. has a gun or can get one easily
    "strangle",  # 5. ever tried to choke (strangle) you
    "jealous_control",  # 6. violently/constantly jealous or controls daily life
    "separated",  # 7. you left or separated after living together/marriage
    "unemployed",  # 8. unemployed
    "suicide_attempt",  # 9. ever tried to kill themselves
    "child_not_his",  # 10. a child they know is not theirs
    "stalking",  # 11. follows, spies, leaves threatening messages
)
# One yes here is high danger on its own.
LETHALITY_PRIMARY: Final[tuple[str, ...]] = LETHALITY_QUESTIONS[:3]
LETHALITY_SECONDARY: Final[tuple[str, ...]] = LETHALITY_QUESTIONS[3:]
LETHALITY_SECONDARY_THRESHOLD: Final = 4


def _checked(answers: Mapping[str, bool | None]) -> Mapping[str, bool | None]:
    unknown = sorted(set(answers) - set(LETHALITY_QUESTIONS))
    if unknown:
        raise ValueError(f"unknown Lethality Screen question ids: {', '.join(unknown)}")
    for qid, answer in answers.items():
        # A stray "yes" string would otherwise silently count as skipped.
        if answer is not None and not isinstance(answer, bool):
            raise ValueError(f"answer to {qid!r} must be True, False or None")
    return answers


def lethality_yes_count(
    answers: Mapping[str, bool | None], questions: Iterable[str] = LETHALITY_QUESTIONS
) -> int:
    """How many of ``questions`` were answered yes (skipped ones are not counted)."""
    checked = _checked(answers)
    return sum(1 for qid in questions if checked.get(qid) is True)


def lethality_is_high(answers: Mapping[str, bool | None]) -> bool:
    """High danger: yes to any of Q1-Q3, or yes to 4+ of Q4-Q11. Skipped = None/absent."""
    if lethality_yes_count(answers, LETHALITY_PRIMARY) > 0:
        return True
    return lethality_yes_count(answers, LETHALITY_SECONDARY) >= LETHALITY_SECONDARY_THRESHOLD


# --------------------------------------------------------------------------
# The verdict
# --------------------------------------------------------------------------


def assess_urgency(
    *, sos: bool, texts: Iterable[str], screen: Mapping[str, bool | None] | None
) -> list[UrgencyReason]:
    """Why the case is urgent, in a fixed order; an empty list means not urgent."""
    reasons: list[UrgencyReason] = []
    if sos:
        reasons.append(UrgencyReason.SOS_BUTTON)
    if any(has_danger_words(t) for t in texts):
        reasons.append(UrgencyReason.DANGER_WORDS)
    if screen is not None and lethality_is_high(screen):
        reasons.append(UrgencyReason.LETHALITY_SCREEN)
    return reasons
