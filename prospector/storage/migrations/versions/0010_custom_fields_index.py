"""An index of the contacts that hold custom fields, and of no other.

"Export everything" writes one column per custom field (a column an import could not map), so
it first asks which custom fields the contacts use. Without this index SQLite reads every
contact to answer: about 0.08 s per 100,000 contacts in a fresh start, an eighth of the whole
export, even when no contact has any. With it, only the contacts that have some are read.

An import appends to it in id order (it is kept during an import, not rebuilt).

Revision ID: 0010_custom_fields_index
Revises: 0009_share_sync
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_custom_fields_index"
down_revision: str | None = "0009_share_sync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_contacts_custom_fields",
        "contacts",
        ["id"],
        sqlite_where=sa.text("custom_fields IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_contacts_custom_fields", table_name="contacts")
