"""Read and clean a list in a second process while the first one checks duplicates and writes.

Cleaning (phones, emails, dates, amounts) is the dearest part of an import after SQLite's own
work, and the machine's second core is idle during an import: a worker process reads the file
and cleans its rows in batches, sending them as plain tuples through a bounded queue, while
the import's own process writes the previous batch. The worker reproduces the sequential
loop exactly (same rows, same batch boundaries, same problems in the same order), so the
import's results do not depend on which path ran.

The worker is started with the ``spawn`` method (no fork assumptions: the same on Windows,
macOS and in a PyInstaller build, whose entry point must call
``multiprocessing.freeze_support()`` first: see ``worker_processes``). It stops when told to,
when the import's process goes away, and is terminated if it does not stop promptly; it never
touches the database.
What it logs is sent back through a queue of its own and handled by this process's loggers,
so it lands in the app's log file like the import's own records.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import multiprocessing
import multiprocessing.connection
import queue
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from sys import intern
from typing import Any

from prospector.domain.contacts import CleanContact, ContactFields, name_key
from prospector.importers.cleaning import RowCleaner, RowProblem
from prospector.importers.csv_rows import CsvRows
from prospector.importers.duplicate_hints import DuplicateHints, KnownKeySource, row_keys
from prospector.importers.mapping import ColumnMapping
from prospector.importers.rows import CellValue, ReadProgress, RowSource
from prospector.importers.sheet_rows import SheetRows
from prospector.importers.table import Column, read_table
from prospector.worker_processes import end_with

log = logging.getLogger(__name__)

QUEUE_BATCHES = 4  # batches the worker may run ahead: bounds memory at any list size
# What a reader notes while reading (cells cut to Excel's limit, rows NUL characters were
# removed from, where a blank run stopped it): sent back at the end so the import's own reader
# object holds it, as if it had read the file.
READER_NOTES = ("cut_cells", "nul_rows", "blank_run_stop")
# The worker's log records on their way to the import's process: beyond this many not yet
# handled there (it is busy writing a batch), more are counted and dropped, never waited for.
LOG_QUEUE_RECORDS = 200
_LOG_TEXT_MAX = 8_000  # characters of one forwarded message; a traceback fits
# A CSV's length in rows guessed from its bytes, to size the duplicate hints' filter.
_CSV_BYTES_PER_ROW = 80
_POLL_S = 0.2  # how often a blocked side checks that the other one is still there
_STOP_WAIT_S = 2.0

_FIELD_NAMES = tuple(ContactFields.__dataclass_fields__)
_new = object.__new__
_set = object.__setattr__


@dataclass(frozen=True)
class ReaderSpec:
    """How to open the file in the worker: the reader already chosen (and its guesses)."""

    path: Path
    is_csv: bool
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    region: str | None = None

    @classmethod
    def of(cls, source: RowSource) -> ReaderSpec:
        if isinstance(source, CsvRows):
            return cls(source.path, True, encoding=source.encoding, delimiter=source.delimiter)
        if isinstance(source, SheetRows):
            return cls(source.path, False, sheet=source.sheet)
        raise TypeError(f"no worker reader for {type(source).__name__}")

    def open(self) -> RowSource:
        if self.is_csv:
            return CsvRows(self.path, encoding=self.encoding, delimiter=self.delimiter)
        return SheetRows(self.path, self.sheet)


@dataclass(frozen=True)
class CleanBatch:
    """What the sequential loop would have done between two writes."""

    read: int  # rows read so far (the sequential loop's count when it writes this batch)
    progress: ReadProgress
    contacts: list[tuple[Any, ...]]  # (row, contact, its name key[, its duplicate hint])
    problems: list[RowProblem]
    rejected: list[tuple[int, tuple[CellValue, ...], tuple[str, ...]]]
    final: bool  # the rest after the last full batch; nothing follows
    formulas_without_value: int = 0
    reader_notes: dict[str, Any] = field(default_factory=dict)  # see READER_NOTES


class WorkerFailed(RuntimeError):
    """The worker died without saying why (killed, out of memory)."""


class CleaningWorker:
    """A worker process that reads ``spec``'s table, then cleans it under a mapping.

    Use: ``table()`` (header row, columns), then ``start(...)``, then iterate ``batches()``;
    ``close()`` always (it is safe to call at any point, and twice).
    """

    def __init__(self, spec: ReaderSpec) -> None:
        context = multiprocessing.get_context("spawn")
        self._to_worker: Any = context.Queue()
        self._from_worker: Any = context.Queue(maxsize=QUEUE_BATCHES)
        self._logs: Any = context.Queue(maxsize=LOG_QUEUE_RECORDS)
        self._stop = context.Event()
        level = logging.getLogger().getEffectiveLevel()
        self._process: BaseProcess = context.Process(
            target=_worker_main,
            args=(spec, self._to_worker, self._from_worker, self._stop, self._logs, level),
            name="prospector-import-cleaner",
            daemon=True,
        )
        self._process.start()
        self._closed = False
        self._progress = ReadProgress(0, None)

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def progress(self) -> ReadProgress:
        """How far the worker has read, as of the last batch received."""
        return self._progress

    def table(self) -> tuple[int, list[Column]]:
        """(header row, columns), as ``read_table`` finds them."""
        message = self._receive()
        assert message[0] == "table", message[0]
        return message[1], message[2]

    def start(
        self,
        mapping: ColumnMapping,
        region: str,
        source_id: int | None,
        batch_size: int,
        known: KnownKeySource | None = None,
    ) -> None:
        """Clean under ``mapping``; with ``known`` (the database's duplicate keys, read by the
        worker), each contact comes with a hint: False when it can match no contact."""
        self._to_worker.put(("clean", mapping, region, source_id, batch_size, known))

    def batches(self) -> Iterator[CleanBatch]:
        while True:
            message = self._receive()
            kind, read, done, total, contacts, problems, rejected = message[:7]
            self._progress = ReadProgress(done, total)
            final = kind == "end"
            yield CleanBatch(
                read=read,
                progress=self._progress,
                contacts=[_contact_from(item) for item in contacts],
                # Codes are a few constants: one string each, not one per problem and row.
                problems=[RowProblem(row, intern(code), detail) for row, code, detail in problems],
                rejected=rejected,
                final=final,
                formulas_without_value=message[7] if final else 0,
                reader_notes=message[8] if final else {},
            )
            if final:
                return

    def _receive(self) -> tuple[Any, ...]:
        while True:
            self._forward_logs()
            try:
                message = self._from_worker.get(timeout=_POLL_S)
            except queue.Empty:
                if not self._process.is_alive():
                    with contextlib.suppress(queue.Empty):  # it may have said why just before
                        message = self._from_worker.get(timeout=_POLL_S)
                        break
                    raise WorkerFailed(
                        f"the cleaning worker stopped (exit code {self._process.exitcode})"
                    ) from None
                continue
            break
        self._forward_logs()
        if message[0] == "error":
            raise _rebuild_error(*message[1:])
        return message

    def close(self) -> None:
        """Stop the worker and wait for it; terminate it if it does not stop promptly."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        with contextlib.suppress(Exception):
            self._to_worker.put(("stop",))
        # Drain so a worker blocked on a full queue sees the stop flag.
        for _ in range(QUEUE_BATCHES + 2):
            with contextlib.suppress(Exception):
                self._from_worker.get_nowait()
        # Its last log records too, while it ends: it waits for them to be taken on exit.
        deadline = time.monotonic() + _STOP_WAIT_S
        while self._process.is_alive() and time.monotonic() < deadline:
            self._process.join(_POLL_S / 4)
            self._forward_logs()
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(_STOP_WAIT_S)
        elif self._process.exitcode == 0:  # ended by itself: its last records are whole
            self._forward_logs()
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        for channel in (self._to_worker, self._from_worker, self._logs):
            channel.cancel_join_thread()
            channel.close()
        self._process.close()

    def _forward_logs(self) -> None:
        """Hand the worker's log records to this process's loggers, as if logged here (the
        record keeps the worker's process name and time)."""
        for _ in range(LOG_QUEUE_RECORDS):
            try:
                data = self._logs.get_nowait()
            except queue.Empty:
                return
            except (OSError, ValueError, EOFError):  # closed, or a message cut by a kill
                return
            record = logging.makeLogRecord(data)
            logger = logging.getLogger(record.name)
            if logger.isEnabledFor(record.levelno):
                logger.handle(record)

    def __enter__(self) -> CleaningWorker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _contact_from(item: tuple[Any, ...]) -> tuple[Any, ...]:
    """Rebuild a cleaned contact from its tuple without running __init__ again (it was cleaned
    by the same code in the worker; only its values travel): (row, contact, its name key) and
    its duplicate hint when the worker gave one."""
    row, field_values, phone_e164, mobile_e164, email, digits, key_of_name = item[:7]
    fields = _new(ContactFields)
    _set(fields, "__dict__", dict(zip(_FIELD_NAMES, field_values, strict=True)))
    contact = _new(CleanContact)
    _set(
        contact,
        "__dict__",
        {
            "fields": fields,
            "phone_e164": phone_e164,
            "mobile_e164": mobile_e164,
            "email_normalized": email,
            "phone_digits": digits,
        },
    )
    return (row, contact, key_of_name, *item[7:])


