"""Notes and the contact timeline: a note is saved as it is typed, and never lost.

The window saves a note being typed every moment it pauses (``save_draft``), so closing the
window, switching contact or a crash keeps what was typed. A draft that is still being typed
is not "edited"; changing a note afterwards (``edit``) keeps the time of the change.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.clock import Clock, system_clock
from prospector.domain.timeline import Timeline, newest_first
from prospector.errors import NotFound, ValidationError
from prospector.storage.note_repository import NoteRepository, StoredNote

log = logging.getLogger(__name__)

TIMELINE_PAGE = 100


class NoteService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock = system_clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def timeline(self, contact_id: int, limit: int = TIMELINE_PAGE) -> Timeline:
        """The contact's newest ``limit`` entries of every kind, newest first."""
        with self._sessions() as session:
            return newest_first(NoteRepository(session).timeline(contact_id, limit + 1), limit)

    def get(self, note_id: int) -> StoredNote:
        with self._sessions() as session:
            note = NoteRepository(session).get(note_id)
        if note is None:
            raise NotFound(f"note {note_id}")
        return note

    def add(self, contact_id: int, text: str) -> int:
        """A finished note in one go (the command line, a dialog).

        Raises:
            ValidationError: the note is empty.
            NotFound: the contact was deleted meanwhile.
        """
        if not text.strip():
            raise ValidationError({"note": "the note is empty"})
        return self._insert(contact_id, text)

    def save_draft(self, contact_id: int, note_id: int | None, text: str) -> int | None:
        """Save a new note as it is being typed; returns its id (None once it is emptied).

        The first save creates the note; later saves of the same draft change its text
        without marking it edited. Emptying a draft removes it: a blank note is no note.

        Raises:
            NotFound: the contact (or the draft) was deleted meanwhile.
        """
        if note_id is None:
            return self._insert(contact_id, text) if text.strip() else None
        with self._sessions.begin() as session:
            notes = NoteRepository(session)
            if not text.strip():
                notes.delete(note_id)
                return None
            if not notes.set_text(note_id, text, edited_at=None):
                raise NotFound(f"note {note_id}")
        return note_id

    def edit(self, note_id: int, text: str) -> bool:
        """Change a finished note, keeping when; returns whether anything changed.

        An emptied note is not saved (deleting is a separate, deliberate act).

        Raises:
            NotFound: the note was deleted meanwhile.
        """
        if not text.strip():
            return False
        with self._sessions.begin() as session:
            notes = NoteRepository(session)
            current = notes.get(note_id)
            if current is None:
                raise NotFound(f"note {note_id}")
            if current.text == text:
                return False
            notes.set_text(note_id, text, edited_at=self._clock())
        return True

    def delete(self, note_id: int) -> None:
        with self._sessions.begin() as session:
            NoteRepository(session).delete(note_id)
        log.info("Deleted note %s", note_id)

    def _insert(self, contact_id: int, text: str) -> int:
        try:
            with self._sessions.begin() as session:
                return NoteRepository(session).add(contact_id, text, self._clock())
        except IntegrityError as exc:  # the contact is gone (foreign key)
            raise NotFound(f"contact {contact_id}") from exc
