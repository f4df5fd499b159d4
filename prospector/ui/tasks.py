"""Run long work off the UI thread: core generators in, queued Qt signals out.

The core writes long jobs as generators that yield progress and honour a stop flag; this module
is the one thin adapter that runs them on a thread pool and reports back on the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

StepsFactory = Callable[[Callable[[], bool]], Iterator[object]]


class TaskSignals(QObject):
    progressed = Signal(object)
    finished = Signal(object)  # the last value yielded (None if none)
    failed = Signal(object)  # the exception


class IterTask(QRunnable):
    """Runs ``make_steps(should_stop)`` to the end on a pool thread."""

    def __init__(self, make_steps: StepsFactory) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the runner keeps it until its signals are delivered
        self.signals = TaskSignals()  # created on the GUI thread: deliveries are queued
        self._make_steps = make_steps
        self._stop = threading.Event()

    def cancel(self) -> None:
        self._stop.set()

    def run(self) -> None:
        last: object = None
        try:
            for last in self._make_steps(self._stop.is_set):
                if not _emit(self.signals.progressed, last):
                    return  # the window that wanted the result is gone (the app is closing)
        except Exception as exc:  # reported to the GUI thread, never swallowed
            log.info("Background task ended with %r", exc)
            _emit(self.signals.failed, exc)
        else:
            _emit(self.signals.finished, last)


def _emit(signal: Any, value: object) -> bool:
    """Emit unless the signals' owner was deleted meanwhile (then there is nobody to tell)."""
    try:
        signal.emit(value)
    except RuntimeError:  # "Signal source has been deleted"
        return False
    return True


class TaskRunner(QObject):
    """Starts tasks and keeps them alive until they end."""

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._running: set[IterTask] = set()

    def start(
        self,
        make_steps: StepsFactory,
        *,
        on_progress: Callable[[object], object] | None = None,
        on_finished: Callable[[object], object] | None = None,
        on_failed: Callable[[object], object] | None = None,
    ) -> IterTask:
        """Start a task; slots given here are connected before it runs, so none can be missed.

        (A quick task may end before the caller has connected slots to the returned task.)
        """
        task = IterTask(make_steps)
        self._running.add(task)
        task.signals.finished.connect(lambda _r, t=task: self._running.discard(t))
        task.signals.failed.connect(lambda _e, t=task: self._running.discard(t))
        for signal, slot in (
            (task.signals.progressed, on_progress),
            (task.signals.finished, on_finished),
            (task.signals.failed, on_failed),
        ):
            if slot is not None:
                signal.connect(slot)
        self._pool.start(task)
        return task

    def running(self) -> int:
        return len(self._running)

    def stop_all(self, msecs: int = 3_000) -> bool:
        """Ask every task to stop and wait for them (closing the window)."""
        for task in list(self._running):
            task.cancel()
        return self._pool.waitForDone(msecs)

    def wait_for_all(self, msecs: int = 30_000) -> bool:
        return self._pool.waitForDone(msecs)
