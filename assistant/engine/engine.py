"""``ConversationEngine``: one conversation's turns in, labels, signals and nudges out (pure, no I/O).

The classifier runs outside (its labels and scores arrive on the turn), so the service and
``assistant replay`` share this one engine and tests drive it with hand-made scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from assistant.engine.drafts import AllowList, find_personal_contacts
from assistant.engine.signals import advances, is_decline, persistent_advances, rising_anger
from assistant.engine.state import ConversationState, Nudge, SignalHit, Turn, TurnResult
from assistant.guidelines import (
    ALERT_TRIGGERS,
    PERSONAL_CONTACT,
    SEVERITY_ORDER,
    SIGNALS,
    guideline_for,
    language_or_default,
    severity_for,
    text_for,
)
from assistant.labels import LABELS


class EngineSettings(Protocol):
    """What the engine reads from ``assistant.config.Settings`` (any object with these attributes will do)."""

    @property
    def cooldown_seconds(self) -> float: ...
    @property
    def rising_anger_window(self) -> int: ...
    @property
    def advances_repeat(self) -> int: ...
    @property
    def work_contacts(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class EngineConfig:
    """The engine's settings without pydantic: defaults equal ``Settings``' defaults."""

    cooldown_seconds: float = 300
    rising_anger_window: int = 4
    advances_repeat: int = 3
    work_contacts: Sequence[str] = field(default_factory=tuple)


def apply_thresholds(scores: Mapping[str, float], labels: Iterable[str], overrides: Mapping[str, float]) -> list[str]:
    """The message labels once ``settings.thresholds`` overrides the model's thresholds for some labels."""
    given = set(labels)
    return [
        lb
        for lb in LABELS
        if (scores.get(lb, 0.0) >= overrides[lb] if lb in overrides and lb in scores else lb in given)
    ]


class ConversationEngine:
    """One conversation: classifier output in, signals and cooldown-limited nudges out.

    Cooldown: a guideline is pushed at most once per ``cooldown_seconds`` of turn time, so a customer
    repeating themselves does not flood the agent. Draft checks are not limited: an agent about to send
    a personal number must hear it every time.
    """

    def __init__(self, settings: EngineSettings | None = None, language: str = "en") -> None:
        self.settings: EngineSettings = settings if settings is not None else EngineConfig()
        self.language = language_or_default(language)
        self.state = ConversationState()
        self._allow = AllowList.of(self.settings.work_contacts)

    @classmethod
    def from_turns(
        cls, turns: Iterable[Turn], settings: EngineSettings | None = None, language: str = "en"
    ) -> ConversationEngine:
        """Rebuild a conversation's state (signals, decline, cooldown clock) from its stored turns."""
        engine = cls(settings, language)
        for turn in turns:
            engine.add(turn)
        return engine

    @property
    def signals(self) -> list[str]:
        """Signals active after the latest customer turn."""
        return [s for s in SIGNALS if s in self.state.active]

    def add(self, turn: Turn) -> TurnResult:
        return self.customer_turn(turn) if turn.role == "customer" else self.agent_turn(turn)

    def customer_turn(self, turn: Turn) -> TurnResult:
        """Record a classified customer message; return its labels, active signals and the nudges pushed."""
        if turn.role != "customer":
            raise ValueError(f"customer_turn got a {turn.role!r} turn")
        labels = [lb for lb in LABELS if lb in turn.labels]
        turn = replace(turn, labels=labels)
        state = self.state
        state.turns.append(turn)
        previous = state.active
        hits = {
            "rising_anger": rising_anger(
                state.customer_turns, self.settings.rising_anger_window, previous.get("rising_anger")
            ),
            "persistent_advances": persistent_advances(
                state.turns, self.settings.advances_repeat, state.decline_message_id
            ),
        }
        state.active = {name: hit for name, hit in hits.items() if hit is not None}

        candidates = [self._signal_nudge(hit, turn) for name in SIGNALS if (hit := state.active.get(name))]
        candidates += [self._label_nudge(lb, turn) for lb in labels]
        nudges = [n for n in candidates if self._take_cooldown(n.guideline, turn.at)]
        nudges.sort(key=lambda n: SEVERITY_ORDER.index(n.severity))
        alerts = [n for n in nudges if n.trigger in ALERT_TRIGGERS]
        return TurnResult(labels=labels, signals=self.signals, nudges=nudges, alerts=alerts)

    def agent_turn(self, turn: Turn) -> TurnResult:
        """Record an agent reply; a reply that declines after an advance arms ``persistent_advances``."""
        if turn.role != "agent":
            raise ValueError(f"agent_turn got a {turn.role!r} turn")
        turn = replace(turn, labels=[], scores={})
        state = self.state
        state.turns.append(turn)
        if not state.declined and any(advances(t) for t in state.customer_turns) and is_decline(turn.text):
            state.decline_message_id = turn.message_id
        return TurnResult(labels=[], signals=self.signals)

    def check_draft(
        self, text: str, draft_scores: Mapping[str, float] | None = None, draft_labels: Iterable[str] = ()
    ) -> list[Nudge]:
        """Nudges for an agent's unsent draft: a personal phone/email/handle (not a work contact) ->
        keep_your_hours with the spans as evidence; a draft labelled insult or anger -> calm_down_before_replying.
        Not cooldown-limited and not recorded."""
        scores = dict(draft_scores or {})
        nudges: list[Nudge] = []
        contacts = find_personal_contacts(text, self._allow)
        if contacts:
            nudges.append(self._nudge(PERSONAL_CONTACT, [], {}, [c.text for c in contacts], draft=True))
        hostile = [lb for lb in LABELS if lb in ("insult", "anger") and lb in set(draft_labels)]
        if hostile:
            picked = {lb: scores[lb] for lb in hostile if lb in scores}
            nudges.append(self._nudge(hostile[0], hostile, picked, [], draft=True))
        return nudges

    # --- helpers -----------------------------------------------------------------------------------

    def _take_cooldown(self, guideline: str, at: datetime) -> bool:
        last = self.state.last_nudge_at.get(guideline)
        if last is not None and (at - last).total_seconds() < self.settings.cooldown_seconds:
            return False
        self.state.last_nudge_at[guideline] = at
        return True

    def _nudge(
        self, trigger: str, labels: list[str], scores: dict[str, float], evidence: list[str], *, draft: bool = False
    ) -> Nudge:
        guideline = guideline_for(trigger, draft=draft)
        text = text_for(guideline, self.language)
        return Nudge(
            guideline=guideline,
            trigger=trigger,
            labels=labels,
            scores=scores,
            severity=severity_for(trigger),
            evidence=evidence,
            title=text.title,
            advice=text.advice,
        )

    def _label_nudge(self, label: str, turn: Turn) -> Nudge:
        scores = {label: turn.scores[label]} if label in turn.scores else {}
        return self._nudge(label, [label], scores, [turn.message_id])

    def _signal_nudge(self, hit: SignalHit, turn: Turn) -> Nudge:
        scores = {lb: turn.scores[lb] for lb in hit.labels if lb in turn.scores}
        return self._nudge(hit.name, list(hit.labels), scores, list(hit.evidence))
