"""The import history and "Undo this import".

Each call is one transaction: an undo that fails half way (a full disk, a bug) leaves the
database exactly as it was, so the rep can try again or keep working on the list.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.clock import Clock, system_clock
from prospector.errors import UserFacingError
from prospector.storage.import_history import (
    CALLED,
    EDITED,
    HAS_NOTES,
    HAS_REMINDERS,
    QUALIFIED,
    STAGE_MOVED,
    UNDONE,
    ImportHistoryRepository,
    ImportRunInfo,
    UndoOutcome,
    UndoPlan,
    WorkedContact,
)

log = logging.getLogger(__name__)

__all__ = [  # the window and the command line reach these through this module only
    "CALLED",
    "EDITED",
    "HAS_NOTES",
    "HAS_REMINDERS",
    "QUALIFIED",
    "STAGE_MOVED",
    "ImportAlreadyUndone",
    "ImportHistoryService",
    "ImportNotUndoable",
    "ImportRunGone",
    "ImportRunInfo",
    "UndoOutcome",
    "UndoPlan",
    "WorkedContact",
]


class ImportRunGone(UserFacingError):
    """The import asked for is not in the history (another window removed it, a wrong id)."""

    code = "import.run_gone"

    def __init__(self, run_id: int) -> None:
        super().__init__(f"import run {run_id} not found")
        self.run_id = run_id

    def user_message(self) -> str:
        return (
            f"There is no import number {self.run_id} in this database. "
            "List the imports to see their numbers."
        )


class ImportAlreadyUndone(UserFacingError):
    """Undo was asked for a run that was undone before."""

    code = "import.already_undone"

    def __init__(self, run: ImportRunInfo) -> None:
        super().__init__(f"import run {run.id} already undone")
        self.run = run

    def user_message(self) -> str:
        return f"The import of {self.run.file_name} was already undone; there is nothing to remove."


class ImportNotUndoable(UserFacingError):
    """The run never completed (it was stopped), so it added nothing to take back."""

    code = "import.not_undoable"

    def __init__(self, run: ImportRunInfo) -> None:
        super().__init__(f"import run {run.id} has status {run.status}")
        self.run = run

    def user_message(self) -> str:
        return f"The import of {self.run.file_name} did not finish, so there is nothing to undo."


class ImportHistoryService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock = system_clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def runs(self) -> list[ImportRunInfo]:
        """Every import, newest first."""
        with self._sessions() as session:
            return ImportHistoryRepository(session).runs()

    def undo_plan(self, run_id: int, *, named: int | None = None) -> UndoPlan:
        """What undo would remove and put back, naming up to ``named`` contacts worked since.

        Raises:
            ImportRunGone, ImportAlreadyUndone, ImportNotUndoable: nothing to undo.
        """
        with self._sessions.begin() as session:
            repo = ImportHistoryRepository(session)
            return repo.plan(_undoable(repo, run_id), named=named)

    def undo(self, run_id: int, *, keep_worked: bool) -> UndoOutcome:
        """Remove the contacts the run added (but the worked ones, if asked) and put back what
        it filled in on contacts already there, in one transaction.

        Raises:
            ImportRunGone, ImportAlreadyUndone, ImportNotUndoable: nothing to undo.
        """
        with self._sessions.begin() as session:
            repo = ImportHistoryRepository(session)
            outcome = repo.undo(_undoable(repo, run_id), keep_worked=keep_worked, now=self._clock())
        log.info("Undid import run %s: %s", run_id, outcome)
        return outcome


def _undoable(repo: ImportHistoryRepository, run_id: int) -> ImportRunInfo:
    run = repo.run(run_id)
    if run is None:
        raise ImportRunGone(run_id)
    if run.status == UNDONE:
        raise ImportAlreadyUndone(run)
    if not run.undoable:
        raise ImportNotUndoable(run)
    return run
