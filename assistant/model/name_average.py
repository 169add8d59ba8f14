"""Scores that do not depend on whose name a message carries (``ArtifactConfig.name_average``).

Training shuffles names so that a name stops being evidence for a label (``data/names.py``), but a
model learns that only approximately, and a name can still tip a borderline message over a
threshold. So a message holding a known name, a given name or a surname of ``data/person_names.tsv``
or of the training lists, is scored once for each of ``GIVEN``'s names with every known name in
it replaced (in its script and case), and the scores are averaged: the name that was there no
longer enters the score at all, and no single replacement's own pull decides either ("blindness"
by substitution, Garg et al. 2019, averaged over women's and men's names of four religions). A
message without one is scored once; one with one costs ``len(GIVEN)`` passes. Unknown names are
left to the model, and the list leaves out names that are also words ("Pooja", "Sundar").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np

from assistant.data.names import AUDIT_NAMES, NAMES, WORD_CHARS, Name, in_form_of
from assistant.errors import ArtifactError, DataError

NAMES_FILE: Final = Path(__file__).parent.parent / "data" / "person_names.tsv"
KINDS: Final = frozenset("fmus")  # a woman's, a man's, either's given name; a surname
# replacement k puts GIVEN[k] and SURNAMES[k] for a message's first name of each kind, the next
# one along for its second (so two names stay two): women and men alternate
GIVEN: Final = (
    Name("Priya", "प्रिया", "f"),
    Name("Rahul", "राहुल", "m"),
    Name("Ayesha", "आयशा", "f"),
    Name("Gurpreet", "गुरप्रीत", "m"),
)
SURNAMES: Final = (
    Name("Verma", "वर्मा", ""),
    Name("Khan", "ख़ान", ""),
    Name("Singh", "सिंह", ""),
    Name("Fernandes", "फ़र्नांडिस", ""),
)
_WORD = re.compile(f"[{WORD_CHARS}]+")
_NUKTA = "\u093c"


def _key(word: str) -> str:
    # NFC turns a precomposed ज़ (U+095B) into ज + nukta, as the list writes it
    return unicodedata.normalize("NFC", word).lower()


@cache
def known_names(path: Path = NAMES_FILE) -> dict[str, bool]:
    """Every known spelling (``_key``) mapped to whether it is a surname; Devanagari also without
    the nukta, as it is often typed (फ़ातिमा, फातिमा)."""
    out: dict[str, bool] = {}
    seen: dict[str, int] = {}  # a spelling -> the line that lists it
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise ArtifactError(f"cannot read the names list: {err}", path=path, fix="reinstall the package") from err
    for number, line in enumerate(lines, 1):
        fields = line.split("\t")
        words = [w for f in fields[:2] for w in f.split(",")] if len(fields) == 3 else []
        if not words or fields[2] not in KINDS or not all(_WORD.fullmatch(w) for w in words):
            raise DataError(
                "expected 'Latin,...<TAB>देवनागरी,...<TAB>kind' (comma-separated single words; kind one of "
                f"f m u s), got {line!r}",
                path=path,
                line=number,
            )
        for word in map(_key, words):
            if seen.setdefault(word, number) != number:
                raise DataError(
                    f"{word!r} is on line {seen[word]} too; a spelling belongs to one name", path=path, line=number
                )
            out[word] = fields[2] == "s"
    for name in NAMES + AUDIT_NAMES:
        for word in (name.latin, name.deva):
            out.setdefault(_key(word), False)
    for word, surname in list(out.items()):
        out.setdefault(word.replace(_NUKTA, ""), surname)
    return out


def words_known(text: str) -> list[str]:
    """The known names in ``text``, lower-cased, in order."""
    known = known_names()
    return [w for w in (_key(m.group()) for m in _WORD.finditer(text)) if w in known]


def variants(text: str) -> list[str]:
    """``text`` once per replacement, every known name in it replaced; ``[text]`` if it has none."""
    known = known_names()
    found: dict[str, int] = {}  # a name's spelling -> its rank among the message's names of its kind
    ranks = [0, 0]  # given names, surnames
    for key in words_known(text):
        if key not in found:
            found[key] = ranks[known[key]]
            ranks[known[key]] += 1
    if not found:
        return [text]

    def replaced(k: int) -> str:
        def repl(m: re.Match[str]) -> str:
            key = _key(m.group())
            if key not in found:
                return m.group()
            pool = SURNAMES if known[key] else GIVEN
            return in_form_of(m.group(), pool[(k + found[key]) % len(pool)])

        return _WORD.sub(repl, text)

    return [replaced(k) for k in range(len(GIVEN))]


@dataclass(frozen=True)
class Expanded:
    """Texts with each one's variants in its place, and how to fold their scores back."""

    texts: list[str]
    owner: np.ndarray  # for each of ``texts``, the index of the message it came from
    count: int  # how many messages

    def average(self, scores: np.ndarray) -> np.ndarray:
        """Per message, the mean of its variants' scores."""
        out = np.zeros((self.count, scores.shape[1]), dtype=np.float64)
        np.add.at(out, self.owner, scores)
        return (out / np.bincount(self.owner, minlength=self.count)[:, None]).astype(scores.dtype)


def expand(texts: Sequence[str], on: bool = True) -> Expanded:
    """Every message's ``variants`` (with ``on``), or the messages as they are."""
    groups = [variants(t) if on else [t] for t in texts]
    owner = np.repeat(np.arange(len(texts)), [len(g) for g in groups])
    return Expanded([v for g in groups for v in g], owner, len(texts))
