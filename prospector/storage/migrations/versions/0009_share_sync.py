"""What sharing with colleagues needs to remember: deletions, other names, the last exchange.

- ``tombstones``: the UUID of every deleted contact, note, call, reminder and questionnaire
  result, written by triggers so every path that deletes (the form, an erasure, an undo)
  records it. A share file carries them, so a deleted contact stays deleted at the colleague's
  too, and an older file cannot bring it back here.
- ``share_aliases``: a colleague's UUID for a contact we already had under our own (matched by
  email, phone or name and company), so the next exchange finds it at once.
- ``share_baselines``: per contact, the fields as the colleague's file last showed them, and
  the time that file said they were changed: a field differing from it was changed since the
  last exchange. Both sides changed = a conflict for the rep to decide.

Revision ID: 0009_share_sync
Revises: 0008_report_indexes
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_share_sync"
down_revision: str | None = "0008_report_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> the kind its tombstones carry
_TOMBSTONED = {
    "contacts": "contact",
    "notes": "note",
    "call_logs": "call",
    "reminders": "reminder",
    "qualifications": "qualification",
}


def upgrade() -> None:
    op.create_table(
        "tombstones",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_tombstones")),
    )
    op.create_table(
        "share_aliases",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_share_aliases_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_share_aliases")),
    )
    op.create_index(op.f("ix_share_aliases_contact_id"), "share_aliases", ["contact_id"])
    op.create_table(
        "share_baselines",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_share_baselines_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_share_baselines")),
    )
    # The time is SQLite's own clock in the format UTCDateTime stores (UTC, microseconds).
    for table, kind in _TOMBSTONED.items():
        op.execute(f"""
            CREATE TRIGGER {table}_tombstone AFTER DELETE ON {table} BEGIN
                INSERT OR REPLACE INTO tombstones (uuid, kind, deleted_at)
                VALUES (old.uuid, '{kind}', strftime('%Y-%m-%d %H:%M:%f000', 'now'));
            END""")


def downgrade() -> None:
    for table in _TOMBSTONED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_tombstone")
    op.drop_table("share_baselines")
    op.drop_index(op.f("ix_share_aliases_contact_id"), table_name="share_aliases")
    op.drop_table("share_aliases")
    op.drop_table("tombstones")
