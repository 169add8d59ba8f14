"""End-to-end page tests: the real app under uvicorn, driven by Debian's Chromium through Playwright.

The app runs once per session in a background thread on a free 127.0.0.1 port, on a tmp SQLite file, with
the tiny model behind the ``Scripted`` cue-word classifier of tests/service. Every test gets a fresh browser
context (so a fresh localStorage: nobody is signed in) and seeds its own conversations through the REST API.

Without /usr/bin/chromium the tests are skipped (``needs_chromium``), unless the ``CI`` environment variable
is set: CI must run them, so there a missing browser is a failure. ``.ci/browser`` installs it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, ViewportSize, expect, sync_playwright

from assistant.config import Settings
from assistant.model.classifier import load_classifier
from assistant.service.app import create_app
from tests.service.conftest import Scripted, make_users

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
VIEWPORT: ViewportSize = {"width": 1400, "height": 900}

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason=f"browser tests need {CHROMIUM} (install it with .ci/browser); with CI set they fail instead",
)

_screenshots: list[Path] = []


@dataclass
class LiveServer:
    """The running app: its base URL, the users' tokens (asha, ravi, sup, integration) and a REST client."""

    url: str
    tokens: dict[str, str]
    http: httpx.Client

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def post_message(
        self, conversation: str, text: str, *, role: str = "customer", agent: str = "asha", **extra: Any
    ) -> dict[str, Any]:
        """``POST /api/messages`` as the integration; returns the stored message (labels, nudges, ...)."""
        body = {"conversation_id": conversation, "agent_id": agent, "role": role, "text": text, **extra}
        r = self.http.post("/api/messages", json=body, headers=self.auth("integration"))
        assert r.status_code == 201, r.text
        out: dict[str, Any] = r.json()
        return out

    def get(self, path: str, who: str) -> Any:
        r = self.http.get(path, headers=self.auth(who))
        assert r.status_code == 200, r.text
        return r.json()


def wait_until(check: Any, what: str, timeout: float = TIMEOUT_MS / 1000) -> Any:
    """Poll ``check()`` every 50 ms until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def page_classifier(tiny_model: Path, tiny_cache: Path, tiny_base_file: Path) -> Scripted:
    clf = load_classifier(tiny_model, tiny_cache, base_file=tiny_base_file, threads=1)
    return Scripted(clf.model, clf.tokenizer, clf.config)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, page_classifier: Scripted) -> Iterator[LiveServer]:
    """Start the app with uvicorn in a thread, wait for /healthz, stop it at the end of the session."""
    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'pages.db'}"
    tokens = make_users(url)
    settings = Settings(database_url=url, cooldown_seconds=300, batch_window_ms=1)
    app = create_app(settings, classifier=page_classifier)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # a free port, held from here on: no race with other processes
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2, ws_ping_interval=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="pages-uvicorn", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    http = httpx.Client(base_url=base, timeout=10)

    def healthy() -> bool:
        if not thread.is_alive():
            pytest.fail("the app did not start (see the uvicorn log above)")
        try:
            return http.get("/healthz").status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(healthy, "GET /healthz", timeout=30)
        yield LiveServer(base, tokens, http)
    finally:
        http.close()
        server.should_exit = True
        thread.join(10)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():  # only reached with CI set; otherwise needs_chromium skipped the test
        pytest.fail(f"CI is set but {CHROMIUM} is missing: run .ci/browser before the tests", pytrace=False)
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="en-GB", timezone_id="UTC")
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that fails the test on any uncaught script error."""
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    expect.set_options(timeout=TIMEOUT_MS)
    yield page
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $ASSISTANT_SCREENSHOTS, else a pytest tmp folder."""
    folder = os.environ.get("ASSISTANT_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def screenshot(page: Page, folder: Path, name: str) -> Path:
    """Save a full-page screenshot; its path is printed now and in the terminal summary."""
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    _screenshots.append(path)
    print(f"screenshot: {path}")
    return path


def sign_in(page: Page, server: LiveServer, path: str, who: str) -> None:
    """Open ``path``, paste the user's token into the sign-in strip and wait for the live socket."""
    page.goto(server.url + path)
    page.get_by_test_id("token").fill(server.tokens[who])
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("whoami")).to_contain_text(who)
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "open")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _screenshots:
        terminalreporter.section("page screenshots")
        for path in _screenshots:
            terminalreporter.write_line(str(path))
