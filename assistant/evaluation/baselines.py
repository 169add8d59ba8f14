"""Two baselines trained on the same rows as the model, for side-by-side comparison."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from assistant.data.rows import Row, label_matrix
from assistant.evaluation.metrics import tune_thresholds
from assistant.labels import LABELS
from assistant.model.ngram import NgramModel

_TOKEN = re.compile(r"\w+", re.UNICODE)


class TfidfBaseline:
    """Character n-gram TF-IDF + one logistic regression per label (the model's n-gram part alone),
    thresholds tuned on dev."""

    name = "tfidf+logreg"

    def __init__(self) -> None:
        self.model: NgramModel | None = None
        self.thresholds = np.full(len(LABELS), 0.5)

    def fit(self, train: Sequence[Row], dev: Sequence[Row]) -> TfidfBaseline:
        self.model = NgramModel.fit([r.text for r in train], label_matrix(train))
        if dev:
            self.thresholds = tune_thresholds(label_matrix(dev), self.scores([r.text for r in dev]))
        return self

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        if self.model is None:
            raise RuntimeError("fit the baseline first")
        return self.model.scores(texts)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return self.scores(texts) >= self.thresholds


def _terms(text: str) -> set[str]:
    words = [w.lower() for w in _TOKEN.findall(text)]
    return set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}


class KeywordBaseline:
    """A keyword-list matcher: per label, the words and word pairs that mark it in the
    training rows (at least ``min_count`` hits, at least ``min_precision`` of them labelled)."""

    name = "keywords"

    def __init__(self, min_count: int = 4, min_precision: float = 0.8) -> None:
        self.min_count = min_count
        self.min_precision = min_precision
        self.keywords: dict[str, set[str]] = {}

    def fit(self, train: Sequence[Row], dev: Sequence[Row] = ()) -> KeywordBaseline:
        total: Counter[str] = Counter()
        per: dict[str, Counter[str]] = {lb: Counter() for lb in LABELS}
        for r in train:
            terms = _terms(r.text)
            total.update(terms)
            for lb in r.labels:
                per[lb].update(terms)
        self.keywords = {
            lb: {t for t, n in per[lb].items() if n >= self.min_count and n / total[t] >= self.min_precision}
            for lb in LABELS
        }
        return self

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(LABELS)), dtype=bool)
        for i, t in enumerate(texts):
            terms = _terms(t)
            for j, lb in enumerate(LABELS):
                out[i, j] = bool(terms & self.keywords[lb])
        return out
