"""What every worker process of the app shares: whether one may start, and ending with the app.

The import's cleaning worker and the CSV export's second process are both started with
``spawn``. This module is light (no SQLAlchemy, no Qt), so a worker imports it without cost.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import sys
import threading
from multiprocessing.process import BaseProcess

# A PyInstaller build must call multiprocessing.freeze_support() at the very start of its entry
# point, then set this, before a worker may start (without it a worker would start the app).
ALLOWED_WHEN_FROZEN = False


def workers_available() -> bool:
    """False in a frozen build that has not declared ``freeze_support()`` (see above)."""
    return not getattr(sys, "frozen", False) or ALLOWED_WHEN_FROZEN


def end_with(parent: BaseProcess | None, name: str) -> None:
    """In a worker: end this process as soon as ``parent`` (the app's process) is gone,
    whatever it is doing: in a long read, or at exit waiting for a queue's last items to be
    taken by nobody. ``name`` names the watching thread."""
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name=name, daemon=True).start()
