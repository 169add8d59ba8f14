"""In-process publish/subscribe: nudges to an agent's sockets, alerts to supervisors' sockets.

One process serves all sockets on the embedded defaults, so a dict of asyncio queues is the
whole broker. Slow consumers never block publishers: a full queue drops its oldest event,
and the nudge stays in the database to be replayed on reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

QUEUE_SIZE = 1000


class Broker:
    def __init__(self) -> None:
        self._subs: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    def publish(self, channel: str, event: dict[str, Any]) -> int:
        """Deliver to every subscriber of ``channel`` now; returns how many got it."""
        n = 0
        for q in list(self._subs.get(channel, ())):
            if q.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    q.get_nowait()
            q.put_nowait(event)
            n += 1
        return n

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        q: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._subs[channel].add(q)
        try:
            yield q
        finally:
            self._subs[channel].discard(q)
            if not self._subs[channel]:
                del self._subs[channel]

    def subscribers(self, channel: str) -> int:
        return len(self._subs.get(channel, ()))


def agent_channel(agent_id: int) -> str:
    return f"agent:{agent_id}"


SUPERVISORS = "supervisors"
