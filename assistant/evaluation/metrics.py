"""Per-label precision/recall/F1, macro-F1 and the false-flag rate, per language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.labels import LABELS


@dataclass
class LabelScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Scores:
    rows: int
    per_label: dict[str, LabelScore]
    macro_f1: float
    false_flag_rate: float  # share of label-free rows that got any label
    label_free_rows: int

    def to_json(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "macro_f1": round(self.macro_f1, 4),
            "false_flag_rate": round(self.false_flag_rate, 4),
            "label_free_rows": self.label_free_rows,
            "per_label": {
                lb: {"p": round(s.precision, 4), "r": round(s.recall, 4), "f1": round(s.f1, 4), "support": s.support}
                for lb, s in self.per_label.items()
            },
        }


def score(y_true: np.ndarray, y_pred: np.ndarray) -> Scores:
    """Macro-F1 averages the labels that have positives in ``y_true``."""
    per = {}
    for j, lb in enumerate(LABELS):
        t, p = y_true[:, j], y_pred[:, j]
        tp = int((t & p).sum())
        prec = tp / max(1, int(p.sum())) if p.any() else (1.0 if not t.any() else 0.0)
        rec = tp / int(t.sum()) if t.any() else 1.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[lb] = LabelScore(prec, rec, f1, int(t.sum()))
    present = [s.f1 for s in per.values() if s.support]
    free = ~y_true.any(axis=1)
    ffr = float(y_pred[free].any(axis=1).mean()) if free.any() else 0.0
    return Scores(len(y_true), per, float(np.mean(present)) if present else 0.0, ffr, int(free.sum()))


def score_by_lang(y_true: np.ndarray, y_pred: np.ndarray, langs: Sequence[str]) -> dict[str, Scores]:
    """Scores per language (main languages first), then ``all``."""
    arr = np.asarray(langs)
    order = [lg for lg in ("en", "hi", "hi-Latn") if lg in set(langs)] + sorted(set(langs) - {"en", "hi", "hi-Latn"})
    out = {lg: score(y_true[arr == lg], y_pred[arr == lg]) for lg in order}
    out["all"] = score(y_true, y_pred)
    return out


def tune_thresholds(y_true: np.ndarray, scores: np.ndarray, grid: Sequence[float] | None = None) -> np.ndarray:
    """Per-label threshold with the best F1 on ``y_true``; ties go to the higher threshold
    (fewer false nudges)."""
    steps = np.round(np.arange(0.10, 0.951, 0.025), 3) if grid is None else np.asarray(grid, dtype=float)
    best = np.full(scores.shape[1], 0.5)
    for j in range(scores.shape[1]):
        t = y_true[:, j]
        if not t.any():
            continue
        f1s = []
        for g in steps:
            p = scores[:, j] >= g
            tp = (t & p).sum()
            f1s.append(2 * tp / max(1, t.sum() + p.sum()))
        f1s_arr = np.array(f1s)
        best[j] = float(steps[np.flatnonzero(f1s_arr >= f1s_arr.max() - 1e-9)[-1]])
    return best


def cap_false_flags(
    y_true: np.ndarray,
    scores: np.ndarray,
    thresholds: np.ndarray,
    max_rate: float,
    groups: Sequence[str] | None = None,
    step: float = 0.025,
    ceiling: float = 0.95,
) -> np.ndarray:
    """Raise thresholds, the label with most false flags first, until in every group (language)
    at most ``max_rate`` of label-free rows get any label: agents must not be pestered."""
    t = thresholds.copy()
    free = ~y_true.any(axis=1)
    group_arr = np.asarray(groups if groups is not None else ["all"] * len(y_true))
    while True:
        worst, worst_rows = 0.0, free & False
        for g in set(group_arr.tolist()):
            rows = free & (group_arr == g)
            if rows.sum() >= 20:  # too few label-free rows say nothing about a rate
                rate = float((scores[rows] >= t).any(axis=1).mean())
                if rate > worst:
                    worst, worst_rows = rate, rows
        if worst <= max_rate:
            return t
        per_label = (scores[worst_rows] >= t).sum(axis=0) * (t < ceiling)
        if not per_label.any():
            return t
        j = int(per_label.argmax())
        t[j] = min(ceiling, round(t[j] + step, 4))


def wilson_interval(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% score interval of a proportion: how far a rate measured on n items can be trusted
    (Wilson 1927; unlike the normal approximation it stays inside [0, 1] near 0% and 100%)."""
    if n <= 0:
        raise ValueError(f"wilson_interval needs n >= 1 items, got n={n}")
    p, z2 = hits / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * ((p * (1 - p) / n + z2 / (4 * n * n)) ** 0.5) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)
