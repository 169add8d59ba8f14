"""``create_app(settings)``: the FastAPI application and its lifespan.

The model is loaded once, in the lifespan, and injected through ``app.state.services``;
nothing is loaded at import time.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from assistant import __version__
from assistant.config import Settings
from assistant.db.migrate import upgrade_to_head
from assistant.db.session import make_engine, make_sessionmaker
from assistant.model.loading import predictor_from_settings
from assistant.model.predictor import Predictor
from assistant.service.batching import Batcher
from assistant.service.broker import Broker
from assistant.service.deps import Services
from assistant.service.routes import agent, audit, messages, webhooks, ws

STATIC = Path(__file__).resolve().parent.parent / "static"
MAX_BODY = 1024 * 1024
log = logging.getLogger(__name__)


def create_app(settings: Settings, classifier: Predictor | None = None) -> FastAPI:
    """``classifier`` may be passed in (tests); otherwise the artifact in settings is loaded."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(upgrade_to_head, settings.database_url)
        engine = make_engine(settings.database_url)
        clf = classifier if classifier is not None else await run_in_threadpool(predictor_from_settings, settings)
        batcher = Batcher(clf.predict, max_batch=settings.batch_size, window_s=settings.batch_window_ms / 1000)
        await batcher.start()
        notes = None
        if settings.chatwoot_url and settings.chatwoot_token:
            from assistant.service.chatwoot import ChatwootNotes

            notes = ChatwootNotes(settings.chatwoot_url, settings.chatwoot_token)
        app.state.services = Services(settings, clf, batcher, Broker(), make_sessionmaker(engine), notes)
        try:
            yield
        finally:
            await batcher.stop()
            if notes is not None:
                await notes.close()
            engine.dispose()

    app = FastAPI(
        title="Chat moderation assistant",
        version=__version__,
        lifespan=lifespan,
        description="Nudges support agents when customers flirt, make advances, insult or get angry.",
    )

    @app.middleware("http")
    async def limit_body(request: Request, call_next):  # type: ignore[no-untyped-def]
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY:
            return JSONResponse({"detail": f"request body of {length} bytes; the limit is {MAX_BODY}"}, 413)
        return await call_next(request)

    for module in (messages, agent, audit, webhooks, ws):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def root() -> Response:
        return RedirectResponse("/agent")

    @app.get("/agent", include_in_schema=False)
    async def agent_page() -> Response:
        return FileResponse(STATIC / "agent.html")

    @app.get("/audit", include_in_schema=False)
    async def audit_page() -> Response:
        return FileResponse(STATIC / "audit.html")

    @app.get("/healthz", tags=["ops"])
    async def health(request: Request) -> dict[str, object]:
        services: Services = request.app.state.services
        return {
            "status": "ok",
            "model": services.classifier.config.base.get("name"),
            "backend": services.classifier.backend,
            "labels": services.classifier.labels,
        }

    return app
