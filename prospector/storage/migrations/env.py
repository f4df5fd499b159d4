"""Alembic environment: always run from code with a connection handed in (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from prospector.storage.schema_filter import include_name, include_object
from prospector.storage.tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    transactional_ddl=True,  # our engine emits a real BEGIN, so DDL rolls back on failure
    include_object=include_object,
    include_name=include_name,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
