"""Start the window: Qt application, the database, and the main window."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from prospector import __version__
from prospector.errors import DatabaseInUse, UserFacingError
from prospector.services.workspace import Workspace, open_workspace
from prospector.ui.errors import install_crash_handler, message_for
from prospector.ui.labels import use_office_stage_names
from prospector.ui.windows.main_window import MainWindow

log = logging.getLogger(__name__)

# Benchmarks ask the window to report its first paint and quit (see benchmarks/bench_table.py).
EXIT_AFTER_PAINT_ENV = "PROSPECTOR_EXIT_AFTER_FIRST_PAINT"


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Prospector")
    app.setOrganizationName("Prospector")
    app.setApplicationVersion(__version__)
    return app


def _open_with_dialogs(db_path: Path | None) -> Workspace | None:
    """Open the database; on a known problem, explain it and offer another file."""
    while True:
        try:
            # A big file's integrity check runs once the window is up (see MainWindow).
            return open_workspace(db_path, defer_integrity_check=True)
        except DatabaseInUse as exc:
            title, text = message_for(exc)
            QMessageBox.warning(None, title, text)
            return None
        except UserFacingError as exc:
            title, text = message_for(exc)
            box = QMessageBox(QMessageBox.Icon.Warning, title, text)
            choose = box.addButton(
                QApplication.translate("app", "Choose another file…"),
                QMessageBox.ButtonRole.AcceptRole,
            )
            box.addButton(QMessageBox.StandardButton.Close)
            box.exec()
            if box.clickedButton() is not choose:
                return None
            name, _ = QFileDialog.getSaveFileName(
                None,
                QApplication.translate("app", "Open or create a Prospector database"),
                str(Path.home()),
                QApplication.translate("app", "Prospector database (*.sqlite)"),
                options=QFileDialog.Option.DontConfirmOverwrite,
            )
            if not name:
                return None
            db_path = Path(name)


def run_app(db_path: Path | None) -> int:
    app = make_application()
    install_crash_handler()
    workspace = _open_with_dialogs(db_path)
    if workspace is None:
        return 1
    try:
        use_office_stage_names(workspace.settings)  # the office's words for the stages
        window = MainWindow(workspace)
        if os.environ.get(EXIT_AFTER_PAINT_ENV):

            def report() -> None:
                print(f"first-paint {time.perf_counter():.6f}", flush=True)  # noqa: T201
                QTimer.singleShot(0, app.quit)

            window.first_painted.connect(report)
        window.show()
        return app.exec()
    finally:
        workspace.close()
