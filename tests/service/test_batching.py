import asyncio
import threading

import pytest

from assistant.model.predictor import Prediction
from assistant.service.batching import Batcher


def echo_batches(calls: list[list[str]], gate: threading.Event | None = None):
    def predict(texts):
        if gate is not None:
            gate.wait(5)
        calls.append(list(texts))
        return [Prediction(scores={"len": float(len(t))}, labels=[t]) for t in texts]

    return predict


def test_messages_that_arrive_together_share_one_forward_pass(run_async):
    calls: list[list[str]] = []
    gate = threading.Event()

    async def main():
        batcher = Batcher(echo_batches(calls, gate), max_batch=32, window_s=0)
        await batcher.start()
        first = asyncio.create_task(batcher.predict("first"))
        await asyncio.sleep(0.05)  # the worker is now busy with "first" (held at the gate)
        rest = [asyncio.create_task(batcher.predict(f"m{i}")) for i in range(10)]
        await asyncio.sleep(0.05)
        gate.set()
        results = await asyncio.gather(first, *rest)
        await batcher.stop()
        return results

    results = run_async(main)
    assert [r.labels for r in results] == [["first"]] + [[f"m{i}"] for i in range(10)]  # each gets its own
    assert calls == [["first"], [f"m{i}" for i in range(10)]]  # the ten waiting ones went as one batch


def test_batches_are_capped_and_a_failing_batch_does_not_stop_the_worker(run_async):
    calls: list[list[str]] = []

    def predict(texts):
        calls.append(list(texts))
        if "boom" in texts:
            raise RuntimeError("model failed")
        return [Prediction(scores={}, labels=[t]) for t in texts]

    async def main():
        batcher = Batcher(predict, max_batch=4, window_s=0.01)
        await batcher.start()
        with pytest.raises(RuntimeError, match="model failed"):
            await batcher.predict("boom")
        results = await asyncio.gather(*(batcher.predict(f"m{i}") for i in range(10)))
        await batcher.stop()
        return results

    results = run_async(main)
    assert [r.labels[0] for r in results] == [f"m{i}" for i in range(10)]
    assert max(len(c) for c in calls) <= 4
