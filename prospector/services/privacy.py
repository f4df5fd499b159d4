"""Privacy: erase a contact for good at their request, and keep them from coming back.

Deleting a contact (ContactService.delete) is housekeeping; erasing is the person's right:
the same deletion, plus their phones and email remembered only as hashes so a later list that
brings them back arrives flagged "do not call", plus scrubbing the traces SQLite keeps of
deleted rows. Backups made before the erasure age out by their rotation.
"""

from __future__ import annotations

import logging
from datetime import tzinfo
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.clock import Clock, system_clock
from prospector.errors import NotFound
from prospector.services.person_export import PersonExport, export_person
from prospector.storage.privacy_repository import Erased, PrivacyRepository

log = logging.getLogger(__name__)


class PrivacyService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock = system_clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def erase(self, contact_id: int) -> Erased:
        """Erase one contact and everything held about them.

        Raises:
            NotFound: no such contact (already erased or deleted).
        """
        with self._sessions.begin() as session:
            privacy = PrivacyRepository(session)
            erased = privacy.erase(contact_id, self._clock())
            if erased is None:
                raise NotFound(f"contact {contact_id}")
            privacy.scrub_indexes()
            privacy.end_secure_delete()
        with self._sessions() as session:
            # The log still holds the deleted pages until they are copied back into the file.
            PrivacyRepository(session).checkpoint()
        log.info("Erased contact %s (%d identities kept as hashes)", contact_id, erased.identities)
        return erased

    def export_person(
        self, contact_id: int, path: Path, zone: tzinfo | None = None
    ) -> PersonExport:
        """Everything held about one contact, to an Excel workbook (access and portability,
        GDPR Art. 15 and 20); see ``services/person_export.py``.

        Raises:
            NotFound: no such contact.
            NotAWorkbookName, ExportNotSaved: the file could not be written where asked.
        """
        return export_person(self._sessions, contact_id, path, clock=self._clock, zone=zone)

    def erased_count(self) -> int:
        with self._sessions() as session:
            return PrivacyRepository(session).count()
