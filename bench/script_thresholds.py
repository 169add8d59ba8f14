"""Thresholds per script or per guessed language against one per label (docs/rules/script_thresholds.md).

    .venv/bin/python bench/script_thresholds.py [--model DIR] [--threads 2]

Scores dev and the sets models are chosen on once with the PyTorch reference (n-gram blend
included), tunes thresholds on dev by the shipped rule (best F1, floor, false-flag cap per
language) for each group of rows, and prints each candidate's figures on the rule's bars. A
message's group comes from ``guess_lang`` on its text, as it would when served. The goals' sets
are printed only with ``--goals``, for the record after a decision: they choose nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from assistant.config import REPO_ROOT, Settings
from assistant.data.lang import guess_lang
from assistant.data.rows import label_matrix, read_parallel, read_rows
from assistant.evaluation.evaluate import agreeing
from assistant.evaluation.metrics import Scores, score_by_lang
from assistant.labels import LABELS, LANGS
from assistant.model.loading import predictor_from_settings
from assistant.training.config import TrainConfig
from assistant.training.train import tuned_thresholds

DATA = REPO_ROOT / "training_data"
EVAL = DATA / "eval"
Grouping = Callable[[str], str]
GROUPINGS: dict[str, Grouping | None] = {
    "one per label (shipped)": None,
    "(a) per script": lambda text: "deva" if guess_lang(text) == "hi" else "rest",
    "(b) per guessed language": lambda text: g if (g := guess_lang(text)) in LANGS else "*",
}


class Candidate:
    def __init__(self, grouping: Grouping | None, shipped: np.ndarray) -> None:
        self.grouping, self.shipped = grouping, shipped
        self.by_group: dict[str, np.ndarray] = {}

    def fit(self, y: np.ndarray, s: np.ndarray, texts: Sequence[str], langs: Sequence[str], cfg: TrainConfig) -> None:
        if self.grouping is None:
            return
        groups = np.array([self.grouping(t) for t in texts])
        for g in sorted(set(groups.tolist()) - {"*"}):
            m = groups == g
            self.by_group[g] = tuned_thresholds(y[m], s[m], list(np.asarray(langs)[m]), cfg)

    def decide(self, s: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        if self.grouping is None:
            return s >= self.shipped
        t = np.stack([self.by_group.get(self.grouping(x), self.shipped) for x in texts]) if texts else self.shipped
        return s >= t


def consistency(cand: Candidate, s: np.ndarray, texts: list[str]) -> int:
    return int(agreeing(cand.decide(s, texts).reshape(-1, len(LANGS), len(LABELS))).sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--goals", action="store_true", help="also the goals' sets (after the decision only)")
    args = ap.parse_args()
    settings = Settings(backend="torch", threads=args.threads, **({"model_dir": args.model} if args.model else {}))
    clf = predictor_from_settings(settings)
    cfg = TrainConfig.from_json(clf.config.train_config)
    shipped = np.array([clf.config.thresholds[lb] for lb in LABELS])

    def rows_of(path: Path) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
        rows = read_rows(path)
        texts = [r.text for r in rows]
        return label_matrix(rows), clf.scores(texts), texts, [r.lang for r in rows]

    def parallel_of(path: Path) -> tuple[np.ndarray, list[str]]:
        texts = [item[lg] for item in read_parallel(path) for lg in LANGS]
        return clf.scores(texts), texts

    dev = rows_of(DATA / "dev.jsonl")
    sets = {name: rows_of(EVAL / f"{name}.jsonl") for name in ("selection", "presence", "partners", "transactions")}
    sets["fairness_selection"] = rows_of(EVAL / "fairness_selection.jsonl")
    sets["test"] = rows_of(DATA / "test.jsonl")
    par = {"crosslingual_selection": parallel_of(EVAL / "crosslingual_selection.jsonl")}
    if args.goals:
        for name in ("fairness", "fairness_2"):
            sets[name] = rows_of(EVAL / f"{name}.jsonl")
        for name in ("crosslingual", "crosslingual_2"):
            par[name] = parallel_of(EVAL / f"{name}.jsonl")

    print(f"model {settings.model_dir} (PyTorch reference); thresholds tuned on dev ({len(dev[0])} rows)")
    head = [
        "candidate",
        "parallel sel.",
        "selection en / hi / hi-Latn (pooled)",
        "fairness sel.",
        "presence / partners / transactions false flags",
        "test en / hi / hi-Latn",
        "test false flags",
    ]
    if args.goals:
        head += ["consistency (goal set)", "fairness flags (goal set)"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, grouping in GROUPINGS.items():
        cand = Candidate(grouping, shipped)
        cand.fit(*dev, cfg)

        def by_lang(key: str, c: Candidate = cand) -> dict[str, Scores]:
            y, s, texts, langs = sets[key]
            return score_by_lang(y, c.decide(s, texts), langs)

        def false_flags(key: str, c: Candidate = cand) -> int:
            y, s, texts, _ = sets[key]
            return int(c.decide(s, texts)[~y.any(axis=1)].any(axis=1).sum())

        sel, test = by_lang("selection"), by_lang("test")
        cells = [
            name,
            f"{consistency(cand, *par['crosslingual_selection'])}/{len(par['crosslingual_selection'][1]) // 3}",
            " / ".join(f"{sel[lg].macro_f1:.3f}" for lg in LANGS) + f" ({sel['all'].macro_f1:.3f})",
            str(false_flags("fairness_selection")),
            " / ".join(str(false_flags(k)) for k in ("presence", "partners", "transactions")),
            " / ".join(f"{test[lg].macro_f1:.3f}" for lg in LANGS),
            " / ".join(f"{test[lg].false_flag_rate:.1%}" for lg in LANGS),
        ]
        if args.goals:
            hits = sum(consistency(cand, *par[k]) for k in ("crosslingual", "crosslingual_2"))
            n = sum(len(par[k][1]) // 3 for k in ("crosslingual", "crosslingual_2"))
            cells += [f"{hits}/{n} ({hits / n:.1%})", str(false_flags("fairness") + false_flags("fairness_2"))]
        print("| " + " | ".join(cells) + " |")
        for g, t in sorted(cand.by_group.items()):
            print(f"    {g}: " + ", ".join(f"{lb} {v:.3f}" for lb, v in zip(LABELS, t, strict=True)))


if __name__ == "__main__":
    main()
