"""Telling a database on a network share (or in a synced folder) from one on a local disk (F7).

The parsers are plain functions over the text each system gives; the sample lines are what
Linux's /proc/mounts and macOS's mount print for real shares.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

from prospector.storage import network_paths
from prospector.storage.network_paths import (
    DRIVE_REMOTE,
    NetworkPlace,
    fs_type_for,
    is_network_fs,
    is_unc,
    network_place,
    parse_mount_output,
    parse_proc_mounts,
    synced_folder,
    windows_place,
)

PROC_MOUNTS = """\
/dev/nvme0n1p2 / ext4 rw,relatime 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
/dev/nvme0n1p1 /boot/efi vfat rw,relatime 0 0
//nas/team /mnt/team cifs rw,relatime,vers=3.1.1,username=anna 0 0
nas:/export/sales /home/anna/sales nfs4 rw,relatime,vers=4.2 0 0
anna@host:/data /home/anna/remote\\040data fuse.sshfs rw,nosuid,nodev 0 0
tmpfs /run/user/1000 tmpfs rw,nosuid,nodev 0 0
"""

MAC_MOUNT = """\
/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse)
//anna@NAS._smb._tcp.local/Team on /Volumes/Team (smbfs, nodev, nosuid, mounted by anna)
afp_0Tnq on /Volumes/Old Share (afpfs, nodev, nosuid, mounted by anna)
"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (r"\\nas\team\prospector.sqlite", True),
        ("//nas/team/prospector.sqlite", True),
        (r"\\?\UNC\nas\team\prospector.sqlite", True),
        (r"\\?\C:\Users\anna\prospector.sqlite", False),
        (r"C:\Users\anna\prospector.sqlite", False),
        (r"\\", False),
        ("/home/anna/prospector.sqlite", False),
    ],
)
def test_unc_paths(path: str, expected: bool):
    assert is_unc(path) is expected


def test_a_mapped_network_drive_is_found_by_its_drive_type():
    types = {"Z:\\": DRIVE_REMOTE, "C:\\": 3}
    assert windows_place(r"Z:\Sales\prospector.sqlite", types.__getitem__) == NetworkPlace(
        "network_drive", "Z:"
    )
    assert windows_place(r"C:\Users\anna\prospector.sqlite", types.__getitem__) is None
    assert windows_place(r"\\nas\team\prospector.sqlite", types.__getitem__) == NetworkPlace(
        "unc", r"\\nas\team"
    )


def test_linux_mounts_are_read_with_their_escapes():
    mounts = parse_proc_mounts(PROC_MOUNTS)
    assert ("/home/anna/remote data", "fuse.sshfs") in mounts
    assert fs_type_for("/mnt/team/Prospector/prospector.sqlite", mounts) == "cifs"
    assert fs_type_for("/home/anna/sales/db.sqlite", mounts) == "nfs4"
    assert fs_type_for("/home/anna/remote data/db.sqlite", mounts) == "fuse.sshfs"
    assert fs_type_for("/home/anna/.local/share/Prospector/db.sqlite", mounts) == "ext4"
    assert fs_type_for("/mnt/teamwork/db.sqlite", mounts) == "ext4"  # not inside /mnt/team


def test_mac_mounts_are_read_too():
    mounts = parse_mount_output(MAC_MOUNT)
    assert fs_type_for("/Volumes/Team/prospector.sqlite", mounts) == "smbfs"
    assert fs_type_for("/Volumes/Old Share/prospector.sqlite", mounts) == "afpfs"
    assert fs_type_for("/Users/anna/Documents/prospector.sqlite", mounts) == "apfs"


@pytest.mark.parametrize(
    ("kind", "network"),
    [("cifs", True), ("smb3", True), ("smbfs", True), ("nfs4", True), ("afpfs", True),
     ("fuse.sshfs", True), ("webdav", True), ("ext4", False), ("apfs", False), ("ntfs", False),
     ("tmpfs", False), ("fuse.portal", False), (None, False)],
)  # fmt: skip
def test_network_file_system_types(kind: str | None, network: bool):
    assert is_network_fs(kind) is network


def test_synced_folders_are_named():
    assert synced_folder(PureWindowsPath(r"C:\Users\anna\OneDrive - Contoso\p.sqlite")) == (
        "OneDrive - Contoso"
    )
    assert synced_folder(PurePosixPath("/Users/anna/Dropbox (Personal)/p.sqlite")) == (
        "Dropbox (Personal)"
    )
    icloud = "/Users/anna/Library/Mobile Documents/com~apple~CloudDocs/p.sqlite"
    assert synced_folder(PurePosixPath(icloud)) == "Mobile Documents"
    assert synced_folder(PurePosixPath("/home/anna/Documents/p.sqlite")) is None
    assert synced_folder(PurePosixPath("/home/anna/OneDrive.sqlite")) is None  # the file itself


def test_the_computer_itself_is_asked_on_linux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(network_paths.os, "name", "posix")
    share = str(tmp_path)
    monkeypatch.setattr(network_paths, "_mounts", lambda: [("/", "ext4"), (share, "cifs")])
    place = network_place(tmp_path / "not-yet" / "prospector.sqlite")  # may not exist yet
    assert place == NetworkPlace("network_fs", "cifs")
    monkeypatch.setattr(network_paths, "_mounts", lambda: [("/", "ext4")])
    assert network_place(tmp_path / "prospector.sqlite") is None
    synced = tmp_path / "Dropbox" / "prospector.sqlite"
    assert network_place(synced) == NetworkPlace("synced", "Dropbox")
    monkeypatch.setattr(network_paths, "_mounts", lambda: [])  # cannot tell: no warning
    assert network_place(tmp_path / "prospector.sqlite") is None


def test_this_machines_own_mounts_can_be_read():
    """The real probe runs without error here (whatever it finds)."""
    result = network_place(Path.cwd() / "prospector.sqlite")
    assert result is None or isinstance(result, NetworkPlace)


def test_the_command_line_warns_but_works(db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    from prospector.cli import main
    from prospector.services import integrity

    monkeypatch.setattr(integrity, "network_place", lambda _p: NetworkPlace("network_fs", "cifs"))
    assert main(["info", "--db", str(db_path)]) == 0
    captured = capsys.readouterr()
    assert "Contacts: 0" in captured.out
    assert "warning" in captured.err and "network drive (cifs)" in captured.err
    assert "share files" in captured.err