def _contact_tuple(row: int, contact: CleanContact) -> tuple[Any, ...]:
    f = contact.fields.__dict__
    return (
        row,
        tuple(f[name] for name in _FIELD_NAMES),
        contact.phone_e164,
        contact.mobile_e164,
        contact.email_normalized,
        contact.phone_digits,
        # The duplicate check's name key, computed here rather than in the busier process.
        name_key(f["first_name"], f["last_name"], f["full_name"]),
    )


def _rebuild_error(
    cls: type[BaseException] | None, args: tuple[Any, ...], state: dict[str, Any], text: str
) -> BaseException:
    """The worker's exception, same class and attributes (their __init__ takes other args)."""
    if cls is None:
        return WorkerFailed(f"the cleaning worker failed:\n{text}")
    try:
        error = cls.__new__(cls, *args)
        error.args = args
        error.__dict__.update(state)
    except Exception:  # noqa: BLE001 - cannot be rebuilt: say what it was
        return WorkerFailed(f"the cleaning worker failed:\n{text}")
    error.add_note(f"In the import's cleaning worker:\n{text}")
    return error


# --------------------------------------------------------------------------------------------
# The worker process


class _ForwardLogs(logging.handlers.QueueHandler):
    """The worker's log records, sent as plain dicts; never blocks (a full queue drops)."""

    def __init__(self, channel: Any) -> None:
        super().__init__(channel)
        self.dropped = 0

    def prepare(self, record: logging.LogRecord) -> dict[str, Any]:  # type: ignore[override]
        prepared = super().prepare(record)  # message formatted, traceback text included
        data = {
            key: value if value is None or isinstance(value, str | int | float) else repr(value)
            for key, value in prepared.__dict__.items()
        }
        text = str(data.get("msg", ""))
        if len(text) > _LOG_TEXT_MAX:
            text = text[:_LOG_TEXT_MAX] + " [cut]"
        data["msg"] = data["message"] = text
        return data

    def enqueue(self, record: Any) -> None:
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1


