"""The main window: a sidebar of sections, the section itself, and a first-run welcome."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, QSize, Qt, QTimer, QTimeZone, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from prospector import __version__
from prospector.domain.clock import Clock, system_clock
from prospector.domain.reminders import zone_named
from prospector.domain.stages import Stage, is_callable
from prospector.errors import DatabaseCorrupt, UserFacingError
from prospector.services.workspace import Workspace
from prospector.ui.dialogs.backups_dialog import BackupsDialog, start_daily_backup
from prospector.ui.dialogs.do_not_call_import import DoNotCallImportDialog
from prospector.ui.dialogs.export_dialog import ExportDialog, view_of
from prospector.ui.dialogs.follow_up_dialog import FollowUpDialog
from prospector.ui.dialogs.share_dialogs import MergeDialog, ShareDialog
from prospector.ui.errors import show_error
from prospector.ui.labels import stage_label
from prospector.ui.notifications import ReminderNotifier
from prospector.ui.tasks import IterTask, TaskRunner
from prospector.ui.widgets.call_queue_page import CallQueuePage, State
from prospector.ui.widgets.contacts_page import ContactsPage
from prospector.ui.widgets.followups_page import FollowUpsPage
from prospector.ui.widgets.lists_page import ListsPage
from prospector.ui.widgets.reports_page import ReportsPage
from prospector.ui.widgets.settings_reminders import keeps_running_in_tray
from prospector.ui.widgets.settings_stages import relabel_stage_choices
from prospector.ui.windows.import_wizard import ImportWizard
from prospector.ui.windows.settings_window import SettingsWindow

SAMPLE_DECLINED_KEY = "first_run/sample_declined"


class MainWindow(QMainWindow):
    first_painted = Signal()
    integrity_failed = Signal()

    def __init__(
        self,
        workspace: Workspace,
        settings: QSettings | None = None,
        clock: Clock = system_clock,
    ) -> None:
        """``clock`` must be the workspace's: the call queue proposes call-back times from it."""
        super().__init__()
        self._ws = workspace
        self._settings = settings or QSettings()
        self._clock = clock
        self._painted = False
        self._closed = False  # work queued before closing must not start after it
        self._closing_without_saving = False
        self._quitting = False  # File > Quit: really stop, even when the tray would keep us
        self._told_about_tray = False
        # The background start-up check found damage: the app offers recovery once we close.
        self.damage_found: UserFacingError | None = None
        self._tasks = TaskRunner(parent=self)
        self.setWindowTitle(self.tr("Prospector"))
        self._build_ui()
        self._build_menus()
        self._connect_signals()
        self._restore_layout()
        self._update_welcome()
        self._start_followups()

    # -- building ---------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(170)
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setStyleSheet(
            "QListWidget#sidebar { background: #f3f5f8; border: none; font-size: 11pt;"
            " outline: 0; }"
            "QListWidget#sidebar::item { padding: 10px 14px; }"
            "QListWidget#sidebar::item:selected { background: #dbe6f5; color: #1a3d6e; }"
        )
        self.stack = QStackedWidget()
        self.contacts_page = ContactsPage(
            self._ws.contacts, self._ws.sources, self._ws.notes, self._ws.privacy, tasks=self._tasks
        )
        self.lists_page = ListsPage(self._ws.sources, self._ws.history, self._tasks)
        self.call_queue_page = CallQueuePage(
            self._ws.queue, self._ws.sources, self._tasks, self._settings, self._clock
        )
        self.followups_page = FollowUpsPage(self._ws.followups, self._ws.contacts, self._clock)
        self.reports_page = ReportsPage(
            self._ws.reports, self._ws.sources, self._tasks, self._clock
        )
        self._pages: dict[str, QWidget] = {
            "contacts": self.contacts_page,
            "lists": self.lists_page,
            "queue": self.call_queue_page,
            "followups": self.followups_page,
            "reports": self.reports_page,
        }
        for key, label in (
            ("contacts", self.tr("Contacts")),
            ("lists", self.tr("Lists")),
            ("queue", self.tr("Call queue")),
            ("followups", self.tr("Follow-ups")),
            ("reports", self.tr("Reports")),
        ):
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.sidebar.addItem(item)
            self.stack.addWidget(self._pages[key])
        self.sidebar.setCurrentRow(0)

        self.welcome = QFrame()
        self.welcome.setObjectName("welcomeBanner")
        self.welcome.setStyleSheet(
            "QFrame#welcomeBanner { background: #eef6ee; border: 1px solid #b9dcb9;"
            " border-radius: 6px; }"
        )
        welcome_text = QLabel(
            self.tr(
                "<b>Welcome to Prospector.</b> Your database is empty. "
                "Load a sample list of 60 contacts to look around? "
                "You can delete them any time."
            )
        )
        welcome_text.setWordWrap(True)
        self.load_sample_button = QPushButton(self.tr("Load sample list"))
        self.load_sample_button.setObjectName("loadSample")
        self.load_sample_button.setDefault(True)
        self.load_sample_button.setStyleSheet("font-weight: bold;")
        self.decline_sample_button = QPushButton(self.tr("No thanks"))
        self.decline_sample_button.setObjectName("declineSample")
        welcome_layout = QHBoxLayout(self.welcome)
        welcome_layout.addWidget(welcome_text, 1)
        welcome_layout.addWidget(self.decline_sample_button)
        welcome_layout.addWidget(self.load_sample_button)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 8, 8, 0)
        right_layout.addWidget(self.welcome)
        right_layout.addWidget(self.stack, 1)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(right, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(self.tr("Database: {path}").format(path=self._ws.path))

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.import_action = QAction(self.tr("Import a list…"), self)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        file_menu.addAction(self.import_action)
        self.dnc_import_action = QAction(self.tr("Import a do-not-call list…"), self)
        self.dnc_import_action.setStatusTip(
            self.tr("Phones and emails nobody may call: matching contacts are never offered")
        )
        file_menu.addAction(self.dnc_import_action)
        self.export_action = QAction(self.tr("Export contacts…"), self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.setStatusTip(self.tr("Save contacts as an Excel or CSV file"))
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        self.share_action = QAction(self.tr("Share with a colleague…"), self)
        self.share_action.setStatusTip(
            self.tr("One Excel file with contacts, notes, calls and reminders, to merge elsewhere")
        )
        file_menu.addAction(self.share_action)
        self.merge_action = QAction(self.tr("Merge a colleague's file…"), self)
        self.merge_action.setStatusTip(
            self.tr("Bring in a colleague's share file: nobody is duplicated, nothing is lost")
        )
        file_menu.addAction(self.merge_action)
        file_menu.addSeparator()
        self.load_sample_action = QAction(self.tr("Load sample list"), self)
        file_menu.addAction(self.load_sample_action)
        file_menu.addSeparator()
        self.backups_action = QAction(self.tr("Backups…"), self)
        self.backups_action.setStatusTip(
            self.tr("Copies of your database, made every day: make one now, or go back to one")
        )
        file_menu.addAction(self.backups_action)
        file_menu.addSeparator()
        self.settings_action = QAction(self.tr("Settings…"), self)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        shortcuts = [*QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)]
        if QKeySequence("Ctrl+,") not in shortcuts:
            shortcuts.append(QKeySequence("Ctrl+,"))
        self.settings_action.setShortcuts(shortcuts)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        self.quit_action = QAction(self.tr("Quit"), self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.quit_app)
        file_menu.addAction(self.quit_action)

        contact_menu = self.menuBar().addMenu(self.tr("&Contact"))
        self.new_contact_action = QAction(self.tr("New contact"), self)
        self.new_contact_action.setShortcut(QKeySequence.StandardKey.New)
        contact_menu.addAction(self.new_contact_action)
        self.find_action = QAction(self.tr("Find contact"), self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        contact_menu.addAction(self.find_action)
        self.follow_up_action = QAction(self.tr("New follow-up…"), self)
        self.follow_up_action.setShortcut(QKeySequence("Ctrl+R"))
        self.follow_up_action.setStatusTip(
            self.tr("A reminder to call, email or send a card, for the contact you are looking at")
        )
        contact_menu.addAction(self.follow_up_action)

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self.about_action = QAction(self.tr("About Prospector"), self)
        help_menu.addAction(self.about_action)

    def _connect_signals(self) -> None:
        self.sidebar.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.load_sample_button.clicked.connect(self.load_sample_list)
        self.load_sample_action.triggered.connect(self.load_sample_list)
        self.backups_action.triggered.connect(lambda: self.open_backups())
        self.import_action.triggered.connect(lambda: self.open_import_wizard())
        self.dnc_import_action.triggered.connect(lambda: self.open_do_not_call_import())
        self.export_action.triggered.connect(lambda: self.open_export_dialog())
        self.share_action.triggered.connect(lambda: self.open_share_dialog())
        self.merge_action.triggered.connect(lambda: self.open_merge_dialog())
        self.contacts_page.export_requested.connect(lambda: self.open_export_dialog())
        self.lists_page.import_requested.connect(lambda: self.open_import_wizard())
        self.decline_sample_button.clicked.connect(self._on_decline_sample)
        self.new_contact_action.triggered.connect(self._on_new_contact)
        self.find_action.triggered.connect(self._on_find)
        self.about_action.triggered.connect(self.show_about)
        self.settings_action.triggered.connect(lambda: self.open_settings())
        self.contacts_page.contacts_changed.connect(self._on_contacts_changed)
        self.lists_page.show_contacts_requested.connect(self._on_show_list)
        self.lists_page.contacts_changed.connect(self.contacts_page.refresh)
        self.followups_page.open_contact_requested.connect(self.open_contact)
        self.followups_page.call_requested.connect(self.call_contact)
        self.followups_page.changed.connect(self.update_followups_badge)
        self.follow_up_action.triggered.connect(lambda: self.new_follow_up())
        self.contacts_page.timeline.follow_up_requested.connect(self.new_follow_up)

    # -- actions ----------------------------------------------------------------------------------

    def show_page(self, key: str) -> None:
        self.sidebar.setCurrentRow(list(self._pages).index(key))

    def load_sample_list(self) -> None:
        added = self._ws.sample_list.load()
        if added == 0:
            QMessageBox.information(
                self, self.tr("Sample list"), self.tr("The sample list is already loaded.")
            )
        self.contacts_page.refresh()
        self.lists_page.refresh()
        self._update_welcome()
        self.show_page("contacts")

    def open_import_wizard(self, path: Path | None = None) -> ImportWizard:
        """Open the import wizard (not modal: the rep can look at contacts meanwhile)."""
        wizard = ImportWizard(
            self._ws.imports, self._tasks, self, path, is_share_file=self._ws.sharing.is_share_file
        )
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.import_finished.connect(self._on_import_finished)
        wizard.share_file_chosen.connect(self.open_merge_dialog)
        wizard.show()
        return wizard

    def open_settings(self) -> SettingsWindow:
        """Open the Settings window (window-modal: the queue cannot move while it is open)."""
        dialog = SettingsWindow(self._ws.queue, self._ws.settings, self._settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.settings_saved.connect(self._on_settings_saved)
        dialog.open()
        return dialog

    def _on_settings_saved(self) -> None:
        """New stage names and questions show at once, without restarting."""
        self.contacts_page.refresh()
        relabel_stage_choices(self)
        self.call_queue_page.apply_settings()

    def open_export_dialog(self) -> ExportDialog:
        """Export the contact table as it is now (its filters, sort and columns), or all."""
        page = self.contacts_page
        view = view_of(page.model.query, page.model.rowCount(), page.visible_columns())
        dialog = ExportDialog(self._ws.exports, self._tasks, view, self._settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_share_dialog(self) -> ShareDialog:
        """Write a share file of the contacts shown (the table's search and filters), or all."""
        page = self.contacts_page
        view = view_of(page.model.query, page.model.rowCount(), page.visible_columns())
        dialog = ShareDialog(self._ws.sharing, self._tasks, view, self._settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_merge_dialog(self, path: Path | None = None) -> MergeDialog | None:
        """Merge a colleague's share file (window-modal: the merge is one transaction)."""
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self,
                self.tr("Merge a colleague's file"),
                str(self._settings.value("share/folder", "") or Path.home()),
                self.tr("Prospector share file (*.xlsx)"),
            )
            if not name:
                return None
            path = Path(name)
        dialog = MergeDialog(self._ws.sharing, self._tasks, path, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.merged.connect(self._after_merge)
        dialog.open()
        dialog.start_preview()
        return dialog

    def _after_merge(self, _summary: object) -> None:
        self._ws.queue.forget_cached()
        self._on_import_finished(None)
        self.contacts_page.timeline.refresh()
        self.followups_page.refresh()
        self.update_followups_badge()

    def open_backups(self) -> BackupsDialog:
        """File > Backups… (window-modal: nothing changes the data while a restore runs)."""
        dialog = BackupsDialog(self._ws.backups, self._tasks, self._may_replace_data, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restored.connect(self._after_restore)
        dialog.open()
        return dialog

    def _may_replace_data(self) -> bool:
        """Before a restore: no import or undo may be running, and what is being typed is
        saved first (or the rep lets it go), as when the window closes."""
        if self.lists_page.is_undoing() or any(
            w.is_importing() for w in self.findChildren(ImportWizard)
        ):
            QMessageBox.information(
                self,
                self.tr("An import is running"),
                self.tr("Let the import (or its undo) finish first, then restore the backup."),
            )
            return False
        return (
            self._note_saved_or_given_up()
            and self.contacts_page.may_leave()
            and self.call_queue_page.may_leave()
        )

    def _after_restore(self, _result: object) -> None:
        """Every page shows the restored data; nothing on screen refers to what was replaced."""
        self.contacts_page.form.show_nothing()
        self.contacts_page.timeline.set_contact(None)
        self.contacts_page.table.clearSelection()
        self._ws.queue.forget_cached()
        self.call_queue_page.reset()  # back to choosing a list; Ctrl+Z has nothing to undo
        self._on_settings_saved()  # the office's stage names and questions came back too
        self._on_import_finished(None)
        self.followups_page.refresh()
        self.update_followups_badge()

    def open_do_not_call_import(self, path: Path | None = None) -> DoNotCallImportDialog:
        dialog = DoNotCallImportDialog(self._ws.do_not_call, self._tasks, self, path)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._on_do_not_call_imported)
        dialog.open()
        return dialog

    def _on_do_not_call_imported(self, _report: object) -> None:
        self.contacts_page.refresh()
        self.lists_page.refresh()
        self.call_queue_page.recheck_card()  # the contact on screen may be on the list now

    def _on_import_finished(self, result: object) -> None:
        self.contacts_page.refresh()
        self.lists_page.refresh()
        self.call_queue_page.chooser.reload()  # the new list can be worked at once
        self.reports_page.reload_lists()
        self.reports_page.refresh()  # counted again if it is on screen, else when shown
        self._update_welcome()

    def show_about(self) -> None:
        QMessageBox.about(self, self.tr("About Prospector"), self.about_text())

    def about_text(self) -> str:
        return self.tr(
            "<h3>Prospector {version}</h3>"
            "<p>A prospecting assistant for cold-callers and small sales offices.</p>"
            "<p>Your database file:<br><code>{path}</code></p>"
        ).format(version=__version__, path=self._ws.path)

    def _on_decline_sample(self) -> None:
        self._settings.setValue(SAMPLE_DECLINED_KEY, True)
        self._update_welcome()

    def _on_new_contact(self) -> None:
        self.show_page("contacts")
        self.contacts_page.new_button.click()

    def _on_find(self) -> None:
        self.show_page("contacts")
        self.contacts_page.search.setFocus()
        self.contacts_page.search.selectAll()

    def _on_show_list(self, source_id: int) -> None:
        self.contacts_page.show_source(source_id)
        self.show_page("contacts")

    def _on_contacts_changed(self) -> None:
        self.lists_page.refresh()
        self._update_welcome()

    def _update_welcome(self) -> None:
        declined = self._settings.value(SAMPLE_DECLINED_KEY, False, type=bool)
        empty = self.contacts_page.model.query.text == "" and self._ws.contacts.total() == 0
        self.welcome.setVisible(empty and not declined and self._ws.sample_list.is_available())

    # -- follow-ups -------------------------------------------------------------------------------

    def _start_followups(self) -> None:
        """Days are the rep's local days: Qt knows the system zone's IANA name everywhere
        (Windows too). Then birthday cards, what was missed while closed, and the watch."""
        zone_id = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
        self._ws.followups.set_zone(zone_named(zone_id))
        self.notifier = ReminderNotifier(self._ws.followups, self._clock, self)
        self.notifier.open_contact_requested.connect(self.open_contact)
        self.notifier.checked.connect(self._on_followups_checked)
        if self.notifier.tray is not None:
            menu = QMenu(self)
            menu.addAction(self.tr("Open Prospector"), self.restore_from_tray)
            menu.addAction(self.tr("Quit Prospector"), self.quit_app)
            self.notifier.tray.setContextMenu(menu)
            self.notifier.tray.activated.connect(self._on_tray_activated)
        self.update_followups_badge()
        if self._ws.database.integrity_checked:
            self._start_watching_followups()
        # else: after the deferred integrity check, so a damaged file is never written to

    def _start_watching_followups(self) -> None:
        """Birthday cards, what fell due while closed, and the watch: these write.

        On the UI thread, before the rep can start other writes: on a worker its read-then-write
        transaction met the rep's first edits and SQLite refused it ("database is locked").
        """
        if self.notifier.timer.isActive():
            return  # started already (a second integrity check)
        self._ws.followups.ensure_birthday_reminders()
        self.followups_page.show_missed(
            self.notifier.start(self._ws.followups.missed_since_last_run())
        )
        self.update_followups_badge()

    def _on_followups_checked(self) -> None:
        self.update_followups_badge()
        if self.stack.currentWidget() is self.followups_page:
            self.followups_page.refresh()

    def update_followups_badge(self) -> int:
        """The sidebar says how many follow-ups need doing today, late ones included."""
        count = self._ws.followups.counts(self._clock()).badge
        item = self.sidebar.item(list(self._pages).index("followups"))
        label = self.tr("Follow-ups")
        item.setText(f"{label}  ({count})" if count else label)
        return count

    def current_contact(self) -> tuple[int, str] | None:
        """The contact the rep is looking at, on whichever page: (id, name) or None."""
        page = self.stack.currentWidget()
        if page is self.call_queue_page and self.call_queue_page.card_data is not None:
            contact = self.call_queue_page.card_data.contact
            return contact.id, contact.display_name
        if page is self.followups_page and (chosen := self.followups_page.selected()) is not None:
            return chosen.contact_id, chosen.contact_name or chosen.company
        if page is self.contacts_page and (contact_id := self.contacts_page.form.contact_id):
            return contact_id, self._ws.contacts.get(contact_id).display_name
        return None

    def new_follow_up(self, contact_id: int | None = None) -> FollowUpDialog:
        """A follow-up from anywhere: for the contact in view, else one the rep looks up."""
        name = ""
        if contact_id is None and (current := self.current_contact()) is not None:
            contact_id, name = current
        elif contact_id is not None:
            name = self._ws.contacts.get(contact_id).display_name
        dialog = FollowUpDialog(
            self._ws.followups, self._ws.contacts, self._clock, contact_id, name, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._after_follow_up_added)
        dialog.open()
        return dialog

    def _after_follow_up_added(self) -> None:
        self.update_followups_badge()
        self.followups_page.refresh()
        self.contacts_page.model.refresh()  # the Next follow-up column

    def open_contact(self, contact_id: int) -> None:
        """Show a contact's card on the Contacts page (from a follow-up or a notification)."""
        self.show_page("contacts")
        if not self.isVisible() or self.isMinimized():
            self.restore_from_tray()
        if not self.isActiveWindow():
            self.activateWindow()  # from a tray message: the rep is in another program
        self.contacts_page.show_contact(contact_id)

    def call_contact(self, contact_id: int) -> None:
        """Put the contact on the call queue's card to call now; during another conversation
        the contact's card opens instead, so that conversation is not lost."""
        if self.call_queue_page.state == State.TALKING:
            self.statusBar().showMessage(
                self.tr("Finish the call in progress first; here is the contact's card."), 8000
            )
            self.open_contact(contact_id)
            return
        try:
            card = self._ws.queue.card(contact_id)
        except UserFacingError as error:
            show_error(self, error)
            return
        fields = card.contact.fields
        if not is_callable(Stage(fields.stage), fields.do_not_call):
            self.statusBar().showMessage(
                self.tr("{name} may not be called ({stage}); here is the contact's card.").format(
                    name=card.contact.display_name, stage=stage_label(Stage(fields.stage))
                ),
                8000,
            )
            self.open_contact(contact_id)
            return
        self.show_page("queue")
        self.call_queue_page.show_card(card)

    # -- window life ------------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self._settings.value("main_window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 780)
        self.contacts_page.restore_layout(self._settings)

    # -- the tray ----------------------------------------------------------------------------------

    def keeps_running_in_tray(self) -> bool:
        return self.notifier.tray is not None and keeps_running_in_tray(self._settings)

    def restore_from_tray(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def quit_app(self) -> None:
        """Stop Prospector for real (File > Quit, the tray's Quit), asking what closing asks."""
        if not self.isVisible():
            self.restore_from_tray()  # a question about unsaved work needs its window
        self._quitting = True
        if not self.close():
            self._quitting = False

    def _on_tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.restore_from_tray()

    def _hide_to_tray(self) -> None:
        self.contacts_page.timeline.save_now()
        self.hide()
        if not self._told_about_tray and self.notifier.tray is not None:
            self._told_about_tray = True
            self.notifier.tray.showMessage(
                self.tr("Prospector is still running"),
                self.tr(
                    "Follow-up reminders will pop up here. Click the icon to open Prospector; "
                    "its menu has Quit."
                ),
                QSystemTrayIcon.MessageIcon.Information,
                8000,
            )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if (
            event.type() == QEvent.Type.WindowStateChange
            and self.isMinimized()
            and self.keeps_running_in_tray()
        ):
            QTimer.singleShot(0, self._hide_to_tray)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._quitting and not self._closing_without_saving and self.keeps_running_in_tray():
            event.ignore()  # closing the window is not quitting: reminders keep coming
            self._hide_to_tray()
            return
        if not self._closing_without_saving and not (
            self._note_saved_or_given_up()
            and self.contacts_page.may_leave()
            and self.call_queue_page.may_leave()
            and all(w.may_stop_import() for w in self.findChildren(ImportWizard))
        ):
            event.ignore()
            return
        self._settings.setValue("main_window/geometry", self.saveGeometry())
        self.contacts_page.save_layout(self._settings)
        self._settings.sync()
        self._closed = True
        if self.contacts_page.form.erasing is not None:  # asked for, and cannot stop half-way
            self._tasks.wait_for_all()
        self._tasks.stop_all()  # an import or a count must not report to a closed window
        # What came due until now was seen, so it is not 'missed' at the next start.
        self.notifier.stop(record=not self._closing_without_saving)
        event.accept()

    def _note_saved_or_given_up(self) -> bool:
        """The note being typed is written before the window goes; if it cannot be, the rep
        decides (the reason is on screen beside the note)."""
        if self.contacts_page.timeline.save_now():
            return True
        answer = QMessageBox.question(
            self,
            self.tr("Note not saved"),
            self.tr(
                "The note you are typing could not be saved: {reason}\n\nClose anyway and lose it?"
            ).format(reason=self.contacts_page.timeline.status.text()),
            QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Close

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()
            if not self._ws.database.integrity_checked:
                QTimer.singleShot(0, self._start_if_open(self.start_integrity_check))
            else:
                QTimer.singleShot(0, self._start_if_open(self.start_daily_backup))

    def _start_if_open(self, start: Callable[[], object]) -> Callable[[], None]:
        """``start``, unless the window was closed meanwhile (the database may be closed too)."""

        def run() -> None:
            if not self._closed:
                start()

        return run

    # -- the deferred integrity check -------------------------------------------------------------

    def start_integrity_check(self) -> IterTask:
        """Check a big database in the background; a damaged one is closed before harm is done."""
        self.statusBar().showMessage(self.tr("Checking the database…"))

        def steps(_should_stop: Callable[[], bool]) -> Iterator[object]:
            self._ws.database.verify_integrity()
            yield True

        return self._tasks.start(
            steps, on_finished=self._on_integrity_ok, on_failed=self._on_integrity_failed
        )

    def _on_integrity_ok(self, _result: object) -> None:
        if self._closed:
            return
        self.statusBar().showMessage(self.tr("Database: {path}").format(path=self._ws.path))
        self._start_watching_followups()
        self.start_daily_backup()

    def start_daily_backup(self) -> IterTask:
        """Once a day, after the integrity check (a damaged file is never copied as good)."""
        return start_daily_backup(self._ws.backups, self._tasks, self.statusBar())

    def _on_integrity_failed(self, error: object) -> None:
        if not isinstance(error, UserFacingError):
            raise error if isinstance(error, BaseException) else RuntimeError(error)
        if not isinstance(error, DatabaseCorrupt):
            show_error(self, error)
        # Damage: close first (nothing more is written); the app then offers to restore the
        # newest good backup or to save what can be read (ui/dialogs/integrity_dialog.py).
        self.damage_found = error
        self.integrity_failed.emit()
        self._discard_changes_and_close()

    def _discard_changes_and_close(self) -> None:
        self._closing_without_saving = True
        self.close()
