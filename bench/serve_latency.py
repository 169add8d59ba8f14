"""The service as a user starts it: time to ready, then post -> nudge on the agent's websocket.

    .venv/bin/python bench/serve_latency.py [--messages 40] [--port 8766]

Starts `assistant serve` on a fresh SQLite file in a temp folder, creates an agent and an
integration token with `assistant users add`, connects the agent's websocket, posts customer
messages one at a time over loopback and waits for every nudge of each. Prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websockets

TEXTS = [
    "you are so cute, are you single?",
    "apna whatsapp number do na",
    "तुम एकदम बेवकूफ़ हो",
    "I will send you a gift for your help",
    "WHERE IS MY REFUND!!! THIRD TIME ASKING!!!",
]


def cli(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "assistant", *args], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


async def measure(port: int, agent_token: str, post_token: str, n: int) -> list[float]:
    latencies = []
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws/agent?token={agent_token}") as ws:
        await ws.recv()  # hello
        for i in range(n):
            body = json.dumps(
                {
                    "conversation_id": f"bench-{i}",
                    "agent_id": "bench-agent",
                    "role": "customer",
                    "text": TEXTS[i % len(TEXTS)],
                }
            ).encode()
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/messages",
                data=body,
                headers={"Authorization": f"Bearer {post_token}", "Content-Type": "application/json"},
            )
            start = time.perf_counter()
            resp = json.loads((await asyncio.to_thread(urllib.request.urlopen, req)).read())
            for _ in resp["nudges"]:
                await ws.recv()
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=40)
    ap.add_argument("--port", type=int, default=8766)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ASSISTANT_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}"}
        agent = cli(env, "users", "add", "bench-agent", "--role", "agent")
        poster = cli(env, "users", "add", "bench-integration", "--role", "integration")
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
                    if server.poll() is not None or time.perf_counter() - start > 120:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.1)
            ready = time.perf_counter() - start
            lat = sorted(asyncio.run(measure(args.port, agent, poster, args.messages)))
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"{'measure':<44}{'value':>10}")
    print(f"{'ready after start (s)':<44}{ready:>10.1f}")
    print(f"{'post -> all nudges on websocket p50 (ms)':<44}{statistics.median(lat):>10.0f}")
    print(f"{'post -> all nudges on websocket max (ms)':<44}{lat[-1]:>10.0f}")
    print(f"{'messages (sequential, loopback, SQLite)':<44}{len(lat):>10}")


if __name__ == "__main__":
    main()
