"""``assistant data check``: is a new file of handwritten rows far enough from everything before it?

A new row must not be a near-copy of an existing row of its language (any split: a copy in train
of a dev/test row leaks, a copy of a train row adds nothing) nor of a held-out ``eval/`` row, and
two new rows must not share a sentence frame. Similarity is ``assistant data build``'s character
n-gram TF-IDF cosine.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.data.build import FRAME_SIMILARITY, _key, _vectorize
from assistant.data.rows import read_numbered_rows, read_parallel, read_rows
from assistant.errors import DataError
from assistant.labels import LANGS

AGAINST_EXISTING = 0.5  # stricter than the split's frame line, so a new row is new
SELECTION_FILE = "selection.jsonl"  # what models are chosen on (see training.train.HELD_OUT)
FAIRNESS_SELECTION_FILE = "fairness_selection.jsonl"  # identity mentions, for choosing only
# every held-out file of {"text", "labels", "lang"} rows (the fairness goal pools the first two)
EVAL_FILES = (
    "fairness.jsonl",
    "fairness_2.jsonl",
    "probe.jsonl",
    SELECTION_FILE,
    "presence.jsonl",
    "partners.jsonl",
    "transactions.jsonl",
    "names.jsonl",
    FAIRNESS_SELECTION_FILE,
)
# {"en", "hi", "hi-Latn"} per line: the consistency goal's set (two files) and a third to choose on
PARALLEL_EVALS = ("crosslingual.jsonl", "crosslingual_2.jsonl", "crosslingual_selection.jsonl")


@dataclass(frozen=True)
class Finding:
    line: int  # 1-based, in the new file
    text: str
    similarity: float
    nearest: str  # "" for a held-out row (dev, test, eval/): writers must not read those
    where: str  # "raw/<file>", "eval/<file>" or "line <n>" of the new file

    def describe(self, path: Path) -> str:
        shown = repr(self.nearest) if self.nearest else "(held-out row, not shown: write yours differently)"
        return f"{path}:{self.line}: {self.similarity:.2f} to {self.where} {shown}: {self.text!r}"


def _existing(new: Path, raw_dir: Path, eval_dir: Path) -> Iterator[tuple[str, str, str]]:
    """(lang, text, where) of every row written before ``new``."""
    for p in sorted(raw_dir.glob("*.jsonl")):
        if p.resolve() != new.resolve():
            yield from ((r.lang, r.text, f"raw/{p.name}") for r in read_rows(p))
    yield from eval_rows(eval_dir)


def eval_rows(eval_dir: Path) -> Iterator[tuple[str, str, str]]:
    """(lang, text, "eval/<file>") of every held-out ``eval/`` row, each language of a parallel one."""
    for name in EVAL_FILES:
        if (eval_dir / name).exists():
            yield from ((r.lang, r.text, f"eval/{name}") for r in read_rows(eval_dir / name))
    for name in PARALLEL_EVALS:
        if (eval_dir / name).exists():
            for item in read_parallel(eval_dir / name):
                yield from ((lang, item[lang], f"eval/{name}") for lang in LANGS)


def split_rows(data_dir: Path) -> Iterator[tuple[str, str, str]]:
    """(lang, text, "<split>.jsonl") of every row of the built dev and test splits."""
    for name in ("dev.jsonl", "test.jsonl"):
        if (data_dir / name).is_file():
            yield from ((r.lang, r.text, name) for r in read_rows(data_dir / name))


def check_new(
    path: Path,
    raw_dir: Path,
    eval_dir: Path,
    *,
    against: float = AGAINST_EXISTING,
    within: float = FRAME_SIMILARITY,
    ignore: Collection[str] = frozenset(),
) -> list[Finding]:
    """Rows of ``path`` at or above ``against`` to an earlier row, or ``within`` to another new row.
    Earlier rows whose text is in ``ignore`` still shape the IDF but are not compared against."""
    if not path.is_file():
        raise DataError("no such file; give the new JSONL file of rows to check", path=path)
    new = read_numbered_rows(path)
    old = list(_existing(path, raw_dir, eval_dir))
    hidden = {text for _, text, _ in split_rows(raw_dir.parent)}  # a writer may learn of these, never read them
    findings = []
    for lang in sorted({r.lang for _, r in new}):
        mine = [(n, r.text) for n, r in new if r.lang == lang]
        theirs = [(t, w) for lg, t, w in old if lg == lang]
        vec, _ = _vectorize([t for _, t in mine] + [t for t, _ in theirs])  # one IDF, as in build
        xn = vec.transform([_key(t) for _, t in mine])
        if theirs:
            sim = (xn @ vec.transform([_key(t) for t, _ in theirs]).T).toarray()
            sim[:, [k for k, (t, _) in enumerate(theirs) if t in ignore]] = -1.0
            for i, j in enumerate(sim.argmax(axis=1)):
                if sim[i, j] >= against:
                    text, where = theirs[j]
                    shown = "" if where.startswith("eval/") or text in hidden else text
                    findings.append(Finding(mine[i][0], mine[i][1], float(sim[i, j]), shown, where))
        own = (xn @ xn.T).toarray()
        np.fill_diagonal(own, 0)
        for i, k in zip(*np.nonzero(np.triu(own) >= within), strict=True):
            findings.append(Finding(mine[k][0], mine[k][1], float(own[i, k]), mine[i][1], f"line {mine[i][0]}"))
    return sorted(findings, key=lambda f: f.line)
