"""One message through the assistant: classify, run the conversation engine, store, push.

Everything a post writes (message, nudges, alerts, conversation flags) is one transaction;
the pushes to sockets happen only after it commits, so a nudge on screen is always stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.db import crud
from assistant.db.models import Message, Nudge
from assistant.engine.engine import ConversationEngine, apply_thresholds
from assistant.engine.state import Turn
from assistant.model.predictor import Prediction
from assistant.service.broker import SUPERVISORS, agent_channel
from assistant.service.deps import Caller, Services
from assistant.service.schemas import DraftIn, DraftOut, MessageIn, MessageOut, NudgeOut


class ProcessingError(Exception):
    """Maps to an HTTP status at the edge: ``status`` and a message that says how to fix it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def nudge_fields(n: Any) -> dict[str, Any]:
    """What a stored nudge and an engine nudge share (both have these attributes)."""
    return {
        "guideline": n.guideline,
        "trigger": n.trigger,
        "title": n.title,
        "advice": n.advice,
        "labels": list(n.labels),
        "scores": dict(n.scores),
        "evidence": list(n.evidence),
        "severity": n.severity,
    }


def nudge_out(n: Nudge) -> NudgeOut:
    return NudgeOut(
        id=n.id,
        conversation_id=n.conversation_id,
        message_id=n.message_id,
        created_at=n.created_at,
        acked=n.acked_at is not None,
        feedback=n.feedback,
        **nudge_fields(n),
    )


def message_out(m: Message, nudges: list[Nudge], duplicate: bool = False) -> MessageOut:
    return MessageOut(
        message_id=m.id,
        client_message_id=m.client_message_id,
        conversation_id=m.conversation_id,
        index=m.index,
        role=m.role,
        labels=list(m.labels),
        scores=dict(m.scores),
        signals=list(m.signals),
        nudges=[nudge_out(n) for n in nudges],
        duplicate=duplicate,
    )


def turn_of(m: Message) -> Turn:
    return Turn(
        role=m.role,
        text=m.text,
        at=_aware(m.created_at),
        message_id=str(m.id),
        labels=list(m.labels),
        scores=dict(m.scores),
    )


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _check_thresholds(services: Services, pred: Prediction) -> Prediction:
    """Apply ``ASSISTANT_THRESHOLDS`` overrides on top of the model's own thresholds."""
    if not services.settings.thresholds:
        return pred
    return Prediction(pred.scores, apply_thresholds(pred.scores, pred.labels, services.settings.thresholds))


async def process_message(services: Services, msg: MessageIn, caller: Caller) -> MessageOut:
    settings = services.settings
    if len(msg.text) > settings.max_message_chars:
        raise ProcessingError(413, f"text has {len(msg.text)} characters; the limit is {settings.max_message_chars}")
    if caller.role == "agent" and msg.agent_id != caller.name:
        raise ProcessingError(403, f"an agent token may post only to its own conversations (agent_id {caller.name!r})")

    if msg.message_id:
        found = await services.db(lambda s: _stored(s, msg.message_id or ""))
        if found is not None:
            return found

    pred = (
        _check_thresholds(services, await services.batcher.predict(msg.text))
        if msg.role == "customer"
        else Prediction(scores={}, labels=[])
    )
    at = msg.timestamp or datetime.now(UTC)
    at = _aware(at)

    async with services.locks.hold(msg.conversation_id):  # one writer per conversation keeps indexes dense
        try:
            out, events = await services.db(lambda s: _store(s, services, msg, pred, at))
        except IntegrityError:
            found = await services.db(lambda s: _stored(s, msg.message_id or ""))  # a concurrent retry won
            if found is None:
                raise
            return found
        except LookupError as err:
            raise ProcessingError(404, str(err)) from err
        except PermissionError as err:
            raise ProcessingError(409, str(err)) from err
    for channel, event in events:
        services.broker.publish(channel, event)
    if services.notes is not None and out.nudges:
        await _post_notes(services, msg, out)
    return out


