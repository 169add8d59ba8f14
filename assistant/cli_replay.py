"""``assistant replay``: JSONL conversations on stdin -> per-turn labels, signals and nudges on stdout.

Outside tools depend on the format (see the README). Replay uses no wall clock: turn ``i`` happens
``i`` seconds after a fixed start, so the cooldown is by turn time and a run is reproducible.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.engine.engine import ConversationEngine, apply_thresholds
from assistant.engine.state import ROLES, Turn
from assistant.jsonl import read_objects

if TYPE_CHECKING:
    from assistant.model.predictor import Prediction

REPLAY_START = datetime(2000, 1, 1, tzinfo=UTC)
TURN_GAP = timedelta(seconds=1)

Predict = Callable[[list[str]], "list[Prediction]"]


def conversation_error(obj: Any) -> str | None:
    """Why a parsed line is not a conversation ``{"id", "turns": [{"role", "text"}]}``, or None."""
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {type(obj).__name__}"
    if "id" not in obj:
        return 'no "id" key'
    if isinstance(obj["id"], bool) or not isinstance(obj["id"], str | int):
        return f'"id" must be a string or an integer, got {type(obj["id"]).__name__}'
    if "turns" not in obj:
        return 'no "turns" key'
    turns = obj["turns"]
    if not isinstance(turns, list):
        return f'"turns" must be a list, got {type(turns).__name__}'
    for i, turn in enumerate(turns):
        if not isinstance(turn, dict):
            return f"turn {i}: expected a JSON object, got {type(turn).__name__}"
        if turn.get("role") not in ROLES:
            return f'turn {i}: "role" must be "customer" or "agent", got {json.dumps(turn.get("role"))}'
        if "text" not in turn:
            return f'turn {i}: no "text" key'
        if not isinstance(turn["text"], str):
            return f'turn {i}: "text" must be a string, got {type(turn["text"]).__name__}'
    return None


def read_conversations(stream: IO[str]) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """Yield ``(line_number, conversation, None)`` or ``(line_number, None, error)`` per input line."""
    return read_objects(stream, conversation_error)


def replay_conversation(conversation: dict[str, Any], predict: Predict, settings: Settings) -> dict[str, Any]:
    """Run one conversation through a fresh engine; all its customer turns are classified in one call."""
    turns = conversation["turns"]
    customer_texts = [t["text"] for t in turns if t["role"] == "customer"]
    predicted = predict(customer_texts) if customer_texts else []
    if len(predicted) != len(customer_texts):
        raise ValueError(f"the classifier returned {len(predicted)} predictions for {len(customer_texts)} messages")
    predictions = iter(predicted)
    engine = ConversationEngine(settings)
    out = []
    for index, raw in enumerate(turns):
        turn = Turn(role=raw["role"], text=raw["text"], at=REPLAY_START + index * TURN_GAP, message_id=str(index))
        if turn.role == "customer":
            pred = next(predictions)
            turn.scores = dict(pred.scores)
            turn.labels = apply_thresholds(pred.scores, pred.labels, settings.thresholds)
        result = engine.add(turn)
        out.append(
            {
                "index": index,
                "labels": result.labels,
                "signals": result.signals,
                "nudges": [n.guideline for n in result.nudges],
            }
        )
    return {"id": conversation["id"], "turns": out}


def replay(
    stream: IO[str],
    predict: Predict,
    settings: Settings,
    out: IO[str],
    err: IO[str],
) -> int:
    """One output line per good conversation, in input order; bad lines reported as ``line N: ...``
    on ``err`` and skipped. Returns 1 if any line was bad, else 0."""
    bad = 0
    for n, conversation, error in read_conversations(stream):
        if error is not None or conversation is None:
            bad += 1
            err.write(f"line {n}: {error}; skipped\n")
            err.flush()
            continue
        out.write(json.dumps(replay_conversation(conversation, predict, settings), ensure_ascii=False) + "\n")
        out.flush()
    return 1 if bad else 0
