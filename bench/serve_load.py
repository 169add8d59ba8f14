"""End to end under load: the server as a user starts it, N agents on websockets, R messages/s.

    .venv/bin/python bench/serve_load.py [--agents 200] [--rate 100] [--seconds 30]
        [--backends onnx-int8,torch] [--window-ms 0]

For each backend, in one run: build its graph first (as `assistant setup` does), start
`assistant serve` on a fresh SQLite file, time it to ready, connect every agent's websocket,
then post customer messages from the test split (en/hi/hi-Latn) open loop at R per second,
each to one agent's conversation, over loopback. Measured: post -> HTTP response, and post ->
nudge received on the agent's websocket (every nudge the response names, matched by id);
failed posts (with the client's error) and nudges named in a response that never arrived on the
socket within 5 s after the last response; server CPU (of one core) and
peak memory (VmHWM) from /proc. The load generator shares the machine's cores with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import websockets

from assistant.config import REPO_ROOT, Settings
from assistant.data.rows import read_rows

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    backend: str
    ready_s: float = 0.0
    sent: int = 0
    failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    response_ms: list[float] = field(default_factory=list)
    nudge_ms: list[float] = field(default_factory=list)
    nudges_named: int = 0
    nudges_lost: int = 0
    cpu_pct: float = 0.0
    client_cpu_pct: float = 0.0
    peak_mb: float = 0.0
    idle_mb: float = 0.0


def proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def proc_mem_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def make_users(database_url: str, agents: int) -> tuple[list[tuple[str, str]], str]:
    from assistant.db import crud
    from assistant.db.migrate import upgrade_to_head
    from assistant.db.session import make_engine, make_sessionmaker

    upgrade_to_head(database_url)
    engine = make_engine(database_url)
    with make_sessionmaker(engine).begin() as session:
        pairs = [(f"agent-{i:03d}", crud.create_user(session, f"agent-{i:03d}", "agent")[1]) for i in range(agents)]
        poster = crud.create_user(session, "load-integration", "integration")[1]
    engine.dispose()
    return pairs, poster


async def load(port: int, pid: int, agents: list[tuple[str, str]], poster: str, texts: list[str], args, res: Result):
    arrived: dict[int, float] = {}
    named: dict[int, float] = {}

    async def listen(token: str, ready: asyncio.Event) -> None:
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws/agent?token={token}", max_queue=None) as ws:
            await ws.recv()  # hello
            ready.set()
            async for frame in ws:
                event = json.loads(frame)
                if event.get("type") == "nudge":
                    arrived[event["id"]] = time.perf_counter()

    readies = [asyncio.Event() for _ in agents]
    listeners = [asyncio.create_task(listen(tok, ev)) for (_, tok), ev in zip(agents, readies, strict=True)]
    await asyncio.wait_for(asyncio.gather(*(ev.wait() for ev in readies)), 60)

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {poster}"}, limits=limits, timeout=300
    ) as client:

        async def post(i: int) -> None:
            name = agents[i % len(agents)][0]
            body = {
                "message_id": f"load-{i}",
                "conversation_id": f"{name}-conv-{i // len(agents) % 5}",  # 5 conversations per agent
                "agent_id": name,
                "role": "customer",
                "text": texts[i % len(texts)],
            }
            start = time.perf_counter()
            try:
                r = await client.post("/api/messages", json=body)
                r.raise_for_status()
            except httpx.HTTPError as err:
                res.failed += 1
                res.errors[type(err).__name__] = res.errors.get(type(err).__name__, 0) + 1
                return
            res.response_ms.append((time.perf_counter() - start) * 1000)
            for n in r.json()["nudges"]:
                named[n["id"]] = start

        total = int(args.rate * args.seconds)
        cpu0, mine0, t0 = proc_cpu_s(pid), time.process_time(), time.perf_counter()
        posts = []
        for i in range(total):
            delay = t0 + i / args.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            posts.append(asyncio.create_task(post(i)))
        await asyncio.gather(*posts)
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline and not set(named) <= set(arrived):
            await asyncio.sleep(0.05)
        wall = time.perf_counter() - t0
        res.cpu_pct = 100 * (proc_cpu_s(pid) - cpu0) / wall
        res.client_cpu_pct = 100 * (time.process_time() - mine0) / wall
        res.sent = total
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    res.nudges_named = len(named)
    res.nudges_lost = len(set(named) - set(arrived))
    res.nudge_ms = [(arrived[k] - named[k]) * 1000 for k in named if k in arrived]


def run_backend(backend: str, texts: list[str], args) -> Result:
    res = Result(backend)
    settings = Settings(backend=backend)
    if backend != "torch":
        from assistant.model.fast import build_fast

        build_fast(settings.model_dir, settings.cache_dir, base_file=settings.base_file, kind=backend)
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'load.db'}"
        agents, poster = make_users(db, args.agents)
        env = {
            **os.environ,
            "ASSISTANT_DATABASE_URL": db,
            "ASSISTANT_BACKEND": backend,
            "ASSISTANT_BATCH_WINDOW_MS": str(args.window_ms),
        }
        start = time.perf_counter()
        server = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--port", str(args.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=1)
                    break
                except OSError:
                    if server.poll() is not None or time.perf_counter() - start > 300:
                        raise SystemExit(f"the server ({backend}) did not start") from None
                    time.sleep(0.05)
            res.ready_s = time.perf_counter() - start
            res.idle_mb = proc_mem_mb(server.pid, "VmRSS")
            asyncio.run(load(args.port, server.pid, agents, poster, texts, args, res))
            res.peak_mb = proc_mem_mb(server.pid, "VmHWM")
        finally:
            server.terminate()
            server.wait(timeout=30)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agents", type=int, default=200)
    ap.add_argument("--rate", type=float, default=100, help="customer messages per second")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--backends", default="onnx-fp32,onnx-int8", help="comma-separated: onnx-fp32, onnx-int8, torch")
    ap.add_argument("--window-ms", type=float, default=Settings().batch_window_ms, help="micro-batching window")
    ap.add_argument("--port", type=int, default=8767)
    args = ap.parse_args()
    rows = [r for r in read_rows(REPO_ROOT / "training_data" / "test.jsonl") if r.lang in ("en", "hi", "hi-Latn")]
    texts = [r.text for r in rows]
    results = [run_backend(b, texts, args) for b in args.backends.split(",")]

    def pct(xs: list[float], q: float) -> str:
        return f"{np.percentile(xs, q):.1f}" if xs else "-"

    print(
        f"{args.agents} agents on websockets, {args.rate:g} msg/s for {args.seconds:g} s over loopback, "
        f"SQLite, batch window {args.window_ms:g} ms, {os.cpu_count()} cores shared with the load generator"
    )
    cols = ["backend", "ready s", "sent", "failed posts", "nudges missing"]
    cols += ["resp p50", "resp p99", "nudge p50", "nudge p99", "nudges"]
    cols += ["server CPU %", "load generator CPU %", "idle MB", "peak MB"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in results:
        cells = [
            r.backend,
            f"{r.ready_s:.1f}",
            str(r.sent),
            str(r.failed) + (f" {r.errors}" if r.errors else ""),
            str(r.nudges_lost),
            pct(r.response_ms, 50),
            pct(r.response_ms, 99),
            pct(r.nudge_ms, 50),
            pct(r.nudge_ms, 99),
            str(r.nudges_named),
            f"{r.cpu_pct:.0f}",
            f"{r.client_cpu_pct:.0f}",
            f"{r.idle_mb:.0f}",
            f"{r.peak_mb:.0f}",
        ]
        print("| " + " | ".join(cells) + " |")
    print("times in ms (client timeout 300 s); nudges missing = named in a response, never received on the socket;")
    print("CPU % of one core, averaged over the load (200% = both cores of this machine)")


if __name__ == "__main__":
    main()
