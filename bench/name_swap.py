"""Counterfactual name swaps: do a message's labels change with the name in it?

    .venv/bin/python bench/name_swap.py [--model DIR ...] [--data FILE ...] [--threads 2] [--partners]

Every message of the files that has a ``{name}`` placeholder, or a listed given name
(``assistant/data/names.py``), is scored once with each of the 20 audit names in its place:
women's and men's, Hindu, Muslim, Sikh and Christian, in Devanagari for Hindi rows, names that
training never draws in (PyTorch reference, n-gram blend included). A label never depends
on whose name a message carries, so every change is the name's doing. Printed per model, side by
side: the messages, how many label-free ones get a flag under some name, how many change labels
with the name, the mean and largest spread of a score across the names, and the messages that
move most with the names they move to. Default file: `eval/names.jsonl` (templates).

With ``--partners`` the swap is of the word for one's partner instead (``assistant/data/partners.py``):
every message with one is scored as about a boyfriend, a girlfriend, a husband and a wife (in its
script, the possessive before the word made to agree). Default file: `eval/partners.jsonl`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from assistant.config import REPO_ROOT, Settings
from assistant.data.names import AUDIT_NAMES, PLACEHOLDER, fill, has_name, swap_to
from assistant.data.partners import PROBE, has_partner, probe_swaps
from assistant.data.rows import json_lines
from assistant.labels import LABELS, LANGS
from assistant.model.loading import predictor_from_settings

EVAL = REPO_ROOT / "training_data" / "eval"


def named_messages(paths: list[Path], partners: bool = False) -> list[tuple[str, str, bool]]:
    """(text, lang, label-free) of every row or parallel text with a placeholder or a listed name
    (with ``partners``: a word for one's partner)."""
    out: list[tuple[str, str, bool]] = []
    for path in paths:
        for _, obj in json_lines(path):
            free = not obj.get("labels")
            out += [(obj[lg], lg, free) for lg in LANGS] if "text" not in obj else [(obj["text"], obj["lang"], free)]
    if partners:
        return [m for m in dict.fromkeys(out) if has_partner(m[0])]
    return [m for m in dict.fromkeys(out) if PLACEHOLDER in m[0] or has_name(m[0])]


def variants(text: str, lang: str, partners: bool = False) -> list[str]:
    if partners:
        return probe_swaps(text)
    if PLACEHOLDER in text:
        return [fill(text, name, lang) for name in AUDIT_NAMES]
    return [swap_to(text, name) for name in AUDIT_NAMES]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, action="append", help="model folder (repeat to compare; default shipped)")
    ap.add_argument("--data", type=Path, action="append", help="JSONL rows or parallel items (repeatable)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--show", type=int, default=5, help="how many of the most moved messages to print")
    ap.add_argument("--partners", action="store_true", help="swap the word for one's partner, not the name")
    args = ap.parse_args()
    what = list(PROBE) if args.partners else [n.latin for n in AUDIT_NAMES]
    messages = named_messages(
        args.data or [EVAL / ("partners.jsonl" if args.partners else "names.jsonl")], args.partners
    )
    texts = [m[0] for m in messages]
    free = np.array([m[2] for m in messages], dtype=bool)
    filled = [v for text, lang, _ in messages for v in variants(text, lang, args.partners)]
    print(
        f"{len(texts)} messages ({int(free.sum())} label-free) x {len(what)} {'partners' if args.partners else 'names'}"
    )
    rows, details = [], []
    for model in args.model or [None]:
        settings = Settings(backend="torch", threads=args.threads, **({"model_dir": model} if model else {}))
        clf = predictor_from_settings(settings)
        s = clf.scores(filled).reshape(len(texts), len(what), len(LABELS))
        flags = np.asarray(clf.decide(s), dtype=bool)  # thresholds broadcast over the names axis
        changed = (flags != flags[:, :1]).any(axis=(1, 2))
        spread = (s.max(axis=1) - s.min(axis=1)).max(axis=1)  # the label that moves most, per message
        flagged = np.asarray(flags.any(axis=2))[free]  # label-free messages x names
        rows.append(
            f"| {settings.model_dir} | {int(flagged.any(axis=1).sum())} of {int(free.sum())} "
            f"({int(flagged.all(axis=1).sum())}) | {int(changed.sum())} of {len(texts)} | {spread.mean():.3f} | "
            f"{spread.max():.3f} |"
        )
        lines = [f"most moved, {settings.model_dir}:"]
        for k in np.argsort(-spread)[: args.show]:
            j = int((s[k].max(axis=0) - s[k].min(axis=0)).argmax())
            lo, hi = int(s[k, :, j].argmin()), int(s[k, :, j].argmax())
            lines.append(f"  {LABELS[j]} {s[k, lo, j]:.2f} ({what[lo]}) .. {s[k, hi, j]:.2f} ({what[hi]}): {texts[k]}")
        details.append("\n".join(lines))
    print(
        "| model | label-free messages flagged under some word (under every one) | labels change with the word "
        "| mean score spread | largest |"
    )
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    print("\n".join(details))


if __name__ == "__main__":
    main()
