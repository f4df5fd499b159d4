"""Erased at their request: the phones and emails of erased contacts, kept only as hashes.

A person who asked to be erased must not come back with the next list and be called again;
keeping their number in clear would defeat the erasure. So only a salted SHA-256 of each
normalised phone and email is kept, and an import checks its new contacts against it.

Revision ID: 0007_erased_identities
Revises: 0006_contact_timeline
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_erased_identities"
down_revision: str | None = "0006_contact_timeline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erased_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('phone', 'email')", name=op.f("ck_erased_identities_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erased_identities")),
        sa.UniqueConstraint("value_hash", name=op.f("uq_erased_identities_value_hash")),
    )


def downgrade() -> None:
    op.drop_table("erased_identities")
