"""Run long work off the UI thread: core generators in, queued Qt signals out.

The core writes long jobs as generators that yield progress and honour a stop flag; this module
is the one thin adapter that runs them on a thread pool and reports back on the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

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
                self.signals.progressed.emit(last)
        except Exception as exc:  # reported to the GUI thread, never swallowed
            log.info("Background task ended with %r", exc)
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(last)


class TaskRunner(QObject):
    """Starts tasks and keeps them alive until they end."""

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._running: set[IterTask] = set()

    def start(self, make_steps: StepsFactory) -> IterTask:
        task = IterTask(make_steps)
        self._running.add(task)
        task.signals.finished.connect(lambda _r, t=task: self._running.discard(t))
        task.signals.failed.connect(lambda _e, t=task: self._running.discard(t))
        self._pool.start(task)
        return task

    def wait_for_all(self, msecs: int = 30_000) -> bool:
        return self._pool.waitForDone(msecs)
