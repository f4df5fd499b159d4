"""Is a database file on a network share (or in a synced folder)? SQLite there can be damaged.

SQLite relies on file locks that network file systems implement badly or not at all, and WAL
needs shared memory that only works on one computer (sqlite.org/useovernet.html, wal.html).
Sync clients (OneDrive, Dropbox…) copy the file while it is being written. Prospector warns
when it opens such a file; colleagues should exchange share files instead.

How each system tells:

- Windows: a UNC path (``\\\\server\\share\\…``), or a drive letter that ``GetDriveTypeW``
  calls ``DRIVE_REMOTE`` (a mapped network drive);
- Linux: the file system type in ``/proc/mounts`` of the mount holding the file (nfs, cifs,
  smb3, fuse.sshfs…);
- macOS: the same from the output of ``mount`` (smbfs, afpfs, nfs, webdav…).

Every parser below is a plain function over text, tested with sample lines; only
``network_place`` reads the computer's state.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath, PureWindowsPath

# File system types that live on another computer.
NETWORK_FS_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "afp",
        "afpfs",
        "ncpfs",
        "coda",
        "afs",
        "davfs",
        "webdav",
        "ceph",
        "glusterfs",
        "lustre",
        "gfs2",
        "ocfs2",
        "sshfs",
        "fuse.sshfs",
        "fuse.rclone",
        "fuse.davfs2",
        "fuse.glusterfs",
        "fuse.ceph",
        "fuse.s3fs",
        "fuse.gcsfuse",
    }
)
# Folders that sync clients keep copying to the cloud (and back).
SYNCED_FOLDER_NAMES = ("onedrive", "dropbox", "google drive", "googledrive", "icloud drive",
                       "mobile documents", "nextcloud", "owncloud", "box sync", "pcloud drive")
DRIVE_REMOTE = 4  # GetDriveTypeW


@dataclass(frozen=True)
class NetworkPlace:
    """Why a path is risky: ``kind`` is unc, network_drive, network_fs or synced; ``detail``
    names the share, the file system type or the synced folder."""

    kind: str
    detail: str

    @property
    def synced(self) -> bool:
        return self.kind == "synced"


def is_unc(path: str) -> bool:
    r"""``\\server\share\…`` or ``//server/share/…`` (not ``\\?\C:\…``, a long local path)."""
    if path.startswith(("\\\\?\\", "//?/", "\\\\.\\", "//./")):
        return path[4:].upper().startswith("UNC\\")
    return path.startswith(("\\\\", "//")) and len(path) > 2 and path[2] not in "\\/"


def parse_proc_mounts(text: str) -> list[tuple[str, str]]:
    """(mount point, file system type) from ``/proc/mounts`` (spaces escaped as ``\\040``)."""
    mounts = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            point = _unescape_octal(fields[1])
            mounts.append((point, fields[2]))
    return mounts


def parse_mount_output(text: str) -> list[tuple[str, str]]:
    """(mount point, type) from macOS ``mount``: ``//u@srv/x on /Volumes/x (smbfs, nodev…)``."""
    mounts = []
    for line in text.splitlines():
        head, sep, options = line.rpartition(" (")
        if not sep or " on " not in head:
            continue
        point = head.split(" on ", 1)[1]
        mounts.append((point, options.split(",", 1)[0].strip(" )")))
    return mounts


def _unescape_octal(text: str) -> str:
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and text[i + 1 : i + 4].isdigit():
            out.append(chr(int(text[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def fs_type_for(path: str, mounts: Iterable[tuple[str, str]]) -> str | None:
    """The type of the mount holding ``path`` (the longest mount point that contains it)."""
    best: tuple[int, str] | None = None
    for point, kind in mounts:
        inside = path == point or path.startswith(point.rstrip("/") + "/") or point == "/"
        if inside and (best is None or len(point) > best[0]):
            best = (len(point), kind)
    return best[1] if best else None


def is_network_fs(kind: str | None) -> bool:
    if kind is None:
        return False
    kind = kind.lower()
    return kind in NETWORK_FS_TYPES or kind.startswith(("nfs", "smb", "cifs"))


def synced_folder(path: PurePath) -> str | None:
    """The name of a sync client's folder among ``path``'s folders (OneDrive, Dropbox…)."""
    for part in path.parts[:-1]:
        folded = part.casefold()
        if folded.startswith(SYNCED_FOLDER_NAMES):
            return part
    return None


def windows_place(
    path: str, drive_type: Callable[[str], int] | None = None
) -> NetworkPlace | None:
    """A Windows path on a share: UNC, or a mapped network drive (``drive_type`` is
    ``GetDriveTypeW``; tests pass their own)."""
    if is_unc(path):
        parts = PureWindowsPath(path).drive
        return NetworkPlace("unc", parts or path)
    drive = PureWindowsPath(path).drive
    if len(drive) == 2 and drive[1] == ":":
        get = drive_type or _get_drive_type
        if get(drive + "\\") == DRIVE_REMOTE:
            return NetworkPlace("network_drive", drive)
    return None


def _get_drive_type(root: str) -> int:
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))  # type: ignore[attr-defined]


def _mounts() -> list[tuple[str, str]]:
    """This computer's mounts; empty when they cannot be read (then nothing is flagged)."""
    try:
        if sys.platform.startswith("linux"):
            return parse_proc_mounts(Path("/proc/mounts").read_text(encoding="utf-8"))
        if sys.platform == "darwin":
            out = subprocess.run(
                ["/sbin/mount"], capture_output=True, text=True, timeout=5, check=False
            ).stdout
            return parse_mount_output(out)
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        return []
    return []


def network_place(path: Path) -> NetworkPlace | None:
    """Whether ``path`` (a database, maybe not created yet) is on a network share or in a
    synced folder; None for a local disk or when the system cannot tell."""
    absolute = Path(os.path.abspath(path))
    if os.name == "nt":
        place = windows_place(str(absolute))
    else:
        existing = absolute
        while not existing.exists() and existing.parent != existing:
            existing = existing.parent
        real = os.path.realpath(existing)
        kind = fs_type_for(real, _mounts())
        place = NetworkPlace("network_fs", kind) if kind and is_network_fs(kind) else None
    if place is None and (folder := synced_folder(absolute)) is not None:
        place = NetworkPlace("synced", folder)
    return place
