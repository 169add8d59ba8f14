"""JSON views of stored conversations, shared by the agent and the supervisor routes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from assistant.db import crud
from assistant.db.models import Conversation
from assistant.service.processing import nudge_out


def user_names(session: Session) -> dict[int, str]:
    return {u.id: u.name for u in crud.list_users(session)}


def summary(c: Conversation, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": c.id,
        "agent": names.get(c.agent_id, "?"),
        "customer_id": c.customer_id,
        "flagged": c.flagged,
        "reviewed": c.reviewed,
        "created_at": c.created_at.isoformat(),
        "last_message_at": c.last_message_at.isoformat(),
    }


def transcript(session: Session, conversation_id: str) -> dict[str, Any] | None:
    c = crud.conversation_detail(session, conversation_id)
    if c is None:
        return None
    names = user_names(session)
    by_message: dict[int | None, list[Any]] = {}
    for n in c.nudges:
        by_message.setdefault(n.message_id, []).append(nudge_out(n).model_dump(mode="json"))
    reviews = [
        {
            "id": r.id,
            "action": r.action,
            "note": r.note,
            "message_id": r.message_id,
            "supervisor": names.get(r.supervisor_id, "?"),
            "created_at": r.created_at.isoformat(),
        }
        for r in sorted(c.reviews, key=lambda r: r.id)
    ]
    messages = [
        {
            "id": m.id,
            "index": m.index,
            "role": m.role,
            "text": m.text,
            "created_at": m.created_at.isoformat(),
            "labels": list(m.labels),
            "scores": dict(m.scores),
            "signals": list(m.signals),
            "nudges": by_message.get(m.id, []),
            "reviews": [r for r in reviews if r["message_id"] == m.id],
        }
        for m in sorted(c.messages, key=lambda m: m.index)
    ]
    return {**summary(c, names), "messages": messages, "reviews": reviews}