def _forward_logging(logs: Any, level: int) -> _ForwardLogs:
    """Send this process's log records to the import's process, at the level it logs."""
    handler = _ForwardLogs(logs)
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def _worker_main(
    spec: ReaderSpec,
    inbox: Any,
    outbox: Any,
    stop: Any,
    logs: Any = None,
    level: int = logging.WARNING,
) -> None:
    parent = multiprocessing.parent_process()
    end_with(parent, "import-gone")
    forwarding = _forward_logging(logs, level) if logs is not None else None

    def send(message: tuple[Any, ...]) -> bool:
        """Blocks while the queue is full; False when the import is gone or stopped."""
        while not stop.is_set():
            try:
                outbox.put(message, timeout=_POLL_S)
                return True
            except queue.Full:
                if parent is not None and not parent.is_alive():
                    return False
        return False

    try:
        source = spec.open()
        table = read_table(source)
        if not send(("table", table.header_row, table.columns)):
            return
        while True:
            try:
                order = inbox.get(timeout=_POLL_S)
                break
            except queue.Empty:
                if stop.is_set() or (parent is not None and not parent.is_alive()):
                    return
        if order[0] != "clean":
            return
        mapping, region, source_id, batch_size, known = order[1:]
        cleaner = RowCleaner(table.columns, mapping, region, source_id=source_id)
        hints = _hints(known, source, spec.is_csv)
        _clean_all(table.data, cleaner, source, batch_size, send, stop, hints)
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the import
        _send_error(outbox, exc)
    finally:
        if stop.is_set() or (parent is not None and not parent.is_alive()):
            outbox.cancel_join_thread()  # nobody will read what is left: do not wait on it
        outbox.close()
        if forwarding is not None:
            _end_logging(forwarding, logs, parent)


