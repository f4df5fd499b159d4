"""Errors the user can act on, kept apart from bugs.

The core raises these with a stable ``code`` and English log text; the UI and the command line
turn the code into plain words. Anything that is not a ``UserFacingError`` is a bug: it is logged
and shown as a crash report, never as a half-explained traceback.
"""

from __future__ import annotations

from pathlib import Path


class UserFacingError(Exception):
    """Something went wrong that the user can understand and fix."""

    code = "error"

    def user_message(self) -> str:
        """Plain English words for the command line; the UI may word it differently."""
        return str(self)


class DatabaseError(UserFacingError):
    """Base for problems opening a database file."""

    code = "db.error"

    def __init__(self, path: Path, detail: str = "") -> None:
        super().__init__(f"{path}: {detail}" if detail else str(path))
        self.path = path
        self.detail = detail


class DatabaseBusy(DatabaseError):
    """Another part of Prospector (an import, a do-not-call file) is writing for longer than a
    save may wait; nothing of this save was written."""

    code = "db.busy"

    def user_message(self) -> str:
        return (
            "Prospector is still saving something else (an import, for example), so this change "
            "could not be saved yet. Nothing was lost: wait until it has finished and try again."
        )


class DatabaseInUse(DatabaseError):
    """Another Prospector (window or command) holds this database."""

    code = "db.in_use"

    def __init__(self, path: Path, owner_host: str = "", owner_since: str = "") -> None:
        super().__init__(path, f"in use by {owner_host or 'another program'} since {owner_since}")
        self.owner_host = owner_host
        self.owner_since = owner_since

    def user_message(self) -> str:
        where = f" on {self.owner_host}" if self.owner_host else ""
        since = f" (since {self.owner_since}{where})" if self.owner_since else where
        return (
            f"Prospector is already open with this database{since}. "
            "Switch to that window, or close it and try again."
        )


class NotAProspectorDatabase(DatabaseError):
    """The file exists but is not ours (another program's database, or not a database)."""

    code = "db.foreign"

    def user_message(self) -> str:
        return (
            f"The file {self.path.name} is not a Prospector database, or it is badly damaged. "
            "It was left exactly as it was. Choose another file, or start a new database."
        )


class DatabaseCorrupt(DatabaseError):
    """SQLite's own check found damage."""

    code = "db.corrupt"

    def user_message(self) -> str:
        return (
            f"The database {self.path.name} is damaged and could not be opened safely. "
            "It was left exactly as it was. Restore a backup, or start a new database."
        )


class DatabaseTooNew(DatabaseError):
    """Written by a newer Prospector: we must not touch it."""

    code = "db.too_new"

    def user_message(self) -> str:
        return (
            f"The database {self.path.name} was made by a newer version of Prospector. "
            "Update Prospector to open it; the file was not changed."
        )


class DatabaseUpgradeFailed(DatabaseError):
    """A migration failed; the file was restored from the copy taken before."""

    code = "db.upgrade_failed"

    def user_message(self) -> str:
        return (
            "The update of your database failed; your data is as it was. "
            "Details are saved in the log."
        )


class DatabaseNotWritable(DatabaseError):
    """The folder or file refuses writes."""

    code = "db.not_writable"

    def user_message(self) -> str:
        return (
            f"The database {self.path.name} can't be changed here: the file or its folder is "
            "read-only. Move it to a folder you can write to, such as Documents."
        )


class DatabaseWriteFailed(DatabaseError):
    """SQLite could not write (a full disk, a failing disk or USB stick); the transaction was
    rolled back, so nothing of it was saved and everything saved before is intact."""

    code = "db.write_failed"

    def __init__(self, path: Path, reason: str, detail: str = "") -> None:
        super().__init__(path, detail)
        self.reason = reason  # disk_full or io

    def __reduce__(self) -> tuple[object, ...]:
        return type(self), (self.path, self.reason, self.detail)

    def user_message(self) -> str:
        why = (
            "the disk is full"
            if self.reason == "disk_full"
            else "the disk could not be written to (it may be full, failing or unplugged)"
        )
        return (
            f"Prospector could not save to {self.path.name}: {why}. Nothing of this change was "
            "saved, and everything saved before is safe. Free some space on the disk (empty "
            "the Recycle Bin or Trash, delete large files you no longer need), then try again."
        )


class DatabaseMoved(DatabaseError):
    """The database file was moved or deleted while the app had it open: nothing more is
    saved to it. ``rescued`` is a copy of everything saved until then, when one was made."""

    code = "db.moved"

    def __init__(self, path: Path, detail: str = "", rescued: Path | None = None) -> None:
        super().__init__(path, detail)
        self.rescued = rescued

    def __reduce__(self) -> tuple[object, ...]:
        return type(self), (self.path, self.detail, self.rescued)

    def user_message(self) -> str:
        text = (
            f"The database file {self.path.name} was moved or deleted while Prospector was "
            "using it, so this change could not be saved. "
        )
        if self.rescued is not None:
            text += f"Everything saved until now is safe in a copy: {self.rescued}. "
        return text + (
            f"Quit Prospector, put the database back in {self.path.parent} (or copy the saved "
            f"copy there and name it {self.path.name}), then start Prospector again."
        )


class DatabaseDamaged(DatabaseCorrupt):
    """SQLite met a damaged page while the app was using the file."""

    code = "db.damaged"

    def user_message(self) -> str:
        return (
            f"Prospector found damage in the database {self.path.name} while reading it. "
            "Quit Prospector and start it again: it will check the file and offer to restore "
            "your newest backup or to save what can still be read."
        )


class ValidationError(UserFacingError):
    """A value typed by the user is not acceptable; ``field`` says which."""

    code = "validation"

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems

    def user_message(self) -> str:
        return "Please check: " + "; ".join(self.problems.values())


class NotFound(UserFacingError):
    """A record asked for no longer exists (deleted meanwhile)."""

    code = "not_found"

    def user_message(self) -> str:
        return "That record no longer exists; it may have been deleted."
