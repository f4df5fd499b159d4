"""What a long run over many rows (an import, an export) changes in the interpreter meanwhile.

Such a run makes a few container objects per row (a row's list, a batch) that live just long
enough to be promoted to the oldest generation of the cyclic garbage collector. With the usual
thresholds (700, 10, 10) full collections then run over and over, each walking every object of
the app (SQLAlchemy's, Qt's): 1.1 s of a 100,000-row import, nearly nothing with these. Rows make
no reference cycles of note, and the usual thresholds come back when the last run ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BULK_GC_THRESHOLDS = (20_000, 20, 20)

_lock = threading.Lock()
_running = 0  # runs inside fewer_collections() now
_usual: tuple[int, int, int] = gc.get_threshold()  # what the first of them found


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often until the block ends.

    The collector has one setting for the whole process, and an import and an export may run
    at once in two threads, ending in either order: the first run to start raises the
    thresholds, the last to end puts back what the first found.
    """
    global _running, _usual
    with _lock:
        if _running == 0:
            _usual = gc.get_threshold()
            gc.set_threshold(*BULK_GC_THRESHOLDS)
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.set_threshold(*_usual)
