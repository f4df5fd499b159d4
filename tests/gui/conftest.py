"""GUI fixtures: one real main window over a fresh database, settings in a temp file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QMessageBox

from prospector.ui.windows.main_window import MainWindow


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, workspace, settings) -> Iterator[Callable[[], MainWindow]]:
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        window = MainWindow(workspace, settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make


@pytest.fixture
def window(make_window) -> MainWindow:
    return make_window()


@pytest.fixture
def answer_dialogs(monkeypatch):
    """Answer QMessageBox questions without a human; record what was asked."""
    asked: list[str] = []

    def install(answer: QMessageBox.StandardButton, *, tick: bool = False) -> list[str]:
        """``tick``: also tick the box's check box (when it has one) before answering."""

        def question(_parent, _title, text, *args, **kwargs):
            asked.append(text)
            return answer

        def exec_(box: QMessageBox) -> QMessageBox.StandardButton:
            asked.append(box.text())
            check = box.findChild(QCheckBox)
            if tick and check is not None:
                check.setChecked(True)
            return answer

        monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
        monkeypatch.setattr(QMessageBox, "exec", exec_)
        return asked

    return install
