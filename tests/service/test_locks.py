import asyncio
from concurrent.futures import ThreadPoolExecutor

from assistant.service.locks import KeyedLocks


def run(coro_fn):  # own thread: a page test's event loop may already run in this one
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coro_fn())).result()


def test_one_holder_per_key_and_nothing_kept_after():
    locks = KeyedLocks()
    order: list[str] = []

    async def writer(key: str, name: str, pause: float) -> None:
        async with locks.hold(key):
            order.append(f"{name} in")
            await asyncio.sleep(pause)
            order.append(f"{name} out")

    async def main() -> int:
        first = asyncio.create_task(writer("c1", "a", 0.02))
        await asyncio.sleep(0)  # let a take the lock
        await asyncio.gather(first, writer("c1", "b", 0), writer("c2", "c", 0))
        return len(locks)

    left = run(main)
    assert order.index("a out") < order.index("b in")  # same conversation: one at a time
    assert order.index("c in") < order.index("a out")  # another conversation does not wait
    assert left == 0


def test_a_failing_holder_releases_the_key():
    locks = KeyedLocks()

    async def main() -> int:
        try:
            async with locks.hold("c1"):
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        async with locks.hold("c1"):  # would hang if the lock were still held
            pass
        return len(locks)

    assert run(main) == 0
