"""The rows an import could not take, written back as a CSV the rep can fix and import again.

The file keeps the list's own columns (so the wizard maps it the same way next time) plus a
"Problem" column, is UTF-8 with a byte order mark (Excel then shows accents and Cyrillic
right), protects text that Excel would run as a formula with one leading apostrophe (our CSV
reader removes it again), and is written to a temporary name first: a failure never leaves a
half-written file under the name the rep chose.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from prospector.importers.rows import CellValue, cell_text

_FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")
PROBLEM_COLUMN = "Problem"


@dataclass(frozen=True, slots=True)
class RejectedRow:
    row: int  # as the rep's file numbers it
    cells: tuple[CellValue, ...]
    reasons: tuple[str, ...]  # problem codes, e.g. 'row.no_identity'


def protect(text: str) -> str:
    """Text that Excel would evaluate ('=1+1', '+33 6…', '@SUM') gets one leading apostrophe."""
    return "'" + text if _FORMULA_START.match(text) else text


def write_rejected_csv(
    path: Path,
    columns: list[str],
    rows: Iterable[RejectedRow],
    describe: dict[str, str] | None = None,
) -> int:
    """Write the rows with a reason column; returns how many rows were written.

    ``describe`` turns a problem code into words for the reason column (the caller's language).
    """
    describe = describe or {}
    path = Path(path)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  (closed by "with handle" below)
        "w",
        encoding="utf-8-sig",
        newline="",
        dir=path.parent,
        prefix=f".{path.stem}-",
        suffix=".tmp",
        delete=False,
    )
    written = 0
    try:
        with handle:
            writer = csv.writer(handle)
            writer.writerow([*columns, PROBLEM_COLUMN])
            for rejected in rows:
                cells = [protect(cell_text(c)) for c in rejected.cells]
                cells += [""] * (len(columns) - len(cells))
                reason = "; ".join(describe.get(code, code) for code in rejected.reasons)
                writer.writerow([*cells[: len(columns)], protect(reason)])
                written += 1
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return written
