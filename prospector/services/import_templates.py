"""Column mappings remembered per vendor, offered again when a file with the same headers comes.

A vendor sends the same layout month after month; the rep maps it once. A template is keyed by
the file's header names (folded, and without letters outside ASCII, so a cp1250/cp1252 mix-up
of "Société" still finds it) and also carries the encoding and delimiter that read the file
right, so the next file from that vendor reads right at once. Templates live in the settings
table: they travel with the database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from prospector.errors import UserFacingError
from prospector.importers.mapping import ColumnMapping, header_key
from prospector.storage.source_repository import SettingsRepository

_PREFIX = "import_template:"


@dataclass(frozen=True)
class ImportTemplate:
    name: str  # the vendor's name, else the list's
    headers: tuple[str, ...]
    mapping: ColumnMapping
    encoding: str | None
    delimiter: str | None


class TemplateNotFound(UserFacingError):
    code = "import.template_missing"

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"no import template called {name!r}")
        self.name, self.known = name, known

    def user_message(self) -> str:
        known = ", ".join(self.known) if self.known else "none yet"
        return (
            f"There is no saved column matching called '{self.name}'. "
            f"Saved ones: {known}. Every import saves one, named after the list's vendor."
        )


def header_signature(headers: list[str] | tuple[str, ...]) -> str:
    ascii_keys = ["".join(ch for ch in header_key(h) if ch.isascii()).strip() for h in headers]
    return hashlib.sha1("\x1f".join(ascii_keys).encode("utf-8")).hexdigest()


class ImportTemplates:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def for_headers(self, headers: list[str]) -> ImportTemplate | None:
        with self._sessions() as session:
            data = SettingsRepository(session).get(_PREFIX + header_signature(headers))
        return _from_json(data) if data else None

    def by_name(self, name: str) -> ImportTemplate:
        """Raises TemplateNotFound (listing the saved names) when there is none."""
        templates = self.all()
        for template in templates:
            if template.name.casefold() == name.casefold():
                return template
        raise TemplateNotFound(name, sorted(t.name for t in templates))

    def all(self) -> list[ImportTemplate]:
        with self._sessions() as session:
            values = SettingsRepository(session).with_prefix(_PREFIX)
        return [_from_json(v) for v in values if v]

    def save(self, session: Session, template: ImportTemplate) -> None:
        """Inside the import's own transaction: a cancelled import remembers nothing."""
        SettingsRepository(session).set(
            _PREFIX + header_signature(template.headers),
            {
                "name": template.name,
                "headers": list(template.headers),
                "mapping": template.mapping.to_json(),
                "encoding": template.encoding,
                "delimiter": template.delimiter,
            },
        )


def _from_json(data: dict[str, Any]) -> ImportTemplate:
    return ImportTemplate(
        name=str(data.get("name", "")),
        headers=tuple(str(h) for h in data.get("headers", [])),
        mapping=ColumnMapping.from_json(data.get("mapping", {})),
        encoding=data.get("encoding"),
        delimiter=data.get("delimiter"),
    )
