"""Request, response and websocket frame models: every input is validated here."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@\-]+$")]


def check_text(text: str) -> str:
    """Refuse empty text and binary data (control characters other than tab and newlines)."""
    if not text.strip():
        raise ValueError("text is empty; send the message's words")
    bad = next((c for c in text if (ord(c) < 32 and c not in "\t\n\r") or c == "\x7f"), None)
    if bad is not None:
        raise ValueError(f"text contains the control character U+{ord(bad):04X}; send plain text, not binary data")
    return text


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: Id | None = Field(default=None, description="Client id: a retried post with it is not counted twice.")
    conversation_id: Id
    agent_id: Id = Field(description="The agent's user name.")
    customer_id: Id | None = None
    role: Literal["customer", "agent"]
    text: str
    timestamp: datetime | None = Field(default=None, description="When it was sent (default: now).")

    _text = field_validator("text")(check_text)


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: Id | None = None
    text: str

    _text = field_validator("text")(check_text)


class NudgeOut(BaseModel):
    id: int
    conversation_id: str
    message_id: int | None
    guideline: str
    trigger: str
    title: str
    advice: str
    labels: list[str]
    scores: dict[str, float]
    evidence: list[str]
    severity: str
    created_at: datetime
    acked: bool = False
    feedback: str | None = None


class MessageOut(BaseModel):
    message_id: int
    client_message_id: str | None
    conversation_id: str
    index: int
    role: str
    labels: list[str]
    scores: dict[str, float]
    signals: list[str]
    nudges: list[NudgeOut]
    duplicate: bool = False


class DraftOut(BaseModel):
    labels: list[str]
    scores: dict[str, float]
    nudges: list[NudgeOut]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Literal["helpful", "wrong"]


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["confirm", "dismiss", "note"]
    message_id: int | None = None
    note: str = Field(default="", max_length=2000)


# websocket frames from an agent
class AckFrame(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["ack"]
    nudge_id: int


class FeedbackFrame(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["feedback"]
    nudge_id: int
    value: Literal["helpful", "wrong"]


class PingFrame(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["ping"]


AgentFrame = Annotated[AckFrame | FeedbackFrame | PingFrame, Field(discriminator="type")]
