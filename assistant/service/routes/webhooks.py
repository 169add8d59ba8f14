"""Chatwoot's ``message_created`` webhook: the assistant plugs into a real chat console.

Chatwoot cannot add headers to webhooks, so the shared secret travels as ``?secret=`` in
the URL configured in Chatwoot (compared in constant time).
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy.orm import Session

from assistant.db import crud
from assistant.service.chatwoot import Ignored, parse_event
from assistant.service.deps import Caller, Services, get_services
from assistant.service.processing import ProcessingError, process_message
from assistant.service.schemas import MessageIn

router = APIRouter(prefix="/api/webhooks", tags=["integrations"])
MAX_BODY = 256 * 1024


@router.post("/chatwoot")
async def chatwoot(request: Request, secret: str = "", services: Services = Depends(get_services)) -> dict[str, Any]:
    expected = services.settings.webhook_secret
    if not expected:
        raise HTTPException(503, "the Chatwoot webhook is off: set ASSISTANT_WEBHOOK_SECRET to turn it on")
    if not hmac.compare_digest(secret.encode(), expected.encode()):
        raise HTTPException(401, "bad or missing webhook secret (?secret=...)")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(413, f"webhook body of {len(body)} bytes; the limit is {MAX_BODY}")
    try:
        payload = json.loads(body)
        event = parse_event(payload)
    except Ignored as why:
        return {"status": "ignored", "reason": str(why)}
    except ValueError as err:  # includes JSONDecodeError
        raise HTTPException(422, f"not a Chatwoot message_created event: {err}") from err

    def agent_for(s: Session) -> Caller | None:
        user = crud.user_by_external_id(s, f"chatwoot:{event.assignee_id}") if event.assignee_id else None
        return Caller(user.id, user.name, user.role, user.language) if user else None

    agent = await services.db(agent_for)
    if agent is None:
        return {
            "status": "ignored",
            "reason": f"Chatwoot agent {event.assignee_id} is not mapped; "
            f"run: assistant users add NAME --role agent --chatwoot-id ID",
        }
    msg = MessageIn(
        message_id=f"chatwoot:{event.account_id}:{event.message_id}",
        conversation_id=f"chatwoot:{event.account_id}:{event.conversation_id}",
        agent_id=agent.name,
        customer_id=f"chatwoot:{event.contact_id}" if event.contact_id else None,
        role=event.role,  # type: ignore[arg-type]
        text=event.text[: services.settings.max_message_chars],
        timestamp=event.at,
    )
    system = Caller(0, "chatwoot", "integration", "en")
    try:
        out = await process_message(services, msg, system)
    except ProcessingError as err:
        raise HTTPException(err.status, str(err)) from err
    return {"status": "processed", "message": out.model_dump(mode="json")}
