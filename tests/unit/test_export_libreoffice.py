"""A real spreadsheet opens our exports: LibreOffice (headless) converts the .xlsx and the .csv,
and every value is found in what it wrote, formula-looking text still text (issue 6).

.ci/run installs LibreOffice from the OS packages; on a machine without it the test is skipped,
except in CI, where a missing LibreOffice is a failure.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from collections import deque
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from prospector.domain.contacts import ContactFields
from prospector.domain.stages import Stage
from prospector.exporters.safe_cells import csv_protected
from prospector.importers.sheet_rows import SheetRows
from prospector.services.exports import EVERY_FIELD, ExportRequest
from prospector.services.sharing import ShareRequest
from tests.unit.test_share_merge import other  # noqa: F401  (the colleague's database)

pytestmark = pytest.mark.slow

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
if SOFFICE is None and not os.environ.get("CI"):
    pytest.skip("LibreOffice is not installed (.ci/run installs it)", allow_module_level=True)

# Text LibreOffice would run as a formula if we let it (reliability.md §2), and text that must
# survive as typed: accents, Cyrillic, quotes, a line break, leading zeros and '+'.
TRICKY = [
    "=1+1",
    "+1+2",
    "-1+2",
    "@SUM(1,2)",
    '=HYPERLINK("http://127.0.0.1/x","click")',
    "'=1+1",
    "-",
    "Crème & Fils, Lyon",
    "Ştefan Popa SRL",
    "Лещнйдбт",
    'the "best" one',
    "O'Brien & Sons",
]
TEXT_COLUMNS = ("first_name", "last_name", "company", "title", "city", "email")
CODE_COLUMNS = ("phone", "mobile", "postal_code")


@pytest.fixture
def exported(workspace, tmp_path: Path) -> tuple[Path, Path, list[dict[str, str]]]:
    """The same contacts exported as .xlsx and .csv, and what each text column should say."""
    expected = []
    for n, tricky in enumerate(TRICKY):
        fields = ContactFields(
            first_name=f"Prénom{n}",
            last_name=f"Nom{n}",
            company=tricky,
            title=TRICKY[-1 - n],
            phone=f"04 72 00 00 {n:02d}",
            mobile=f"+33 6 12 34 56 {n:02d}",
            email=f"p{n}@example.fr",
            city="Ploiești" if n % 2 else "Skopje — Скопје",
            postal_code=f"0{n:04d}",
            birthday=date(1980 + n, 2, 28),
            estimated_value_cents=100_050 * (n + 1),
            stage=Stage.DO_NOT_CALL if n == 3 else Stage.LEAD,
            do_not_call=n == 3,
        )
        saved = workspace.contacts.add(fields).fields  # as stored: a line break became a space
        expected.append({name: getattr(saved, name) for name in TEXT_COLUMNS + CODE_COLUMNS})
    xlsx, csv_path = tmp_path / "contacts.xlsx", tmp_path / "contacts.csv"
    for path in (xlsx, csv_path):
        last = deque(workspace.exports.run_export(ExportRequest(path)), maxlen=1)[0]
        assert last.written == len(TRICKY)
    return xlsx, csv_path, expected


def _soffice(profile: Path, out: Path, *args: str) -> None:
    assert SOFFICE is not None, "LibreOffice is missing: .ci/run should have installed it"
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            *args,
            "--outdir",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("libreoffice-profile")  # never the user's own


def _column(name: str) -> int:
    return EVERY_FIELD.index(name)


def test_libreoffice_reads_our_xlsx_with_every_value_as_typed(exported, profile, tmp_path):
    xlsx, _csv, expected = exported
    out = tmp_path / "from-xlsx"
    # Its CSV writer: comma, quote, UTF-8, the raw values rather than as formatted.
    _soffice(
        profile,
        out,
        "--convert-to",
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false",
        str(xlsx),
    )
    records = list(csv.reader(io.StringIO((out / "contacts.csv").read_text("utf-8"), newline="")))
    header, rows = records[0], records[1:]
    assert header[: len(EVERY_FIELD)][:3] == ["First name", "Last name", "Full name"]
    by_first = {row[0]: row for row in rows}
    for n, wanted in enumerate(expected):
        row = by_first[f"Prénom{n}"]
        for name, value in wanted.items():
            # An evaluated "=1+1" would read 2 here; a lost zero "4720000"; a lost '+' "33…".
            assert row[_column(name)] == value, (name, value)
        assert row[_column("birthday")] == f"{1980 + n}-02-28"
        assert float(row[_column("estimated_value")]) == 1000.50 * (n + 1)
        assert row[_column("do_not_call")] == ("TRUE" if n == 3 else "FALSE")


def test_libreoffice_opens_our_csv_and_runs_no_formula(exported, profile, tmp_path):
    _xlsx, csv_path, expected = exported
    out = tmp_path / "from-csv"
    # Its CSV reader as a rep gets it: formulas ARE evaluated; phone and postal code columns
    # set to Text, as in its import dialog (a CSV cannot say so itself; .xlsx does).
    codes = "/".join(f"{_column(name) + 1}/2" for name in CODE_COLUMNS)
    _soffice(
        profile, out, f"--infilter=CSV:44,34,76,1,{codes}", "--convert-to", "xlsx", str(csv_path)
    )
    sheet = openpyxl.load_workbook(out / "contacts.xlsx").active
    cells = list(sheet.iter_rows(min_row=2))
    assert not [c.coordinate for row in cells for c in row if c.data_type == "f"]
    by_first = {row[0].value: row for row in cells}
    for n, wanted in enumerate(expected):
        row = by_first[f"Prénom{n}"]
        for name, value in wanted.items():
            cell = row[_column(name)]
            assert cell.data_type == "s", (name, value)
            # LibreOffice shows our protective apostrophe; the text after it is intact.
            assert cell.value == csv_protected(value), (name, value)


def test_a_libreoffice_resave_of_our_xlsx_reads_back_exactly(exported, profile, tmp_path):
    xlsx, _csv, expected = exported
    out = tmp_path / "resaved"
    _soffice(profile, out, "--convert-to", "xlsx", str(xlsx))
    rows = [r.cells for r in SheetRows(out / "contacts.xlsx").rows()]
    by_first = {row[0]: row for row in rows[1:]}
    for n, wanted in enumerate(expected):
        row = by_first[f"Prénom{n}"]
        for name, value in wanted.items():
            assert row[_column(name)] == value, (name, value)


def test_a_share_file_resaved_by_libreoffice_still_merges_exactly(
    workspace,
    other,  # noqa: F811  (the fixture imported above)
    clock,
    profile,
    tmp_path,
):
    """A colleague opened the share file in LibreOffice and saved it: the merge still gives
    the same data, and merging the original afterwards changes nothing."""
    from tests.unit.test_share_merge import TABLES, _dump, _fill

    _fill(workspace, clock)
    original = tmp_path / "share.xlsx"
    steps = list(workspace.sharing.export_share(ShareRequest(original)))
    assert steps[-1].status == "done"
    out = tmp_path / "resaved"
    _soffice(profile, out, "--convert-to", "xlsx", str(original))
    resaved = out / "share.xlsx"
    assert resaved.read_bytes() != original.read_bytes()

    summary = deque(other.sharing.merge(resaved), maxlen=1)[0].summary
    assert (summary.added, summary.problems, summary.conflicts) == (4, [], [])
    mine, theirs = _dump(workspace.path), _dump(other.path)
    for table in TABLES:
        assert mine[table] == theirs[table], table
    again = deque(other.sharing.merge(original), maxlen=1)[0].summary
    assert not again.changed_anything and again.conflicts == []
