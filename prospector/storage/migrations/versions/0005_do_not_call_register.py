"""The office's do-not-call register: every phone and email nobody may call again.

The flag on a contact says "do not call this person"; the register says "do not call this
number or address", so a request keeps binding when the same number comes back in a new list.
Values are kept normalised (E.164, else the digits, for phones; lower-case for emails), one row
per value. Contacts already flagged put their phones and email on the register here.

Revision ID: 0005_do_not_call_register
Revises: 0004_call_queue
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_do_not_call_register"
down_revision: str | None = "0004_call_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "do_not_call_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("origin", sa.String(length=500), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('phone', 'email')", name=op.f("ck_do_not_call_entries_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_do_not_call_entries")),
        sa.UniqueConstraint("kind", "value", name=op.f("uq_do_not_call_entries_kind_value")),
    )
    # Contacts flagged before the register existed: their numbers and address go on it.
    op.execute(
        "INSERT INTO do_not_call_entries (kind, value, origin, added_at) "
        "SELECT kind, value, 'card', min(added_at) FROM ("
        " SELECT 'phone' AS kind, phone_e164 AS value, updated_at AS added_at FROM contacts"
        "  WHERE do_not_call = 1 AND phone_e164 IS NOT NULL"
        " UNION ALL"
        " SELECT 'phone', mobile_e164, updated_at FROM contacts"
        "  WHERE do_not_call = 1 AND mobile_e164 IS NOT NULL"
        " UNION ALL"
        " SELECT 'email', email_normalized, updated_at FROM contacts"
        "  WHERE do_not_call = 1 AND email_normalized IS NOT NULL"
        ") AS flagged GROUP BY kind, value"
    )


def downgrade() -> None:
    op.drop_table("do_not_call_entries")
