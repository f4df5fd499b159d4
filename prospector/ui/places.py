"""Where the window suggests saving the files a rep exports."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths


def documents_folder() -> Path:
    """The rep's Documents folder, or their home folder on a system that has none (Qt then
    answers an empty string, which as a path would mean the app's working folder)."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found else Path.home()


def save_folder(remembered: object) -> Path:
    """The folder a save dialog starts in: the one the rep used last (a settings value), else
    ``documents_folder()``."""
    text = str(remembered or "")
    return Path(text) if text else documents_folder()
