"""How thresholds are chosen: the shipped rule against two alternatives, by cross-validation inside dev.

    .venv/bin/python bench/threshold_rules.py [--splits 20] [--threads 2]

Scores dev once with the shipped model (PyTorch reference, with its n-gram blend), then 20
times splits dev in two at random: thresholds are tuned on one half by each rule and scored
(macro-F1) on the other, and the other way round. Rules: the shipped one (best F1 per label,
at least ``min_threshold``, false flags capped per language); the same on each language's rows
separately; and the best of an F1 curve smoothed over +-1 grid step. Test is never read.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np

from assistant.config import REPO_ROOT, Settings
from assistant.data.rows import label_matrix, read_rows
from assistant.evaluation.metrics import cap_false_flags, score, tune_thresholds
from assistant.model.loading import predictor_from_settings
from assistant.training.config import TrainConfig

GRID = np.round(np.arange(0.10, 0.951, 0.025), 3)  # tune_thresholds' own grid
LANGS = ("en", "hi", "hi-Latn")

Rule = Callable[[np.ndarray, np.ndarray, np.ndarray], dict[str, np.ndarray]]


def f1_curve(y: np.ndarray, s: np.ndarray) -> np.ndarray:
    """F1 of each label at each grid threshold, shape (len(GRID), labels)."""
    pred = s[None, :, :] >= GRID[:, None, None]
    tp = (pred & y[None]).sum(axis=1)
    return 2 * tp / np.maximum(1, y.sum(axis=0)[None] + pred.sum(axis=1))


def best(curve: np.ndarray) -> np.ndarray:
    """Per label, the highest grid threshold at the best F1 (tune_thresholds' tie rule)."""
    top = curve >= curve.max(axis=0, keepdims=True) - 1e-9
    return GRID[len(GRID) - 1 - np.argmax(top[::-1], axis=0)]


def make_rules(cfg: TrainConfig) -> dict[str, Rule]:
    def finish(y: np.ndarray, s: np.ndarray, langs: np.ndarray, t: np.ndarray) -> np.ndarray:
        return cap_false_flags(y, s, np.maximum(t, cfg.min_threshold), cfg.max_false_flags, list(langs))

    def shipped(y: np.ndarray, s: np.ndarray, langs: np.ndarray) -> dict[str, np.ndarray]:
        return {"*": finish(y, s, langs, tune_thresholds(y, s, GRID))}

    def per_language(y: np.ndarray, s: np.ndarray, langs: np.ndarray) -> dict[str, np.ndarray]:
        out = {}
        for lg in LANGS:
            m = langs == lg
            out[lg] = finish(y[m], s[m], langs[m], tune_thresholds(y[m], s[m], GRID))
        return out

    def smoothed(y: np.ndarray, s: np.ndarray, langs: np.ndarray) -> dict[str, np.ndarray]:
        c = f1_curve(y, s)
        padded = np.concatenate([c[:1], c, c[-1:]])
        return {"*": finish(y, s, langs, best((padded[:-2] + padded[1:-1] + padded[2:]) / 3))}

    return {"shipped (best F1, floor, false-flag cap)": shipped, "per language": per_language, "smoothed F1": smoothed}


def apply(thresholds: dict[str, np.ndarray], s: np.ndarray, langs: np.ndarray) -> np.ndarray:
    out = s >= thresholds.get("*", thresholds.get("en"))
    for lg, t in thresholds.items():
        if lg != "*":
            out[langs == lg] = s[langs == lg] >= t
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--splits", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    settings = Settings(backend="torch", threads=args.threads)
    clf = predictor_from_settings(settings)
    cfg = TrainConfig.from_json(clf.config.train_config)
    dev = [r for r in read_rows(REPO_ROOT / "training_data" / "dev.jsonl") if r.lang in LANGS]
    y, langs = label_matrix(dev), np.array([r.lang for r in dev])
    s = clf.scores([r.text for r in dev])
    rules = make_rules(cfg)
    results: dict[str, list[float]] = {name: [] for name in rules}
    rng = np.random.default_rng(0)
    for _ in range(args.splits):
        order = rng.permutation(len(y))
        halves = (order[: len(y) // 2], order[len(y) // 2 :])
        for fit, held in (halves, halves[::-1]):
            for name, rule in rules.items():
                t = rule(y[fit], s[fit], langs[fit])
                results[name].append(score(y[held], apply(t, s[held], langs[held])).macro_f1)
    print(f"dev ({len(y)} rows of en/hi/hi-Latn), {args.splits} random halvings x 2 directions")
    print(f"model {settings.model_dir}")
    print("| rule | held-out half macro-F1 (mean) | std. error |")
    print("|---|---|---|")
    for name, v in results.items():
        print(f"| {name} | {np.mean(v):.4f} | {np.std(v) / np.sqrt(len(v)):.4f} |")


if __name__ == "__main__":
    main()
