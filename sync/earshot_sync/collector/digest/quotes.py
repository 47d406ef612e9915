"""Which of the customers' own words stand for a theme: pure functions over plain data.

A theme's quote is the entry whose words are shared most with the other entries of that theme
(the average, over its words, of how many other entries use the word), so it says what many
said. Among those, whole sentences of a readable length come first. Ties are broken by the
entry id, so the same entries always give the same quotes.

A quote is always the beginning of what was written, exactly as written: whole sentences when
they fit, otherwise cut at a space (never inside a word) and marked as cut.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

# Longer than this is cut (at a sentence end if there is one, else at a space).
MAX_QUOTE = 240
# Shorter than this says too little to stand for a theme on its own ("Queue!").
MIN_QUOTE = 25
# Two picks whose word sets overlap this much are the same thing said twice.
SAME_THING = Fraction(7, 10)

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)]*(?=\s|$)")
# Words too common to say what an entry is about (English, German: the languages heard so
# far). Words under three letters are ignored anyway.
_COMMON = frozenset(
    """
    the and for are but not you all any can had her was one our out has his how its may new now
    see way who did get got let she too use that this with have from they will would there their
    what about which when were been into than them then these some could other very just also
    only really because your yours here said told asked
    der die das und ist nicht ein eine einen dem den des sie ich wir ihr mit von auf für aus bei
    war hat sind noch nur auch sehr aber wie was wenn dass zum zur
    """.split()  # noqa: SIM905 (a list of a hundred words reads better as words)
)


@dataclass(frozen=True)
class Said:
    """Something written down at an entry: the customer's words, or the frontline's idea."""

    entry_id: str
    text: str
    kind: str
    station: str


@dataclass(frozen=True)
class Quote:
    entry_id: str
    text: str  # the start of what was written, character for character
    cut: bool  # what was written goes on after ``text``
    kind: str
    station: str


def excerpt(text: str, limit: int = MAX_QUOTE) -> tuple[str, bool]:
    """The start of ``text`` that fits in ``limit`` characters, and whether it was cut.

    Whole sentences when at least the first one fits; otherwise the words that fit, ending at
    a space. Never a part of a word (a single word longer than ``limit`` is kept whole).
    """
    words = text.strip()
    if len(words) <= limit:
        return words, False
    fitting = [m.end() for m in _SENTENCE_END.finditer(words) if m.end() <= limit]
    if fitting:
        return words[: fitting[-1]], True
    space = max(words.rfind(" ", 0, limit + 1), words.rfind("\n", 0, limit + 1))
    if space <= 0:
        first_space = re.search(r"\s", words)
        return (words, False) if first_space is None else (words[: first_space.start()], True)
    return words[:space].rstrip(), True


def words_of(text: str) -> frozenset[str]:
    return frozenset(
        word
        for word in (match.group().casefold() for match in _WORD.finditer(text))
        if len(word) >= 3 and word not in _COMMON and not word.isdigit()
    )


def _readable(text: str) -> bool:
    shown, cut = excerpt(text)
    return not cut and len(shown) >= MIN_QUOTE and _SENTENCE_END.search(shown[-3:]) is not None


def _same_thing(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return a == b
    return Fraction(len(a & b), len(a | b)) >= SAME_THING


def choose(
    candidates: Sequence[Said], count: int, *, taken: Iterable[str] = ()
) -> tuple[Quote, ...]:
    """Up to ``count`` quotes that stand for ``candidates``, best first.

    ``taken`` are entry ids already quoted elsewhere on the page (an entry with two tags is
    quoted once). Near repeats of a chosen quote are skipped.
    """
    skip = set(taken)
    pool = [said for said in candidates if said.entry_id not in skip and said.text.strip()]
    bags = {said.entry_id: words_of(said.text) for said in pool}
    shared = Counter(word for bag in bags.values() for word in bag)

    def overlap(said: Said) -> Fraction:
        bag = bags[said.entry_id]
        if not bag:
            return Fraction(0)
        return Fraction(sum(shared[word] - 1 for word in bag), len(bag))

    ranked = sorted(
        pool,
        key=lambda said: (
            not _readable(said.text),
            -overlap(said),
            abs(len(said.text.strip()) - MAX_QUOTE // 2),
            said.entry_id,
        ),
    )
    chosen: list[Quote] = []
    for said in ranked:
        if len(chosen) >= count:
            break
        bag = bags[said.entry_id]
        if any(_same_thing(bag, bags[quote.entry_id]) for quote in chosen):
            continue
        shown, cut = excerpt(said.text)
        chosen.append(Quote(said.entry_id, shown, cut, said.kind, said.station))
    return tuple(chosen)
