"""Micro-batching: messages that arrive together are classified in one forward pass.

Messages that arrive while a batch runs are taken together as the next batch (up to
``max_batch``); the first of a batch may also wait ``window_s`` for company, which the server
leaves at 0 since a 2 ms window added ~3 ms to a lone message's p50 (``bench/serve_load.py``).
Inference runs in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence

from starlette.concurrency import run_in_threadpool

from assistant.model.predictor import Prediction

Predict = Callable[[Sequence[str]], list[Prediction]]


class Batcher:
    def __init__(self, predict: Predict, *, max_batch: int = 32, window_s: float = 0.0) -> None:
        self._predict = predict
        self.max_batch = max_batch
        self.window_s = window_s
        self._queue: asyncio.Queue[tuple[str, asyncio.Future[Prediction]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="classifier-batcher")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def predict(self, text: str) -> Prediction:
        fut: asyncio.Future[Prediction] = asyncio.get_running_loop().create_future()
        await self._queue.put((text, fut))
        return await fut

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            deadline = asyncio.get_running_loop().time() + self.window_s
            while len(batch) < self.max_batch:
                timeout = deadline - asyncio.get_running_loop().time()
                try:
                    batch.append(
                        self._queue.get_nowait() if timeout <= 0 else await asyncio.wait_for(self._queue.get(), timeout)
                    )
                except (TimeoutError, asyncio.QueueEmpty):
                    break
            try:
                preds = await run_in_threadpool(self._predict, [t for t, _ in batch])
            except Exception as err:  # one bad batch must not kill the worker
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(err)
                continue
            for (_, fut), pred in zip(batch, preds, strict=True):
                if not fut.done():
                    fut.set_result(pred)
