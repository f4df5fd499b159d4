"""Fuzz the share-file merge (issue 9): for any workbook that calls itself a share file, with
any cells in any sheet, the merge either works or stops with a plain-words error, and then the
database is exactly as before. A merge that worked, run again, changes nothing.

Fixed seed (derandomize) and a fixed number of examples: the same cases run in every CI run,
in well under a minute.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import uuid
from datetime import date, datetime
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from prospector.domain.share import COLUMNS, FORMAT_NAME, Sheet
from prospector.errors import UserFacingError
from prospector.services.workspace import open_workspace

_TABLES = ("contacts", "notes", "call_logs", "reminders", "qualifications", "sources")
_UUIDS = [str(uuid.UUID(int=n)) for n in range(1, 6)]

# Control characters cannot be in a worksheet's XML (our writer escapes them; openpyxl refuses).
text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)
cells = st.one_of(
    st.none(),
    text,
    st.sampled_from(["", "=1+1", "Lefèvre", "Петровски", "suspect", "Hot", "yes", "2026-03-16"]),
    st.sampled_from(_UUIDS),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
)


_MOMENT = st.sampled_from(["2026-03-16 09:30:00+00:00", "2026-03-17 10:00:00.500000+00:00"])
_PLAUSIBLE = {
    "ID": st.sampled_from(_UUIDS),
    "Contact ID": st.sampled_from(_UUIDS),
    "First name": st.sampled_from(["Ana", "François", "Петар", "=1+1"]),
    "Company": text,
    "Phone": st.sampled_from(["06 12 34 56 78", "+389 70 123 456", "n/a"]),
    "Email": st.sampled_from(["a@b.fr", "x@y", "F.Lefevre@Creme.fr"]),
    "Stage": st.sampled_from(["Suspect", "lead", "Prospect", "do_not_call", "Martian"]),
    "Temperature": st.sampled_from(["Hot", "warm", "cold"]),
    "Changed (UTC)": _MOMENT,
    "Added (UTC)": _MOMENT,
    "Written (UTC)": _MOMENT,
    "Called (UTC)": _MOMENT,
    "Due (UTC)": _MOMENT,
    "Deleted (UTC)": _MOMENT,
    "What": st.sampled_from(["contact", "note", "call", "planet"]),
    "Kind": st.sampled_from(["call_back", "email"]),
    "Note": text,
    "Outcome": st.sampled_from(["talked", "no_answer"]),
    "Extra fields": st.sampled_from(['{"Région": "Rhône"}', "[1, 2]", "{", "null"]),
}


@st.composite
def sheets(draw: st.DrawFn) -> dict[Sheet, list[list[object]]]:
    """Some of a share file's sheets: the right headers (maybe shuffled, maybe one missing),
    then rows of anything."""
    chosen = draw(st.sets(st.sampled_from([s for s in Sheet if s is not Sheet.ABOUT]), min_size=1))
    chosen.add(Sheet.CONTACTS)
    result: dict[Sheet, list[list[object]]] = {}
    for sheet in sorted(chosen, key=list(Sheet).index):
        headers = [c.header for c in COLUMNS[sheet]]
        headers = draw(st.permutations(headers))
        if draw(st.booleans()):
            headers = headers[: draw(st.integers(1, len(headers)))]
        # A row is what the columns should hold, or that with one odd cell, or anything at
        # all: many files merge (so the second merge is tested) while their details are odd.
        rows = []
        for _ in range(draw(st.integers(0, 6))):
            kind = draw(st.sampled_from(["plausible", "one odd cell", "wild"]))
            if kind == "wild":
                rows.append(draw(st.lists(cells, max_size=len(headers))))
                continue
            row = [draw(_PLAUSIBLE.get(h, st.none())) for h in headers]
            if kind == "one odd cell" and row:
                row[draw(st.integers(0, len(row) - 1))] = draw(cells)
            rows.append(row)
        result[sheet] = [list(headers), *rows]
    return result


def _write(path: Path, content: dict[Sheet, list[list[object]]]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet, rows in content.items():
        page = book.create_sheet(sheet.value)
        for row in rows:
            page.append(row)
    about = book.create_sheet(Sheet.ABOUT.value)
    for row in (["About", "Value"], ["Format", FORMAT_NAME], ["Format version", "1"]):
        about.append(row)
    book.save(path)


def _dump(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return {t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}"))) for t in _TABLES}
    finally:
        conn.close()


@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(content=sheets())
def test_any_share_file_merges_or_is_refused_with_nothing_changed(
    migrated_template: Path, content: dict[Sheet, list[list[object]]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "db.sqlite"
        shutil.copy(migrated_template, db)
        share = Path(folder) / "share.xlsx"
        try:
            _write(share, content)
        except (ValueError, TypeError):
            return  # openpyxl refuses the cell (a control character): no file to merge
        ws = open_workspace(db, backups=False)
        try:
            ws.settings.set_default_country("FR")
            before = _dump(db)
            try:
                first = list(ws.sharing.merge(share))[-1]
            except UserFacingError as exc:
                event("refused")
                assert exc.user_message()
                assert _dump(db) == before
                return
            assert first.status == "done" and first.summary is not None
            event("merged, contacts added" if first.summary.added else "merged, none added")
            after = _dump(db)
            again = list(ws.sharing.merge(share))[-1].summary
            assert again is not None and not again.changed_anything, again
            assert _dump(db) == after
        finally:
            ws.close()
