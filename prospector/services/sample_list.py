"""The bundled sample list a new user can load, so the first window is not an empty grid."""

from __future__ import annotations

import csv
import logging
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.clock import Clock, system_clock
from prospector.domain.contacts import ContactFields, clean_contact
from prospector.domain.regions import region_for_country
from prospector.paths import resources_dir
from prospector.services.settings import SettingsService
from prospector.storage.contact_repository import ContactRepository
from prospector.storage.source_repository import SourceRepository

log = logging.getLogger(__name__)

SAMPLE_FILE = "sample_leads.csv"
SAMPLE_SOURCE_NAME = "Sample list"

_COLUMNS = {
    "First name": "first_name",
    "Last name": "last_name",
    "Company": "company",
    "Title": "title",
    "Phone": "phone",
    "Mobile": "mobile",
    "Email": "email",
    "Website": "website",
    "Address": "address",
    "City": "city",
    "Postal code": "postal_code",
    "Country": "country",
}


def _parse_birthday(text: str, region: str) -> date | None:
    day_first = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y")
    month_first = ("%Y-%m-%d", "%m/%d/%Y")
    for fmt in month_first if region == "US" else day_first:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class SampleListService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: SettingsService,
        clock: Clock = system_clock,
        sample_path: Path | None = None,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
        self._path = sample_path or resources_dir() / SAMPLE_FILE

    def is_available(self) -> bool:
        return self._path.is_file()

    def load(self) -> int:
        """Add the sample contacts under a 'Sample list' source, in one transaction.

        Returns the number of contacts added (0 when the sample list is already there).
        """
        now = self._clock()
        default = self._settings.default_country()
        with self._path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        with self._sessions.begin() as session:
            sources = SourceRepository(session)
            if sources.find_by_name(SAMPLE_SOURCE_NAME) is not None:
                return 0
            source_id = sources.add(SAMPLE_SOURCE_NAME, "directory", now, vendor="Prospector")
            contacts = ContactRepository(session)
            for row in rows:
                known = {field: row.get(column) or None for column, field in _COLUMNS.items()}
                extra = {k: v for k, v in row.items() if k not in _COLUMNS and k and v}
                region = region_for_country(known["country"], default)
                birthday = _parse_birthday(extra.pop("Birthday", ""), region)
                fields = ContactFields(
                    **known, birthday=birthday, source_id=source_id, custom_fields=extra
                )
                contacts.add(clean_contact(fields, region, today=now.date()), now)
        log.info("Loaded %d sample contacts", len(rows))
        return len(rows)
