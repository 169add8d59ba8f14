"""``assistant data neighbours``: a reviewer's look at a new file's nearest held-out rows by meaning.

``data check`` compares character n-grams within one language, so it misses a paraphrase of a dev
or test row in other words and a translation of one into another language. This compares the base
encoder's mean-pooled embeddings (multilingual E5: a translation lands next to its original)
against every held-out row (dev, test and ``eval/``), across languages. Its cosines run high (0.9
between unrelated support messages), so it ranks pairs for reading by eye; it decides nothing.
The output shows held-out text: it is for whoever reviews a round, never for its writers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.data.check import eval_rows, split_rows
from assistant.data.rows import read_numbered_rows
from assistant.errors import DataError
from assistant.model.tokenizer import E5Tokenizer


@dataclass(frozen=True)
class Neighbour:
    line: int  # 1-based, in the new file
    text: str
    lang: str
    similarity: float
    held_out: str
    held_out_lang: str
    where: str  # "dev.jsonl", "eval/probe.jsonl", ...

    def describe(self, path: Path) -> str:
        return (
            f"{path}:{self.line}: {self.similarity:.3f} [{self.lang}] {self.text!r}\n"
            f"    {self.where} [{self.held_out_lang}] {self.held_out!r}"
        )


def held_out_rows(data_dir: Path) -> list[tuple[str, str, str]]:
    """(lang, text, where) of every dev, test and ``eval/`` row."""
    return [*split_rows(data_dir), *eval_rows(data_dir / "eval")]


def embed(texts: Sequence[str], tokenizer: E5Tokenizer, encoder: Any, batch_size: int = 64) -> np.ndarray:
    """Unit-length mean-pooled embeddings of the base encoder."""
    import torch

    from assistant.model.classifier import mean_pool

    out = []
    encoder.eval()
    for start in range(0, len(texts), batch_size):
        with torch.no_grad():
            pooled = mean_pool(encoder, **tokenizer(list(texts[start : start + batch_size]), 128))
        out.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
    return np.concatenate(out) if out else np.zeros((0, 1), dtype=np.float32)


def nearest_held_out(
    path: Path,
    data_dir: Path,
    tokenizer: E5Tokenizer,
    encoder: Any,
    *,
    top: int = 30,
    other_language_only: bool = False,
) -> list[Neighbour]:
    """The ``top`` rows of ``path`` closest to a held-out row, closest first, each with that row."""
    if not path.is_file():
        raise DataError("no such file; give the new JSONL file of rows to review", path=path)
    new = read_numbered_rows(path)
    held = held_out_rows(data_dir)
    if not new or not held:
        return []
    sim = embed([r.text for _, r in new], tokenizer, encoder) @ embed([t for _, t, _ in held], tokenizer, encoder).T
    if other_language_only:
        same = np.array([r.lang for _, r in new])[:, None] == np.array([lg for lg, _, _ in held])[None, :]
        sim[same] = -1.0
    best = sim.argmax(axis=1)
    order = np.argsort(-sim[np.arange(len(new)), best], kind="stable")[:top]
    out = []
    for i in order:
        lang, text, where = held[best[i]]
        out.append(Neighbour(new[i][0], new[i][1].text, new[i][1].lang, float(sim[i, best[i]]), text, lang, where))
    return out
