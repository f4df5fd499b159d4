"""Write a file where the rep asked without ever leaving half of it there.

The data goes to a hidden temporary file in the target folder (same disk, so the final move is
one rename), is flushed and fsynced, then moved over the target with ``os.replace``. Cancel, a
full disk or a crash leaves the target as it was (the old file, or nothing) and the temporary
file is removed.

On Windows a file open in Excel cannot be replaced (``PermissionError``); an antivirus or the
search indexer also holds new files for a moment. The move is retried a few times with a growing
pause (reliability.md F30) before the rep is asked to close the file.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from prospector.errors import UserFacingError

log = logging.getLogger(__name__)

REPLACE_PAUSES_S = (0.1, 0.2, 0.4, 0.8)  # then a last try: about 1.5 s in all


class ExportNotSaved(UserFacingError):
    """The file could not be written or put in place; the target is as it was before.

    Kinds of file (a report, a calendar) subclass it for their own code and words.
    """

    code = "export.not_saved"
    subject = "{name}"  # how the message names the file
    in_use_by = "probably Excel"  # the program that may hold it open

    def __init__(self, path: Path, reason: str, detail: str = "") -> None:
        super().__init__(f"{path}: {reason} {detail}".rstrip())
        self.path = path
        # folder_missing, not_allowed, disk_full, is_folder, in_use, other
        self.reason = reason
        self.detail = detail

    def user_message(self) -> str:
        name = self.subject.format(name=self.path.name)
        if self.reason == "in_use":
            return (
                f"{name} could not be replaced: it is open in another program, "
                f"{self.in_use_by}. Close it there and try again, or choose another name."
            )
        why = {
            "folder_missing": "that folder does not exist",
            "not_allowed": "you are not allowed to save files in that folder",
            "disk_full": "the disk is full (or the file is too big for it)",
            "is_folder": "a folder already has that name",
        }.get(self.reason, "the file could not be written")
        return f"{name} was not saved: {why}. Choose another place, such as your Documents folder."


def reason_for(exc: OSError) -> str:
    """The plain reason behind an OS error while writing a file."""
    if isinstance(exc, IsADirectoryError):
        return "is_folder"
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        return "folder_missing"
    if isinstance(exc, PermissionError):
        return "not_allowed"
    # EFBIG: a FAT32 stick's 4 GiB limit, or a quota (RLIMIT_FSIZE in the tests).
    if exc.errno in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "disk_full"
    return "other"


class TargetFile:
    """A temporary file beside ``path`` that becomes ``path`` only on ``commit()``.

    Use it as a context manager: leaving the block without ``commit()`` (an error, Cancel, a
    closed generator) removes the temporary file and leaves ``path`` untouched.
    """

    def __init__(self, path: Path, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.path = path
        self._sleep = sleep
        self._temp: Path | None = None
        self.stream: BinaryIO | None = None

    def __enter__(self) -> TargetFile:
        if self.path.is_dir():
            raise ExportNotSaved(self.path, "is_folder")
        try:
            fd, name = tempfile.mkstemp(
                prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
            )
        except OSError as exc:
            raise ExportNotSaved(self.path, reason_for(exc), str(exc)) from exc
        self._temp = Path(name)
        self.stream = os.fdopen(fd, "wb", buffering=1024 * 1024)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.discard()

    @property
    def temp_path(self) -> Path | None:
        return self._temp

    def write_failed(self, exc: OSError) -> ExportNotSaved:
        """The plain error for an OS error met while writing into ``stream``."""
        return ExportNotSaved(self.path, reason_for(exc), str(exc))

    def commit(self) -> None:
        """Flush, fsync and move the file into place.

        Raises:
            ExportNotSaved: the disk filled up on the last bytes, or the target stayed locked
                (open in Excel); the temporary file is removed, the target is as it was.
        """
        if self.stream is None or self._temp is None:
            raise RuntimeError("commit() outside the with block")
        try:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            self.stream.close()
            os.chmod(self._temp, _mode_for(self.path))
        except OSError as exc:
            self.discard()
            raise self.write_failed(exc) from exc
        self._replace()
        self._temp = None
        self.stream = None

    def _replace(self) -> None:
        assert self._temp is not None
        for attempt in range(len(REPLACE_PAUSES_S) + 1):
            try:
                os.replace(self._temp, self.path)
                return
            except PermissionError as exc:
                if attempt == len(REPLACE_PAUSES_S):
                    self.discard()
                    raise ExportNotSaved(self.path, "in_use", str(exc)) from exc
                log.info("%s is locked (%s); trying again", self.path.name, exc)
                self._sleep(REPLACE_PAUSES_S[attempt])
            except OSError as exc:
                self.discard()
                raise self.write_failed(exc) from exc

    def discard(self) -> None:
        """Close and remove the temporary file (nothing happens after ``commit()``)."""
        if self.stream is not None:
            with contextlib.suppress(OSError):
                self.stream.close()
            self.stream = None
        if self._temp is not None:
            with contextlib.suppress(OSError):
                self._temp.unlink()
            self._temp = None


def write_bytes(path: Path, data: bytes) -> None:
    """Put ``data`` at ``path`` the same way, for small files built whole in memory.

    Raises:
        ExportNotSaved: with the plain reason; ``path`` is as it was.
    """
    with TargetFile(path) as target:
        assert target.stream is not None
        try:
            target.stream.write(data)
        except OSError as exc:
            raise target.write_failed(exc) from exc
        target.commit()


def _mode_for(path: Path) -> int:
    """Keep the permissions of the file being replaced; a new file gets the usual rw-r--r--
    (mkstemp's 0600 would hide it from a colleague on a shared folder)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o644
