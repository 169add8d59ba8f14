import pytest
from starlette.websockets import WebSocketDisconnect

from tests.service.conftest import Client


def test_nudge_reaches_the_agent_socket_and_ack_is_stored(client: Client):
    with client.http.websocket_connect(f"/ws/agent?token={client.tokens['asha']}") as ws:
        assert ws.receive_json()["type"] == "hello"
        posted = client.post_message("you are so cute").json()
        event = ws.receive_json()
        assert event["type"] == "nudge" and event["guideline"] == "stay_neutral"
        assert event["id"] == posted["nudges"][0]["id"] and event["labels"] == ["flirtation"]
        ws.send_json({"type": "feedback", "nudge_id": event["id"], "value": "wrong"})
        assert ws.receive_json() == {"type": "feedback", "nudge_id": event["id"], "ok": True}
        ws.send_json({"type": "ack", "nudge_id": event["id"]})
        assert ws.receive_json()["ok"] is True
        ws.send_json({"type": "ack", "nudge_id": 999999})
        assert ws.receive_json()["ok"] is False
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}
    convo = client.http.get("/api/conversations/c1", headers=client.auth("asha")).json()
    stored = convo["messages"][0]["nudges"][0]
    assert stored["acked"] is True and stored["feedback"] == "wrong"


def test_missed_nudges_are_replayed_on_reconnect(client: Client):
    first = client.post_message("cute").json()["nudges"][0]
    second = client.post_message("gift for you", conversation="c2").json()["nudges"][0]
    with client.http.websocket_connect(f"/ws/agent?token={client.tokens['asha']}") as ws:
        ws.receive_json()
        got = [ws.receive_json(), ws.receive_json()]
        assert [g["id"] for g in got] == [first["id"], second["id"]] and all(g["replayed"] for g in got)
        ws.send_json({"type": "ack", "nudge_id": first["id"]})
        ws.receive_json()
    with client.http.websocket_connect(f"/ws/agent?token={client.tokens['asha']}") as ws:
        ws.receive_json()
        assert ws.receive_json()["id"] == second["id"]  # the acknowledged one is not sent again


def test_other_agents_do_not_get_my_nudges(client: Client):
    with client.http.websocket_connect(f"/ws/agent?token={client.tokens['ravi']}") as ws:
        ws.receive_json()
        client.post_message("cute")  # asha's conversation
        client.post_message("idiot", agent="ravi", conversation="r1")
        assert ws.receive_json()["conversation_id"] == "r1"


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/ws/agent", "missing or unknown token"), ("/ws/agent?token=bad", "missing or unknown token")],
)
def test_bad_tokens_close_1008(client: Client, path: str, reason: str):
    with client.http.websocket_connect(path) as ws, pytest.raises(WebSocketDisconnect) as e:
        ws.receive_json()
    assert e.value.code == 1008 and reason in e.value.reason


def test_wrong_role_and_bad_frames(client: Client):
    with (
        client.http.websocket_connect(f"/ws/agent?token={client.tokens['sup']}") as ws,
        pytest.raises(WebSocketDisconnect) as e,
    ):
        ws.receive_json()
    assert e.value.code == 1008 and "agent tokens" in e.value.reason
    with client.http.websocket_connect(f"/ws/agent?token={client.tokens['asha']}") as ws:
        ws.receive_json()
        ws.send_text('{"type": "ack", "nudge_id": "abc"}')
        with pytest.raises(WebSocketDisconnect) as e:
            ws.receive_json()
        assert e.value.code == 1003 and "nudge_id" in e.value.reason
    with client.http.websocket_connect(f"/ws/agent?token={client.tokens['asha']}") as ws:
        ws.receive_json()
        ws.send_text("not json")
        with pytest.raises(WebSocketDisconnect) as e:
            ws.receive_json()
        assert e.value.code == 1003
    assert client.post_message("server still fine").status_code == 201


def test_supervisor_socket_gets_alerts(client: Client):
    with client.http.websocket_connect(f"/ws/supervisor?token={client.tokens['sup']}") as ws:
        assert ws.receive_json()["type"] == "hello"
        client.post_message("you idiot")
        alert = ws.receive_json()
        assert alert["type"] == "alert" and alert["kind"] == "insult" and alert["agent"] == "asha"
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}
