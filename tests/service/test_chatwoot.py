"""Chatwoot webhooks with a recorded payload, and a local HTTP server standing in for its API."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.service.app import create_app
from tests.service.conftest import Client, Scripted, make_users

PAYLOAD = json.loads((Path(__file__).parent / "chatwoot_message_created.json").read_text())


def event(**changes: object) -> dict:
    body = json.loads(json.dumps(PAYLOAD))
    body.update(changes)
    return body


def test_incoming_message_is_processed(client: Client):
    r = client.http.post("/api/webhooks/chatwoot?secret=s3cret", json=event(content="hey cute, whatsapp?"))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "processed"
    assert out["message"]["conversation_id"] == "chatwoot:1:10"
    assert [n["guideline"] for n in out["message"]["nudges"]] == ["stay_neutral", "keep_your_hours"]
    again = client.http.post("/api/webhooks/chatwoot?secret=s3cret", json=event(content="hey cute, whatsapp?"))
    assert again.json()["message"]["duplicate"] is True  # Chatwoot retries are not counted twice


def test_outgoing_private_and_other_events(client: Client):
    post = lambda body: client.http.post("/api/webhooks/chatwoot?secret=s3cret", json=body).json()  # noqa: E731
    assert post(event(message_type="outgoing", id=119, content="Happy to help!"))["message"]["role"] == "agent"
    assert post(event(private=True, id=120))["status"] == "ignored"
    assert post(event(event="conversation_created"))["status"] == "ignored"
    unmapped = event(id=121)
    unmapped["conversation"]["meta"]["assignee"]["id"] = 77
    assert "not mapped" in post(unmapped)["reason"]


def test_secret_and_malformed_payloads(client: Client):
    assert client.http.post("/api/webhooks/chatwoot?secret=nope", json=event()).status_code == 401
    assert client.http.post("/api/webhooks/chatwoot", json=event()).status_code == 401
    r = client.http.post("/api/webhooks/chatwoot?secret=s3cret", content=b"{oops")
    assert r.status_code == 422
    r = client.http.post("/api/webhooks/chatwoot?secret=s3cret", json=event(conversation="x"))
    assert r.status_code == 422 and "conversation" in r.text


class FakeChatwoot(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, dict, str]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeChatwoot.received.append((self.path, body, self.headers.get("api_access_token", "")))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": 1}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def chatwoot_server():
    server = HTTPServer(("127.0.0.1", 0), FakeChatwoot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeChatwoot.received.clear()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_nudges_are_posted_back_as_private_notes(settings: Settings, scripted: Scripted, chatwoot_server: str):
    settings = settings.model_copy(update={"chatwoot_url": chatwoot_server, "chatwoot_token": "tok"})
    make_users(settings.database_url)
    with TestClient(create_app(settings, classifier=scripted)) as http:
        r = http.post("/api/webhooks/chatwoot?secret=s3cret", json=event(content="you idiot"))
        assert r.status_code == 200
    path, body, token = FakeChatwoot.received[0]
    assert path == "/api/v1/accounts/1/conversations/10/messages"
    assert body["private"] is True and body["message_type"] == "outgoing" and token == "tok"
    assert "calm" in body["content"].lower() or "tone" in body["content"].lower()
