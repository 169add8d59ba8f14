"""Every query the service runs. Small typed functions over a ``Session``.

None of them commits: the caller owns the transaction (``with sessions.begin() as session: ...``) so that
everything one request writes -- message, nudges, alerts, conversation flags -- is committed together or not
at all. Functions that create rows flush, so ids are known before the commit. Times are timezone-aware UTC.

Label and signal filters look inside the JSON lists portably (SQLite and PostgreSQL store JSON differently):
``CAST(labels AS TEXT) LIKE '%"insult"%'`` with the LIKE wildcards escaped. The JSON text is what SQLAlchemy
wrote (``json.dumps``), so a quoted label name matches exactly one list element, never a prefix.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Text, exists, func, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from assistant.data.lang import guess_lang
from assistant.db.models import (
    FEEDBACK_VALUES,
    MESSAGE_ROLES,
    REVIEW_ACTIONS,
    SEVERITIES,
    USER_LANGUAGES,
    USER_ROLES,
    Alert,
    Conversation,
    Feedback,
    Message,
    Nudge,
    Review,
    User,
)
from assistant.labels import LABELS

VERDICTS = ("confirm", "dismiss")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {list(allowed)}, got {value!r}")


# --- users -------------------------------------------------------------------------------------------------


def create_user(
    session: Session, name: str, role: str, language: str = "en", external_id: str | None = None
) -> tuple[User, str]:
    """A new user and its bearer token; only the token's sha256 is stored, so the token is shown once.
    ``external_id`` maps the user to an outside system's account, e.g. ``"chatwoot:12"``."""
    if not name.strip():
        raise ValueError("a user name must not be empty")
    _check(role, USER_ROLES, "role")
    _check(language, USER_LANGUAGES, "language")
    token = secrets.token_urlsafe(32)
    user = User(name=name, role=role, language=language, token_hash=hash_token(token), external_id=external_id)
    session.add(user)
    session.flush()
    return user, token


def user_by_token(session: Session, token: str) -> User | None:
    if not token:
        return None
    return session.scalars(select(User).where(User.token_hash == hash_token(token))).one_or_none()


def user_by_name(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.name == name)).one_or_none()


def user_by_external_id(session: Session, external_id: str) -> User | None:
    if not external_id:
        return None
    return session.scalars(select(User).where(User.external_id == external_id)).one_or_none()


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


# --- conversations and messages ------------------------------------------------------------------------------


def get_or_create_conversation(
    session: Session, conversation_id: str, agent_id: int, customer_id: str | None, at: datetime
) -> Conversation:
    """The stored conversation, or a new one owned by ``agent_id`` (an existing one keeps its agent).

    If another transaction creates the same conversation meanwhile, its row is returned (the insert runs in
    a savepoint, so the caller's transaction survives the clash)."""
    conv = session.get(Conversation, conversation_id)
    if conv is not None:
        if conv.customer_id is None and customer_id is not None:
            conv.customer_id = customer_id
        return conv
    conv = Conversation(
        id=conversation_id,
        agent_id=agent_id,
        customer_id=customer_id,
        created_at=at,
        last_message_at=at,
        flagged=False,
        reviewed=False,
    )
    try:
        with session.begin_nested():
            session.add(conv)
    except IntegrityError:
        found = session.get(Conversation, conversation_id)
        if found is None:
            raise
        return found
    return conv


def message_by_client_id(session: Session, client_message_id: str) -> Message | None:
    if not client_message_id:
        return None
    return session.scalars(select(Message).where(Message.client_message_id == client_message_id)).one_or_none()


def conversation_messages(session: Session, conversation_id: str) -> list[Message]:
    query = select(Message).where(Message.conversation_id == conversation_id).order_by(Message.index)
    return list(session.scalars(query))


