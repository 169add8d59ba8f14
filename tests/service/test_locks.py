import asyncio

from assistant.service.locks import KeyedLocks


def test_one_holder_per_key_and_nothing_kept_after(run_async):
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

    left = run_async(main)
    assert order.index("a out") < order.index("b in")  # same conversation: one at a time
    assert order.index("c in") < order.index("a out")  # another conversation does not wait
    assert left == 0


def test_a_failing_holder_releases_the_key(run_async):
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

    assert run_async(main) == 0
