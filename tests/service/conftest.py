"""A running app (lifespan and all) on a tmp SQLite file, with the tiny model behind a script.

The tiny random model computes real scores, but its labels are noise; ``Scripted`` keeps the
model in the path and decides labels from obvious cue words, so tests can assert nudges.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.db import crud
from assistant.db.migrate import upgrade_to_head
from assistant.db.session import make_engine, make_sessionmaker
from assistant.model.classifier import Classifier, Prediction, load_classifier
from assistant.service.app import create_app

CUES = {
    "cute": "flirtation",
    "jaan": "flirtation",
    "single": "date_request",
    "whatsapp": "contact_request",
    "gift": "gift_offer",
    "idiot": "insult",
    "!!!": "anger",
}


class Scripted(Classifier):
    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        real = super().predict(texts)
        out = []
        for text, pred in zip(texts, real, strict=True):
            labels = [lb for lb in self.labels if any(c in text.lower() and CUES[c] == lb for c in CUES)]
            scores = {lb: (0.97 if lb in labels else min(v, 0.1)) for lb, v in pred.scores.items()}
            out.append(Prediction(scores, labels))
        return out


@pytest.fixture(scope="session")
def scripted(tiny_model: Path, tiny_cache: Path, tiny_base_file: Path) -> Scripted:
    clf = load_classifier(tiny_model, tiny_cache, base_file=tiny_base_file, threads=1)
    return Scripted(clf.model, clf.tokenizer, clf.config)


class Client:
    """A TestClient plus the tokens of one agent, another agent, a supervisor and an integration."""

    def __init__(self, http: TestClient, tokens: dict[str, str], settings: Settings) -> None:
        self.http = http
        self.tokens = tokens
        self.settings = settings

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def post_message(
        self,
        text: str,
        *,
        role: str = "customer",
        conversation: str = "c1",
        agent: str = "asha",
        who: str = "integration",
        **extra: object,
    ):
        body = {"conversation_id": conversation, "agent_id": agent, "role": role, "text": text, **extra}
        return self.http.post("/api/messages", json=body, headers=self.auth(who))


def make_users(url: str) -> dict[str, str]:
    upgrade_to_head(url)
    engine = make_engine(url)
    tokens = {}
    with make_sessionmaker(engine).begin() as s:
        for name, role, lang, ext in [
            ("asha", "agent", "en", "chatwoot:1"),
            ("ravi", "agent", "hi", None),
            ("sup", "supervisor", "en", None),
            ("integration", "integration", "en", None),
        ]:
            tokens[name] = crud.create_user(s, name, role, lang, external_id=ext)[1]
    engine.dispose()
    return tokens


@pytest.fixture
def settings(tmp_path: Path, tiny_env: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'a.db'}", cooldown_seconds=300, webhook_secret="s3cret", batch_window_ms=1
    )


@pytest.fixture
def client(settings: Settings, scripted: Scripted) -> Iterator[Client]:
    tokens = make_users(settings.database_url)
    with TestClient(create_app(settings, classifier=scripted)) as http:
        yield Client(http, tokens, settings)


@pytest.fixture
def run_async() -> Callable[[Callable[[], Any]], Any]:
    """Run a coroutine function to completion in a thread of its own: other tests (the page
    tests) may leave an event loop running in this one."""

    def run(coro_fn: Callable[[], Any]) -> Any:
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(lambda: asyncio.run(coro_fn())).result()

    return run
