"""The call queue's state on each contact, and the indexes that make "next contact" instant.

last_called_at, last_outcome, call_attempts (unanswered tries since the contact was last
reached) and skipped_until live on the contact: computing them from call_logs for a million
contacts on every "next" would cost seconds. Existing call logs fill them here.

Revision ID: 0004_call_queue
Revises: 0003_duplicates_and_undo
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_call_queue"
down_revision: str | None = "0003_duplicates_and_undo"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNANSWERED = "('no_answer', 'busy', 'voicemail', 'gatekeeper')"


def upgrade() -> None:
    op.add_column("contacts", sa.Column("last_called_at", sa.DateTime(), nullable=True))
    op.add_column("contacts", sa.Column("last_outcome", sa.String(length=30), nullable=True))
    op.add_column(
        "contacts",
        sa.Column("call_attempts", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("contacts", sa.Column("skipped_until", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE contacts SET "
        "last_called_at = (SELECT max(started_at) FROM call_logs c"
        " WHERE c.contact_id = contacts.id),"
        " last_outcome = (SELECT outcome FROM call_logs c WHERE c.contact_id = contacts.id "
        "   ORDER BY started_at DESC, id DESC LIMIT 1),"
        f" call_attempts = (SELECT count(*) FROM call_logs c WHERE c.contact_id = contacts.id "
        f"   AND c.outcome IN {_UNANSWERED} AND c.started_at > coalesce((SELECT max(r.started_at)"
        f"   FROM call_logs r WHERE r.contact_id = contacts.id AND r.outcome NOT IN {_UNANSWERED}"
        "   ), '0000'))"
        " WHERE id IN (SELECT contact_id FROM call_logs)"
    )
    op.create_index(
        op.f("ix_contacts_queue_untried"),
        "contacts",
        ["source_id", "last_called_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_contacts_queue_retry"),
        "contacts",
        ["source_id", "call_attempts", "last_called_at"],
        unique=False,
        sqlite_where=sa.text("last_called_at IS NOT NULL"),
    )


    op.create_index(
        op.f("ix_reminders_open"),
        "reminders",
        ["kind", "due_at"],
        unique=False,
        sqlite_where=sa.text("done_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_reminders_open"), table_name="reminders")
    op.drop_index(op.f("ix_contacts_queue_retry"), table_name="contacts")
    op.drop_index(op.f("ix_contacts_queue_untried"), table_name="contacts")
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy of contacts would lose its FTS triggers.
    for column in ("skipped_until", "call_attempts", "last_outcome", "last_called_at"):
        op.drop_column("contacts", column)
