"""A contact's timeline: stage changes recorded as they happen, and notes in the search.

Stage changes are written by a trigger, so every path that moves a contact (the form, the
queue, the questionnaire, a do-not-call list) records it without each having to remember.
Notes, and the notes typed on a call, join the contact search through their own FTS table:
a note's rowid is the note's id, a call note's is minus the call's id.

Revision ID: 0006_contact_timeline
Revises: 0005_do_not_call_register
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_contact_timeline"
down_revision: str | None = "0005_do_not_call_register"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRIGGERS = (
    "contacts_stage_changed",
    "notes_fts_insert",
    "notes_fts_update",
    "notes_fts_delete",
    "call_notes_fts_insert",
    "call_notes_fts_update",
    "call_notes_fts_delete",
)


def upgrade() -> None:
    op.create_table(
        "stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("old_stage", sa.String(length=20), nullable=False),
        sa.Column("new_stage", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_stage_changes_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_changes")),
    )
    op.create_index(
        op.f("ix_stage_changes_contact_id_changed_at"),
        "stage_changes",
        ["contact_id", "changed_at"],
    )
    # updated_at is set by every write of ours in the same statement, so it is the change's time.
    op.execute("""
        CREATE TRIGGER contacts_stage_changed AFTER UPDATE OF stage ON contacts
        WHEN old.stage IS NOT new.stage BEGIN
            INSERT INTO stage_changes (contact_id, changed_at, old_stage, new_stage)
            VALUES (new.id, new.updated_at, old.stage, new.stage);
        END""")

    op.execute(
        "CREATE VIRTUAL TABLE notes_fts USING fts5("
        "body, contact_id UNINDEXED, tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute("""
        CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
            INSERT INTO notes_fts (rowid, body, contact_id)
            VALUES (new.id, new.text, new.contact_id);
        END""")
    op.execute("""
        CREATE TRIGGER notes_fts_update AFTER UPDATE OF text ON notes BEGIN
            DELETE FROM notes_fts WHERE rowid = old.id;
            INSERT INTO notes_fts (rowid, body, contact_id)
            VALUES (new.id, new.text, new.contact_id);
        END""")
    op.execute("""
        CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
            DELETE FROM notes_fts WHERE rowid = old.id;
        END""")
    op.execute("""
        CREATE TRIGGER call_notes_fts_insert AFTER INSERT ON call_logs
        WHEN coalesce(new.note, '') <> '' BEGIN
            INSERT INTO notes_fts (rowid, body, contact_id)
            VALUES (-new.id, new.note, new.contact_id);
        END""")
    op.execute("""
        CREATE TRIGGER call_notes_fts_update AFTER UPDATE OF note ON call_logs BEGIN
            DELETE FROM notes_fts WHERE rowid = -old.id;
            INSERT INTO notes_fts (rowid, body, contact_id)
            SELECT -new.id, new.note, new.contact_id WHERE coalesce(new.note, '') <> '';
        END""")
    op.execute("""
        CREATE TRIGGER call_notes_fts_delete AFTER DELETE ON call_logs
        WHEN coalesce(old.note, '') <> '' BEGIN
            DELETE FROM notes_fts WHERE rowid = -old.id;
        END""")
    op.execute(
        "INSERT INTO notes_fts (rowid, body, contact_id) SELECT id, text, contact_id FROM notes"
    )
    op.execute(
        "INSERT INTO notes_fts (rowid, body, contact_id) "
        "SELECT -id, note, contact_id FROM call_logs WHERE coalesce(note, '') <> ''"
    )


def downgrade() -> None:
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS notes_fts")
    op.drop_index(op.f("ix_stage_changes_contact_id_changed_at"), table_name="stage_changes")
    op.drop_table("stage_changes")
