"""What every route needs: the shared services and the authenticated caller."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from fastapi import Depends, Header, HTTPException, Request, status
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from assistant.config import Settings
from assistant.db import crud
from assistant.model.predictor import Predictor
from assistant.service.batching import Batcher
from assistant.service.broker import Broker
from assistant.service.locks import KeyedLocks

T = TypeVar("T")
AUTH_CACHE_S = 60.0  # a known token is looked up at most once a minute, not once a request
AUTH_CACHE_MAX = 10_000


@dataclass(frozen=True)
class Caller:
    id: int
    name: str
    role: str
    language: str


@dataclass
class Services:
    settings: Settings
    classifier: Predictor
    batcher: Batcher
    broker: Broker
    sessions: sessionmaker[Session]
    notes: object | None = None  # a ChatwootNotes client when configured
    locks: KeyedLocks = field(default_factory=KeyedLocks)  # one writer per conversation
    callers: dict[str, tuple[Caller, float]] = field(default_factory=dict)  # token sha256 -> (caller, until)

    async def db(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn`` in one transaction, off the event loop; rolled back if it raises."""

        def run() -> T:
            with self.sessions.begin() as session:
                return fn(session)

        return await run_in_threadpool(run)


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def caller_from_token(services: Services, token: str | None) -> Caller | None:
    if not token:
        return None
    key, now = crud.hash_token(token), time.monotonic()
    cached = services.callers.get(key)
    if cached is not None and cached[1] > now:
        return cached[0]

    def lookup(session: Session) -> Caller | None:
        user = crud.user_by_token(session, token)
        return Caller(user.id, user.name, user.role, user.language) if user else None

    caller = await services.db(lookup)
    if caller is not None:  # unknown tokens are not cached: a user added a second ago works at once
        if len(services.callers) >= AUTH_CACHE_MAX:
            services.callers.clear()
        services.callers[key] = (caller, now + AUTH_CACHE_S)
    return caller


async def current_caller(
    services: Services = Depends(get_services),
    authorization: str | None = Header(default=None, description="Bearer <token> from `assistant users add`"),
) -> Caller:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing token: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    caller = await caller_from_token(services, token.strip())
    if caller is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "unknown or revoked token", headers={"WWW-Authenticate": "Bearer"}
        )
    return caller


def require(*roles: str) -> Callable[[Caller], Caller]:
    def check(caller: Caller = Depends(current_caller)) -> Caller:
        if caller.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"this endpoint is for {' or '.join(roles)} tokens; yours is {caller.role}"
            )
        return caller

    return check
