"""Which database objects belong to the ORM model, for autogenerate and the schema test."""

from __future__ import annotations

from typing import Any

# Tables SQLite or FTS5 manage themselves; autogenerate must neither create nor drop them.
_SELF_MANAGED_PREFIXES = ("contacts_fts", "notes_fts", "search_sync", "sqlite_")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    return not (type_ == "table" and name and name.startswith(_SELF_MANAGED_PREFIXES))


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return include_name(name, type_, None)
