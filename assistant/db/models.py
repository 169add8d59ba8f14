"""The stored data of the live assistant: SQLAlchemy 2 typed ORM models.

Tables (the storage contract of the service): ``users``, ``conversations``, ``messages``, ``nudges``,
``alerts`` and ``reviews``. Times are timezone-aware UTC datetimes on the Python side on every database
(:class:`UTCDateTime`); JSON columns hold plain lists and dicts. The Alembic revision in
``assistant/db/migrations/versions`` creates exactly this schema (checked by a test); change both together.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal, get_args

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

UserRole = Literal["agent", "supervisor", "integration"]
Language = Literal["en", "hi"]
MessageRole = Literal["customer", "agent"]
Severity = Literal["info", "warning", "critical"]
Feedback = Literal["helpful", "wrong"]
ReviewAction = Literal["confirm", "dismiss", "note"]

USER_ROLES: tuple[str, ...] = get_args(UserRole)
USER_LANGUAGES: tuple[str, ...] = get_args(Language)
MESSAGE_ROLES: tuple[str, ...] = get_args(MessageRole)
SEVERITIES: tuple[str, ...] = get_args(Severity)
FEEDBACK_VALUES: tuple[str, ...] = get_args(Feedback)
REVIEW_ACTIONS: tuple[str, ...] = get_args(ReviewAction)

# Deterministic constraint names: Alembic needs names to alter or drop constraints later.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that always hands back aware UTC datetimes.

    SQLite has no time zones: values are converted to UTC and stored without an offset, then read back as
    UTC. PostgreSQL stores ``timestamptz``; values are read back converted to UTC. Naive datetimes are
    refused: they are a bug (which zone?).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: pass a timezone-aware (UTC) datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (read by SQLAlchemy at class creation)
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        dict[str, float]: JSON(),
        list[str]: JSON(),
    }


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("name"),
        UniqueConstraint("token_hash"),
        UniqueConstraint("external_id"),
        CheckConstraint(_one_of("role", USER_ROLES), name="role"),
        CheckConstraint(_one_of("language", USER_LANGUAGES), name="language"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[UserRole] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex of the bearer token
    language: Mapped[Language] = mapped_column(String(8), default="en")
    external_id: Mapped[str | None] = mapped_column(String(255))  # e.g. "chatwoot:12": the agent elsewhere
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, name={self.name!r}, role={self.role!r})"


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index(None, "agent_id", "last_message_at"),
        Index(None, "last_message_at"),
    )

    id: Mapped[str] = mapped_column(String(255), primary_key=True)  # the external conversation id
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    customer_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    flagged: Mapped[bool] = mapped_column(default=False)
    reviewed: Mapped[bool] = mapped_column(default=False)

    agent: Mapped[User] = relationship()
    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", order_by="Message.index", passive_deletes=True
    )
    nudges: Mapped[list[Nudge]] = relationship(back_populates="conversation", order_by="Nudge.id", passive_deletes=True)
    alerts: Mapped[list[Alert]] = relationship(back_populates="conversation", order_by="Alert.id", passive_deletes=True)
    reviews: Mapped[list[Review]] = relationship(
        back_populates="conversation", order_by="Review.id", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"Conversation(id={self.id!r}, agent_id={self.agent_id!r})"


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "index"),
        UniqueConstraint("client_message_id"),
        CheckConstraint(_one_of("role", MESSAGE_ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    client_message_id: Mapped[str | None] = mapped_column(String(255))
    index: Mapped[int] = mapped_column(Integer)  # 0, 1, 2, ... within the conversation
    role: Mapped[MessageRole] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    labels: Mapped[list[str]] = mapped_column(default=list)
    scores: Mapped[dict[str, float]] = mapped_column(default=dict)
    signals: Mapped[list[str]] = mapped_column(default=list)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")

    @property
    def flagged(self) -> bool:
        return bool(self.labels or self.signals)

    def __repr__(self) -> str:
        return f"Message(id={self.id!r}, conversation_id={self.conversation_id!r}, index={self.index!r})"


class Nudge(Base):
    __tablename__ = "nudges"
    __table_args__ = (
        Index(None, "agent_id", "delivered_at"),
        Index(None, "agent_id", "acked_at"),
        Index(None, "conversation_id"),
        Index(None, "message_id"),
        CheckConstraint(_one_of("severity", SEVERITIES), name="severity"),
        CheckConstraint(f"feedback IS NULL OR {_one_of('feedback', FEEDBACK_VALUES)}", name="feedback"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))  # None: draft
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    guideline: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(64))  # a label or a signal name
    labels: Mapped[list[str]] = mapped_column(default=list)
    scores: Mapped[dict[str, float]] = mapped_column(default=dict)
    severity: Mapped[Severity] = mapped_column(String(16))
    evidence: Mapped[list[str]] = mapped_column(default=list)  # message ids that drove it
    title: Mapped[str] = mapped_column(Text)
    advice: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()
    acked_at: Mapped[datetime | None] = mapped_column()
    feedback: Mapped[Feedback | None] = mapped_column(String(16))
    feedback_at: Mapped[datetime | None] = mapped_column()

    conversation: Mapped[Conversation] = relationship(back_populates="nudges")
    message: Mapped[Message | None] = relationship()

    def __repr__(self) -> str:
        return f"Nudge(id={self.id!r}, guideline={self.guideline!r}, agent_id={self.agent_id!r})"


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        Index(None, "conversation_id"),
        Index(None, "message_id"),
        Index(None, "created_at"),
        CheckConstraint(_one_of("severity", SEVERITIES), name="severity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))  # persistent_advances, rising_anger, insult, ...
    severity: Mapped[Severity] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="alerts")

    def __repr__(self) -> str:
        return f"Alert(id={self.id!r}, kind={self.kind!r}, conversation_id={self.conversation_id!r})"


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        Index(None, "conversation_id", "created_at"),
        Index(None, "message_id"),
        CheckConstraint(_one_of("action", REVIEW_ACTIONS), name="action"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))  # None: all
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[ReviewAction] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="reviews")
    supervisor: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"Review(id={self.id!r}, action={self.action!r}, conversation_id={self.conversation_id!r})"
