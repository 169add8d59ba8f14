"""Chatwoot: parse ``message_created`` webhooks, post nudges back as private notes.

Payload fields used (Chatwoot's documented webhook): ``event``, ``id``, ``content``,
``created_at``, ``message_type`` ("incoming" = customer, "outgoing" = agent; anything else,
and ``private`` notes, are ignored), ``conversation.id``, ``conversation.meta.assignee.id``,
``sender``, ``account.id``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatwootMessage:
    message_id: str
    account_id: int
    conversation_id: int
    assignee_id: int | None
    contact_id: str | None
    role: str
    text: str
    at: datetime


class Ignored(Exception):
    """A well-formed event the assistant has nothing to do with (reason in ``str``)."""


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an integer, got {value!r}") from None


def _time(value: Any) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str) and value:
        text = value.replace(" UTC", "+00:00").replace("Z", "+00:00")
        try:
            at = datetime.fromisoformat(text)
            return at if at.tzinfo else at.replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime.now(UTC)


def parse_event(payload: Any) -> ChatwootMessage:
    """``ValueError`` for a malformed payload, ``Ignored`` for events that are not customer/agent text."""
    if not isinstance(payload, dict):
        raise ValueError("expected a JSON object (a Chatwoot webhook event)")
    event = payload.get("event")
    if event != "message_created":
        raise Ignored(f"event {event!r} is not message_created")
    if payload.get("private"):
        raise Ignored("private note")
    kind = payload.get("message_type")
    role = {"incoming": "customer", 0: "customer", "outgoing": "agent", 1: "agent"}.get(kind)
    if role is None:
        raise Ignored(f"message_type {kind!r} is neither incoming nor outgoing")
    content = payload.get("content")
    if not isinstance(content, str) or not content.strip():
        raise Ignored("no text content (attachment or empty message)")
    conversation = payload.get("conversation")
    if not isinstance(conversation, dict):
        raise ValueError("conversation must be an object with an id")
    account = payload.get("account") or {}
    assignee = ((conversation.get("meta") or {}).get("assignee") or {}).get("id")
    sender = payload.get("sender") or {}
    return ChatwootMessage(
        message_id=str(_int(payload.get("id"), "id")),
        account_id=_int(account.get("id", 0) if isinstance(account, dict) else 0, "account.id"),
        conversation_id=_int(conversation.get("id", conversation.get("display_id")), "conversation.id"),
        assignee_id=_int(assignee, "conversation.meta.assignee.id") if assignee is not None else None,
        contact_id=str(sender.get("id"))
        if role == "customer" and isinstance(sender, dict) and sender.get("id")
        else None,
        role=role,
        text=content,
        at=_time(payload.get("created_at")),
    )


class ChatwootNotes:
    """Posts a nudge as an agent-only private note into the Chatwoot conversation."""

    def __init__(self, base_url: str, token: str, client: httpx.AsyncClient | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.client = client or httpx.AsyncClient(timeout=5.0)

    async def post_note(self, account_id: int, conversation_id: int, content: str) -> bool:
        url = f"{self.base_url}/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages"
        try:
            r = await self.client.post(
                url,
                headers={"api_access_token": self.token},
                json={"content": content, "message_type": "outgoing", "private": True},
            )
        except httpx.HTTPError as err:
            log.warning("chatwoot note to %s failed: %s", url, err)
            return False
        if r.status_code >= 300:
            log.warning("chatwoot note to %s answered %s: %s", url, r.status_code, r.text[:200])
            return False
        return True

    async def close(self) -> None:
        await self.client.aclose()
