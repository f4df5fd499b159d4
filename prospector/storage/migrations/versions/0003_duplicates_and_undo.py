"""Duplicate matching by name, and what undoing an import needs.

- contacts.name_key: the folded, sorted words of a contact's name, indexed, so an import can
  find "DUPONT Jean" for "Jean Dupont" among a million contacts without a scan. Existing rows
  are filled here with the same rule as the domain's name_key() (a test compares them).
- import_merges: per contact an import merged into, the columns it filled (before and after),
  so "Undo this import" can put back exactly what it changed and nothing a rep typed later.
- import_runs.rows_skipped: duplicates the user chose to skip, for the import history.

Revision ID: 0003_duplicates_and_undo
Revises: 0002_bulk_search_indexing
Create Date: 2026-11-23
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_duplicates_and_undo"
down_revision: str | None = "0002_bulk_search_indexing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WORDS = re.compile(r"\w+")


def _name_key(first: str | None, last: str | None, full: str | None) -> str | None:
    text = " ".join(p for p in (first, last) if p) or full or ""
    folded = "".join(
        ch
        for ch in unicodedata.normalize("NFKD", text.casefold())
        if not unicodedata.combining(ch)
    )
    words = sorted(_WORDS.findall(folded))
    return " ".join(words) or None


def upgrade() -> None:
    op.add_column("contacts", sa.Column("name_key", sa.String(length=400), nullable=True))
    op.create_index(op.f("ix_contacts_name_key"), "contacts", ["name_key"], unique=False)
    op.add_column(
        "import_runs",
        sa.Column("rows_skipped", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "import_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_run_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("merged_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_import_merges_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_run_id"],
            ["import_runs.id"],
            name=op.f("fk_import_merges_import_run_id_import_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_merges")),
    )
    op.create_index(
        op.f("ix_import_merges_contact_id"), "import_merges", ["contact_id"], unique=False
    )
    op.create_index(
        op.f("ix_import_merges_import_run_id"), "import_merges", ["import_run_id"], unique=False
    )
    # Fill the key of contacts already there (one pass; SQLite calls our function per row).
    raw = op.get_bind().connection.driver_connection
    raw.create_function("prospector_name_key", 3, _name_key, deterministic=True)
    op.execute(
        "UPDATE contacts SET name_key = prospector_name_key(first_name, last_name, full_name)"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_import_merges_import_run_id"), table_name="import_merges")
    op.drop_index(op.f("ix_import_merges_contact_id"), table_name="import_merges")
    op.drop_table("import_merges")
    with op.batch_alter_table("import_runs") as batch_op:
        batch_op.drop_column("rows_skipped")
    op.drop_index(op.f("ix_contacts_name_key"), table_name="contacts")
    op.drop_column("contacts", "name_key")
