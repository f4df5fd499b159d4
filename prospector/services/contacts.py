"""Contact use cases: browse a filtered, sorted table; view, add, edit and delete one contact."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.clock import Clock, system_clock
from prospector.domain.contacts import (
    Contact,
    ContactFields,
    ContactRow,
    clean_contact,
    normalize_email,
)
from prospector.domain.query import ContactQuery
from prospector.domain.regions import region_for_country
from prospector.domain.stages import Stage, can_move
from prospector.errors import ValidationError
from prospector.services.settings import SettingsService
from prospector.storage.contact_repository import ContactRepository
from prospector.storage.do_not_call_repository import DoNotCallRepository
from prospector.storage.note_repository import NoteRepository
from prospector.storage.privacy_repository import PrivacyRepository

log = logging.getLogger(__name__)


class ContactService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: SettingsService,
        clock: Clock = system_clock,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock

    # -- the table -------------------------------------------------------------------------------

    def count(self, query: ContactQuery) -> int:
        with self._sessions() as session:
            return ContactRepository(session).count(query)

    def page(self, query: ContactQuery, offset: int, limit: int) -> list[ContactRow]:
        with self._sessions() as session:
            return ContactRepository(session).page(query, offset, limit)

    def position_of(self, query: ContactQuery, contact_id: int) -> int | None:
        with self._sessions() as session:
            return ContactRepository(session).position_of(query, contact_id)

    def total(self) -> int:
        with self._sessions() as session:
            return ContactRepository(session).total()

    # -- one contact -----------------------------------------------------------------------------

    def get(self, contact_id: int) -> Contact:
        with self._sessions() as session:
            return ContactRepository(session).get(contact_id)

    def add(self, fields: ContactFields) -> Contact:
        """Validate and save a new contact.

        Raises:
            ValidationError: naming each field that cannot be saved; nothing is written.
        """
        clean = clean_contact(fields, self._region_for(fields), today=self._clock().date())
        with self._sessions.begin() as session:
            repo = ContactRepository(session)
            erased = PrivacyRepository(session).erased_kind(
                clean.phone_e164, clean.mobile_e164, clean.email_normalized
            )
            if erased is not None:  # they asked to be erased: never called again (Art. 21(3))
                flagged = replace(clean.fields, do_not_call=True, stage=Stage.DO_NOT_CALL)
                clean = replace(clean, fields=flagged)
            contact_id = repo.add(clean, self._clock())
            contact = repo.get(contact_id)
            if erased is not None:
                NoteRepository(session).add(contact_id, erased_note(erased), self._clock())
            elif contact.fields.do_not_call:
                _list_numbers(session, contact_id, self._clock())
        log.info("Added contact %s", contact_id)
        return contact

    def erased_match(self, contact_id: int) -> str | None:
        """'phone' or 'email' when the contact's number or email belongs to someone erased
        at their request (so it was saved as do-not-call); None otherwise."""
        with self._sessions() as session:
            contact = ContactRepository(session).get(contact_id)
            return PrivacyRepository(session).erased_kind(
                contact.phone_e164, contact.mobile_e164, _normalized_email(contact)
            )

    def update(self, contact_id: int, fields: ContactFields) -> Contact:
        """Validate and save changes; a stage change must be a move the pipeline allows.

        Raises:
            ValidationError: a bad field or a stage move that makes no sense.
            NotFound: the contact was deleted meanwhile.
        """
        clean = clean_contact(fields, self._region_for(fields), today=self._clock().date())
        with self._sessions.begin() as session:
            repo = ContactRepository(session)
            current = repo.get(contact_id)
            old, new = current.fields.stage, clean.fields.stage
            if not can_move(old, new):
                raise ValidationError({"stage": f"a contact cannot go from {old} to {new}"})
            if current.fields.do_not_call and not clean.fields.do_not_call:
                # Leaving the do-not-call list is deliberate, never a side effect of an edit.
                clean = replace(clean, fields=replace(clean.fields, do_not_call=True))
            repo.update(contact_id, clean, self._clock())
            contact = repo.get(contact_id)
            if contact.fields.do_not_call:  # newly ticked, or numbers changed while on the list
                _list_numbers(session, contact_id, self._clock())
        log.info("Updated contact %s", contact_id)
        return contact

    def delete(self, contact_id: int) -> None:
        with self._sessions.begin() as session:
            ContactRepository(session).delete(contact_id)
        log.info("Deleted contact %s", contact_id)

    def _region_for(self, fields: ContactFields) -> str:
        return region_for_country(fields.country, self._settings.default_country())


def erased_note(kind: str) -> str:
    """The note on a contact saved as do-not-call because it matches an erased person."""
    return (
        "Put on the do-not-call list: this "
        + ("phone number" if kind == "phone" else "email address")
        + " belongs to someone who asked to be erased and not to be called again."
    )


def _normalized_email(contact: Contact) -> str | None:
    return normalize_email(contact.fields.email) if contact.fields.email else None


def _list_numbers(session: Session, contact_id: int, now: datetime) -> None:
    """A contact on the do-not-call list puts its numbers on the register, so that a later list
    bringing the same number back is flagged too (entries already there are left alone)."""
    DoNotCallRepository(session).add_contact(contact_id, "card", None, now)
