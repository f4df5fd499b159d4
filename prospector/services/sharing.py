"""Share contacts with a colleague: write a share file, and merge one in without duplicates.

Export (``export_share``) writes the contacts of a query (everyone, or a selection such as
"my prospects in Lyon") with their notes, calls, reminders, questionnaire answers, stage
history, lists, and the UUIDs of what was deleted here, through a temporary file.

Merge (``merge``) is one transaction, run twice by the window: first as a *preview* that is
rolled back (it counts what would change and lists the conflicts for the rep to decide), then
for real with the rep's choices, after a backup. The command line merges at once, keeping our
side of each conflict. Whichever side a conflict keeps, the other value is written into a note
on the contact: nothing typed on either side is lost. Merging the same file twice changes
nothing the second time (see ``domain/share.py`` for the rules).
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from prospector import __version__
from prospector.domain.backups import BackupReason
from prospector.domain.clock import Clock, system_clock
from prospector.domain.query import ContactQuery
from prospector.domain.share import (
    ABOUT_APP,
    ABOUT_AT,
    ABOUT_BY,
    ABOUT_CONTACTS,
    ABOUT_FORMAT,
    ABOUT_SELECTION,
    ABOUT_VERSION,
    FIELD_WORDS,
    FORMAT_NAME,
    FORMAT_VERSION,
    Choice,
    Conflict,
    MergeSummary,
    Sheet,
)
from prospector.errors import UserFacingError
from prospector.exporters.share_book import ShareBook, moment_text
from prospector.exporters.target_file import TargetFile
from prospector.importers.share_reader import ShareReader, looks_like_share_file
from prospector.services.settings import SettingsService
from prospector.services.share_merge import ShareMerge, baseline_of, merge_view
from prospector.storage.share_repository import (
    ShareExportReader,
    ShareMergeStore,
)

if TYPE_CHECKING:
    from prospector.services.backups import BackupService

log = logging.getLogger(__name__)

_BATCH = 500


def _never() -> bool:
    return False


@dataclass(frozen=True)
class ShareRequest:
    path: Path
    query: ContactQuery = field(default_factory=ContactQuery)
    selection: str = "Everyone"  # what the About sheet says was shared
    exported_by: str = ""  # '' : the computer's user name


@dataclass(frozen=True)
class ShareProgress:
    """Progress of an export or a merge; the last step carries the status (and a summary)."""

    done: int
    total: int
    status: str = "running"  # running, done, cancelled
    summary: MergeSummary | None = None

    @property
    def finished(self) -> bool:
        return self.status != "running"

    @property
    def fraction(self) -> float:
        return min(self.done / self.total, 1.0) if self.total else 1.0


class _Cancelled(Exception):
    pass


class _Preview(Exception):
    """Raised at the end of a preview so the transaction rolls back."""


class SharingService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: SettingsService,
        backups: BackupService | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._backups = backups
        self._clock = clock

    @staticmethod
    def is_share_file(path: Path) -> bool:
        """True when ``path`` looks like a share file (its sheets), so that "import" merges it."""
        return looks_like_share_file(path)

    # -- export ----------------------------------------------------------------------------------

    def count(self, query: ContactQuery) -> int:
        with self._sessions() as session:
            return ShareExportReader(session).count(query)

    def export_share(
        self, request: ShareRequest, should_stop: Callable[[], bool] = _never
    ) -> Iterator[ShareProgress]:
        """Write the share file; yields progress (contacts written), then ``done`` or
        ``cancelled`` (nothing saved).

        Raises:
            ExportNotSaved: the folder is missing or read-only, the disk is full, or the file
                is open in another program; a file already there is left as it was.
        """
        now = self._clock()
        with self._sessions() as session:  # one read transaction: the sheets agree
            reader = ShareExportReader(session)
            total = reader.count(request.query)
            yield ShareProgress(0, total)
            exported: list[str] = []  # contact UUIDs
            cancelled = False
            with TargetFile(request.path) as target:
                assert target.stream is not None
                book = ShareBook(target.stream)
                finished = False
                try:
                    contacts = _remember_ids(reader.contacts(request.query), exported)
                    for written in book.write(Sheet.CONTACTS, contacts):
                        if should_stop():
                            raise _Cancelled
                        yield ShareProgress(written, total)
                    children = (
                        (Sheet.NOTES, reader.notes(request.query)),
                        (Sheet.CALLS, reader.calls(request.query)),
                        (Sheet.REMINDERS, reader.reminders(request.query)),
                        (Sheet.QUALIFICATIONS, reader.qualifications(request.query)),
                        (Sheet.QUESTIONNAIRES, [reader.questionnaires(request.query)]),
                        (Sheet.SOURCES, [reader.sources()]),
                        (Sheet.STAGE_HISTORY, reader.stage_history(request.query)),
                        (Sheet.DELETED, reader.tombstones()),
                    )
                    for sheet, batches in children:
                        for _ in book.write(sheet, batches):
                            if should_stop():
                                raise _Cancelled
                    about = self._about(request, now, total)
                    for _ in book.write(Sheet.ABOUT, [about]):
                        pass
                    book.close()
                    finished = True
                except _Cancelled:
                    cancelled = True
                except OSError as exc:
                    raise target.write_failed(exc) from exc
                finally:
                    if not finished:
                        book.abandon()
                if not cancelled:
                    target.commit()
        if cancelled:
            yield ShareProgress(len(exported), total, "cancelled")
            return
        try:
            self._first_baselines(exported)
        except UserFacingError as exc:  # the file is saved; only conflict detection is weaker
            log.warning("Share file saved; first baselines not recorded: %s", exc)
        log.info("Wrote a share file of %d contacts", total)
        yield ShareProgress(total, total, "done")

    def _about(self, request: ShareRequest, now: datetime, total: int) -> list[list[Any]]:
        return [
            [ABOUT_FORMAT, FORMAT_NAME],
            [ABOUT_VERSION, str(FORMAT_VERSION)],
            [ABOUT_BY, request.exported_by or _user_name()],
            [ABOUT_AT, moment_text(now)],
            [ABOUT_APP, __version__],
            [ABOUT_SELECTION, request.selection],
            [ABOUT_CONTACTS, str(total)],
        ]

    def _first_baselines(self, exported: list[str]) -> None:
        """Contacts shared for the first time: what the colleague now holds is the baseline,
        so a later change on both sides is seen as a conflict, not decided by the clock."""
        with self._sessions.begin() as session:
            store = ShareMergeStore(session)
            for start in range(0, len(exported), _BATCH):
                found = store.contacts_by_uuid(exported[start : start + _BATCH])
                missing = store.baselines_missing([row["id"] for row in found.values()])
                if not missing:
                    continue
                local = store.contacts_by_id(missing)
                store.set_baselines(
                    [
                        {
                            "contact_id": cid,
                            "remote_updated_at": row["updated_at"],
                            "fields": baseline_of(merge_view(row)),
                        }
                        for cid, row in local.items()
                    ]
                )

    # -- merge -----------------------------------------------------------------------------------

    def merge(
        self,
        path: Path,
        choices: Mapping[tuple[str, str], Choice] | None = None,
        *,
        preview: bool = False,
        should_stop: Callable[[], bool] = _never,
    ) -> Iterator[ShareProgress]:
        """Merge a share file; yields progress (contacts read), then the last step with status
        ``done`` (and the summary) or ``cancelled`` (nothing changed). A preview changes
        nothing and lists the conflicts; ``choices`` decide them (by ``Conflict.key``), the
        rest keep our side.

        Raises:
            NotAShareFile, ShareTooNew, UnsupportedFile, WorkbookError: the file is not one
                we can merge; nothing was changed.
        """
        reader = ShareReader(path)
        about = reader.open()
        total = _int(about.get(ABOUT_CONTACTS)) or 0
        if not preview and self._backups is not None:
            self._backups.back_up(BackupReason.BEFORE_MERGE)
        yield ShareProgress(0, total)
        merge = ShareMerge(reader, path, choices or {}, self._region(), self._clock())
        try:
            with self._sessions.begin() as session:
                for done in merge.run(ShareMergeStore(session), session):
                    if should_stop():
                        raise _Cancelled
                    yield ShareProgress(done, max(total, done))
                if preview:
                    raise _Preview
        except _Cancelled:
            log.info("Merge of %s cancelled; nothing was changed", path.name)
            yield ShareProgress(0, total, "cancelled")
            return
        except _Preview:
            pass
        summary = merge.summary
        if not preview:
            log.info("Merged %s: %s", path.name, summary.as_dict())
        yield ShareProgress(total, total, "done", summary)

    def _region(self) -> str:
        return self._settings.default_country()


def _remember_ids(
    batches: Iterator[list[list[Any]]], exported: list[str]
) -> Iterator[list[list[Any]]]:
    """Pass the contact rows on, keeping the UUID of each (rows start with it)."""
    for batch in batches:
        exported.extend(row[0] for row in batch)
        yield batch


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name on some locked-down Windows setups
        return ""


def _int(text: str | None) -> int | None:
    try:
        return int(float(text)) if text else None
    except ValueError:
        return None


def conflict_words(conflict: Conflict) -> str:
    """The field of a conflict as the rep reads it."""
    return FIELD_WORDS.get(conflict.field, conflict.field)


__all__ = [
    "Choice",
    "Conflict",
    "MergeSummary",
    "ShareProgress",
    "ShareRequest",
    "SharingService",
    "conflict_words",
]
