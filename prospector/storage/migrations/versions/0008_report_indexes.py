"""Covering indexes for the Reports page: its figures from index ranges, not table scans.

At a million contacts and three million calls the slowest report took about 1.9 s reading and
sorting whole tables; with these it takes about 0.4 s (benchmarks/bench_reports.py). They cost
about 11% of the file; a big import drops and rebuilds them with the other secondary indexes.

Revision ID: 0008_report_indexes
Revises: 0007_erased_identities
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_report_indexes"
down_revision: str | None = "0007_erased_identities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_contacts_report",
        "contacts",
        ["stage", "last_outcome", "source_id", "temperature", "score", "created_at"],
    )
    op.create_index("ix_call_logs_report", "call_logs", ["outcome", "started_at", "duration_s"])


def downgrade() -> None:
    op.drop_index("ix_call_logs_report", table_name="call_logs")
    op.drop_index("ix_contacts_report", table_name="contacts")
