"""Full-text search behind a few functions, so another engine can bring its own index later.

SQLite FTS5 (unicode61, diacritics folded, prefix indexes of 2 and 3 characters) answers a
type-ahead query over a million contacts in about a millisecond; LIKE would scan every row.
Notes (and the notes typed on calls) have their own index, ``notes_fts``: a contact is found
when each word is in its fields or in one of its notes.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, bindparam, column, or_, select, table, text
from sqlalchemy.orm import Session

FTS = table("contacts_fts", column("rowid"))
NOTES_FTS = table("notes_fts", column("rowid"), column("contact_id"))


def fts_match_expression(terms: list[str]) -> str:
    """Every term must match the start of some word: 'mar lyo' finds Martin in Lyon."""
    return " ".join('"' + term.replace('"', '""') + '"*' for term in terms)


def fts_match(terms: list[str]) -> ColumnElement[bool]:
    """A condition on the FTS table itself (for queries that read it directly, in its order)."""
    return text("contacts_fts MATCH :fts_match").bindparams(fts_match=fts_match_expression(terms))


def _contacts_match(terms: list[str]) -> ColumnElement[bool]:
    expression = fts_match_expression(terms)
    return text("contacts_fts MATCH :contacts_match").bindparams(
        bindparam("contacts_match", expression, unique=True)
    )


def contact_ids_matching(
    id_column: ColumnElement[int], terms: list[str], *, in_notes: bool = False
) -> ColumnElement[bool]:
    """A condition on ``id_column`` keeping contacts whose indexed text matches all ``terms``.

    With ``in_notes``, each term may match the contact's fields or one of its notes instead
    ("dupont devis" finds Dupont whose note mentions the quote).
    """
    if not in_notes:
        return id_column.in_(select(FTS.c.rowid).where(fts_match(terms)))
    return and_(
        *(
            or_(
                id_column.in_(select(FTS.c.rowid).where(_contacts_match([term]))),
                id_column.in_(select(NOTES_FTS.c.contact_id).where(_notes_match([term]))),
            )
            for term in terms
        )
    )


def notes_may_match(session: Session, terms: list[str]) -> bool:
    """Whether any note holds one of ``terms``: when none does, the contact index alone answers
    (and its fast counting and ordering paths stay usable)."""
    return any(
        session.execute(select(NOTES_FTS.c.rowid).where(_notes_match([term])).limit(1)).first()
        is not None
        for term in terms
    )


def _notes_match(terms: list[str]) -> ColumnElement[bool]:
    # unique: one statement holds a match per term.
    expression = fts_match_expression(terms)
    return text("notes_fts MATCH :notes_match").bindparams(
        bindparam("notes_match", expression, unique=True)
    )


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
