"""The Settings window: the qualifying questions, the office's stage names, and calling.

Nothing is saved until OK or Apply, and then only after every page has been checked: one page's
mistake saves nothing, so the office never ends up with half its changes. Closing with unsaved
changes asks first. ``settings_saved`` tells the main window to show the new names and
questions at once.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.qualification import Questionnaire, missing_criteria, problems_in
from prospector.domain.stages import Stage
from prospector.errors import UserFacingError
from prospector.services.call_queue import CallQueueService
from prospector.services.settings import SettingsService
from prospector.ui.errors import show_error
from prospector.ui.labels import criterion_label, set_office_stage_names, stage_label
from prospector.ui.widgets.call_queue_page import DIAL_SCHEME_KEY
from prospector.ui.widgets.questionnaire_editor import QuestionnaireEditor
from prospector.ui.widgets.settings_calling import CallingChoices, CallingPage
from prospector.ui.widgets.settings_reminders import RemindersPage
from prospector.ui.widgets.settings_stages import StageNamesPage

log = logging.getLogger(__name__)

QUESTIONNAIRE, STAGES, CALLING, REMINDERS = "questionnaire", "stages", "calling", "reminders"


class SettingsWindow(QDialog):
    """Pages on the left, the page on the right, OK / Cancel / Apply below."""

    settings_saved = Signal()

    def __init__(
        self,
        queue: CallQueueService,
        settings: SettingsService,
        window_settings: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._queue = queue
        self._settings = settings
        self._window_settings = window_settings
        self.setWindowTitle(self.tr("Settings"))
        self.setObjectName("settingsWindow")
        self._build_ui()
        self._connect_signals()
        self.load()

    # -- building ---------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.page_list = QListWidget()
        self.page_list.setObjectName("settingsPages")
        self.page_list.setFixedWidth(170)
        self.page_list.setStyleSheet(
            "QListWidget#settingsPages { background: #f3f5f8; border: none; font-size: 11pt;"
            " outline: 0; }"
            "QListWidget#settingsPages::item { padding: 9px 12px; }"
            "QListWidget#settingsPages::item:selected { background: #dbe6f5; color: #1a3d6e; }"
        )
        self.stack = QStackedWidget()
        self.questionnaire_editor = QuestionnaireEditor()
        self.stage_names = StageNamesPage()
        self.calling = CallingPage()
        self.reminders = RemindersPage()
        self._pages: dict[str, QWidget] = {}
        for key, title, widget in (
            (QUESTIONNAIRE, self.tr("Questions"), self.questionnaire_editor),
            (STAGES, self.tr("Stage names"), self.stage_names),
            (CALLING, self.tr("Calling"), self.calling),
            (REMINDERS, self.tr("Reminders"), self.reminders),
        ):
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setSizeHint(QSize(150, 38))
            self.page_list.addItem(item)
            self.stack.addWidget(self._page(widget, self._page_title(key)))
            self._pages[key] = widget
        self.page_list.setCurrentRow(0)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Save and close"))
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setText(self.tr("Save"))
        self.apply_button.setToolTip(self.tr("Save the changes and keep this window open"))
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button.setDefault(False)
        self.ok_button.setAutoDefault(False)  # Enter in a box must not close the window

        right = QVBoxLayout()
        right.setContentsMargins(16, 12, 16, 12)
        right.addWidget(self.stack, 1)
        right.addWidget(self.buttons)
        columns = QHBoxLayout(self)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.setSpacing(0)
        columns.addWidget(self.page_list)
        columns.addLayout(right, 1)
        self.resize(1020, 660)

    def _page_title(self, key: str) -> str:
        return {
            QUESTIONNAIRE: self.tr("Qualifying questions"),
            STAGES: self.tr("Stage names"),
            CALLING: self.tr("Calling"),
            REMINDERS: self.tr("Reminders"),
        }[key]

    @staticmethod
    def _page(widget: QWidget, title: str) -> QWidget:
        page = QWidget()
        heading = QLabel(title)
        heading.setStyleSheet("font-size: 14pt; font-weight: bold; color: #1f2d3d;")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading)
        layout.addWidget(widget, 1)
        return page

    def _connect_signals(self) -> None:
        self.page_list.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.ok_button.clicked.connect(self._on_ok)
        self.apply_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        for page in (self.questionnaire_editor, self.stage_names, self.calling, self.reminders):
            page.changed.connect(self._update_buttons)

    # -- values -----------------------------------------------------------------------------------

    def load(self) -> None:
        """Show what is saved now (also after saving: the new version's number, say)."""
        self.questionnaire_editor.load(self._queue.questionnaire())
        self.stage_names.load(self._settings.stage_names())
        policy = self._queue.policy()
        self.calling.load(
            CallingChoices(
                retry_wait_hours=policy.retry_wait.total_seconds() / 3600,
                max_attempts=policy.max_attempts,
                dial_scheme=str(self._window_settings.value(DIAL_SCHEME_KEY, "tel")),
                default_country=self._settings.default_country(),
            )
        )
        self.reminders.load(self._window_settings)
        self._update_buttons()

    def show_page(self, key: str) -> None:
        self.page_list.setCurrentRow(list(self._pages).index(key))

    def is_modified(self) -> bool:
        return (
            self.questionnaire_editor.is_modified()
            or self.stage_names.is_modified()
            or self.calling.is_modified()
            or self.reminders.is_modified()
        )

    def _update_buttons(self) -> None:
        self.apply_button.setEnabled(self.is_modified())

    # -- saving -----------------------------------------------------------------------------------

    def save(self) -> bool:
        """Check every changed page, then save them; False (and nothing saved) on a problem."""
        editor = self.questionnaire_editor
        questionnaire = editor.questionnaire() if editor.is_modified() else None
        problems = problems_in(questionnaire) if questionnaire is not None else []
        editor.show_problems(problems)
        stage_problems = self.stage_names.problems_text() if self.stage_names.is_modified() else []
        self.stage_names.show_problems(stage_problems)
        if problems:
            self.show_page(QUESTIONNAIRE)
            return False
        if stage_problems:
            self.show_page(STAGES)
            return False
        if questionnaire is not None and not self._confirm_missing(questionnaire):
            self.show_page(QUESTIONNAIRE)
            return False
        try:
            if questionnaire is not None:
                version = self._queue.save_questionnaire(questionnaire)
                log.info("Saved questionnaire version %s", version)
            if self.stage_names.is_modified():
                names = self.stage_names.names()
                self._settings.set_stage_names(names)
                set_office_stage_names(names)
            if self.calling.is_modified():
                self._save_calling(self.calling.choices())
            if self.reminders.is_modified():
                self.reminders.save(self._window_settings)
        except UserFacingError as error:
            show_error(self, error)
            return False
        row = self.questionnaire_editor.current_row()
        self.load()
        if row >= 0:
            self.questionnaire_editor.select(row)  # the office stays where it was working
        self.settings_saved.emit()
        return True

    def _confirm_missing(self, questionnaire: Questionnaire) -> bool:
        """Without a question per required criterion nobody can become a prospect: ask."""
        missing = missing_criteria(questionnaire)
        if not missing:
            return True
        answer = QMessageBox.question(
            self,
            self.tr("Save these questions?"),
            self.tr(
                "No question asks whether the contact {what}. Without it, nobody can become a "
                "{prospect}. Save anyway?"
            ).format(
                what=self.tr(" or ").join(criterion_label(c) for c in missing),
                prospect=stage_label(Stage.PROSPECT),
            ),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Save

    def _save_calling(self, choices: CallingChoices) -> None:
        self._queue.set_policy(choices.retry_wait_hours, choices.max_attempts)
        self._window_settings.setValue(DIAL_SCHEME_KEY, choices.dial_scheme)
        if choices.default_country != self._settings.default_country():
            self._settings.set_default_country(choices.default_country)

    def _on_ok(self) -> None:
        if not self.is_modified() or self.save():
            self.accept()

    # -- leaving ----------------------------------------------------------------------------------

    def reject(self) -> None:
        """Cancel, Escape or the close box: unsaved changes are never dropped without asking."""
        if self.is_modified():
            answer = QMessageBox.question(
                self,
                self.tr("Unsaved settings"),
                self.tr("You changed settings that are not saved yet. Save them before closing?"),
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Save,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save and not self.save():
                return
        super().reject()
