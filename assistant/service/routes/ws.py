"""Websockets: nudges to agents (acknowledged, replayed after a reconnect), alerts to supervisors.

Authentication is the ``token`` query parameter (browsers cannot set headers on websockets).
Close codes: 1008 bad or missing token / wrong role, 1003 a frame of the wrong shape,
1011 a server error.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from assistant.db import crud
from assistant.service.broker import SUPERVISORS, agent_channel
from assistant.service.deps import Caller, Services, caller_from_token
from assistant.service.processing import nudge_out
from assistant.service.schemas import AckFrame, AgentFrame, FeedbackFrame

router = APIRouter()
log = logging.getLogger(__name__)
frames: TypeAdapter[Any] = TypeAdapter(AgentFrame)
MAX_FRAME = 4096


async def _authenticate(ws: WebSocket, role: str) -> tuple[Services, Caller] | None:
    services: Services = ws.app.state.services
    await ws.accept()
    caller = await caller_from_token(services, ws.query_params.get("token"))
    if caller is None:
        await ws.close(code=1008, reason="missing or unknown token: connect with ?token=<token>")
        return None
    if caller.role != role:
        await ws.close(code=1008, reason=f"this socket is for {role} tokens; yours is {caller.role}")
        return None
    return services, caller


@router.websocket("/ws/agent")
async def agent_socket(ws: WebSocket) -> None:
    auth = await _authenticate(ws, "agent")
    if auth is None:
        return
    services, caller = auth
    sent: set[int] = set()
    try:
        async with services.broker.subscribe(agent_channel(caller.id)) as queue:
            await ws.send_json({"type": "hello", "agent": caller.name, "language": caller.language})
            # subscribed first, then replay: nothing published in between is lost, `sent` drops repeats
            pending = await services.db(
                lambda s: [nudge_out(n).model_dump(mode="json") for n in crud.pending_nudges(s, caller.id)]
            )
            for event in pending:
                await _send_nudge(ws, services, {"type": "nudge", **event, "replayed": True}, sent)
            await _pump(ws, services, caller, queue, sent)
    except WebSocketDisconnect:
        pass
    except Exception:
        log.exception("agent socket of %s failed", caller.name)
        with contextlib.suppress(Exception):
            await ws.close(code=1011, reason="server error; reconnect to get missed nudges")


async def _send_nudge(ws: WebSocket, services: Services, event: dict[str, Any], sent: set[int]) -> None:
    if event["id"] in sent:
        return
    sent.add(event["id"])
    await ws.send_json(event)
    now = datetime.now(UTC)
    await services.db(lambda s: crud.mark_delivered(s, [event["id"]], now))


async def _pump(
    ws: WebSocket, services: Services, caller: Caller, queue: asyncio.Queue[dict[str, Any]], sent: set[int]
) -> None:
    receiver = asyncio.create_task(ws.receive_text())
    getter = asyncio.create_task(queue.get())
    try:
        while True:
            done, _ = await asyncio.wait({receiver, getter}, return_when=asyncio.FIRST_COMPLETED)
            if getter in done:
                await _send_nudge(ws, services, getter.result(), sent)
                getter = asyncio.create_task(queue.get())
            if receiver in done:
                text = receiver.result()  # raises WebSocketDisconnect when the agent leaves
                try:
                    reply = await _handle_frame(services, caller, text)
                except BadFrame as err:
                    await ws.close(code=1003, reason=str(err)[:120])  # close reasons are capped at 123 bytes
                    return
                await ws.send_json(reply)
                receiver = asyncio.create_task(ws.receive_text())
    finally:
        for task in (receiver, getter):
            task.cancel()


class BadFrame(Exception):
    """A frame of the wrong shape: the socket is closed with 1003 and this reason."""


async def _handle_frame(services: Services, caller: Caller, text: str) -> dict[str, Any]:
    if len(text) > MAX_FRAME:
        raise BadFrame(f"frame of {len(text)} characters; the limit is {MAX_FRAME}")
    try:
        frame = frames.validate_json(text)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BadFrame(
            f'bad frame ({where}: {first["msg"]}); expected {{"type": "ack"|"feedback"|"ping", ...}}'
        ) from err
    if isinstance(frame, AckFrame | FeedbackFrame):
        now = datetime.now(UTC)

        def run(s: Session) -> bool:
            if isinstance(frame, FeedbackFrame):
                return crud.set_feedback(s, frame.nudge_id, caller.id, frame.value, now) is not None
            return crud.ack_nudge(s, frame.nudge_id, caller.id, now) is not None

        ok = await services.db(run)
        return {
            "type": frame.type,
            "nudge_id": frame.nudge_id,
            "ok": ok,
            **({} if ok else {"error": f"no nudge {frame.nudge_id} of yours"}),
        }
    return {"type": "pong"}


@router.websocket("/ws/supervisor")
async def supervisor_socket(ws: WebSocket) -> None:
    auth = await _authenticate(ws, "supervisor")
    if auth is None:
        return
    services, caller = auth
    try:
        async with services.broker.subscribe(SUPERVISORS) as queue:
            await ws.send_json({"type": "hello", "supervisor": caller.name})
            receiver = asyncio.create_task(ws.receive_text())
            while True:
                getter = asyncio.create_task(queue.get())
                done, _ = await asyncio.wait({receiver, getter}, return_when=asyncio.FIRST_COMPLETED)
                if getter in done:
                    await ws.send_json(getter.result())
                else:
                    getter.cancel()
                if receiver in done:
                    text = receiver.result()
                    try:
                        msg = json.loads(text)
                    except json.JSONDecodeError:
                        msg = None
                    if not isinstance(msg, dict) or msg.get("type") != "ping":
                        await ws.close(code=1003, reason='supervisor sockets accept only {"type": "ping"}')
                        return
                    await ws.send_json({"type": "pong"})
                    receiver = asyncio.create_task(ws.receive_text())
    except WebSocketDisconnect:
        pass
    except Exception:
        log.exception("supervisor socket of %s failed", caller.name)
        with contextlib.suppress(Exception):
            await ws.close(code=1011, reason="server error")
