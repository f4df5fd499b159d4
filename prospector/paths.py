"""Where Prospector keeps its files: the OS's per-user data folder unless told otherwise.

``PROSPECTOR_HOME`` (tests, portable installs) or ``--db`` on the command line override it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "Prospector"
APP_AUTHOR = "Prospector"
DB_FILE_NAME = "prospector.sqlite"


def _dirs() -> PlatformDirs:
    return PlatformDirs(APP_NAME, APP_AUTHOR, roaming=False)


def data_dir() -> Path:
    """The folder holding the default database (created on demand)."""
    override = os.environ.get("PROSPECTOR_HOME")
    path = Path(override) if override else Path(_dirs().user_data_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / DB_FILE_NAME


def log_dir() -> Path:
    override = os.environ.get("PROSPECTOR_HOME")
    path = Path(override) / "logs" if override else Path(_dirs().user_log_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def backup_dir_for(db_path: Path) -> Path:
    """Backups sit beside the database they copy, so a database passed with --db keeps its own."""
    return db_path.parent / "backups"


def resources_dir() -> Path:
    """The bundled resources: next to the package in a checkout, inside the bundle when frozen."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