def _end_logging(handler: _ForwardLogs, logs: Any, parent: BaseProcess | None) -> None:
    """Say how many records were dropped; then this process's exit waits until the import's
    process has taken the records still in the queue (it drains them while it waits for this
    one to end), unless that process is gone."""
    logging.getLogger().removeHandler(handler)
    gone = parent is not None and not parent.is_alive()
    if handler.dropped and not gone:
        record = logging.LogRecord(
            log.name,
            logging.INFO,
            __file__,
            0,
            f"{handler.dropped} log records of the import's cleaning worker were dropped",
            None,
            None,
        )
        with contextlib.suppress(Exception):
            logs.put(handler.prepare(record), timeout=_POLL_S)
    if gone:
        logs.cancel_join_thread()
    logs.close()


def _clean_all(
    rows: Iterator[Any],
    cleaner: RowCleaner,
    source: RowSource,
    batch_size: int,
    send: Any,
    stop: Any,
    hints: DuplicateHints | None = None,
) -> None:
    """The sequential loop of ``run_import`` without the writes: same batches, same order."""
    read = 0
    contacts: list[tuple[Any, ...]] = []
    problems: list[tuple[int, str, str]] = []
    rejected: list[tuple[int, tuple[CellValue, ...], tuple[str, ...]]] = []
    for raw in rows:
        read += 1
        cleaned = cleaner.clean(raw)
        if cleaned.problems:
            problems.extend((p.row, p.code, p.detail) for p in cleaned.problems)
        if cleaned.contact is None:
            rejected.append((raw.number, raw.cells, tuple(p.code for p in cleaned.problems)))
        else:
            item = _contact_tuple(cleaned.row, cleaned.contact)
            if hints is not None:
                item += (hints.may_match(row_keys(item[4], item[2], item[3], item[6])),)
            contacts.append(item)
        if len(contacts) >= batch_size:
            done = source.progress()
            if not send(("rows", read, done.done, done.total, contacts, problems, rejected)):
                return
            if stop.is_set():
                return
            contacts, problems, rejected = [], [], []
    done = source.progress()
    formulas = getattr(source, "formulas_without_value", 0)
    notes = {name: getattr(source, name) for name in READER_NOTES if hasattr(source, name)}
    send(("end", read, done.done, done.total, contacts, problems, rejected, formulas, notes))


def _hints(known: KnownKeySource | None, source: RowSource, is_csv: bool) -> DuplicateHints | None:
    """The duplicate hints over ``known``, or None (every row is looked up) if it cannot be
    read: hints only save time, an import never depends on them."""
    if known is None:
        return None
    total = source.progress().total or 0
    expected = total // _CSV_BYTES_PER_ROW if is_csv else total
    try:
        return DuplicateHints(known, known.count(), expected)
    except Exception as exc:  # noqa: BLE001 - e.g. sqlite3.Error on a locked or moved file
        log.info("No duplicate hints for this import (%s): every row is looked up", exc)
        return None


def _send_error(outbox: Any, exc: BaseException) -> None:
    text = "".join(traceback.format_exception(exc))
    state = dict(getattr(exc, "__dict__", {}))
    message: tuple[Any, ...] = ("error", type(exc), exc.args, state, text)
    try:
        import pickle

        pickle.loads(pickle.dumps(message))
    except Exception:  # noqa: BLE001 - an exception we cannot carry: send its text
        message = ("error", None, (), {}, text)
    with contextlib.suppress(Exception):
        outbox.put(message, timeout=_STOP_WAIT_S)
