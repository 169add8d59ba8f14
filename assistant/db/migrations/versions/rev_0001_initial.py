"""Initial schema: users, conversations, messages, nudges, alerts, reviews.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Written out in full (no import of the models) so that it keeps creating this exact schema when the models
move on; ``tests/db/test_migrations.py`` checks that head matches ``models.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        _when("created_at"),
        sa.CheckConstraint("language IN ('en', 'hi')", name=op.f("ck_users_language")),
        sa.CheckConstraint("role IN ('agent', 'supervisor', 'integration')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_users_token_hash")),
        sa.UniqueConstraint("external_id", name=op.f("uq_users_external_id")),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=255), nullable=True),
        _when("created_at"),
        _when("last_message_at"),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("reviewed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["users.id"], name=op.f("fk_conversations_agent_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    op.create_index(op.f("ix_conversations_agent_id_last_message_at"), "conversations", ["agent_id", "last_message_at"])
    op.create_index(op.f("ix_conversations_last_message_at"), "conversations", ["last_message_at"])

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("client_message_id", sa.String(length=255), nullable=True),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _when("created_at"),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.CheckConstraint("role IN ('customer', 'agent')", name=op.f("ck_messages_role")),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_messages_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("client_message_id", name=op.f("uq_messages_client_message_id")),
        sa.UniqueConstraint("conversation_id", "index", name=op.f("uq_messages_conversation_id_index")),
    )

    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        _when("created_at"),
        sa.CheckConstraint("severity IN ('info', 'warning', 'critical')", name=op.f("ck_alerts_severity")),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_alerts_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_alerts_message_id_messages"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    op.create_index(op.f("ix_alerts_conversation_id"), "alerts", ["conversation_id"])
    op.create_index(op.f("ix_alerts_created_at"), "alerts", ["created_at"])
    op.create_index(op.f("ix_alerts_message_id"), "alerts", ["message_id"])

    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("guideline", sa.String(length=64), nullable=False),
        sa.Column("trigger", sa.String(length=64), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("advice", sa.Text(), nullable=False),
        _when("created_at"),
        _when("delivered_at", nullable=True),
        _when("acked_at", nullable=True),
        sa.Column("feedback", sa.String(length=16), nullable=True),
        _when("feedback_at", nullable=True),
        sa.CheckConstraint("feedback IS NULL OR feedback IN ('helpful', 'wrong')", name=op.f("ck_nudges_feedback")),
        sa.CheckConstraint("severity IN ('info', 'warning', 'critical')", name=op.f("ck_nudges_severity")),
        sa.ForeignKeyConstraint(["agent_id"], ["users.id"], name=op.f("fk_nudges_agent_id_users")),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_nudges_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_nudges_message_id_messages"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
    )
    op.create_index(op.f("ix_nudges_agent_id_acked_at"), "nudges", ["agent_id", "acked_at"])
    op.create_index(op.f("ix_nudges_agent_id_delivered_at"), "nudges", ["agent_id", "delivered_at"])
    op.create_index(op.f("ix_nudges_conversation_id"), "nudges", ["conversation_id"])
    op.create_index(op.f("ix_nudges_message_id"), "nudges", ["message_id"])

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _when("created_at"),
        sa.CheckConstraint("action IN ('confirm', 'dismiss', 'note')", name=op.f("ck_reviews_action")),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_reviews_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_reviews_message_id_messages"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["supervisor_id"], ["users.id"], name=op.f("fk_reviews_supervisor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
    )
    op.create_index(op.f("ix_reviews_conversation_id_created_at"), "reviews", ["conversation_id", "created_at"])
    op.create_index(op.f("ix_reviews_message_id"), "reviews", ["message_id"])


def downgrade() -> None:
    for table in ("reviews", "nudges", "alerts", "messages", "conversations", "users"):
        op.drop_table(table)  # drops the table's indexes with it
