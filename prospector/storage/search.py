"""Full-text search behind one function, so another engine can bring its own index later.

SQLite FTS5 (unicode61, diacritics folded, prefix indexes of 2 and 3 characters) answers a
type-ahead query over a million contacts in about a millisecond; LIKE would scan every row.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, column, select, table, text
from sqlalchemy.orm import Session

FTS = table("contacts_fts", column("rowid"))


def fts_match_expression(terms: list[str]) -> str:
    """Every term must match the start of some word: 'mar lyo' finds Martin in Lyon."""
    return " ".join('"' + term.replace('"', '""') + '"*' for term in terms)


def fts_match(terms: list[str]) -> ColumnElement[bool]:
    """A condition on the FTS table itself (for queries that read it directly, in its order)."""
    return text("contacts_fts MATCH :fts_match").bindparams(fts_match=fts_match_expression(terms))


def contact_ids_matching(id_column: ColumnElement[int], terms: list[str]) -> ColumnElement[bool]:
    """A condition on ``id_column`` keeping contacts whose indexed text matches all ``terms``."""
    return id_column.in_(select(FTS.c.rowid).where(fts_match(terms)))


# The one trigger a bulk insert pauses (see defer_indexing_from), and where its SQL is kept.
INSERT_TRIGGER = "contacts_fts_insert"
_PAUSED_KEY = "prospector.search.paused_insert_trigger"


def defer_indexing_from(session: Session, first_id: int) -> None:
    """Leave contacts from ``first_id`` on out of the index until ``index_deferred``.

    For this transaction's bulk insert: the triggers skip those rows, whatever happens to them.
    The insert trigger is also dropped until ``index_deferred`` recreates it from the very SQL
    ``sqlite_master`` held: even skipping a row, its ``WHEN`` check cost ~15 µs per inserted
    contact (a third of the insert). DDL is transactional here (the engine emits ``BEGIN``), so
    a rollback, a crash or a killed process brings the trigger back with everything else.
    """
    session.execute(
        text("UPDATE search_sync SET unindexed_from = :first_id WHERE id = 1"),
        {"first_id": first_id},
    )
    sql = _trigger_sql(session, INSERT_TRIGGER)
    if sql is not None and _PAUSED_KEY not in session.info:
        session.info[_PAUSED_KEY] = sql
        session.connection().exec_driver_sql(f"DROP TRIGGER {INSERT_TRIGGER}")


def index_deferred(session: Session) -> None:
    """Index the deferred contacts in one statement and let the triggers take over again.

    The same expression as the triggers', so a later edit or delete finds exactly this text.
    """
    paused = session.info.pop(_PAUSED_KEY, None)
    if paused is not None and _trigger_sql(session, INSERT_TRIGGER) is None:
        session.connection().exec_driver_sql(paused)
    session.execute(
        text(
            "INSERT INTO contacts_fts(rowid, name, company, email, city, phones) "
            "SELECT id, coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || "
            "coalesce(full_name, ''), company, email, city, phone_digits FROM contacts "
            "WHERE id >= (SELECT unindexed_from FROM search_sync WHERE id = 1) "
            "AND (SELECT unindexed_from FROM search_sync WHERE id = 1) > 0"
        )
    )
    session.execute(text("UPDATE search_sync SET unindexed_from = 0 WHERE id = 1"))


def _trigger_sql(session: Session, name: str) -> str | None:
    return session.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": name},
    ).scalar()
