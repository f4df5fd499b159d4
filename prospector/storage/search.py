"""Full-text search behind one function, so another engine can bring its own index later.

SQLite FTS5 (unicode61, diacritics folded, prefix indexes of 2 and 3 characters) answers a
type-ahead query over a million contacts in about a millisecond; LIKE would scan every row.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, column, select, table, text

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
