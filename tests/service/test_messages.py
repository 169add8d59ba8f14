from tests.service.conftest import Client


def test_customer_message_is_classified_and_nudged(client: Client):
    r = client.post_message("you are so cute, whatsapp number do", message_id="m-1")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["labels"] == ["flirtation", "contact_request"]
    assert set(body["scores"]) == {"flirtation", "date_request", "contact_request", "gift_offer", "insult", "anger"}
    guidelines = [n["guideline"] for n in body["nudges"]]
    assert guidelines == ["stay_neutral", "keep_your_hours"]
    nudge = body["nudges"][0]
    assert nudge["title"] and nudge["advice"] and nudge["severity"] in ("info", "warning", "critical")
    assert nudge["conversation_id"] == "c1" and nudge["message_id"] == body["message_id"]


def test_retry_with_the_same_message_id_is_not_counted_twice(client: Client):
    first = client.post_message("hello jaan", message_id="m-1")
    again = client.post_message("hello jaan", message_id="m-1")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["duplicate"] is True and again.json()["message_id"] == first.json()["message_id"]
    assert again.json()["nudges"] == first.json()["nudges"]
    convo = client.http.get("/api/conversations/c1", headers=client.auth("asha")).json()
    assert len(convo["messages"]) == 1


def test_cooldown_limits_one_nudge_per_guideline(client: Client):
    a = client.post_message("cute", timestamp="2026-01-01T10:00:00Z")
    b = client.post_message("so cute", timestamp="2026-01-01T10:01:00Z")
    c = client.post_message("cute again", timestamp="2026-01-01T10:10:00Z")
    neutral = [[n for n in x.json()["nudges"] if n["guideline"] == "stay_neutral"] for x in (a, b, c)]
    assert [len(n) for n in neutral] == [1, 0, 1]
    # the third advance in a row is persistent: the supervisor guideline comes on top
    assert "involve_supervisor" in [n["guideline"] for n in c.json()["nudges"]]


def test_hindi_speaking_agent_gets_hindi_advice(client: Client):
    r = client.post_message("you idiot", agent="ravi", conversation="c-hi")
    advice = r.json()["nudges"][0]["advice"]
    assert any("\u0900" <= ch <= "\u097f" for ch in advice)


def test_bad_input_gets_clear_4xx_and_stores_nothing(client: Client):
    cases = [
        (client.post_message(""), 422, "empty"),
        (client.post_message("bin\x00ary"), 422, "control character"),
        (client.post_message("x" * (client.settings.max_message_chars + 1)), 413, "limit"),
        (client.post_message("hi", role="bot"), 422, "role"),
        (client.post_message("hi", agent="nobody"), 404, "unknown agent"),
        (client.post_message("hi", conversation="bad id with spaces"), 422, "conversation_id"),
        (
            client.http.post(
                "/api/messages",
                content=b"{not json",
                headers={**client.auth("integration"), "Content-Type": "application/json"},
            ),
            422,
            "JSON",
        ),
    ]
    for resp, status, word in cases:
        assert resp.status_code == status, (resp.status_code, resp.text)
        assert word.lower() in resp.text.lower(), resp.text
    assert client.http.get("/api/conversations", headers=client.auth("asha")).json() == []
    assert client.post_message("still serving").status_code == 201


def test_tokens_and_roles(client: Client):
    assert client.http.post("/api/messages", json={}).status_code == 401
    assert client.http.get("/api/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    r = client.post_message("hi", agent="ravi", who="asha")
    assert r.status_code == 403 and "own conversations" in r.text
    assert client.http.get("/api/audit/conversations", headers=client.auth("asha")).status_code == 403
    client.post_message("cute", agent="ravi", conversation="theirs")
    assert client.http.get("/api/conversations/theirs", headers=client.auth("asha")).status_code == 404
    assert client.http.get("/api/conversations", headers=client.auth("asha")).json() == []


def test_conversation_belongs_to_one_agent(client: Client):
    client.post_message("hello", conversation="c9")
    r = client.post_message("hello", conversation="c9", agent="ravi")
    assert r.status_code == 409


def test_draft_check(client: Client):
    r = client.http.post(
        "/api/drafts", json={"text": "sure, call me on my personal 98765 43210 after 8"}, headers=client.auth("asha")
    )
    assert r.status_code == 200, r.text
    assert [n["guideline"] for n in r.json()["nudges"]] == ["keep_your_hours"]
    calm = client.http.post(
        "/api/drafts",
        json={"text": "I have raised the refund, it will reach you in 3 days"},
        headers=client.auth("asha"),
    )
    assert calm.json()["nudges"] == []


def test_persistent_advances_alerts_supervisor(client: Client):
    client.post_message("are you single?", timestamp="2026-01-01T10:00:00Z")
    client.post_message("Sorry, I can't share personal details.", role="agent", timestamp="2026-01-01T10:00:30Z")
    r = client.post_message("come on, are you single? whatsapp?", timestamp="2026-01-01T10:01:00Z")
    body = r.json()
    assert "persistent_advances" in body["signals"]
    assert "involve_supervisor" in [n["guideline"] for n in body["nudges"]]
    listed = client.http.get(
        "/api/audit/conversations", params={"signal": "persistent_advances"}, headers=client.auth("sup")
    ).json()
    assert [c["id"] for c in listed] == ["c1"]


def test_the_app_serves_the_fast_path_by_default(tmp_path, tiny_env):
    from fastapi.testclient import TestClient

    from assistant.config import Settings
    from assistant.labels import LABELS
    from assistant.service.app import create_app
    from tests.service.conftest import make_users

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'f.db'}")
    tokens = make_users(settings.database_url)
    with TestClient(create_app(settings)) as http:  # no classifier passed: the lifespan loads one
        assert http.get("/healthz").json()["backend"] == "onnx-fp32"
        body = {"conversation_id": "c9", "agent_id": "asha", "role": "customer", "text": "you are so cute dear"}
        r = http.post("/api/messages", json=body, headers={"Authorization": f"Bearer {tokens['integration']}"})
        assert r.status_code == 201, r.text
        assert set(r.json()["scores"]) == set(LABELS)


def test_a_known_token_is_looked_up_once_then_cached(client: Client):
    services = client.http.app.state.services
    calls = []
    original = services.db

    async def counting(fn):
        calls.append(fn)
        return await original(fn)

    services.db = counting
    headers = client.auth("asha")
    assert client.http.get("/api/conversations", headers=headers).status_code == 200
    first = len(calls)
    assert client.http.get("/api/conversations", headers=headers).status_code == 200
    assert len(calls) - first == first - 1  # the second request skipped the token lookup
    bad = client.http.get("/api/conversations", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