def add_message(
    session: Session,
    conversation: Conversation,
    *,
    role: str,
    text: str,
    at: datetime,
    labels: Sequence[str] = (),
    scores: dict[str, float] | None = None,
    signals: Sequence[str] = (),
    client_message_id: str | None = None,
) -> Message:
    """Append a message (next index); the conversation's ``last_message_at`` and ``flagged`` follow.

    The conversation row is locked first (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite transactions are
    already exclusive), so concurrent posts to one conversation get consecutive indexes. A reused
    ``client_message_id`` raises ``IntegrityError`` at the flush.
    """
    _check(role, MESSAGE_ROLES, "role")
    session.execute(select(Conversation.id).where(Conversation.id == conversation.id).with_for_update())
    last = session.scalar(select(func.max(Message.index)).where(Message.conversation_id == conversation.id))
    message = Message(
        conversation_id=conversation.id,
        client_message_id=client_message_id or None,
        index=0 if last is None else last + 1,
        role=role,
        text=text,
        created_at=at,
        labels=list(labels),
        scores={k: float(v) for k, v in (scores or {}).items()},
        signals=list(signals),
    )
    session.add(message)
    if conversation.last_message_at is None or at > conversation.last_message_at:
        conversation.last_message_at = at
    if message.flagged:
        conversation.flagged = True
    session.flush()
    return message


def add_nudge(
    session: Session,
    *,
    conversation_id: str,
    agent_id: int,
    guideline: str,
    trigger: str,
    severity: str,
    title: str,
    advice: str,
    created_at: datetime,
    message_id: int | None = None,
    labels: Sequence[str] = (),
    scores: dict[str, float] | None = None,
    evidence: Sequence[str] = (),
) -> Nudge:
    """Store a nudge (``message_id`` None for a draft check); the engine's Nudge fields map one to one."""
    _check(severity, SEVERITIES, "severity")
    nudge = Nudge(
        conversation_id=conversation_id,
        message_id=message_id,
        agent_id=agent_id,
        guideline=guideline,
        trigger=trigger,
        labels=list(labels),
        scores={k: float(v) for k, v in (scores or {}).items()},
        severity=severity,
        evidence=[str(e) for e in evidence],
        title=title,
        advice=advice,
        created_at=created_at,
    )
    session.add(nudge)
    session.flush()
    return nudge


