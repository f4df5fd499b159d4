"""Every contact's duplicate keys, read by the import's cleaning worker.

Kept apart from ``import_repository`` (and free of SQLAlchemy) because the worker process
unpickles it: importing the ORM there would cost it ~40 MB.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class KnownKeys:
    """Every contact's duplicate keys (as ``import_repository._keys`` and the name key spell
    them), read straight from the database file by the import's cleaning worker
    (``importers/duplicate_hints.py``).

    Picklable: the worker opens its own read-only connection. It reads once the import's
    transaction holds the write lock, so what it sees is all that can be in the database
    besides the import's own rows.
    """

    db_path: str

    def count(self) -> int:
        with closing(self._connect()) as conn:
            return int(conn.execute("SELECT count(*) FROM contacts").fetchone()[0])

    def __iter__(self) -> Iterator[str]:
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT email_normalized, phone_e164, mobile_e164, name_key FROM contacts"
            )
            while batch := rows.fetchmany(10_000):
                for email, phone, mobile, name in batch:
                    if email:
                        yield f"e:{email}"
                    if phone:
                        yield f"p:{phone}"
                    if mobile:
                        yield f"p:{mobile}"
                    if name:
                        yield f"n:{name}"

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"{Path(self.db_path).as_uri()}?mode=ro", uri=True)
