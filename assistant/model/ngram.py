"""Character n-gram TF-IDF + logistic regression: a second opinion blended into the encoder's scores.

Spelling is where the encoder is weakest and character n-grams are strongest: Hinglish has no
standard spelling ("nahi", "nhi", "nai"), and the two models' errors differ, so their blend
(in logit space, weight chosen on dev) beats either alone. Stored as safetensors arrays with the
vectorizer settings and vocabulary in its metadata: no pickle, no PyTorch.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.data.lang import guess_lang
from assistant.data.translit import romanize
from assistant.errors import ArtifactError

NGRAM_FILE = "ngram.safetensors"
VECTORIZER: dict[str, Any] = {
    "analyzer": "char_wb",
    "ngram_range": (2, 5),
    "lowercase": True,
    "sublinear_tf": True,
}


class NgramModel:
    """One logistic regression per label over shared character n-gram TF-IDF features."""

    def __init__(
        self,
        vocabulary: list[str],
        idf: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
        *,
        bridge: bool = False,
    ) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.bridge = bridge
        self.vocabulary = vocabulary
        self._index = {g: i for i, g in enumerate(vocabulary)}
        self._analyze = TfidfVectorizer(**VECTORIZER).build_analyzer()  # sklearn's exact n-grams
        self.idf = idf.astype(np.float32)
        self.coef = coef.astype(np.float32)
        self.intercept = intercept.astype(np.float32)

    @classmethod
    def fit(cls, texts: Sequence[str], y: np.ndarray, *, c: float = 10.0, bridge: bool = False) -> NgramModel:
        """Fit on ``texts`` with multi-hot ``y``; classes balanced so rare labels are not drowned out.
        ``bridge``: read each Devanagari text as itself plus its romanization (see ``bridged``)."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        vec = TfidfVectorizer(**VECTORIZER, min_df=2, max_features=300_000)
        x = vec.fit_transform([bridged(t) for t in texts] if bridge else list(texts))
        coef = np.zeros((y.shape[1], x.shape[1]))
        intercept = np.zeros(y.shape[1])
        for j in range(y.shape[1]):
            if y[:, j].all() or not y[:, j].any():  # one class only: a constant, confident answer
                intercept[j] = 10.0 if y[:, j].all() else -10.0
                continue
            fit = LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit(x, y[:, j])
            coef[j], intercept[j] = fit.coef_[0], fit.intercept_[0]
        vocabulary = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
        return cls(vocabulary, vec.idf_, coef, intercept, bridge=bridge)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """What ``TfidfVectorizer.transform`` + the regressions give (sublinear tf x idf, L2-normed),
        computed per message: sklearn's sparse path costs ~2 ms of overhead for a single message."""
        out = np.empty((len(texts), len(self.intercept)), dtype=np.float32)
        for i, text in enumerate(texts):
            if self.bridge:
                text = bridged(text)
            counts = Counter(self._index[g] for g in self._analyze(text) if g in self._index)
            if not counts:
                out[i] = self.intercept
                continue
            idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            w = (1 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[idx]
            out[i] = self.coef[:, idx] @ (w / np.sqrt(w @ w)) + self.intercept
        return out

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        return _sigmoid(self.logits(texts))

    def save(self, folder: Path) -> None:
        from safetensors.numpy import save_file

        tensors = {"idf": self.idf, "coef": self.coef, "intercept": self.intercept}
        meta = {
            "vectorizer": json.dumps(VECTORIZER),
            "vocabulary": json.dumps(self.vocabulary, ensure_ascii=False),
            "bridge": json.dumps(self.bridge),
        }
        save_file(tensors, str(folder / NGRAM_FILE), metadata=meta)

    @classmethod
    def load(cls, path: Path, n_labels: int) -> NgramModel:
        from safetensors import SafetensorError, safe_open

        fix = "retrain, or restore the model folder"
        try:
            with safe_open(str(path), "np") as f:
                meta = f.metadata() or {}
                arrays = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (safe_open is not a dict)
            vocabulary = json.loads(meta["vocabulary"])
            settings = json.loads(meta["vectorizer"])
            bridge = json.loads(meta.get("bridge", "false"))  # absent in files made before the option
        except (SafetensorError, OSError, KeyError, ValueError) as err:
            raise ArtifactError(f"{NGRAM_FILE} is unreadable: {err}", path=path, fix=fix) from err
        if json.loads(json.dumps(VECTORIZER)) != settings:
            raise ArtifactError(
                f"{NGRAM_FILE} was made with n-gram settings {settings}, this version uses {VECTORIZER}",
                path=path,
                fix=fix,
            )
        shapes = {k: v.shape for k, v in arrays.items()}
        expected = {"idf": (len(vocabulary),), "coef": (n_labels, len(vocabulary)), "intercept": (n_labels,)}
        if shapes != expected:
            raise ArtifactError(f"{NGRAM_FILE} holds arrays {shapes}, expected {expected}", path=path, fix=fix)
        if not isinstance(bridge, bool):
            raise ArtifactError(f"{NGRAM_FILE} says bridge={bridge!r}, expected true or false", path=path, fix=fix)
        return cls(vocabulary, arrays["idf"], arrays["coef"], arrays["intercept"], bridge=bridge)


def bridged(text: str) -> str:
    """A Devanagari message followed by its romanization (one fixed spelling), so that "बेवकूफ़"
    and "bewakoof" share n-grams; other text unchanged."""
    latin = romanize(text, random.Random(0))
    return text if latin is None else f"{text}\n{latin}"


def covered(texts: Sequence[str]) -> np.ndarray:
    """Which texts the n-gram model may vote on: Latin or Devanagari script. It has seen too few
    rows in other scripts (Arabic, Bengali, Tamil...) to do more than drag the encoder to its prior."""
    return np.array([guess_lang(t) != "other" for t in texts], dtype=bool)


def blend(scores: np.ndarray, ngram_logits: np.ndarray, weight: float, mask: np.ndarray) -> np.ndarray:
    """``sigmoid((1 - w) * logit(encoder) + w * ngram)`` on the rows of ``mask``: a weighted vote of
    the two models' log-odds; the encoder alone elsewhere."""
    p = np.clip(scores.astype(np.float64), 1e-6, 1 - 1e-6)
    mixed = _sigmoid((1 - weight) * np.log(p / (1 - p)) + weight * ngram_logits)
    return np.where(mask[:, None], mixed, scores).astype(np.float32)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-x)), dtype=np.float32)
