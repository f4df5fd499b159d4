"""The call queue's top bar: which list to work, how far along it is, and Start.

"N of M reached" is counted over the whole list, which for "All contacts" may be a million
rows, so the count runs on a worker thread; one count at a time, and the latest list wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from prospector.domain.queue import ListProgress
from prospector.errors import UserFacingError
from prospector.services.call_queue import CallQueueService
from prospector.services.sources import SourceService
from prospector.ui.errors import show_error
from prospector.ui.tasks import TaskRunner

ALL_CONTACTS = -1  # the "All contacts" entry (combo data cannot hold None reliably)
LIST_KEY = "call_queue/list"


class ListChooser(QWidget):
    """Every list by name plus "All contacts", the progress bar and words, and Start."""

    list_changed = Signal()
    progress_changed = Signal(object)  # ListProgress, once the background count is in

    def __init__(
        self,
        queue: CallQueueService,
        sources: SourceService,
        tasks: TaskRunner,
        settings: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._queue = queue
        self._sources = sources
        self._tasks = tasks
        self._settings = settings
        self.progress: ListProgress | None = None
        self._loaded = False
        self._running = False
        self._again = False
        self._build_ui()
        self.combo.currentIndexChanged.connect(self._on_index_changed)

    def _build_ui(self) -> None:
        self.combo = QComboBox()
        self.combo.setObjectName("queueList")
        self.combo.setMinimumContentsLength(22)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setToolTip(self.tr("The list to work; the queue decides who comes next"))
        self.bar = QProgressBar()
        self.bar.setObjectName("queueProgress")
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(10)
        self.bar.setMaximumWidth(260)
        self.bar.setStyleSheet(
            "QProgressBar { background: #e8edf2; border: none; border-radius: 5px; }"
            "QProgressBar::chunk { background: #5b9a6b; border-radius: 5px; }"
        )
        self.label = QLabel()
        self.label.setObjectName("queueProgressText")
        self.label.setStyleSheet("color: #3c4a59;")
        self.start_button = QPushButton(self.tr("Start  (Enter)"))
        self.start_button.setObjectName("startQueue")
        self.start_button.setStyleSheet(
            "QPushButton { background: #2f6db5; color: white; font-weight: bold;"
            " padding: 6px 18px; border-radius: 5px; border: none; }"
            "QPushButton:hover { background: #285f9e; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(QLabel(self.tr("List:")))
        layout.addWidget(self.combo)
        layout.addSpacing(12)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.label)
        layout.addStretch(1)
        layout.addWidget(self.start_button)

    # -- the lists --------------------------------------------------------------------------------

    def reload(self) -> None:
        """Fill the chooser (lists come and go with imports), keeping the chosen one."""
        sources = self._sources.list()
        first = sources[0].id if sources else ALL_CONTACTS
        wanted = (
            self.combo.currentData()
            if self._loaded
            else self._settings.value(LIST_KEY, first, type=int)
        )
        self.combo.blockSignals(True)
        self.combo.clear()
        for source in sources:
            self.combo.addItem(source.name, source.id)
        self.combo.addItem(self.tr("All contacts"), ALL_CONTACTS)
        self.combo.setCurrentIndex(max(self.combo.findData(wanted), 0))
        self.combo.blockSignals(False)
        self._loaded = True

    def source_id(self) -> int | None:
        """The chosen list, or None for every contact."""
        data = self.combo.currentData()
        return None if data is None or data == ALL_CONTACTS else int(data)

    def select(self, source_id: int | None) -> None:
        if not self._loaded:
            self.reload()
        wanted = ALL_CONTACTS if source_id is None else source_id
        self.combo.setCurrentIndex(max(self.combo.findData(wanted), 0))

    def _on_index_changed(self, _index: int) -> None:
        self._settings.setValue(LIST_KEY, self.combo.currentData())
        self.list_changed.emit()
        self.refresh_progress()

    # -- progress ---------------------------------------------------------------------------------

    def refresh_progress(self) -> None:
        """Count the chosen list's progress in the background."""
        if not self._loaded:
            return
        if self._running:
            self._again = True
            return
        self._running = True
        source = self.source_id()
        queue = self._queue

        def steps(_should_stop: Callable[[], bool]) -> Iterator[object]:
            yield source, queue.progress(source)

        self._tasks.start(steps, on_finished=self._on_counted, on_failed=self._on_failed)

    def idle(self) -> bool:
        return not self._running

    def _on_counted(self, result: object) -> None:
        self._running = False
        source, progress = result  # type: ignore[misc]
        if source == self.source_id():
            self._show(progress)
        if self._again or source != self.source_id():  # something changed while counting
            self._again = False
            self.refresh_progress()

    def _show(self, progress: ListProgress) -> None:
        self.progress = progress
        self.bar.setMaximum(max(progress.total, 1))
        self.bar.setValue(progress.reached)
        words = self.tr("{reached} of {total} reached").format(
            reached=progress.reached, total=progress.total
        )
        if progress.never_tried:
            words += " · " + self.tr("{count} never tried").format(count=progress.never_tried)
        self.label.setText(words)
        self.progress_changed.emit(progress)

    def _on_failed(self, error: object) -> None:
        self._running = False
        self._again = False
        if isinstance(error, UserFacingError):
            show_error(self, error)
            return
        raise error if isinstance(error, BaseException) else RuntimeError(error)
