"""Hand-made conversations for engine tests: labelled turns with saturated scores, no model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assistant.engine.state import Turn
from assistant.labels import LABELS

START = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def scores_for(labels: tuple[str, ...] | list[str], high: float = 0.99, low: float = 0.02) -> dict[str, float]:
    """Scores as a fine-tuned sigmoid head gives them: labelled ones saturate near 1.0."""
    return {lb: (high if lb in labels else low) for lb in LABELS}


class Chat:
    """Turns ``gap`` seconds apart with ids c1, a1, c2, ... (customer and agent counted separately)."""

    def __init__(self, gap: float = 1.0) -> None:
        self.turns: list[Turn] = []
        self.gap = gap
        self.at = START
        self.counts = {"customer": 0, "agent": 0}

    def _next(self, after: float | None) -> datetime:
        if self.turns:
            self.at += timedelta(seconds=self.gap if after is None else after)
        return self.at

    def customer(
        self, text: str, *labels: str, scores: dict[str, float] | None = None, after: float | None = None
    ) -> Turn:
        self.counts["customer"] += 1
        turn = Turn(
            role="customer",
            text=text,
            at=self._next(after),
            message_id=f"c{self.counts['customer']}",
            labels=list(labels),
            scores=scores if scores is not None else scores_for(labels),
        )
        self.turns.append(turn)
        return turn

    def agent(self, text: str, after: float | None = None) -> Turn:
        self.counts["agent"] += 1
        turn = Turn(role="agent", text=text, at=self._next(after), message_id=f"a{self.counts['agent']}")
        self.turns.append(turn)
        return turn

    @property
    def customer_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.role == "customer"]
