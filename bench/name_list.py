"""Where the known-name list (``model/name_average.py``) meets the data.

    .venv/bin/python bench/name_list.py [--data FILE ...] [--words]

Per file: how many rows (or parallel texts) hold a known name, so are scored averaged over name
replacements when the artifact says so. With ``--words``: every known word found, with how many
labelled and label-free rows hold it and one labelled example, for reviewing the list for words
that are not names there (default file: the training split).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from assistant.config import REPO_ROOT
from assistant.data.rows import json_lines
from assistant.labels import LANGS
from assistant.model.name_average import known_names, words_known

DATA = REPO_ROOT / "training_data"


def texts_of(path: Path) -> list[tuple[str, bool]]:
    """(text, labelled) of every row, or every language's text of every parallel item."""
    out: list[tuple[str, bool]] = []
    for _, obj in json_lines(path):
        labelled = bool(obj.get("labels"))
        out += [(obj["text"], labelled)] if "text" in obj else [(obj[lg], labelled) for lg in LANGS if lg in obj]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, action="append", help="JSONL rows or parallel items (repeatable)")
    ap.add_argument("--words", action="store_true", help="list every known word found, for review")
    args = ap.parse_args()
    paths = args.data or [DATA / "train.jsonl"]
    print(f"{len(known_names())} known spellings")
    print("| file | texts | with a known name | of them labelled |")
    print("|---|---|---|---|")
    labelled: Counter[str] = Counter()
    free: Counter[str] = Counter()
    example: dict[str, str] = {}
    for path in paths:
        texts = texts_of(path)
        hits = [(t, lab, words_known(t)) for t, lab in texts]
        named = [h for h in hits if h[2]]
        print(f"| {path.name} | {len(texts)} | {len(named)} | {sum(lab for _, lab, _ in named)} |")
        for t, lab, words in named:
            for w in set(words):
                (labelled if lab else free)[w] += 1
                if lab:
                    example.setdefault(w, t)
    if args.words:
        print("\n| word | labelled | label-free | a labelled example |")
        print("|---|---|---|---|")
        for w in sorted(set(labelled) | set(free), key=lambda w: (-labelled[w], -free[w], w)):
            print(f"| {w} | {labelled[w]} | {free[w]} | {example.get(w, '')[:100]} |")


if __name__ == "__main__":
    main()
