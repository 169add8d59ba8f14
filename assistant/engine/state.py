"""The engine's data: turns in, nudges and results out, and what a conversation remembers (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from assistant.guidelines import Severity

Role = Literal["customer", "agent"]
ROLES: tuple[str, ...] = ("customer", "agent")


@dataclass
class Turn:
    """One message. ``labels``/``scores`` come from the classifier for customer turns; empty for agents."""

    role: Role
    text: str
    at: datetime
    message_id: str
    labels: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)


@dataclass
class Nudge:
    """A guideline pushed to the agent; ``evidence`` names the message ids (or, for drafts, the spans) behind it."""

    guideline: str
    trigger: str
    labels: list[str]
    scores: dict[str, float]
    severity: Severity
    evidence: list[str]
    title: str
    advice: str


@dataclass
class TurnResult:
    """What one turn produced: ``alerts`` are the nudges supervisors are told about too."""

    labels: list[str] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)
    nudges: list[Nudge] = field(default_factory=list)
    alerts: list[Nudge] = field(default_factory=list)


@dataclass
class SignalHit:
    """An active conversation signal and what drove it (message ids, labels involved)."""

    name: str
    evidence: list[str]
    labels: list[str] = field(default_factory=list)


@dataclass
class ConversationState:
    """Everything the engine needs to decide the next turn; rebuilt from stored turns on reload."""

    turns: list[Turn] = field(default_factory=list)
    last_nudge_at: dict[str, datetime] = field(default_factory=dict)
    """Per guideline, the turn time of its last pushed nudge (the cooldown clock)."""
    decline_message_id: str | None = None
    """The agent turn that first declined an advance, if any."""
    active: dict[str, SignalHit] = field(default_factory=dict)
    """Signals active after the latest customer turn."""

    @property
    def declined(self) -> bool:
        return self.decline_message_id is not None

    @property
    def customer_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.role == "customer"]