def _stored(session: Session, client_id: str) -> MessageOut | None:
    m = crud.message_by_client_id(session, client_id)
    if m is None:
        return None
    nudges = [
        n
        for n in crud.conversation_detail(session, m.conversation_id).nudges  # type: ignore[union-attr]
        if n.message_id == m.id
    ]
    return message_out(m, nudges, duplicate=True)


def _store(
    session: Session, services: Services, msg: MessageIn, pred: Prediction, at: datetime
) -> tuple[MessageOut, list[tuple[str, dict[str, Any]]]]:
    agent = crud.user_by_name(session, msg.agent_id)
    if agent is None or agent.role != "agent":
        raise LookupError(
            f"unknown agent {msg.agent_id!r}; create it with: assistant users add {msg.agent_id} --role agent"
        )
    conv = crud.get_or_create_conversation(session, msg.conversation_id, agent.id, msg.customer_id, at)
    if conv.agent_id != agent.id:
        raise PermissionError(f"conversation {msg.conversation_id!r} belongs to another agent")
    history = crud.conversation_messages(session, conv.id)
    engine = ConversationEngine.from_turns([turn_of(m) for m in history], services.settings, agent.language)
    message = crud.add_message(
        session,
        conv,
        role=msg.role,
        text=msg.text,
        at=at,
        labels=pred.labels,
        scores=pred.scores,
        signals=[],
        client_message_id=msg.message_id,
    )
    turn = Turn(role=msg.role, text=msg.text, at=at, message_id=str(message.id), labels=pred.labels, scores=pred.scores)
    result = engine.customer_turn(turn) if msg.role == "customer" else engine.agent_turn(turn)
    message.signals = list(result.signals)
    if result.signals:
        conv.flagged = True
    nudges = [
        crud.add_nudge(
            session, conversation_id=conv.id, message_id=message.id, agent_id=agent.id, created_at=at, **nudge_fields(n)
        )
        for n in result.nudges
    ]
    events: list[tuple[str, dict[str, Any]]] = []
    for a in result.alerts:
        alert = crud.add_alert(
            session,
            conversation_id=conv.id,
            message_id=message.id,
            kind=a.trigger,
            severity=a.severity,
            detail={
                "guideline": a.guideline,
                "labels": list(a.labels),
                "evidence": list(a.evidence),
                "agent": agent.name,
                "text": msg.text[:300],
            },
            created_at=at,
        )
        events.append(
            (
                SUPERVISORS,
                {
                    "type": "alert",
                    "id": alert.id,
                    "conversation_id": conv.id,
                    "message_id": message.id,
                    "kind": a.trigger,
                    "severity": a.severity,
                    "agent": agent.name,
                    "labels": list(a.labels),
                    "evidence": list(a.evidence),
                    "text": msg.text[:300],
                    "created_at": at.isoformat(),
                },
            )
        )
    session.flush()
    out = message_out(message, nudges)
    for n in out.nudges:
        events.append((agent_channel(agent.id), {"type": "nudge", **n.model_dump(mode="json")}))
    return out, events


async def _post_notes(services: Services, msg: MessageIn, out: MessageOut) -> None:
    from assistant.service.chatwoot import ChatwootNotes

    notes = services.notes
    if not isinstance(notes, ChatwootNotes) or not msg.conversation_id.startswith("chatwoot:"):
        return
    _, account, conversation = msg.conversation_id.split(":", 2)
    for n in out.nudges:
        await notes.post_note(int(account), int(conversation), f"🛡️ {n.title}: {n.advice}")


async def check_draft(services: Services, draft: DraftIn, caller: Caller) -> DraftOut:
    if len(draft.text) > services.settings.max_message_chars:
        raise ProcessingError(
            413, f"text has {len(draft.text)} characters; the limit is {services.settings.max_message_chars}"
        )
    pred = _check_thresholds(services, await services.batcher.predict(draft.text))
    engine = ConversationEngine.from_turns([], services.settings, caller.language)
    found = engine.check_draft(draft.text, pred.scores, pred.labels)
    now = datetime.now(UTC)
    nudges = [
        NudgeOut(id=0, conversation_id=draft.conversation_id or "", message_id=None, created_at=now, **nudge_fields(n))
        for n in found
    ]
    return DraftOut(labels=pred.labels, scores=pred.scores, nudges=nudges)
