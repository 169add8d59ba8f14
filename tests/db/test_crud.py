from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.data.rows import parse_row
from assistant.db import crud
from assistant.db.models import Alert, Conversation, Message, Nudge, User

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _users(s: Session) -> tuple[User, User, User]:
    asha, _ = crud.create_user(s, "asha", "agent")
    ravi, _ = crud.create_user(s, "ravi", "agent", language="hi")
    boss, _ = crud.create_user(s, "meera", "supervisor")
    return asha, ravi, boss


def _nudge(
    s: Session, conv: Conversation, message: Message | None, agent_id: int, guideline: str, minutes: float = 0
) -> Nudge:
    return crud.add_nudge(
        s,
        conversation_id=conv.id,
        message_id=message.id if message else None,
        agent_id=agent_id,
        guideline=guideline,
        trigger="flirtation",
        labels=["flirtation"],
        scores={"flirtation": 0.9},
        severity="warning",
        evidence=[str(message.id)] if message else [],
        title="Stay neutral",
        advice="Keep it professional.",
        created_at=at(minutes),
    )


def _count(s: Session, model: type) -> int:
    return s.scalar(select(func.count()).select_from(model)) or 0


# --- users ---------------------------------------------------------------------------------------------------


def test_users_and_tokens(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        user, token = crud.create_user(s, "asha", "agent", language="hi")
        assert user.id is not None and len(token) >= 40
        assert user.token_hash == hashlib.sha256(token.encode()).hexdigest()
        crud.create_user(s, "meera", "supervisor")
    with sessions() as s:
        found = crud.user_by_token(s, token)
        assert found is not None and (found.name, found.role, found.language) == ("asha", "agent", "hi")
        assert crud.user_by_token(s, token + "x") is None
        assert crud.user_by_token(s, "") is None
        assert crud.user_by_name(s, "meera") is not None and crud.user_by_name(s, "nobody") is None
        assert [u.name for u in crud.list_users(s)] == ["asha", "meera"]
        stored = " ".join(str(v) for u in crud.list_users(s) for v in vars(u).values())
        assert token not in stored


def test_users_map_to_external_accounts(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        crud.create_user(s, "asha", "agent", external_id="chatwoot:12")
        crud.create_user(s, "ravi", "agent")
    with sessions() as s:
        found = crud.user_by_external_id(s, "chatwoot:12")
        assert found is not None and found.name == "asha"
        assert crud.user_by_external_id(s, "chatwoot:13") is None and crud.user_by_external_id(s, "") is None
    with pytest.raises(IntegrityError), sessions.begin() as s:
        crud.create_user(s, "meera", "agent", external_id="chatwoot:12")


def test_user_names_are_unique_and_roles_checked(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        crud.create_user(s, "asha", "agent")
    with pytest.raises(IntegrityError), sessions.begin() as s:
        crud.create_user(s, "asha", "supervisor")
    with pytest.raises(ValueError, match="role"), sessions.begin() as s:
        crud.create_user(s, "bob", "admin")
    with pytest.raises(ValueError, match="language"), sessions.begin() as s:
        crud.create_user(s, "bob", "agent", language="fr")


# --- conversations and messages ------------------------------------------------------------------------------


def test_messages_get_consecutive_indexes_and_flag_the_conversation(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        asha, _, _ = _users(s)
        conv = crud.get_or_create_conversation(s, "c1", asha.id, None, at(0))
        assert crud.get_or_create_conversation(s, "c1", asha.id, "cust-9", at(5)) is conv
        assert conv.customer_id == "cust-9"
        m0 = crud.add_message(
            s,
            conv,
            role="customer",
            text="hello",
            at=at(0),
            labels=[],
            scores={"anger": 0.1},
            signals=[],
            client_message_id="k0",
        )
        assert not conv.flagged
        m1 = crud.add_message(
            s,
            conv,
            role="agent",
            text="hi, how can I help?",
            at=at(1),
            labels=[],
            scores={},
            signals=[],
            client_message_id=None,
        )
        m2 = crud.add_message(
            s,
            conv,
            role="customer",
            text="you are cute",
            at=at(2),
            labels=["flirtation"],
            scores={"flirtation": 0.9},
            signals=[],
            client_message_id="k2",
        )
        assert [m0.index, m1.index, m2.index] == [0, 1, 2]
        assert conv.flagged and conv.last_message_at == at(2)
        conv2 = crud.get_or_create_conversation(s, "c2", asha.id, None, at(0))
        crud.add_message(
            s,
            conv2,
            role="customer",
            text="x",
            at=at(3),
            labels=[],
            scores={},
            signals=["rising_anger"],
            client_message_id=None,
        )
        assert conv2.flagged
    with sessions() as s:
        assert [m.text for m in crud.conversation_messages(s, "c1")] == ["hello", "hi, how can I help?", "you are cute"]
        found = crud.message_by_client_id(s, "k2")
        assert found is not None and found.index == 2 and found.labels == ["flirtation"]
        assert crud.message_by_client_id(s, "missing") is None
        stored = s.get(Conversation, "c1")
        assert stored is not None and stored.flagged and stored.last_message_at == at(2)


def test_client_message_id_is_unique(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        asha, _, _ = _users(s)
        conv = crud.get_or_create_conversation(s, "c1", asha.id, None, at(0))
        crud.add_message(
            s, conv, role="customer", text="one", at=at(0), labels=[], scores={}, signals=[], client_message_id="same"
        )
    with pytest.raises(IntegrityError), sessions.begin() as s:
        other = crud.get_or_create_conversation(s, "c2", 1, None, at(1))
        crud.add_message(
            s, other, role="customer", text="two", at=at(1), labels=[], scores={}, signals=[], client_message_id="same"
        )
    with sessions() as s:
        assert _count(s, Message) == 1 and s.get(Conversation, "c2") is None


def test_a_failed_post_writes_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        asha, _, _ = _users(s)
        conv = crud.get_or_create_conversation(s, "c1", asha.id, None, at(0))
        crud.add_message(
            s, conv, role="customer", text="hi", at=at(0), labels=[], scores={}, signals=[], client_message_id="first"
        )
    # one post = message + nudge + alert + conversation flags; it breaks at the end
    with pytest.raises(RuntimeError), sessions.begin() as s:
        conv = crud.get_or_create_conversation(s, "c1", 1, None, at(1))
        m = crud.add_message(
            s,
            conv,
            role="customer",
            text="send me your number",
            at=at(1),
            labels=["contact_request"],
            scores={"contact_request": 0.95},
            signals=[],
            client_message_id="second",
        )
        _nudge(s, conv, m, conv.agent_id, "keep_your_hours", 1)
        crud.add_alert(
            s,
            conversation_id=conv.id,
            message_id=m.id,
            kind="persistent_advances",
            severity="critical",
            detail={"evidence": [str(m.id)]},
            created_at=at(1),
        )
        crud.get_or_create_conversation(s, "c-new", 1, None, at(1))
        raise RuntimeError("the broker failed")
    # and one that breaks in the database: a reused client_message_id after other writes
    with pytest.raises(IntegrityError), sessions.begin() as s:
        conv = crud.get_or_create_conversation(s, "c1", 1, None, at(2))
        m = crud.add_message(
            s,
            conv,
            role="customer",
            text="u r cute",
            at=at(2),
            labels=["flirtation"],
            scores={},
            signals=[],
            client_message_id="third",
        )
        _nudge(s, conv, m, conv.agent_id, "stay_neutral", 2)
        crud.add_message(
            s,
            conv,
            role="customer",
            text="again",
            at=at(2),
            labels=[],
            scores={},
            signals=[],
            client_message_id="first",
        )
    with sessions() as s:
        conv2 = s.get(Conversation, "c1")
        assert conv2 is not None and not conv2.flagged and conv2.last_message_at == at(0)
        assert [m.client_message_id for m in crud.conversation_messages(s, "c1")] == ["first"]
        assert (_count(s, Nudge), _count(s, Alert), _count(s, Conversation)) == (0, 0, 1)


def test_concurrent_posts_to_one_conversation_get_distinct_indexes(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as s:
        asha, _, _ = _users(s)
        crud.get_or_create_conversation(s, "c1", asha.id, None, at(0))
    errors: list[BaseException] = []

    def post(worker: int) -> None:
        try:
            for i in range(5):
                with sessions.begin() as s:
                    conv = crud.get_or_create_conversation(s, "c1", 1, None, at(0))
                    crud.add_message(
                        s,
                        conv,
                        role="customer",
                        text=f"{worker}-{i}",
                        at=at(i),
                        labels=[],
                        scores={},
                        signals=[],
                        client_message_id=f"{worker}-{i}",
                    )
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=post, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with sessions() as s:
        assert [m.index for m in crud.conversation_messages(s, "c1")] == list(range(20))


def test_a_conversation_created_meanwhile_is_reused(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        asha, ravi, _ = _users(s)
        asha_id, ravi_id = asha.id, ravi.id
    got: list[tuple[str, int]] = []
    errors: list[BaseException] = []

    def other() -> None:
        try:
            with sessions.begin() as s:
                conv = crud.get_or_create_conversation(s, "cX", ravi_id, None, at(1))
                got.append((conv.id, conv.agent_id))
        except BaseException as err:
            errors.append(err)

    with sessions.begin() as s:  # created here, committed only after the other transaction tried too
        crud.get_or_create_conversation(s, "cX", asha_id, None, at(0))
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(0.5)
    thread.join()
    assert errors == [] and got == [("cX", asha_id)]


# --- nudges --------------------------------------------------------------------------------------------------


def test_pending_delivery_ack_and_feedback(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        asha, ravi, _ = _users(s)
        conv = crud.get_or_create_conversation(s, "c1", asha.id, None, at(0))
        m = crud.add_message(
            s,
            conv,
            role="customer",
            text="cute",
            at=at(0),
            labels=["flirtation"],
            scores={},
            signals=[],
            client_message_id=None,
        )
        n1 = _nudge(s, conv, m, asha.id, "stay_neutral", 0)
        n2 = _nudge(s, conv, None, asha.id, "keep_your_hours", 1)  # a draft check: no message
        n3 = _nudge(s, conv, m, asha.id, "make_the_rule", 2)
        theirs = _nudge(s, conv, m, ravi.id, "stay_neutral", 3)
        ids = (asha.id, ravi.id, n1.id, n2.id, n3.id, theirs.id)
    asha_id, ravi_id, id1, id2, id3, their_id = ids
    with sessions.begin() as s:
        assert [n.id for n in crud.pending_nudges(s, asha_id)] == [id1, id2, id3]
        assert [n.id for n in crud.pending_nudges(s, asha_id, since_id=id1)] == [id2, id3]
        assert crud.mark_delivered(s, [id1, id2], at(5)) == 2
        assert crud.mark_delivered(s, [id1, id2, id3], at(6)) == 1  # only the undelivered one
        assert crud.mark_delivered(s, [], at(6)) == 0
    with sessions.begin() as s:
        assert crud.ack_nudge(s, their_id, asha_id, at(7)) is None  # not hers
        acked = crud.ack_nudge(s, id1, asha_id, at(7))
        assert acked is not None and acked.acked_at == at(7)
        again = crud.ack_nudge(s, id1, asha_id, at(9))
        assert again is not None and again.acked_at == at(7)
        assert crud.ack_nudge(s, 10_000, asha_id, at(7)) is None
        assert crud.set_feedback(s, their_id, asha_id, "wrong", at(8)) is None
        fb = crud.set_feedback(s, id2, asha_id, "wrong", at(8))
        assert fb is not None and (fb.feedback, fb.feedback_at) == ("wrong", at(8))
        with pytest.raises(ValueError, match="feedback"):
            crud.set_feedback(s, id2, asha_id, "meh", at(8))
    with sessions() as s:
        assert [n.id for n in crud.pending_nudges(s, asha_id)] == [id2, id3]
        assert [n.id for n in crud.pending_nudges(s, ravi_id)] == [their_id]
        theirs_now = s.get(Nudge, their_id)
        assert theirs_now is not None and theirs_now.acked_at is None and theirs_now.feedback is None
        first = s.get(Nudge, id1)
        assert first is not None and first.delivered_at == at(5)
        third = s.get(Nudge, id3)
        assert third is not None and third.delivered_at == at(6)


# --- supervisor views ----------------------------------------------------------------------------------------


def _world(s: Session) -> dict[str, int]:
    """c1 (asha): flirtation, nudged, reviewed confirm; c2 (ravi): insult + rising_anger; c3 (asha): clean;
    c4 (ravi): a fake label whose name differs from date_request only where '_' stands (LIKE escaping)."""
    asha, ravi, boss = _users(s)
    c1 = crud.get_or_create_conversation(s, "c1", asha.id, "u1", at(0))
    crud.add_message(
        s, c1, role="customer", text="hi", at=at(0), labels=[], scores={}, signals=[], client_message_id=None
    )
    m = crud.add_message(
        s,
        c1,
        role="customer",
        text="aap bahut cute ho",
        at=at(1),
        labels=["flirtation"],
        scores={"flirtation": 0.9},
        signals=[],
        client_message_id=None,
    )
    _nudge(s, c1, m, asha.id, "stay_neutral", 1)
    crud.add_message(
        s,
        c1,
        role="agent",
        text="Sorry, I can only help with your order.",
        at=at(2),
        labels=[],
        scores={},
        signals=[],
        client_message_id=None,
    )
    crud.add_review(s, "c1", boss.id, "confirm", at=at(3))
    c2 = crud.get_or_create_conversation(s, "c2", ravi.id, None, at(10))
    crud.add_message(
        s,
        c2,
        role="customer",
        text="तुम बेकार हो",
        at=at(10),
        labels=["insult", "anger"],
        scores={"insult": 0.8},
        signals=[],
        client_message_id=None,
    )
    crud.add_message(
        s,
        c2,
        role="customer",
        text="WHERE IS MY REFUND",
        at=at(11),
        labels=["anger"],
        scores={},
        signals=["rising_anger"],
        client_message_id=None,
    )
    c3 = crud.get_or_create_conversation(s, "c3", asha.id, None, at(20))
    crud.add_message(
        s, c3, role="customer", text="thanks!", at=at(21), labels=[], scores={}, signals=[], client_message_id=None
    )
    c4 = crud.get_or_create_conversation(s, "c4", ravi.id, None, at(30))
    crud.add_message(
        s,
        c4,
        role="customer",
        text="x",
        at=at(30),
        labels=["dateXrequest"],
        scores={},
        signals=[],
        client_message_id=None,
    )
    return {"asha": asha.id, "ravi": ravi.id, "boss": boss.id}


def _ids(conversations: list[Conversation]) -> list[str]:
    return [c.id for c in conversations]


def test_list_conversations_filters(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        who = _world(s)
    with sessions() as s:
        assert _ids(crud.list_conversations(s)) == ["c4", "c3", "c2", "c1"]  # most recent first
        assert _ids(crud.list_conversations(s, agent_id=who["asha"])) == ["c3", "c1"]
        assert _ids(crud.list_conversations(s, label="flirtation")) == ["c1"]
        assert _ids(crud.list_conversations(s, label="anger")) == ["c2"]
        assert _ids(crud.list_conversations(s, label="date_request")) == []  # '_' is not a wildcard
        assert _ids(crud.list_conversations(s, label="insul")) == []  # whole names only
        assert _ids(crud.list_conversations(s, signal="rising_anger")) == ["c2"]
        assert _ids(crud.list_conversations(s, signal="anger")) == []
        assert _ids(crud.list_conversations(s, label="anger", signal="rising_anger", agent_id=who["asha"])) == []
        assert _ids(crud.list_conversations(s, flagged=True)) == ["c4", "c2", "c1"]
        assert _ids(crud.list_conversations(s, flagged=False)) == ["c3"]
        assert _ids(crud.list_conversations(s, reviewed=True)) == ["c1"]
        assert _ids(crud.list_conversations(s, reviewed=False, flagged=True)) == ["c4", "c2"]
        assert _ids(crud.list_conversations(s, since=at(11))) == ["c4", "c3", "c2"]
        assert _ids(crud.list_conversations(s, until=at(10))) == ["c1"]
        assert _ids(crud.list_conversations(s, since=at(5), until=at(25))) == ["c3", "c2"]
        assert _ids(crud.list_conversations(s, limit=2)) == ["c4", "c3"]
        assert _ids(crud.list_conversations(s, limit=2, offset=2)) == ["c2", "c1"]


def test_conversation_detail_loads_everything(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        _world(s)
    with sessions() as s:
        conv = crud.conversation_detail(s, "c1")
        assert crud.conversation_detail(s, "nope") is None
    assert conv is not None  # the session is closed: only what was loaded can be read
    assert [m.index for m in conv.messages] == [0, 1, 2]
    assert [n.guideline for n in conv.nudges] == ["stay_neutral"]
    assert [r.action for r in conv.reviews] == ["confirm"] and conv.alerts == []
    assert conv.agent.name == "asha" and conv.reviewed


def test_add_review(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        who = _world(s)
        c2 = crud.conversation_messages(s, "c2")
    with sessions.begin() as s:
        review = crud.add_review(s, "c2", who["boss"], "dismiss", message_id=c2[0].id, note="sarcasm")
        assert review.id is not None and review.created_at.tzinfo == UTC
        with pytest.raises(ValueError, match="action"):
            crud.add_review(s, "c2", who["boss"], "approve")
        with pytest.raises(LookupError):
            crud.add_review(s, "nope", who["boss"], "note")
        with pytest.raises(LookupError):
            crud.add_review(s, "c3", who["boss"], "confirm", message_id=c2[0].id)  # not c3's message
    with sessions() as s:
        conv = s.get(Conversation, "c2")
        assert conv is not None and conv.reviewed
        assert not (s.get(Conversation, "c3") or conv).reviewed


def test_export_rows(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        who = _world(s)
        c2 = crud.conversation_messages(s, "c2")
        crud.add_review(s, "c2", who["boss"], "note", note="look again", at=at(40))
    with sessions() as s:
        rows = list(crud.export_rows(s))
    assert [(r["conversation_id"], r["index"]) for r in rows] == [("c1", 1), ("c2", 0), ("c2", 1), ("c4", 0)]
    first = rows[0]
    assert first == {
        "conversation_id": "c1",
        "message_id": first["message_id"],
        "index": 1,
        "at": at(1).isoformat(),
        "agent": "asha",
        "role": "customer",
        "text": "aap bahut cute ho",
        "labels": ["flirtation"],
        "scores": {"flirtation": 0.9},
        "signals": [],
        "nudges": ["stay_neutral"],
        "review": "confirm",
    }
    assert [r["review"] for r in rows[1:]] == ["note", "note", ""]
    assert rows[2]["signals"] == ["rising_anger"] and rows[1]["text"] == "तुम बेकार हो"
    with sessions.begin() as s:  # a message-level verdict outranks a later conversation-level one
        crud.add_review(s, "c2", who["boss"], "dismiss", message_id=c2[0].id, at=at(41))
        crud.add_review(s, "c2", who["boss"], "confirm", at=at(42))
    with sessions() as s:
        assert [r["review"] for r in crud.export_rows(s, label="anger")] == ["dismiss", "confirm"]
        assert [r["index"] for r in crud.export_rows(s, signal="rising_anger")] == [1]
        assert [r["conversation_id"] for r in crud.export_rows(s, agent_id=who["asha"])] == ["c1"]
        assert [r["index"] for r in crud.export_rows(s, since=at(11), until=at(20))] == [1]
        assert list(crud.export_rows(s, flagged=False)) == []
        assert len(list(crud.export_rows(s, batch=1))) == 4


def test_training_rows_from_reviews(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        who = _world(s)
        c2 = crud.conversation_messages(s, "c2")
        crud.add_review(s, "c2", who["boss"], "confirm", at=at(40))
        crud.add_review(s, "c2", who["boss"], "dismiss", message_id=c2[1].id, at=at(41))  # a false flag
        crud.add_review(s, "c4", who["boss"], "note", note="odd", at=at(42))  # a note decides nothing
    with sessions() as s:
        rows = crud.training_rows(s)
    assert rows == [
        {"text": "aap bahut cute ho", "labels": ["flirtation"], "lang": "hi-Latn", "source": "review:confirm:c1"},
        {"text": "तुम बेकार हो", "labels": ["insult", "anger"], "lang": "hi", "source": "review:confirm:c2"},
        {"text": "WHERE IS MY REFUND", "labels": [], "lang": "en", "source": "review:dismiss:c2"},
    ]
    for row in rows:
        parsed = parse_row(row)  # the training_data format
        assert list(parsed.labels) == row["labels"]
