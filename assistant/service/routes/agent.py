"""The agent's own conversations and nudges (agents never see other agents' data)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from assistant.db import crud
from assistant.service.deps import Caller, Services, get_services, require
from assistant.service.processing import nudge_out
from assistant.service.routes.views import summary, transcript, user_names
from assistant.service.schemas import FeedbackIn, NudgeOut

router = APIRouter(prefix="/api", tags=["agent"])
agent_only = require("agent")


@router.get("/me")
async def me(caller: Caller = Depends(require("agent", "supervisor", "integration"))) -> dict[str, Any]:
    return {"id": caller.id, "name": caller.name, "role": caller.role, "language": caller.language}


@router.get("/conversations")
async def my_conversations(
    services: Services = Depends(get_services), caller: Caller = Depends(agent_only), limit: int = 50
) -> list[dict[str, Any]]:
    def run(s: Session) -> list[dict[str, Any]]:
        names = user_names(s)
        return [summary(c, names) for c in crud.list_conversations(s, agent_id=caller.id, limit=min(limit, 500))]

    return await services.db(run)


@router.get("/conversations/{conversation_id}")
async def my_conversation(
    conversation_id: str, services: Services = Depends(get_services), caller: Caller = Depends(agent_only)
) -> dict[str, Any]:
    def run(s: Session) -> dict[str, Any] | None:
        c = crud.conversation_detail(s, conversation_id)
        return transcript(s, conversation_id) if c is not None and c.agent_id == caller.id else None

    found = await services.db(run)
    if found is None:
        raise HTTPException(404, f"no conversation {conversation_id!r} of yours")
    return found


@router.get("/nudges/pending", response_model=list[NudgeOut])
async def pending(services: Services = Depends(get_services), caller: Caller = Depends(agent_only)) -> list[NudgeOut]:
    return await services.db(lambda s: [nudge_out(n) for n in crud.pending_nudges(s, caller.id)])


@router.post("/nudges/{nudge_id}/feedback", response_model=NudgeOut)
async def feedback(
    nudge_id: int, body: FeedbackIn, services: Services = Depends(get_services), caller: Caller = Depends(agent_only)
) -> NudgeOut:
    from datetime import UTC, datetime

    def run(s: Session) -> NudgeOut | None:
        n = crud.set_feedback(s, nudge_id, caller.id, body.value, datetime.now(UTC))
        return nudge_out(n) if n else None

    out = await services.db(run)
    if out is None:
        raise HTTPException(404, f"no nudge {nudge_id} of yours")
    return out


@router.post("/nudges/{nudge_id}/ack", response_model=NudgeOut)
async def ack(
    nudge_id: int, services: Services = Depends(get_services), caller: Caller = Depends(agent_only)
) -> NudgeOut:
    from datetime import UTC, datetime

    def run(s: Session) -> NudgeOut | None:
        n = crud.ack_nudge(s, nudge_id, caller.id, datetime.now(UTC))
        return nudge_out(n) if n else None

    out = await services.db(run)
    if out is None:
        raise HTTPException(404, f"no nudge {nudge_id} of yours")
    return out
