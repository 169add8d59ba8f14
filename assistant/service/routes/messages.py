"""Messages in: a chat turn (customer or agent) and the agent's draft check."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Response

from assistant.service.deps import Caller, Services, get_services, require
from assistant.service.processing import ProcessingError, check_draft, process_message
from assistant.service.schemas import DraftIn, DraftOut, MessageIn, MessageOut

router = APIRouter(prefix="/api", tags=["messages"])


@router.post(
    "/messages",
    response_model=MessageOut,
    status_code=201,
    responses={200: {"description": "a retry of a message already stored (same message_id)"}},
)
async def post_message(
    msg: MessageIn,
    response: Response,
    services: Services = Depends(get_services),
    caller: Caller = Depends(require("integration", "supervisor", "agent")),
) -> MessageOut:
    """Classify a chat turn, raise nudges and signals, store it; idempotent on ``message_id``."""
    try:
        out = await process_message(services, msg, caller)
    except ProcessingError as err:
        raise HTTPException(err.status, str(err)) from err
    if out.duplicate:
        response.status_code = 200
    return out


@router.post("/drafts", response_model=DraftOut)
async def post_draft(
    draft: DraftIn,
    services: Services = Depends(get_services),
    caller: Caller = Depends(require("agent", "supervisor")),
) -> DraftOut:
    """Check the agent's reply before it is sent (personal contact details, heat, insults)."""
    try:
        return await check_draft(services, draft, caller)
    except ProcessingError as err:
        raise HTTPException(err.status, str(err)) from err
