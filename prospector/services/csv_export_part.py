"""A big CSV export written by two processes, one on each of the machine's cores.

Turning a million SQLite rows into CSV lines is Python work under one lock (the GIL): one
process cannot use a second core for it. So the rows are cut into consecutive chunks; the
export's process writes chunks from the front straight into the file, a worker process writes
chunks from the back into a temporary file, and each asks the export's process for its next
chunk until they meet; then the worker's chunks are appended in order. Whichever is quicker
(the worker starts a tenth of a second late, a machine is busy) simply writes more chunks.

Both read the same data: the export holds the database's write lock (an empty write
transaction: ``writers_held``) from before its own read starts until the worker's read has
started, so no change can commit in between; the worker is handed the export's compiled
statements and row plan, so its lines are those the export would have written.

The worker imports nothing heavy (no SQLAlchemy, no Qt) and is started with ``spawn``, like
the import's cleaning worker (the same on Windows, macOS and in a PyInstaller build). If it
cannot start, fails or dies, the export writes the chunks it had taken from its own read
transaction: the file is the same either way.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any, BinaryIO

from prospector.exporters.csv_sheet import CharacterNotInEncoding, CsvFormat, CsvSheet
from prospector.services.bulk_work import BULK_GC_THRESHOLDS
from prospector.services.export_plan import ExportLabels, RowPlan
from prospector.storage.export_rows import ExportSlice, open_snapshot, read_batches
from prospector.worker_processes import end_with

READY_TIMEOUT_S = 5.0  # writers wait this long at most for the worker's read to start
_POLL_S = 0.1  # how often a wait looks at whether the worker still runs
_STOP_WAIT_S = 2.0
_COPY_CHUNK = 1 << 20


def chunk_cuts(total: int) -> list[int]:
    """Where the chunks end: a third of the rows for each side to start with, then tenths
    of a third, which go to whichever side is free first."""
    third = total // 3
    return [third + third * i // 10 for i in range(11)]


@dataclass(frozen=True)
class PartSpec:
    """Everything the worker needs, as plain data: where to read, what, and how to write."""

    db_path: Path
    chunks: list[ExportSlice]  # the whole export's; the first is always the export's own
    conversions: list[str | None]  # of the plan's stored columns (``ContactExportReader``)
    fields: tuple[str, ...]
    custom_keys: list[str]
    labels: ExportLabels
    sources: dict[int, str]
    zone: tzinfo | None
    csv_format: CsvFormat


class PartWorker:
    """The export's handle on the worker.

    Start it as soon as the export knows it is big (the process starts while the export
    prepares), ``begin()`` with the spec, take chunks with ``next_chunk()`` while calling
    ``poll()`` often, then ``wait()``; ``close()`` always (safe at any point, and twice).
    """

    def __init__(self, on_ready: Callable[[], None]) -> None:
        context = multiprocessing.get_context("spawn")
        self._channel, child_end = context.Pipe()
        self._written: Any = context.Value("q", 0, lock=False)
        self._on_ready = on_ready
        self._ready = False
        self._spec: PartSpec | None = None
        self._outcome: tuple[Any, ...] | None = None
        self._front = 1  # the next chunk from the front (the first is the export's own)
        self._back = -1  # the next chunk from the back, once the spec is known
        self._theirs: dict[int, tuple[int, int, int]] = {}  # chunk: (start, end, rows) in file
        self._closed = False
        self._started = time.monotonic()
        # The worker's lines go to the system's temporary folder: a local disk, even when the
        # export goes to a stick.
        handle, name = tempfile.mkstemp(prefix="prospector-export-", suffix=".part")
        os.close(handle)
        self._out = Path(name)
        self._process = context.Process(
            target=_part_main,
            args=(child_end, self._written),
            name="prospector-export-part",
            daemon=True,
        )
        try:
            self._process.start()
        except BaseException:
            self._out.unlink(missing_ok=True)
            raise
        finally:
            child_end.close()

    def begin(self, spec: PartSpec) -> None:
        self._spec = spec
        self._back = len(spec.chunks) - 1
        self._send(("begin", spec, self._out))

    @property
    def failed(self) -> bool:
        """True once the worker has failed, died or not started in time."""
        return self._outcome is not None and self._outcome[0] != "done"

    @property
    def failure(self) -> str:
        """Why the worker failed (a traceback, an exit code), for the log."""
        return str(self._outcome[-1]) if self.failed and self._outcome else ""

    def written(self) -> int:
        """Rows the worker has written so far."""
        return 0 if self.failed else int(self._written.value)

    def next_chunk(self) -> int | None:
        """The next chunk from the front for the export to write itself (None: all taken)."""
        self.poll()
        if self._front > self._back:
            return None
        self._front += 1
        return self._front - 1

    def poll(self) -> None:
        """Answer the worker without waiting; lets writers in once its read has started."""
        while self._outcome is None and self._receive(0):
            pass
        late = time.monotonic() - self._started > READY_TIMEOUT_S
        if late and not self._ready and self._outcome is None:
            self._give_up(("failed", "the worker did not start in time"))

    def wait(self) -> Iterator[int]:
        """Wait for the worker to finish its chunks, yielding its count every tenth of a
        second (the caller may stop waiting: ``close()`` then stops the worker).

        Raises:
            CharacterNotInEncoding: a value in the worker's chunks the code page cannot hold.
        """
        while self._outcome is None:
            self._receive(_POLL_S)
            if self._outcome is None and not self._process.is_alive():
                self._receive(_POLL_S)  # it may have said why just before
                if self._outcome is None:
                    self._give_up(("failed", f"exit code {self._process.exitcode}"))
            if self._outcome is None:
                self.poll()
            yield self.written()
        if self._outcome[0] == "encoding":
            raise CharacterNotInEncoding(*self._outcome[1:])

    def their_chunks(self) -> list[int]:
        """The chunks the worker took (after ``wait()``: the export writes them itself when
        the worker failed), in file order."""
        assert self._spec is not None
        return list(range(self._back + 1, len(self._spec.chunks)))

    def copy_into(self, stream: BinaryIO) -> int:
        """Append the worker's chunks to ``stream``, in order; their row count."""
        assert self._spec is not None and not self.failed
        rows = 0
        with self._out.open("rb") as part:
            for index in self.their_chunks():
                start, end, count = self._theirs[index]
                part.seek(start)
                left = end - start
                while left > 0:
                    data = part.read(min(left, _COPY_CHUNK))
                    if not data:
                        raise OSError(f"the export's part file ends early in chunk {index}")
                    stream.write(data)
                    left -= len(data)
                rows += count
        return rows

    def close(self) -> None:
        """Stop the worker and wait for it (kill it if it does not stop), let writers in,
        remove its file."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError, ValueError):
            self._channel.send(("stop",))
        self._process.join(_STOP_WAIT_S)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._process.close()
        self._channel.close()
        self._on_ready()
        with contextlib.suppress(OSError):
            self._out.unlink(missing_ok=True)

    def _receive(self, timeout: float) -> bool:
        """Handle one message from the worker, if one comes within ``timeout``."""
        try:
            if not self._channel.poll(timeout):
                return False
            message = self._channel.recv()
        except (EOFError, OSError):  # the worker is gone: wait() finds out
            return False
        kind = message[0]
        if kind == "ready":
            self._ready = True
            self._on_ready()
        elif kind == "claim":
            if self._back >= self._front:
                self._back -= 1
                self._send(("chunk", self._back + 1))
            else:
                self._send(("chunk", None))
        elif kind == "wrote":
            index, start, end, rows = message[1:]
            self._theirs[index] = (start, end, rows)
        else:  # done, stopped, failed, encoding
            self._outcome = message
            self._on_ready()
        return True

    def _send(self, message: tuple[Any, ...]) -> None:
        with contextlib.suppress(OSError, ValueError):  # gone: wait() finds out
            self._channel.send(message)

    def _give_up(self, outcome: tuple[Any, ...]) -> None:
        self._outcome = outcome
        self.close()


def _part_main(channel: Any, written: Any) -> None:
    """The worker: wait for the spec, read on the export's snapshot, write the chunks it is
    given, from the back."""
    end_with(multiprocessing.parent_process(), "export-gone")
    message = channel.recv()
    if message[0] != "begin":
        return
    spec: PartSpec = message[1]
    out_path: Path = message[2]
    try:
        driver = open_snapshot(spec.db_path)
    except BaseException:  # noqa: BLE001 - the export writes these rows itself
        channel.send(("failed", traceback.format_exc()))
        return
    try:
        gc.set_threshold(*BULK_GC_THRESHOLDS)  # this process does nothing else (see bulk_work)
        channel.send(("ready",))
        plan = RowPlan(spec.fields, spec.custom_keys, spec.labels, spec.sources, spec.zone)
        total = 0
        with out_path.open("wb") as out:
            while (index := _claim(channel)) is not None:
                chunk = spec.chunks[index]
                start = out.tell()
                batches = read_batches(driver, chunk.statements, spec.conversions, ahead=False)
                count = 0
                sheet = CsvSheet(out, spec.csv_format)
                steps = sheet.write_batches(
                    "", plan.columns, plan.rows(batches), rows_before=chunk.first
                )
                for count in steps:
                    written.value = total + count
                    if channel.poll() and channel.recv()[0] == "stop":
                        channel.send(("stopped",))
                        return
                total += count
                channel.send(("wrote", index, start, out.tell(), count))
        channel.send(("done", total))
    except CharacterNotInEncoding as exc:
        channel.send(("encoding", exc.encoding, exc.row, exc.column, exc.character))
    except BaseException:  # noqa: BLE001 - the export writes these rows itself
        channel.send(("failed", traceback.format_exc()))
    finally:
        driver.close()
        channel.close()


def _claim(channel: Any) -> int | None:
    """The next chunk the export gives this worker (None: none left, or told to stop)."""
    channel.send(("claim",))
    while True:
        message = channel.recv()
        if message[0] == "chunk":
            return message[1]  # type: ignore[no-any-return]
        if message[0] == "stop":
            return None
