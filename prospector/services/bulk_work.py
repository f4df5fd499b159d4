"""What a long run over many rows (an import, an export) changes in the interpreter meanwhile.

Such a run makes a few container objects per row (a row's list, a batch) that live just long
enough to be promoted to the oldest generation of the cyclic garbage collector. With the usual
thresholds (700, 10, 10) full collections then run over and over, each walking every object of
the app (SQLAlchemy's, Qt's): 1.1 s of a 100,000-row import, nearly nothing with these. Rows make
no reference cycles of note, and the usual thresholds come back when the run ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BULK_GC_THRESHOLDS = (20_000, 20, 20)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often until the block ends (process-wide: the GC has one setting)."""
    before = gc.get_threshold()
    gc.set_threshold(*BULK_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
