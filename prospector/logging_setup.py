"""Logging to a rotating file in the user's log folder, so a problem report has the details."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from prospector.paths import log_dir

LOG_FILE_NAME = "prospector.log"


def configure_logging(verbose: bool = False) -> Path:
    """Send INFO and above to the log file (and WARNING to stderr); return the file's path."""
    path = log_dir() / LOG_FILE_NAME
    root = logging.getLogger()
    if any(getattr(h, "_prospector", False) for h in root.handlers):
        return path
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._prospector = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    return path
