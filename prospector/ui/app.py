"""Start the window: Qt application, the database, and the main window."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QDialog, QFileDialog, QMessageBox

from prospector import __version__
from prospector.errors import DatabaseCorrupt, DatabaseInUse, UserFacingError
from prospector.paths import default_db_path
from prospector.services.integrity import IntegrityService, network_place
from prospector.services.workspace import Workspace, open_workspace
from prospector.ui.dialogs.integrity_dialog import IntegrityDialog
from prospector.ui.errors import install_crash_handler, message_for, network_warning
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
    from prospector.ui.app_icon import app_icon  # the window icon: taskbar, Dock, switcher

    app.setWindowIcon(app_icon())
    return app


def _open_with_dialogs(db_path: Path | None) -> Workspace | None:
    """Open the database; on a known problem, explain it and offer another file."""
    asked_about: Path | None = None
    while True:
        target = (db_path or default_db_path()).expanduser().resolve()
        if target != asked_about:  # once per file, not again after a recovery
            if not _risky_place_accepted(target):
                return None
            asked_about = target
        try:
            # A big file's integrity check runs once the window is up (see MainWindow).
            return open_workspace(db_path, defer_integrity_check=True)
        except DatabaseInUse as exc:
            title, text = message_for(exc)
            QMessageBox.warning(None, title, text)
            return None
        except DatabaseCorrupt as exc:
            if not recover_damaged(exc.path):
                return None
            db_path = exc.path  # restored or salvaged: open it again
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


def recover_damaged(path: Path) -> bool:
    """The start-up check found ``path`` damaged (nothing has it open): restore a backup,
    salvage, or quit. True when the database is usable again."""
    dialog = IntegrityDialog(IntegrityService(path))
    return dialog.exec() == QDialog.DialogCode.Accepted and dialog.result is not None


_PLACE_ACCEPTED_KEY = "network_warning/accepted"


def _risky_place_accepted(path: Path) -> bool:
    """A database on a network share or in a synced folder can be damaged: say so before
    opening it. False when the rep would rather not open it there."""
    place = network_place(path)
    if place is None:
        return True
    settings = QSettings()
    key = str(path.expanduser().resolve())
    accepted = settings.value(_PLACE_ACCEPTED_KEY, [], type=list)
    if key in accepted:
        return True
    title, text = network_warning(path, place)
    box = QMessageBox(QMessageBox.Icon.Warning, title, text)
    open_anyway = box.addButton(
        QApplication.translate("app", "Open anyway"), QMessageBox.ButtonRole.AcceptRole
    )
    box.addButton(QApplication.translate("app", "Quit"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(open_anyway)
    dont_ask = QCheckBox(QApplication.translate("app", "Don't warn me again about this file"))
    box.setCheckBox(dont_ask)  # the reference above keeps the check box alive
    box.exec()
    if box.clickedButton() is not open_anyway:
        return False
    if dont_ask.isChecked():
        settings.setValue(_PLACE_ACCEPTED_KEY, [*accepted, key])
    return True


def run_app(db_path: Path | None) -> int:
    app = make_application()
    install_crash_handler()
    while True:
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
            code = app.exec()
        finally:
            workspace.close()
        # A big database checked after the window showed: recover once it is closed.
        if window.damage_found is None or not recover_damaged(workspace.path):
            return code if window.damage_found is None else 1
        db_path = workspace.path
