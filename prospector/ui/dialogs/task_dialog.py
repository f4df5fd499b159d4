"""A dialog that runs one cancellable task (an export, a do-not-call import, a merge).

Esc, the Cancel button and the window's close button all cancel a running task and wait for
it to stop, so the work is never left running behind a closed dialog; the core's generator
then writes nothing (a temporary file is dropped, a transaction rolled back).
"""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QLabel, QPushButton

from prospector.ui.tasks import IterTask


class TaskDialog(QDialog):
    """Subclasses create ``cancel_button`` and ``status``, keep the running task in ``_task``
    and say in ``cancelling_text()`` what cancelling keeps."""

    _task: IterTask | None = None
    cancel_button: QPushButton
    status: QLabel

    def cancelling_text(self) -> str:
        return self.tr("Cancelling… nothing will be changed.")

    def _on_cancel(self) -> None:
        if self._task is None:
            self.reject()
            return
        self.cancel_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(self.cancelling_text())
        self.status.show()
        self._task.cancel()

    def reject(self) -> None:
        """Esc or the close button: a running task is cancelled, never left behind."""
        if self._task is not None:
            self._on_cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._task is not None:
            self._on_cancel()
            event.ignore()
            return
        super().closeEvent(event)