def add_alert(
    session: Session,
    *,
    conversation_id: str,
    kind: str,
    severity: str,
    created_at: datetime,
    message_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> Alert:
    _check(severity, SEVERITIES, "severity")
    alert = Alert(
        conversation_id=conversation_id,
        message_id=message_id,
        kind=kind,
        severity=severity,
        detail=dict(detail or {}),
        created_at=created_at,
    )
    session.add(alert)
    session.flush()
    return alert


# --- nudges: delivery, acknowledgement, feedback --------------------------------------------------------------


def pending_nudges(session: Session, agent_id: int, since_id: int | None = None) -> list[Nudge]:
    """The agent's nudges not yet acknowledged, oldest first; with ``since_id`` only those after it."""
    query = select(Nudge).where(Nudge.agent_id == agent_id, Nudge.acked_at.is_(None))
    if since_id is not None:
        query = query.where(Nudge.id > since_id)
    return list(session.scalars(query.order_by(Nudge.id)))


def mark_delivered(session: Session, ids: Iterable[int], at: datetime) -> int:
    """Set ``delivered_at`` on those not delivered before; returns how many changed."""
    wanted = sorted(set(ids))
    if not wanted:
        return 0
    result = session.execute(
        update(Nudge).where(Nudge.id.in_(wanted), Nudge.delivered_at.is_(None)).values(delivered_at=at)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _agents_nudge(session: Session, nudge_id: int, agent_id: int) -> Nudge | None:
    nudge = session.get(Nudge, nudge_id)
    return nudge if nudge is not None and nudge.agent_id == agent_id else None


def ack_nudge(session: Session, nudge_id: int, agent_id: int, at: datetime) -> Nudge | None:
    """Acknowledge (idempotent: the first time is kept); None if the nudge is not this agent's."""
    nudge = _agents_nudge(session, nudge_id, agent_id)
    if nudge is None:
        return None
    if nudge.acked_at is None:
        nudge.acked_at = at
    if nudge.delivered_at is None:
        nudge.delivered_at = at
    session.flush()
    return nudge


def set_feedback(session: Session, nudge_id: int, agent_id: int, value: str, at: datetime) -> Nudge | None:
    """Record 'helpful' or 'wrong' (the latest answer wins); None if the nudge is not this agent's."""
    _check(value, FEEDBACK_VALUES, "feedback")
    nudge = _agents_nudge(session, nudge_id, agent_id)
    if nudge is None:
        return None
    nudge.feedback = cast(Feedback, value)
    nudge.feedback_at = at
    session.flush()
    return nudge


# --- supervisor views ----------------------------------------------------------------------------------------


def _json_has(column: Any, value: str) -> ColumnElement[bool]:
    """Portable "JSON list ``column`` contains the string ``value``" (see the module docstring)."""
    return sql_cast(column, Text).contains(f'"{value}"', autoescape=True)


def _any_message(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(Message.conversation_id == Conversation.id, condition)


def _conversation_filter(
    query: Select[Any],
    *,
    agent_id: int | None,
    label: str | None,
    signal: str | None,
    since: datetime | None,
    until: datetime | None,
    reviewed: bool | None,
    flagged: bool | None,
) -> Select[Any]:
    if agent_id is not None:
        query = query.where(Conversation.agent_id == agent_id)
    if label is not None:
        query = query.where(_any_message(_json_has(Message.labels, label)))
    if signal is not None:
        query = query.where(_any_message(_json_has(Message.signals, signal)))
    if since is not None:  # active at or after `since`
        query = query.where(Conversation.last_message_at >= since)
    if until is not None:  # started before `until`
        query = query.where(Conversation.created_at < until)
    if reviewed is not None:
        query = query.where(Conversation.reviewed.is_(reviewed))
    if flagged is not None:
        query = query.where(Conversation.flagged.is_(flagged))
    return query


def list_conversations(
    session: Session,
    *,
    agent_id: int | None = None,
    label: str | None = None,
    signal: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    reviewed: bool | None = None,
    flagged: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Conversation]:
    """Most recently active first. ``label``/``signal``: some message of the conversation carries it;
    ``since``/``until``: the conversation's span [created_at, last_message_at] overlaps [since, until)."""
    query = _conversation_filter(
        select(Conversation),
        agent_id=agent_id,
        label=label,
        signal=signal,
        since=since,
        until=until,
        reviewed=reviewed,
        flagged=flagged,
    )
    query = query.order_by(Conversation.last_message_at.desc(), Conversation.id)
    return list(session.scalars(query.limit(max(0, limit)).offset(max(0, offset))))


def conversation_detail(session: Session, conversation_id: str) -> Conversation | None:
    """A conversation with its messages, nudges, alerts, reviews and agent loaded."""
    query = (
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .options(
            selectinload(Conversation.messages),
            selectinload(Conversation.nudges),
            selectinload(Conversation.alerts),
            selectinload(Conversation.reviews),
            selectinload(Conversation.agent),
        )
    )
    return session.scalars(query).one_or_none()


def add_review(
    session: Session,
    conversation_id: str,
    supervisor_id: int,
    action: str,
    message_id: int | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Review:
    """Record a supervisor's review and mark the conversation reviewed. ``message_id`` None: the review is
    about the whole conversation. Raises LookupError for an unknown conversation or a message not in it."""
    _check(action, REVIEW_ACTIONS, "action")
    conv = session.get(Conversation, conversation_id)
    if conv is None:
        raise LookupError(f"unknown conversation {conversation_id!r}")
    if message_id is not None:
        message = session.get(Message, message_id)
        if message is None or message.conversation_id != conversation_id:
            raise LookupError(f"message {message_id} is not in conversation {conversation_id!r}")
    review = Review(
        conversation_id=conversation_id,
        message_id=message_id,
        supervisor_id=supervisor_id,
        action=action,
        note=note,
    )
    if at is not None:
        review.created_at = at
    session.add(review)
    conv.reviewed = True
    session.flush()
    return review


# --- exports -------------------------------------------------------------------------------------------------


def _verdicts(reviews: Iterable[Review]) -> tuple[dict[int, Review], Review | None]:
    """The latest confirm/dismiss per message and for the whole conversation (notes decide nothing)."""
    per_message: dict[int, Review] = {}
    whole: Review | None = None
    for r in sorted(reviews, key=lambda r: (r.created_at, r.id)):
        if r.action not in VERDICTS:
            continue
        if r.message_id is None:
            whole = r
        else:
            per_message[r.message_id] = r
    return per_message, whole


def verdict(message: Message, per_message: dict[int, Review], whole: Review | None) -> Review | None:
    """A review of the message itself outranks a review of its whole conversation."""
    return per_message.get(message.id, whole)


def export_rows(
    session: Session,
    *,
    agent_id: int | None = None,
    label: str | None = None,
    signal: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    reviewed: bool | None = None,
    flagged: bool | None = None,
    batch: int = 200,
) -> Iterator[dict[str, Any]]:
    """One row per flagged message (labels or signals) of the conversations ``list_conversations`` would
    give, oldest conversation first. ``label``/``signal``/``since``/``until`` also narrow the messages.
    ``review`` is the verdict on the message (``verdict``): "confirm", "dismiss", "note" when only notes
    were left on the conversation, or ""."""
    offset = 0
    while True:
        query = _conversation_filter(
            select(Conversation),
            agent_id=agent_id,
            label=label,
            signal=signal,
            since=since,
            until=until,
            reviewed=reviewed,
            flagged=flagged,
        ).where(Conversation.flagged.is_(True))  # a flagged message always flags its conversation
        query = query.order_by(Conversation.created_at, Conversation.id).limit(batch).offset(offset)
        query = query.options(
            selectinload(Conversation.messages),
            selectinload(Conversation.nudges),
            selectinload(Conversation.reviews),
            selectinload(Conversation.agent),
        )
        conversations = list(session.scalars(query))
        for conv in conversations:
            yield from _conversation_rows(conv, label=label, signal=signal, since=since, until=until)
        if len(conversations) < batch:
            return
        offset += batch


def _conversation_rows(
    conv: Conversation, *, label: str | None, signal: str | None, since: datetime | None, until: datetime | None
) -> Iterator[dict[str, Any]]:
    per_message, whole = _verdicts(conv.reviews)
    noted = any(r.action == "note" for r in conv.reviews)
    nudges: dict[int, list[str]] = {}
    for n in conv.nudges:
        if n.message_id is not None:
            nudges.setdefault(n.message_id, []).append(n.guideline)
    for m in conv.messages:
        if not m.flagged or (label is not None and label not in m.labels):
            continue
        if (signal is not None and signal not in m.signals) or (since is not None and m.created_at < since):
            continue
        if until is not None and m.created_at >= until:
            continue
        review = verdict(m, per_message, whole)
        yield {
            "conversation_id": conv.id,
            "message_id": m.id,
            "index": m.index,
            "at": m.created_at.isoformat(),
            "agent": conv.agent.name,
            "role": m.role,
            "text": m.text,
            "labels": list(m.labels),
            "scores": dict(m.scores),
            "signals": list(m.signals),
            "nudges": nudges.get(m.id, []),
            "review": review.action if review is not None else ("note" if noted else ""),
        }


def training_rows(session: Session) -> list[dict[str, Any]]:
    """Reviewed customer messages as rows of ``training_data/`` (``{"text", "labels", "lang", "source"}``).

    Only messages the model labelled count: with a confirm verdict they keep their labels; with dismiss the
    labels become ``[]`` -- a false flag becomes a hard negative. Signal-only flags say nothing about one
    message's labels and are left out; so is anything without a verdict (unreviewed, or only notes).
    """
    query = (
        select(Conversation)
        .where(Conversation.reviewed.is_(True))
        .order_by(Conversation.created_at, Conversation.id)
        .options(selectinload(Conversation.messages), selectinload(Conversation.reviews))
    )
    rows: list[dict[str, Any]] = []
    for conv in session.scalars(query):
        per_message, whole = _verdicts(conv.reviews)
        for m in conv.messages:
            review = verdict(m, per_message, whole)
            if m.role != "customer" or not m.labels or review is None or not m.text.strip():
                continue
            labels = [lb for lb in LABELS if lb in m.labels] if review.action == "confirm" else []
            rows.append(
                {
                    "text": m.text,
                    "labels": labels,
                    "lang": guess_lang(m.text),
                    "source": f"review:{review.action}:{conv.id}",
                }
            )
    return rows
