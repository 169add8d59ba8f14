"""Line-by-line JSONL input for the command line: each bad line is named, never fatal."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import IO, Any


def read_objects(
    stream: IO[str], check: Callable[[dict[str, Any]], str | None]
) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """Yield ``(line_number, object, None)`` or ``(line_number, None, error)`` per input line;
    ``check`` returns what is wrong with a parsed object, or None."""
    for n, line in enumerate(stream, 1):
        if not line.strip():
            yield n, None, "empty line, expected a JSON object"
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield n, None, f"not JSON ({e.msg} at column {e.colno})"
            continue
        if not isinstance(obj, dict):
            yield n, None, f"expected a JSON object, got {type(obj).__name__}"
            continue
        error = check(obj)
        yield (n, None, error) if error else (n, obj, None)
