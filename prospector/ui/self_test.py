"""``prospector --self-test``: the real window over a throwaway database, through a rep's first
minutes, one line a step; exit code 0 only if every step worked.

It is the smoke test of every built app (``installer/build.py``, ``.github/workflows/release.yml``):
a bundle that forgot a Qt plugin, a migration script, phonenumbers' metadata or a reader fails
here, on the build machine, instead of on a rep's computer. The steps:

1. window: a new database in a temporary folder (so every Alembic migration runs), the main
   window shown and painted, the deferred integrity check done, the sample list offered;
2. sample list: the welcome's "Load sample list" button; the table shows every row of
   ``resources/sample_leads.csv``;
3. call queue: the Sample list started, "No answer" clicked on the outcome pad; the call is
   logged and the queue shows the next contact;
4. export: every contact to .xlsx through the export service, read back by python-calamine
   (the import's own preview) and by openpyxl (row count, the call's date in "Last call");
5. import: a 1 MB list written as Excel's Windows CSV (cp1252, ';'), imported through the
   import pipeline, which hands lists this big to a worker process: a frozen build whose
   entry point forgot ``multiprocessing.freeze_support()`` fails here.

Nothing touches the user's own files: database, settings, logs and backups live in a temporary
folder removed at the end. Qt runs offscreen unless ``QT_QPA_PLATFORM`` names a platform (set
it to ``xcb``, ``wayland``, ``windows`` or ``cocoa`` to check the real platform plugin too).
"""

from __future__ import annotations

import contextlib
import csv
import faulthandler
import logging
import multiprocessing
import os
import platform
import sys
import tempfile
import time
import traceback
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from prospector import __version__
from prospector.domain.query import ContactQuery
from prospector.paths import resources_dir
from prospector.services.call_queue import CallOutcome
from prospector.services.exports import ExportRequest
from prospector.services.imports import PARALLEL_MIN_BYTES, DuplicatePolicy, ImportRequest
from prospector.services.sample_list import SAMPLE_FILE, SAMPLE_SOURCE_NAME
from prospector.services.workspace import Workspace, open_workspace

log = logging.getLogger(__name__)

EXIT_PASSED = 0
EXIT_FAILED = 1
REPORT_FILE = "prospector-self-test.txt"  # where the lines go when there is no stdout
WAIT_S = 60.0  # the longest any one wait may take before the step fails
IMPORT_LIST = "Self-test list"


class StepFailed(Exception):
    """A step's check did not hold; the message says what was seen."""


