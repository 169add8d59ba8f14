"""Build ``train``/``dev``/``test`` from the handwritten files in ``training_data/raw``.

Near-duplicates (char n-gram TF-IDF cosine at or above ``FRAME_SIMILARITY``) are grouped
with union-find and every group goes to one split, so dev and test share no sentence
frame with training rows. Only ``train`` is augmented.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.data.augment import augment
from assistant.data.rows import Row, read_rows, write_rows
from assistant.errors import DataError
from assistant.labels import LABELS

FRAME_SIMILARITY = 0.6
SPLITS = ("train", "dev", "test")
# Parallel en/hi/hi-Latn versions of one message: all go to train, so no dev/test row has its
# own translation among the training rows.
PARALLEL = "handwritten:parallel"
# Sources that only ever go to train: the parallel triples, and rounds written after dev and test
# were fixed (so that the splits every model is selected and measured on stay the same).
TRAIN_ONLY_ROUNDS = (*range(6, 11), 14)  # rounds 11-13 were withdrawn (see the data card)
TRAIN_ONLY = (PARALLEL, *(f"handwritten:round{n}" for n in TRAIN_ONLY_ROUNDS))
STATS_START = "<!-- stats:start (written by: assistant data build) -->"
STATS_END = "<!-- stats:end -->"


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _vectorize(texts: Sequence[str]):  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True, sublinear_tf=True)
    return vec, vec.fit_transform([_key(t) for t in texts])


def group_near_duplicates(rows: Sequence[Row], threshold: float = FRAME_SIMILARITY) -> list[int]:
    """Group id per row: rows of one language joined when their cosine >= threshold."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_lang: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_lang.setdefault(r.lang, []).append(i)
    for idx in by_lang.values():
        if len(idx) < 2:
            continue
        _, x = _vectorize([rows[i].text for i in idx])
        sim = (x @ x.T).tocoo()
        for a, b, v in zip(sim.row, sim.col, sim.data, strict=True):
            if a < b and v >= threshold:
                ra, rb = find(idx[a]), find(idx[b])
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    return [find(i) for i in range(len(rows))]


