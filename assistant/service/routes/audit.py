"""Supervisor audit: flagged conversations, transcripts, reviews, exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from assistant.db import crud
from assistant.labels import LABELS
from assistant.service.deps import Caller, Services, get_services, require
from assistant.service.routes.views import summary, transcript, user_names
from assistant.service.schemas import ReviewIn

router = APIRouter(prefix="/api/audit", tags=["supervisor"])
supervisor = require("supervisor")
SIGNALS = ("rising_anger", "persistent_advances")
EXPORT_COLUMNS = (
    "conversation_id",
    "message_id",
    "index",
    "at",
    "agent",
    "role",
    "text",
    "labels",
    "scores",
    "signals",
    "nudges",
    "review",
)


class Filters:
    """Query filters shared by the list and the exports; unknown names are a 422, not an empty list."""

    def __init__(
        self,
        services: Services = Depends(get_services),
        label: str | None = Query(default=None, description=f"one of {', '.join(LABELS)}"),
        signal: str | None = Query(default=None, description=f"one of {', '.join(SIGNALS)}"),
        agent: str | None = Query(default=None, description="agent user name"),
        since: datetime | None = None,
        until: datetime | None = None,
        reviewed: bool | None = None,
        flagged: bool | None = Query(default=True, description="only flagged conversations (default)"),
    ) -> None:
        if label is not None and label not in LABELS:
            raise HTTPException(422, f"unknown label {label!r}; expected one of {list(LABELS)}")
        if signal is not None and signal not in SIGNALS:
            raise HTTPException(422, f"unknown signal {signal!r}; expected one of {list(SIGNALS)}")
        self.label, self.signal, self.agent_name = label, signal, agent
        self.since, self.until, self.reviewed, self.flagged = since, until, reviewed, flagged

    def kwargs(self, session: Session) -> dict[str, Any] | None:
        agent_id = None
        if self.agent_name:
            user = crud.user_by_name(session, self.agent_name)
            if user is None:
                return None
            agent_id = user.id
        return {
            "agent_id": agent_id,
            "label": self.label,
            "signal": self.signal,
            "since": self.since,
            "until": self.until,
            "reviewed": self.reviewed,
            "flagged": self.flagged,
        }


@router.get("/conversations")
async def conversations(
    filters: Filters = Depends(),
    services: Services = Depends(get_services),
    _: Caller = Depends(supervisor),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
) -> list[dict[str, Any]]:
    def run(s: Session) -> list[dict[str, Any]]:
        kw = filters.kwargs(s)
        if kw is None:
            return []
        names = user_names(s)
        out = []
        for c in crud.list_conversations(s, **kw, limit=limit, offset=offset):
            detail = crud.conversation_detail(s, c.id)
            msgs = detail.messages if detail else []
            out.append(
                {
                    **summary(c, names),
                    "labels": sorted({lb for m in msgs for lb in m.labels}, key=LABELS.index),
                    "signals": sorted({sg for m in msgs for sg in m.signals}),
                    "messages": len(msgs),
                }
            )
        return out

    return await services.db(run)


@router.get("/conversations/{conversation_id}")
async def conversation(
    conversation_id: str, services: Services = Depends(get_services), _: Caller = Depends(supervisor)
) -> dict[str, Any]:
    found = await services.db(lambda s: transcript(s, conversation_id))
    if found is None:
        raise HTTPException(404, f"no conversation {conversation_id!r}")
    return found


@router.post("/conversations/{conversation_id}/reviews", status_code=201)
async def review(
    conversation_id: str,
    body: ReviewIn,
    services: Services = Depends(get_services),
    caller: Caller = Depends(supervisor),
) -> dict[str, Any]:
    def run(s: Session) -> dict[str, Any] | None:
        c = crud.conversation_detail(s, conversation_id)
        if c is None:
            return None
        if body.message_id is not None and body.message_id not in {m.id for m in c.messages}:
            raise HTTPException(422, f"message {body.message_id} is not in conversation {conversation_id!r}")
        r = crud.add_review(s, conversation_id, caller.id, body.action, message_id=body.message_id, note=body.note)
        return {
            "id": r.id,
            "action": r.action,
            "message_id": r.message_id,
            "note": r.note,
            "supervisor": caller.name,
            "created_at": r.created_at.isoformat(),
        }

    out = await services.db(run)
    if out is None:
        raise HTTPException(404, f"no conversation {conversation_id!r}")
    return out


@router.get("/export")
async def export(
    format: Literal["csv", "jsonl", "training"] = "csv",
    filters: Filters = Depends(),
    services: Services = Depends(get_services),
    _: Caller = Depends(supervisor),
) -> Response:
    """Flagged messages as CSV or JSONL; ``training`` = reviewed messages as training_data rows."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    if format == "training":
        rows = await services.db(crud.training_rows)
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        return _download(body, "application/x-ndjson", f"reviewed-{stamp}.jsonl")

    def run(s: Session) -> list[dict[str, Any]]:
        kw = filters.kwargs(s)
        return [] if kw is None else list(crud.export_rows(s, **kw))

    rows = await services.db(run)
    if format == "jsonl":
        body = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows)
        return _download(body, "application/x-ndjson", f"flagged-{stamp}.jsonl")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow(
            {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v for k, v in r.items()}
        )
    return _download(buf.getvalue(), "text/csv; charset=utf-8", f"flagged-{stamp}.csv")


def _download(body: str, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
