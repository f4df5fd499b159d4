"""Every file of tests/data/broken/ through the real import service, against expected.json.

A refused file must end in the error (stable code, and the detector's problem) and the words
the manifest names, the same in the preview and in the import, with no traceback, and every
table of the database must hold as many rows as before. An accepted file must bring in the
contacts the manifest says, within its time. The files are made by
scripts/make_broken_files.py (reliability.md F21-F23, F26-F28).
"""

from __future__ import annotations

import json
import pickle
import sqlite3
import time
from collections import deque
from pathlib import Path
from typing import Any

import pytest

from prospector.errors import UserFacingError
from prospector.services.imports import ImportRequest

CORPUS = Path(__file__).resolve().parents[1] / "data" / "broken"
MANIFEST = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
REFUSED = [e for e in MANIFEST["files"] if e["outcome"] == "refused"]
IMPORTED = [e for e in MANIFEST["files"] if e["outcome"] == "imported"]
MAX_FILE_BYTES = 150 * 1024  # the corpus stays small: bombs are small until opened


def _counts(db: Path) -> dict[str, int]:
    """Rows of every table (search index storage included), so nothing can slip in unseen."""
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        tables = [
            name
            for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type='table'")
            if not (sql or "").upper().startswith("CREATE VIRTUAL")
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def _run(workspace, path: Path):  # type: ignore[no-untyped-def]
    return deque(workspace.imports.run_import(ImportRequest(path, "Corpus")), maxlen=1)[0]


def _plain(message: str) -> None:
    """Words for a person: no traceback, no bare exception, a sentence that ends."""
    assert "Traceback" not in message and "Error:" not in message and "Errno" not in message
    assert message.rstrip().endswith((".", ")")), message
    assert len(message) > 40


def test_the_manifest_and_the_folder_agree_and_the_files_are_small():
    listed = {e["file"] for e in MANIFEST["files"]}
    present = {p.name for p in CORPUS.iterdir()} - {"expected.json"}
    assert listed == present
    for path in CORPUS.iterdir():
        size = (
            sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir() else path.stat().st_size
        )
        assert size <= MAX_FILE_BYTES, path.name
    for entry in REFUSED:
        assert entry["error"] and entry["says"], entry["file"]


@pytest.mark.parametrize("entry", REFUSED, ids=[e["file"] for e in REFUSED])
def test_a_refused_file_gets_its_message_and_changes_nothing(
    entry: dict[str, Any], workspace, db_path: Path
):
    path = CORPUS / entry["file"]
    before = _counts(db_path)

    with pytest.raises(UserFacingError) as previewed:
        workspace.imports.preview(path)
    error = previewed.value
    assert error.code == entry["error"]
    if "problem" in entry:
        assert getattr(error, "problem", None) == entry["problem"]
    message = error.user_message()
    for words in entry["says"]:
        assert words in message, (words, message)
    _plain(message)
    # A worker process (parallel import) hands errors back pickled: they must survive it.
    assert pickle.loads(pickle.dumps(error)).user_message() == message

    with pytest.raises(UserFacingError) as imported:
        _run(workspace, path)
    assert imported.value.code == entry["error"]
    assert all(words in imported.value.user_message() for words in entry["says"])
    assert _counts(db_path) == before


@pytest.mark.parametrize("entry", IMPORTED, ids=[e["file"] for e in IMPORTED])
def test_an_odd_but_readable_file_imports_as_expected(
    entry: dict[str, Any], workspace, db_path: Path
):
    path = CORPUS / entry["file"]
    started = time.perf_counter()
    preview = workspace.imports.preview(path)
    if "columns" in entry:
        assert len(preview.columns) == entry["columns"]
    result = _run(workspace, path)
    assert result.status == "completed"
    assert result.imported == entry["imported"]
    if "seconds" in entry:
        assert time.perf_counter() - started < entry["seconds"]
    texts = _stored_texts(db_path)
    if "names" in entry:
        assert {n for n in entry["names"]} <= set(texts)
    if entry.get("no_nul"):
        assert not any("\x00" in t for t in texts)
    if "longest_text" in entry:
        assert max(map(len, texts)) == entry["longest_text"]


def _stored_texts(db: Path) -> list[str]:
    """Every text the contacts hold: their columns and the list's extra fields."""
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        texts: list[str] = []
        columns = "first_name, last_name, full_name, phone, custom_fields"
        for *values, custom in conn.execute(f"SELECT {columns} FROM contacts"):
            texts += [v for v in values if v]
            texts += [str(v) for v in (json.loads(custom or "null") or {}).values()]
        return texts
    finally:
        conn.close()
