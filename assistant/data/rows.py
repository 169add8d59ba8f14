"""Rows of ``training_data/*.jsonl``: ``{"text", "labels", "lang", "source"}``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import DataError
from assistant.labels import LABELS, LANGS


@dataclass(frozen=True)
class Row:
    text: str
    labels: tuple[str, ...]
    lang: str
    source: str

    def to_json(self) -> str:
        return json.dumps(
            {"text": self.text, "labels": list(self.labels), "lang": self.lang, "source": self.source},
            ensure_ascii=False,
        )


def parse_row(obj: object, *, path: Path | str | None = None, line: int | None = None) -> Row:
    if not isinstance(obj, dict):
        raise DataError(f"expected a JSON object, got {type(obj).__name__}", path=path, line=line)
    text, labels = obj.get("text"), obj.get("labels")
    if not isinstance(text, str) or not text.strip():
        raise DataError("'text' must be a non-empty string", path=path, line=line)
    if not isinstance(labels, list) or not all(isinstance(lb, str) for lb in labels):
        raise DataError("'labels' must be a list of label names", path=path, line=line)
    unknown = sorted(set(labels) - set(LABELS))
    if unknown:
        raise DataError(f"unknown labels {unknown}; allowed: {list(LABELS)}", path=path, line=line)
    lang = obj.get("lang")
    if not isinstance(lang, str) or not lang:
        raise DataError("'lang' must be a language code such as en, hi, hi-Latn", path=path, line=line)
    source = obj.get("source", "")
    return Row(text, tuple(lb for lb in LABELS if lb in labels), lang, str(source))


def json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """``(line_number, parsed)`` for each non-blank line; a line that is not JSON raises with its number."""
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as err:
                    raise DataError(f"not JSON ({err.msg})", path=path, line=n) from err


def read_numbered_rows(path: Path) -> list[tuple[int, Row]]:
    """Read and validate a whole file, keeping line numbers; the first bad line raises with its number."""
    return [(n, parse_row(obj, path=path, line=n)) for n, obj in json_lines(path)]


def read_rows(path: Path) -> list[Row]:
    return [row for _, row in read_numbered_rows(path)]


def read_parallel(path: Path) -> list[dict[str, Any]]:
    """``eval/crosslingual.jsonl``: one message per line as ``{"id", "labels", "en", "hi", "hi-Latn"}``."""
    items = []
    for n, obj in json_lines(path):
        if not isinstance(obj, dict) or not all(isinstance(obj.get(lg), str) for lg in LANGS):
            raise DataError(f"expected an object with a text under each of {list(LANGS)}", path=path, line=n)
        parse_row({"text": obj["en"], "labels": obj.get("labels"), "lang": "en"}, path=path, line=n)  # label check
        items.append(obj)
    return items


def write_rows(path: Path, rows: Iterable[Row]) -> None:
    path.write_text("".join(r.to_json() + "\n" for r in rows), encoding="utf-8")


def label_matrix(rows: Sequence[Row]) -> np.ndarray:
    return np.array([[lb in r.labels for lb in LABELS] for r in rows], dtype=bool).reshape(len(rows), len(LABELS))


def files_sha256(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()
