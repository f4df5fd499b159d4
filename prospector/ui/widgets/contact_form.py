"""The detail pane: view, add, edit and delete one contact, with problems shown beside fields."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.contacts import Contact, ContactFields
from prospector.domain.stages import ALL_STAGES, Stage, Temperature, allowed_moves
from prospector.errors import NotFound, UserFacingError, ValidationError
from prospector.services.contacts import ContactService
from prospector.services.privacy import PrivacyService
from prospector.services.sources import SourceService
from prospector.ui.errors import show_error
from prospector.ui.labels import stage_definition
from prospector.ui.places import documents_folder
from prospector.ui.tasks import TaskRunner
from prospector.ui.widgets.choices import add_stage_items, add_temperature_items

_NO_DATE = QDate(1900, 1, 1)

# (field name, label) in the order a rep reads a contact card.
_TEXT_FIELDS: tuple[tuple[str, str], ...] = (
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("company", "Company"),
    ("title", "Job title"),
    ("phone", "Phone"),
    ("mobile", "Mobile"),
    ("email", "Email"),
    ("website", "Website"),
    ("address", "Address"),
    ("postal_code", "Postal code"),
    ("city", "City"),
    ("country", "Country"),
)


class ContactForm(QWidget):
    """Shows one contact (or a blank one to add) and saves it through the contact service."""

    contact_saved = Signal(int)  # contact id, after an add or an edit
    contact_deleted = Signal(int)

    def __init__(
        self,
        contacts: ContactService,
        sources: SourceService,
        privacy: PrivacyService | None = None,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        """With ``tasks``, erasing runs off the UI thread (see ``_erase``)."""
        super().__init__(parent)
        self._contacts = contacts
        self._sources = sources
        self._privacy = privacy
        self._tasks = tasks
        self.erasing: int | None = None  # the contact being erased, while it is
        self._enabled_before: list[bool] = []
        self._contact: Contact | None = None
        self.erased_notice: QMessageBox | None = None
        self.export_notice: QMessageBox | None = None
        self._loading = False
        self._dirty = False
        self._build_ui()
        self._connect_signals()
        self.show_nothing()

    # -- building ---------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.heading = QLabel()
        self.heading.setObjectName("contactHeading")
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.heading.setFont(font)

        self.problems = QLabel()
        self.problems.setObjectName("formProblems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(
            "QLabel { color: #8b1a1a; background: #fdecea; border: 1px solid #f5c6c0;"
            " border-radius: 4px; padding: 6px; }"
        )
        self.problems.hide()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.edits: dict[str, QLineEdit] = {}
        for name, label in _TEXT_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"edit_{name}")
            self.edits[name] = edit
            form.addRow(self.tr(label), edit)
        self.edits["email"].setPlaceholderText("name@company.com")
        self.edits["phone"].setPlaceholderText(self.tr("as you would dial it"))

        self.birthday = QDateEdit()
        self.birthday.setObjectName("edit_birthday")
        self.birthday.setCalendarPopup(True)
        self.birthday.setDisplayFormat("yyyy-MM-dd")
        self.birthday.setMinimumDate(_NO_DATE)
        self.birthday.setSpecialValueText(self.tr("not known"))
        form.addRow(self.tr("Birthday"), self.birthday)

        self.stage = QComboBox()
        self.stage.setObjectName("edit_stage")
        form.addRow(self.tr("Stage"), self.stage)
        self.stage_hint = QLabel()
        self.stage_hint.setWordWrap(True)
        self.stage_hint.setStyleSheet("color: #666;")
        form.addRow("", self.stage_hint)

        self.temperature = QComboBox()
        self.temperature.setObjectName("edit_temperature")
        add_temperature_items(
            self.temperature, (Temperature.COLD, Temperature.WARM, Temperature.HOT)
        )
        form.addRow(self.tr("Temperature"), self.temperature)

        self.source = QComboBox()
        self.source.setObjectName("edit_source")
        form.addRow(self.tr("Source"), self.source)

        self.value = QLineEdit()
        self.value.setObjectName("edit_value")
        self.value.setPlaceholderText(self.tr("expected sales, e.g. 1200"))
        form.addRow(self.tr("Estimated value"), self.value)

        self.do_not_call = QCheckBox(self.tr("Do not call this contact"))
        self.do_not_call.setObjectName("edit_do_not_call")
        form.addRow("", self.do_not_call)

        self.extra = QLabel()
        self.extra.setObjectName("customFields")
        self.extra.setWordWrap(True)
        self.extra.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("From the list"), self.extra)

        self.export_person_button = QPushButton(self.tr("Export all about this contact…"))
        self.export_person_button.setObjectName("exportPerson")
        self.export_person_button.setToolTip(
            self.tr(
                "Everything Prospector holds about this person in one Excel file, for when "
                "they ask what you hold about them or for a copy of it"
            )
        )
        export_row = QHBoxLayout()
        export_row.addStretch(1)
        export_row.addWidget(self.export_person_button)
        form.addRow(export_row)  # the whole width: the pane is narrow

        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("saveContact")
        self.save_button.setDefault(True)
        self.revert_button = QPushButton(self.tr("Undo changes"))
        self.revert_button.setObjectName("revertContact")
        self.delete_button = QPushButton(self.tr("Delete…"))
        self.delete_button.setObjectName("deleteContact")
        buttons = QHBoxLayout()
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(self.heading)
        body_layout.addWidget(self.problems)
        body_layout.addLayout(form)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)

        self.empty_hint = QLabel(
            self.tr("Select a contact in the table to see it here, or click New contact.")
        )
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setStyleSheet("color: #777; padding: 24px;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty_hint)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self._scroll = scroll

    def _connect_signals(self) -> None:
        for edit in self.edits.values():
            edit.textEdited.connect(self._on_changed)
        self.value.textEdited.connect(self._on_changed)
        self.birthday.dateChanged.connect(self._on_changed)
        self.stage.currentIndexChanged.connect(self._on_changed)
        self.stage.currentIndexChanged.connect(self._show_stage_hint)
        self.temperature.currentIndexChanged.connect(self._on_changed)
        self.source.currentIndexChanged.connect(self._on_changed)
        self.do_not_call.toggled.connect(self._on_changed)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self._on_revert)
        self.delete_button.clicked.connect(self._on_delete)
        self.export_person_button.clicked.connect(self.export_person)

    # -- showing ----------------------------------------------------------------------------------

    @property
    def contact_id(self) -> int | None:
        return self._contact.id if self._contact else None

    def is_dirty(self) -> bool:
        """Whether the rep typed something that is not saved yet."""
        return self._dirty

    def show_nothing(self) -> None:
        self._contact = None
        self._dirty = False
        self.empty_hint.show()
        self._scroll.hide()
        for button in (self.save_button, self.revert_button, self.delete_button):
            button.hide()

    def show_contact(self, contact_id: int) -> None:
        try:
            contact = self._contacts.get(contact_id)
        except NotFound:
            self.show_nothing()
            return
        self._contact = contact
        self._fill(contact.fields, contact.display_name)

    def start_new(self) -> None:
        """A blank card to add a contact; it starts as a suspect like any listed contact."""
        self._contact = None
        self._fill(ContactFields(), self.tr("New contact"))
        self.edits["first_name"].setFocus()
        self.save_button.setEnabled(True)

    def _fill(self, fields: ContactFields, heading: str) -> None:
        self._loading = True
        try:
            self.empty_hint.hide()
            self._scroll.show()
            for button in (self.save_button, self.revert_button, self.delete_button):
                button.show()
            self.delete_button.setVisible(self._contact is not None)
            self.export_person_button.setVisible(
                self._contact is not None and self._privacy is not None
            )
            self.heading.setText(heading)
            self.problems.hide()
            for name, edit in self.edits.items():
                edit.setText(getattr(fields, name) or "")
                edit.setStyleSheet("")
            self.birthday.setDate(_qdate(fields.birthday))
            self._fill_stages(fields.stage)
            self.temperature.setCurrentIndex(self.temperature.findData(fields.temperature))
            self._fill_sources(fields.source_id)
            cents = fields.estimated_value_cents
            self.value.setText(
                "" if cents is None else f"{cents / 100:.2f}".rstrip("0").rstrip(".")
            )
            self.do_not_call.setChecked(fields.do_not_call)
            # Leaving the do-not-call list is a deliberate, recorded act, not an edit.
            self.do_not_call.setEnabled(not fields.do_not_call)
            self.do_not_call.setToolTip(
                self.tr("This contact asked not to be called; that cannot be undone here.")
                if fields.do_not_call
                else ""
            )
            extra = fields.custom_fields
            self.extra.setText("\n".join(f"{k}: {v}" for k, v in extra.items()) or "—")
            self.save_button.setEnabled(False)
            self.revert_button.setEnabled(False)
            self._dirty = False
        finally:
            self._loading = False
        self._show_stage_hint()

    def _fill_stages(self, current: Stage) -> None:
        self.stage.clear()
        choices = [s for s in ALL_STAGES if s == current or s in allowed_moves(current)]
        if self._contact is None:
            choices = list(ALL_STAGES)  # a new contact may be entered at any stage
        add_stage_items(self.stage, choices)
        self.stage.setCurrentIndex(self.stage.findData(current))

    def _fill_sources(self, current: int | None) -> None:
        self.source.clear()
        self.source.addItem(self.tr("(none)"), None)
        for source in self._sources.list():
            self.source.addItem(source.name, source.id)
        index = self.source.findData(current)
        self.source.setCurrentIndex(max(index, 0))

    def _show_stage_hint(self) -> None:
        stage = self.stage.currentData()
        self.stage_hint.setText(stage_definition(Stage(stage)) if stage else "")

    # -- editing ----------------------------------------------------------------------------------

    def _on_changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._dirty = True
        self.save_button.setEnabled(True)
        self.revert_button.setEnabled(True)

    def _read_fields(self) -> ContactFields:
        base = self._contact.fields if self._contact else ContactFields()
        texts = {name: edit.text() for name, edit in self.edits.items()}
        birthday = None if self.birthday.date() == _NO_DATE else self.birthday.date().toPython()
        return replace(
            base,
            **texts,
            birthday=birthday,  # type: ignore[arg-type]
            stage=Stage(self.stage.currentData()),  # Qt returns item data as plain str
            temperature=Temperature(self.temperature.currentData()),
            source_id=self.source.currentData(),
            estimated_value_cents=self._read_value(),
            do_not_call=self.do_not_call.isChecked(),
        )

    def _read_value(self) -> int | None:
        text = self.value.text().strip().replace(" ", "").replace(",", ".")
        if not text:
            return None
        try:
            return round(float(text) * 100)
        except ValueError:
            raise ValidationError(
                {"estimated_value": self.tr("the estimated value must be a number")}
            ) from None

    def save(self) -> bool:
        """Save the card; on a problem, say which field and keep what was typed."""
        try:
            fields = self._read_fields()
            if self._contact is None:
                saved = self._contacts.add(fields)
            else:
                saved = self._contacts.update(self._contact.id, fields)
        except ValidationError as exc:
            self._show_problems(exc.problems)
            return False
        except NotFound:
            QMessageBox.warning(
                self,
                self.tr("Contact not found"),
                self.tr("This contact was deleted meanwhile; your changes could not be saved."),
            )
            self.show_nothing()
            return False
        except UserFacingError as error:  # a full disk, a moved file…: what was typed stays
            show_error(self, error)
            return False
        added = self._contact is None
        self._contact = saved
        self._fill(saved.fields, saved.display_name)
        self.contact_saved.emit(saved.id)
        if added and saved.fields.do_not_call and not fields.do_not_call:
            self._tell_why_do_not_call(saved)
        return True

    def _tell_why_do_not_call(self, contact: Contact) -> None:
        """A new contact matching someone erased at their request arrives as do-not-call:
        the rep is told why, in plain words, rather than finding the box ticked."""
        kind = self._contacts.erased_match(contact.id)
        if kind is None:
            return
        what = self.tr("phone number") if kind == "phone" else self.tr("email address")
        self.erased_notice = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Saved as do not call"),
            self.tr(
                "{name} was saved, but marked “do not call”: this {what} belongs to someone "
                "who asked to be erased from your records and not to be called again. The call "
                "queue will never offer this contact. A note on the contact says why."
            ).format(name=contact.display_name, what=what),
            QMessageBox.StandardButton.Ok,
            self,
        )
        self.erased_notice.setObjectName("erasedNotice")
        self.erased_notice.exec()

    def _show_problems(self, problems: dict[str, str]) -> None:
        for name, edit in self.edits.items():
            bad = name in problems or (name in ("first_name", "company") and "name" in problems)
            edit.setStyleSheet("border: 1px solid #c0392b;" if bad else "")
        self.problems.setText(
            self.tr("This contact was not saved. Please check:")
            + "\n• "
            + "\n• ".join(problems.values())
        )
        self.problems.show()

    def _on_revert(self) -> None:
        if self._contact is None:
            self.start_new()
        else:
            self.show_contact(self._contact.id)

    def export_person(self) -> Path | None:
        """Everything held about this contact to an Excel file the rep names (GDPR Art. 15,
        20): what the person can ask for. Returns where it was saved."""
        if self._contact is None or self._privacy is None:
            return None
        contact = self._contact
        suggested = documents_folder() / self.tr("{name} - data held.xlsx").format(
            name=_file_name_part(contact.display_name) or self.tr("contact")
        )
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export all about this contact"),
            str(suggested),
            self.tr("Excel workbook (*.xlsx)"),
        )
        if not name:
            return None
        path = Path(name) if name.lower().endswith(".xlsx") else Path(name + ".xlsx")
        try:
            done = self._privacy.export_person(contact.id, path)
        except UserFacingError as error:
            show_error(self, error)
            return None
        self.export_notice = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Saved"),
            self.tr(
                "Everything Prospector holds about {name} is in {path} ({records} records "
                "besides the contact's own fields). It holds their personal data: send it to "
                "them only, by a safe way."
            ).format(name=done.name, path=path, records=f"{done.records:,}"),
            QMessageBox.StandardButton.Ok,
            self,
        )
        self.export_notice.setObjectName("exportPersonNotice")
        self.export_notice.exec()
        return path

    def _on_delete(self) -> None:
        if self._contact is None:
            return
        contact = self._contact
        box = self.delete_question(contact)
        if QMessageBox.StandardButton(box.exec()) != QMessageBox.StandardButton.Yes:
            return
        erase = self.erase_box is not None and self.erase_box.isChecked()
        if erase and self._privacy is not None and self._tasks is not None:
            self._erase(contact)
            return
        try:
            if erase and self._privacy is not None:
                self._privacy.erase(contact.id)
            else:
                self._contacts.delete(contact.id)
        except NotFound:
            pass  # already gone: the outcome the user asked for
        except UserFacingError as error:  # e.g. an import holds the database: nothing deleted
            show_error(self, error)
            return
        self._deleted(contact.id)

    def _deleted(self, contact_id: int) -> None:
        if self._contact is None or self._contact.id == contact_id:
            self.show_nothing()
        self.contact_deleted.emit(contact_id)

    def _erase(self, contact: Contact) -> None:
        """Erase on a worker: rewriting the search indexes so no trace of the words is left
        takes seconds at a million contacts, and the window must keep painting meanwhile. The
        card stays on screen, disabled, saying what is happening."""
        assert self._privacy is not None and self._tasks is not None
        privacy = self._privacy

        def steps(_should_stop: Callable[[], bool]) -> Iterator[object]:
            yield privacy.erase(contact.id)  # one transaction: there is no stopping half-way

        self.erasing = contact.id
        self._set_busy(True)
        self.heading.setText(
            self.tr("Erasing {name}… (a few seconds on a big database)").format(
                name=contact.display_name
            )
        )
        self._tasks.start(
            steps,
            on_finished=lambda _erased: self._erase_ended(contact, None),
            on_failed=lambda error: self._erase_ended(contact, error),
        )

    def _set_busy(self, busy: bool) -> None:
        """Fields and buttons greyed while the card's contact is erased (the heading says why),
        then as they were: Save stays greyed when nothing was typed."""
        widgets = (
            self._scroll,
            self.save_button,
            self.revert_button,
            self.delete_button,
            self.export_person_button,
        )
        if busy:
            self._enabled_before = [w.isEnabled() for w in widgets]
        for widget, before in zip(widgets, self._enabled_before, strict=True):
            widget.setEnabled(before and not busy)

    def _erase_ended(self, contact: Contact, error: object) -> None:
        self.erasing = None
        self._set_busy(False)
        if error is None or isinstance(error, NotFound):  # gone, as asked
            self._deleted(contact.id)
            return
        if self._contact is not None and self._contact.id == contact.id:
            self.heading.setText(contact.display_name)
        if not isinstance(error, UserFacingError):
            raise error if isinstance(error, BaseException) else RuntimeError(error)
        show_error(self, error)  # e.g. an import holds the database: nothing was erased

    def delete_question(self, contact: Contact) -> QMessageBox:
        """Delete, or erase at the person's request (the box says what the difference is)."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Delete contact"),
            self.tr(
                "Delete {name} and their notes, calls and reminders? This cannot be undone."
            ).format(name=contact.display_name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        self.erase_box: QCheckBox | None = None
        if self._privacy is not None:
            erase = QCheckBox(
                self.tr(
                    "They asked to be erased: remove every trace, and never import or call "
                    "them again"
                )
            )
            erase.setObjectName("eraseForGood")
            self.erase_box = erase  # PySide does not keep the box's check box alive by itself
            erase.setToolTip(
                self.tr(
                    "Their phone numbers and email are kept only in a scrambled form, so a list "
                    "that brings them back marks them 'do not call'."
                )
            )
            box.setCheckBox(erase)
        return box


def _file_name_part(text: str) -> str:
    """A name as part of a file name: no characters Windows or macOS refuse."""
    return "".join(" " if ch in '<>:"/\\|?*' or ord(ch) < 32 else ch for ch in text).strip()


def _qdate(value: date | None) -> QDate:
    return _NO_DATE if value is None else QDate(value.year, value.month, value.day)
