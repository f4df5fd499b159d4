"""One open database and the services over it: what the window and each command start from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prospector.domain.clock import Clock, system_clock
from prospector.paths import backup_dir_for, default_db_path
from prospector.services.backups import BackupService
from prospector.services.call_queue import CallQueueService
from prospector.services.contacts import ContactService
from prospector.services.do_not_call import DoNotCallService
from prospector.services.exports import ExportService
from prospector.services.followups import FollowUpService
from prospector.services.import_history import ImportHistoryService
from prospector.services.imports import ImportService
from prospector.services.notes import NoteService
from prospector.services.privacy import PrivacyService
from prospector.services.reports import ReportService
from prospector.services.sample_list import SampleListService
from prospector.services.settings import SettingsService
from prospector.services.sharing import SharingService
from prospector.services.sources import SourceService
from prospector.storage.database import Database, open_database


@dataclass
class Workspace:
    database: Database
    settings: SettingsService
    contacts: ContactService
    sources: SourceService
    sample_list: SampleListService
    imports: ImportService
    history: ImportHistoryService
    queue: CallQueueService
    do_not_call: DoNotCallService
    followups: FollowUpService
    exports: ExportService
    notes: NoteService
    backups: BackupService
    privacy: PrivacyService
    reports: ReportService
    sharing: SharingService

    @property
    def path(self) -> Path:
        return self.database.path

    def close(self) -> None:
        self.database.close()


def open_workspace(
    db_path: Path | None = None,
    *,
    clock: Clock = system_clock,
    backups: bool = True,
    defer_integrity_check: bool = False,
) -> Workspace:
    """Open (or create) a database and build the services over it.

    With ``defer_integrity_check`` a big file's quick_check is left to
    ``workspace.database.verify_integrity()`` (the window runs it once it is painted).

    Raises:
        UserFacingError: the file is in use, not ours, damaged, too new or not writable.
    """
    path = db_path or default_db_path()
    database = open_database(
        path,
        backup_dir=backup_dir_for(path) if backups else None,
        defer_integrity_check=defer_integrity_check,
    )
    sessions = database.sessions
    settings = SettingsService(sessions)
    backup_service = BackupService(database, settings, clock)
    return Workspace(
        database=database,
        settings=settings,
        contacts=ContactService(sessions, settings, clock),
        sources=SourceService(sessions, clock),
        sample_list=SampleListService(sessions, settings, clock),
        imports=ImportService(
            sessions, settings, clock, backups=backup_service if backups else None
        ),
        history=ImportHistoryService(sessions, clock),
        queue=CallQueueService(sessions, clock),
        do_not_call=DoNotCallService(
            sessions, settings, clock, backups=backup_service if backups else None
        ),
        followups=FollowUpService(sessions, clock),
        exports=ExportService(sessions, clock),
        notes=NoteService(sessions, clock),
        backups=backup_service,
        privacy=PrivacyService(sessions, clock),
        reports=ReportService(sessions, clock),
        sharing=SharingService(
            sessions, settings, backups=backup_service if backups else None, clock=clock
        ),
    )