class _Report:
    """One line a step, to stdout; to a file in the current folder when there is no stdout
    (a Windows build without a console window)."""

    def __init__(self, out: TextIO | None) -> None:
        self._file: TextIO | None = None
        if out is None:
            self._file = open(REPORT_FILE, "w", encoding="utf-8")  # noqa: SIM115
            out = self._file
        self._out = out

    def line(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()
        log.info("self-test: %s", text)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def _settle(what: str) -> None:
    """Wait for the window's background work (counts, the daily backup) to end and report."""
    pool = QThreadPool.globalInstance()
    _wait(lambda: pool.activeThreadCount() == 0, what)
    for _ in range(3):  # the queued "finished" signals, and what their slots start
        QApplication.processEvents()
    _wait(lambda: pool.activeThreadCount() == 0, what)


def _wait(condition: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    """Run the event loop until ``condition()`` holds (as pytest-qt's waitUntil does)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise StepFailed(f"gave up after {timeout_s:.0f} s waiting for {what}")
        QApplication.processEvents()
        time.sleep(0.005)


class SelfTest:
    """The steps, over one window and one workspace in ``folder``."""

    def __init__(self, folder: Path, report: _Report) -> None:
        self.folder = folder
        self.report = report
        self.workspace: Workspace | None = None
        self.window: QWidget | None = None
        self.unexpected: list[str] = []  # dialogs nobody asked for (each one fails its step)
        self.steps: list[tuple[str, Callable[[], str]]] = [
            ("window", self.open_window),
            ("sample list", self.load_sample_list),
            ("call queue", self.call_one),
            ("export", self.export),
            ("import", self.import_big_list),
        ]

    # -- running ----------------------------------------------------------------------------------

    def run(self) -> int:
        started = time.perf_counter()
        guard = _DialogGuard(self.unexpected)
        try:
            for name, step in self.steps:
                began = time.perf_counter()
                try:
                    detail = step()
                    if self.unexpected:
                        raise StepFailed(f"an unexpected dialog: {self.unexpected[0]!r}")
                except Exception as exc:  # every failure is reported, none escapes
                    self._failed(name, exc)
                    return EXIT_FAILED
                self.report.line(f"ok    {name}: {detail} ({time.perf_counter() - began:.1f} s)")
        finally:
            guard.stop()
            self._close()
        total = time.perf_counter() - started
        self.report.line(f"self-test passed: {len(self.steps)} steps in {total:.1f} s")
        return EXIT_PASSED

    def _failed(self, name: str, exc: BaseException) -> None:
        reason = str(exc) or type(exc).__name__
        if not isinstance(exc, StepFailed):
            reason = f"{type(exc).__name__}: {reason}"
            traceback.print_exc(file=sys.stderr)
        log.error("self-test failed at step %s: %s", name, reason)
        self.report.line(f"FAILED {name}: {reason}")
        self.report.line(f'self-test FAILED at step "{name}"')

    def _close(self) -> None:
        """Close as a rep would, with no background work left to meet a closed database."""
        if self.window is not None:
            with contextlib.suppress(StepFailed):
                _settle("the window's background work")
            self.window.close()
            with contextlib.suppress(StepFailed):
                _settle("the window's background work after closing")
            self.window.deleteLater()
            QApplication.processEvents()
        if self.workspace is not None:
            self.workspace.close()

    # -- the steps --------------------------------------------------------------------------------

    def open_window(self) -> str:
        from prospector.ui.labels import use_office_stage_names
        from prospector.ui.windows.main_window import MainWindow

        # As run_app opens it: the integrity check of a big file deferred to after the paint.
        self.workspace = ws = open_workspace(
            self.folder / "prospector.sqlite", defer_integrity_check=True
        )
        use_office_stage_names(ws.settings)
        settings = QSettings(str(self.folder / "settings.ini"), QSettings.Format.IniFormat)
        self.window = window = MainWindow(ws, settings)
        painted: list[float] = []
        window.first_painted.connect(lambda: painted.append(time.perf_counter()))
        shown = time.perf_counter()
        window.show()
        _wait(lambda: bool(painted), "the window's first paint")
        _wait(lambda: ws.database.integrity_checked, "the database's integrity check")
        _settle("the start-up work (integrity check, daily backup)")
        if not window.welcome.isVisible():
            raise StepFailed("the empty database does not offer the sample list")
        if not any((self.folder / "backups").glob("*.sqlite")):
            raise StepFailed("no daily backup was made after the start")
        return (
            f"a new database, main window painted in {painted[0] - shown:.2f} s "
            f"({QApplication.platformName()}), daily backup made"
        )

    def load_sample_list(self) -> str:
        ws, window = self._open()
        with (resources_dir() / SAMPLE_FILE).open(encoding="utf-8", newline="") as handle:
            expected = sum(1 for _row in csv.DictReader(handle))
        window.load_sample_button.click()
        model = window.contacts_page.model
        _wait(lambda: model.rowCount() == expected, f"{expected} rows in the contact table")
        if ws.contacts.total() != expected:
            raise StepFailed(f"{ws.contacts.total()} contacts saved, {expected} expected")
        if window.welcome.isVisible():
            raise StepFailed("the welcome banner still offers the sample list")
        return f"{expected} contacts in the table"

    def call_one(self) -> str:
        ws, window = self._open()
        source = ws.sources.find(SAMPLE_SOURCE_NAME)
        window.show_page("queue")
        page = window.call_queue_page
        page.chooser.select(source.id)
        page.chooser.start_button.click()
        card = page.card_data
        if card is None:
            raise StepFailed("Start showed no contact to call")
        before = ws.queue.progress(source.id)
        page.outcomes.buttons[CallOutcome.NO_ANSWER.value].click()
        after = ws.queue.progress(source.id)
        following = page.card_data
        if following is None or following.contact.id == card.contact.id:
            raise StepFailed("the queue did not move on to another contact")
        if after.never_tried != before.never_tried - 1:
            raise StepFailed(
                f"{before.never_tried} contacts not tried before the call, "
                f"{after.never_tried} after"
            )
        if "Logged" not in page.status.text():
            raise StepFailed(f"the page says {page.status.text()!r}")
        _wait(page.chooser.idle, "the list's progress count")
        return (
            f"'no answer' logged for {card.contact.display_name}, "
            f"next: {following.contact.display_name}"
        )

    def export(self) -> str:
        ws, _window = self._open()
        path = self.folder / "self-test export.xlsx"
        last = deque(ws.exports.run_export(ExportRequest(path=path)), maxlen=1)[0]
        total = ws.contacts.total()
        if last.status != "done" or last.written != total:
            raise StepFailed(f"{last.status}: {last.written} of {total} contacts written")
        # Read back twice: by the import's own reader (python-calamine) and by openpyxl.
        preview = ws.imports.preview(path)
        names = [c.name for c in preview.columns]
        if str(preview.kind) != "xlsx" or "Email" not in names or "Last call" not in names:
            raise StepFailed(f"the file reads back as {preview.kind} with columns {names}")
        rows, called = _read_with_openpyxl(path, "Last call")
        if rows != total:
            raise StepFailed(f"openpyxl reads {rows} rows, {total} were written")
        if called != 1:
            raise StepFailed(f"{called} contacts have a last call, 1 expected")
        return f"{total} contacts to .xlsx ({path.stat().st_size // 1024} KB), read back twice"

    def import_big_list(self) -> str:
        ws, window = self._open()
        path = self.folder / "self-test list.csv"
        rows, accented = _write_cp1252_list(path, PARALLEL_MIN_BYTES + PARALLEL_MIN_BYTES // 10)
        before = ws.contacts.total()
        request = ImportRequest(
            path=path, source_name=IMPORT_LIST, duplicates=DuplicatePolicy.IMPORT
        )
        workers = 0
        last = None
        began = time.perf_counter()
        for progress in ws.imports.run_import(request):
            last = progress
            workers = max(workers, len(multiprocessing.active_children()))
        seconds = time.perf_counter() - began
        if last is None or last.status != "completed":
            raise StepFailed(f"the import ended {last.status if last else 'before it began'}")
        if (last.rows_read, last.imported, last.rejected) != (rows, rows, 0):
            raise StepFailed(
                f"{last.rows_read} rows read, {last.imported} imported, {last.rejected} "
                f"rejected; {rows} rows in the file"
            )
        if workers == 0:
            raise StepFailed("no worker process read the list (multiprocessing is not set up)")
        source = ws.sources.find(IMPORT_LIST)
        query = ContactQuery(text=accented, source_ids=frozenset({source.id}))
        found = ws.contacts.page(query, 0, 1)
        if not found or accented not in found[0].company:
            seen = found[0].company if found else "nothing"
            raise StepFailed(f"searching {accented!r} finds {seen!r}: the text was misread")
        window.contacts_page.refresh()
        total = before + rows
        _wait(lambda: window.contacts_page.model.rowCount() == total, f"{total} table rows")
        size_mb = path.stat().st_size / 1_000_000
        return (
            f"{rows:,} rows ({size_mb:.1f} MB, cp1252, ';') read by a worker process, "
            f"imported in {seconds:.1f} s"
        )

    def _open(self) -> tuple[Workspace, object]:
        if self.workspace is None or self.window is None:
            raise StepFailed("the window is not open")
        return self.workspace, self.window


class _DialogGuard:
    """Closes any dialog that pops up during the run (none should) and notes its text, so a
    modal message box on an offscreen screen fails the step instead of waiting forever."""

    def __init__(self, seen: list[str]) -> None:
        from PySide6.QtCore import QTimer

        self._seen = seen
        # Windows already open (another test's, when run in-process) are not ours to judge.
        self._before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
        self._timer = QTimer()
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._check)
        self._timer.start()

    def _check(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if id(widget) in self._before or not widget.isVisible():
                continue
            if isinstance(widget, QMessageBox):
                self._seen.append(f"{widget.windowTitle()}: {widget.text()}")
                widget.reject()
        modal = QApplication.activeModalWidget()
        if modal is not None and id(modal) not in self._before:
            self._seen.append(modal.windowTitle() or type(modal).__name__)
            modal.close()

    def stop(self) -> None:
        self._timer.stop()


def _read_with_openpyxl(path: Path, column: str) -> tuple[int, int]:
    """(data rows, rows with a value in ``column``) as openpyxl reads the workbook."""
    from openpyxl import load_workbook  # ~0.2 s to import: only here

    book = load_workbook(path, read_only=True)
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = list(next(rows))
        at = header.index(column)
        count = filled = 0
        for row in rows:
            count += 1
            filled += row[at] not in (None, "")
        return count, filled
    finally:
        book.close()


def _write_cp1252_list(path: Path, min_bytes: int) -> tuple[int, str]:
    """A list as European Excel saves "CSV": cp1252 and ';'. Rows are made from the sample
    list's names (those cp1252 can hold), each with its own email and phone.

    Returns (rows written, an accented company name to search for).
    """
    with (resources_dir() / SAMPLE_FILE).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or ())
        base = [row for row in reader if _fits_cp1252(row)]
    if not base:
        raise StepFailed("the sample list has no row Windows-1252 can hold")
    accented = next((r["Company"] for r in base if not r["Company"].isascii()), None)
    if accented is None:
        raise StepFailed("the sample list has no accented company name to check the text by")
    rows = 0
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.DictWriter(handle, fields, delimiter=";")
        writer.writeheader()
        while handle.tell() < min_bytes:
            row = dict(base[rows % len(base)])
            row["First name"] = base[(rows // len(base)) % len(base)]["First name"]
            if row["Email"]:
                row["Email"] = f"{rows}.{row['Email']}"
            for key in ("Phone", "Mobile"):
                row[key] = _vary_digits(row[key], rows)
            writer.writerow(row)
            rows += 1
    return rows, accented


def _fits_cp1252(row: dict[str, str]) -> bool:
    try:
        "".join(v or "" for v in row.values()).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _vary_digits(phone: str, n: int) -> str:
    """The same number with its last four digits replaced by ``n`` (so each row is its own)."""
    if sum(c.isdigit() for c in phone) < 8:
        return phone
    digits = iter(reversed(f"{n % 10_000:04d}"))
    out = list(phone)
    for i in range(len(out) - 1, -1, -1):
        if out[i].isdigit():
            nxt = next(digits, None)
            if nxt is None:
                break
            out[i] = nxt
    return "".join(out)


def _describe() -> str:
    build = "built app" if getattr(sys, "frozen", False) else "from source"
    return (
        f"Prospector {__version__} self-test ({build}; Python {platform.python_version()}, "
        f"PySide6 {pyside_version}, {platform.system()} {platform.machine()})"
    )


def run_self_test(out: TextIO | None = None, *, timeout_s: float | None = 600.0) -> int:
    """Run every step; return EXIT_PASSED (0) or EXIT_FAILED (1).

    ``out``: where the lines go (default: stdout). ``timeout_s``: past it, every thread's stack
    is printed and the process exits (code 1), so a build machine never waits on a hung
    window; None in tests (pytest-timeout watches them).
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display is needed
    report = _Report(out if out is not None else sys.stdout)
    saved_home = os.environ.get("PROSPECTOR_HOME")
    root = logging.getLogger()
    saved_level = root.level
    if timeout_s is not None:
        faulthandler.dump_traceback_later(timeout_s, exit=True)
    with tempfile.TemporaryDirectory(
        prefix="prospector-self-test-", ignore_cleanup_errors=True
    ) as tmp:
        # Logs, the default database and backups go to the temporary folder too.
        os.environ["PROSPECTOR_HOME"] = tmp
        log_file = Path(tmp) / "self-test.log"
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(min(saved_level or logging.INFO, logging.INFO))
        try:
            from prospector.ui.app import make_application

            make_application()
            report.line(_describe())
            code = SelfTest(Path(tmp), report).run()
            if code != EXIT_PASSED:
                handler.flush()
                tail = log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-40:]
                sys.stderr.write("--- the end of the self-test's log ---\n")
                sys.stderr.write("".join(f"{line}\n" for line in tail))
            return code
        finally:
            if timeout_s is not None:
                faulthandler.cancel_dump_traceback_later()
            root.removeHandler(handler)
            handler.close()
            root.setLevel(saved_level)
            if saved_home is None:
                os.environ.pop("PROSPECTOR_HOME", None)
            else:
                os.environ["PROSPECTOR_HOME"] = saved_home
            report.close()
