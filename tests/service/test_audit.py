import csv
import io
import json

from tests.service.conftest import Client


def seed(client: Client) -> None:
    client.post_message("you are cute", conversation="flirty")
    client.post_message("where is my order", conversation="plain")
    client.post_message("you idiot!!!", conversation="rude", agent="ravi")


def test_filters(client: Client):
    seed(client)
    sup = client.auth("sup")

    def ids(**params: str) -> list[str]:
        r = client.http.get("/api/audit/conversations", params=params, headers=sup)
        assert r.status_code == 200, r.text
        return sorted(c["id"] for c in r.json())

    assert ids() == ["flirty", "rude"]  # flagged only by default
    assert ids(flagged="false") == ["plain"]
    assert ids(label="insult") == ["rude"]
    assert ids(agent="asha") == ["flirty"]
    assert ids(agent="nobody") == []
    assert ids(reviewed="true") == []
    assert client.http.get("/api/audit/conversations", params={"label": "rude"}, headers=sup).status_code == 422


def test_review_and_exports(client: Client):
    seed(client)
    sup = client.auth("sup")
    convo = client.http.get("/api/audit/conversations/rude", headers=sup).json()
    msg = convo["messages"][0]
    assert msg["labels"] == ["insult", "anger"] and msg["nudges"]
    r = client.http.post(
        "/api/audit/conversations/rude/reviews",
        json={"action": "confirm", "message_id": msg["id"], "note": "clear abuse"},
        headers=sup,
    )
    assert r.status_code == 201 and r.json()["supervisor"] == "sup"
    r = client.http.post("/api/audit/conversations/flirty/reviews", json={"action": "dismiss"}, headers=sup)
    assert r.status_code == 201
    bad = client.http.post("/api/audit/conversations/rude/reviews", json={"action": "maybe"}, headers=sup)
    assert bad.status_code == 422
    wrong_msg = client.http.post(
        "/api/audit/conversations/flirty/reviews", json={"action": "confirm", "message_id": msg["id"]}, headers=sup
    )
    assert wrong_msg.status_code == 422
    assert client.http.get("/api/audit/conversations", params={"reviewed": "true"}, headers=sup).status_code == 200

    csv_r = client.http.get("/api/audit/export", params={"format": "csv"}, headers=sup)
    assert csv_r.status_code == 200 and "attachment" in csv_r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(csv_r.text)))
    rude = next(r for r in rows if r["conversation_id"] == "rude")
    assert rude["review"] == "confirm" and json.loads(rude["labels"]) == ["insult", "anger"]

    jl = client.http.get("/api/audit/export", params={"format": "jsonl", "label": "insult"}, headers=sup)
    assert [json.loads(x)["conversation_id"] for x in jl.text.splitlines()] == ["rude"]

    tr = client.http.get("/api/audit/export", params={"format": "training"}, headers=sup)
    training = [json.loads(x) for x in tr.text.splitlines()]
    by_text = {t["text"]: t for t in training}
    assert by_text["you idiot!!!"]["labels"] == ["insult", "anger"]
    assert by_text["you are cute"]["labels"] == []  # dismissed: a false flag becomes a hard negative
    assert set(by_text["you idiot!!!"]) == {"text", "labels", "lang", "source"}