def assign_split(text: str, seed: int) -> str:
    u = int(hashlib.sha256(f"{seed}:{_key(text)}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "train" if u < 0.70 else "dev" if u < 0.85 else "test"


def load_raw(raw_dir: Path) -> tuple[list[Row], list[str]]:
    """All raw rows, exact duplicates dropped (a label conflict between copies is an error)."""
    files = sorted(raw_dir.glob("*.jsonl"))
    if not files:
        raise DataError(f"no *.jsonl files in {raw_dir}")
    rows: list[Row] = []
    seen: dict[str, Row] = {}
    notes = []
    for path in files:
        for row in read_rows(path):
            k = _key(row.text)
            if k in seen:
                if seen[k].labels != row.labels:
                    notes.append(f"conflicting labels for {row.text!r}: kept {seen[k].labels}, dropped {row.labels}")
                continue
            seen[k] = row
            rows.append(row)
    return rows, notes


@dataclass
class CrossSplitReport:
    split: str
    rows: int
    max_similarity: float
    p99_similarity: float
    at_or_above_half: int


def nearest_similarity(rows: Sequence[Row], others: Sequence[Row]) -> np.ndarray:
    """Char n-gram cosine of every row of ``rows`` to its nearest row of ``others`` (same language)."""
    best = np.zeros(len(rows))
    for lang in {r.lang for r in rows}:
        idx = [i for i, r in enumerate(rows) if r.lang == lang]
        ot = [r.text for r in others if r.lang == lang]
        if not ot:
            continue
        vec, _ = _vectorize(ot + [rows[i].text for i in idx])  # one IDF, as in grouping
        xr = vec.transform([_key(rows[i].text) for i in idx])
        xo = vec.transform([_key(t) for t in ot])
        best[idx] = (xr @ xo.T).max(axis=1).toarray().ravel()
    return best


def cross_split_similarity(train: Sequence[Row], other: Sequence[Row], split: str) -> CrossSplitReport:
    """Nearest training row of every row of ``other`` (same language), by char n-gram cosine."""
    best = nearest_similarity(other, train)
    return CrossSplitReport(
        split,
        len(other),
        float(best.max(initial=0)),
        float(np.percentile(best, 99)) if len(best) else 0.0,
        int((best >= 0.5).sum()),
    )


def build(raw_dir: Path, out_dir: Path, *, seed: int = 13, augment_rate: float = 0.33) -> dict[str, object]:
    rows, notes = load_raw(raw_dir)
    groups = group_near_duplicates(rows)
    members: dict[int, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    split_of = {
        g: "train"
        if any(rows[i].source.startswith(TRAIN_ONLY) for i in m)
        else assign_split(min(rows[i].text for i in m), seed)
        for g, m in members.items()
    }
    splits: dict[str, list[Row]] = {s: [] for s in SPLITS}
    for i, row in enumerate(rows):
        splits[split_of[groups[i]]].append(row)
    augmented = augment(splits["train"], augment_rate, seed)
    # A romanized Hindi row can land on a Hinglish dev/test row written as its translation.
    keep = nearest_similarity(augmented, splits["dev"] + splits["test"]) < FRAME_SIMILARITY
    dropped = len(augmented) - int(keep.sum())
    augmented = [r for r, k in zip(augmented, keep, strict=True) if k]
    out_dir.mkdir(parents=True, exist_ok=True)
    write_rows(out_dir / "train.jsonl", splits["train"] + augmented)
    write_rows(out_dir / "dev.jsonl", splits["dev"])
    write_rows(out_dir / "test.jsonl", splits["test"])
    sizes = Counter(len(m) for m in members.values())
    train_all = splits["train"] + augmented
    reports = [cross_split_similarity(train_all, splits[s], s) for s in ("dev", "test")]
    return {
        "rows": len(rows),
        "groups": len(members),
        "largest_group": max(sizes),
        "augmented": len(augmented),
        "augmented_dropped": dropped,
        "splits": {s: splits[s] for s in SPLITS},
        "augmented_rows": augmented,
        "reports": reports,
        "notes": notes,
    }


def count_table(rows: Sequence[Row], title: str) -> str:
    langs = sorted({r.lang for r in rows}, key=lambda lg: (lg not in ("en", "hi", "hi-Latn"), lg))
    cols = [*LABELS, "none", "rows"]
    counts: Counter[tuple[str, str]] = Counter()
    for r in rows:
        for lb in r.labels or ("none",):
            counts[(r.lang, lb)] += 1
        counts[(r.lang, "rows")] += 1
    lines = [f"**{title}**", "", "| lang | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for lg in [*langs, "all"]:
        vals = [sum(counts[(x, c)] for x in langs) if lg == "all" else counts[(lg, c)] for c in cols]
        lines.append(f"| {lg} | " + " | ".join(str(v) for v in vals) + " |")
    return "\n".join(lines)


def stats_markdown(result: dict[str, object]) -> str:
    splits: dict[str, list[Row]] = result["splits"]  # type: ignore[assignment]
    reports: list[CrossSplitReport] = result["reports"]  # type: ignore[assignment]
    aug: list[Row] = result["augmented_rows"]  # type: ignore[assignment]
    none_share = sum(not r.labels for s in splits.values() for r in s) / max(1, result["rows"])  # type: ignore[call-overload]
    parts = [
        f"{result['rows']} handwritten rows after exact-duplicate removal, in {result['groups']} "
        f"near-duplicate groups (largest: {result['largest_group']} rows); label-free share "
        f"{none_share:.1%}; {result['augmented']} augmented training rows on top ({result['augmented_dropped']} more "
        f"dropped for coming within {FRAME_SIMILARITY} of a dev/test row).",
        "",
        count_table(splits["train"], "train (handwritten)"),
        "",
        count_table(aug, "train (augmented copies, source augmented:*)"),
        "",
        count_table(splits["dev"], "dev"),
        "",
        count_table(splits["test"], "test"),
        "",
        "Nearest training row, augmented copies included, of each dev/test row (char 3-5-gram "
        "TF-IDF cosine, same language):",
        "",
        "| split | rows | max | 99th pct | rows >= 0.5 |",
        "|---|---|---|---|---|",
        *[
            f"| {r.split} | {r.rows} | {r.max_similarity:.3f} | {r.p99_similarity:.3f} | {r.at_or_above_half} |"
            for r in reports
        ],
    ]
    return "\n".join(parts)


def write_stats(readme: Path, markdown: str) -> None:
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    block = f"{STATS_START}\n{markdown}\n{STATS_END}"
    if STATS_START in text and STATS_END in text:
        head, rest = text.split(STATS_START, 1)
        text = head + block + rest.split(STATS_END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")
