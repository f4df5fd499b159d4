"""A file being exported is never seen half-written: temporary file, fsync, one rename."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from prospector.exporters import target_file
from prospector.exporters.target_file import ExportNotSaved, TargetFile


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_the_file_appears_only_on_commit(tmp_path: Path):
    path = tmp_path / "contacts.csv"
    with TargetFile(path) as target:
        assert target.stream is not None
        target.stream.write(b"a,b\r\n")
        assert not path.exists() and target.temp_path is not None
        assert target.temp_path.parent == tmp_path  # same disk: the move is one rename
        target.commit()
    assert path.read_bytes() == b"a,b\r\n"
    assert path.stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0600
    assert _leftovers(tmp_path) == []


def test_leaving_without_commit_keeps_the_old_file(tmp_path: Path):
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), TargetFile(path) as target:
        assert target.stream is not None
        target.stream.write(b"half")
        raise RuntimeError("cancelled")
    assert path.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_a_locked_file_is_retried_then_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Windows: Excel (or an antivirus) holds the file; the move is retried, then the rep is
    asked to close it (reliability.md F17/F30)."""
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(b"old")
    real_replace = os.replace
    failures = {"left": 2}
    pauses: list[float] = []

    def locked_twice(source: str, target: str) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise PermissionError(13, "The process cannot access the file")
        real_replace(source, target)

    monkeypatch.setattr(target_file.os, "replace", locked_twice)
    with TargetFile(path, sleep=pauses.append) as target:
        assert target.stream is not None
        target.stream.write(b"new")
        target.commit()
    assert path.read_bytes() == b"new"
    assert pauses == [0.1, 0.2]

    def always_locked(source: str, target: str) -> None:
        raise PermissionError(13, "The process cannot access the file")

    monkeypatch.setattr(target_file.os, "replace", always_locked)
    pauses.clear()
    with pytest.raises(ExportNotSaved) as caught, TargetFile(path, sleep=pauses.append) as target:
        assert target.stream is not None
        target.stream.write(b"newer")
        target.commit()
    assert caught.value.reason == "in_use"
    assert "Close it there and try again" in caught.value.user_message()
    assert len(pauses) == len(target_file.REPLACE_PAUSES_S)
    assert path.read_bytes() == b"new"
    assert _leftovers(tmp_path) == []


def test_plain_reasons(tmp_path: Path):
    with pytest.raises(ExportNotSaved) as caught, TargetFile(tmp_path / "nowhere" / "x.csv"):
        pass
    assert caught.value.reason == "folder_missing"
    (tmp_path / "a folder.csv").mkdir()
    with pytest.raises(ExportNotSaved) as caught, TargetFile(tmp_path / "a folder.csv"):
        pass
    assert caught.value.reason == "is_folder"
    assert target_file.reason_for(OSError(errno.ENOSPC, "No space left")) == "disk_full"
    assert target_file.reason_for(OSError(errno.EFBIG, "File too large")) == "disk_full"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_folder(tmp_path: Path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ExportNotSaved) as caught, TargetFile(folder / "x.csv"):
            pass
        assert caught.value.reason == "not_allowed"
    finally:
        folder.chmod(0o755)
