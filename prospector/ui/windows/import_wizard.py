"""The import wizard: pick a file, check how it reads, map its columns, name the list, import.

Reading and importing happen in the services; this window only asks and shows. The import runs
on a worker thread with a progress bar and a Cancel button; Cancel leaves the database as it
was, because the whole import is one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from prospector.errors import UserFacingError
from prospector.services.imports import (
    BLANK_RUN_ROWS,
    MAX_CELL,
    ColumnMapping,
    DuplicateMatch,
    DuplicatePolicy,
    ImportPreview,
    ImportProgress,
    ImportRequest,
    ImportService,
    ReadingNotes,
    Target,
)
from prospector.services.sources import SOURCE_KINDS
from prospector.ui.errors import message_for
from prospector.ui.labels import source_kind_label
from prospector.ui.tasks import IterTask, TaskRunner

FILE_FILTER = "Lead lists (*.xlsx *.xlsm *.xls *.xlsb *.ods *.csv *.tsv *.txt);;All files (*)"
ENCODINGS = (
    ("utf_8", "Unicode (UTF-8)"),
    ("utf_8_sig", "Unicode (UTF-8 with BOM)"),
    ("utf_16", "Unicode (UTF-16, Excel 'Unicode text')"),
    ("cp1252", "Western European (Windows-1252)"),
    ("cp1250", "Central European (Windows-1250)"),
    ("cp1251", "Cyrillic (Windows-1251)"),
)
DELIMITERS = ((",", "Comma ,"), (";", "Semicolon ;"), ("\t", "Tab"), ("|", "Vertical bar |"))
DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
KEEP_AS_EXTRA = "__extra__"


def _target_labels() -> list[tuple[str, str]]:
    return [
        (Target.FIRST_NAME, "First name"),
        (Target.LAST_NAME, "Last name"),
        (Target.FULL_NAME, "Full name"),
        (Target.COMPANY, "Company"),
        (Target.TITLE, "Job title"),
        (Target.PHONE, "Phone"),
        (Target.MOBILE, "Mobile"),
        (Target.EMAIL, "Email"),
        (Target.WEBSITE, "Website"),
        (Target.ADDRESS, "Address"),
        (Target.POSTAL_CODE, "Postal code"),
        (Target.CITY, "City"),
        (Target.COUNTRY, "Country"),
        (Target.BIRTHDAY, "Birthday"),
        (Target.ESTIMATED_VALUE, "Estimated value"),
    ]


class ImportWizard(QWizard):
    """One import, start to finish."""

    import_finished = Signal(object)  # the final ImportProgress
    share_file_chosen = Signal(object)  # a colleague's share file: merged, not imported

    def __init__(
        self,
        imports: ImportService,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        path: Path | None = None,
        *,
        is_share_file: Callable[[Path], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.imports = imports
        self._is_share_file = is_share_file
        self.tasks = tasks
        self.preview: ImportPreview | None = None
        self.setWindowTitle(self.tr("Import a lead list"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.resize(900, 620)
        self.file_page = FilePage(self, path)
        self.read_page = ReadPage(self)
        self.mapping_page = MappingPage(self)
        self.list_page = ListPage(self)
        self.duplicates_page = DuplicatesPage(self)
        self.run_page = RunPage(self)
        for page in (
            self.file_page,
            self.read_page,
            self.mapping_page,
            self.list_page,
            self.duplicates_page,
            self.run_page,
        ):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Import"))

    def is_importing(self) -> bool:
        return self.run_page.is_running()

    def may_stop_import(self) -> bool:
        """Ask before a running import is given up (closing this window or the app)."""
        if not self.is_importing():
            return True
        answer = QMessageBox.question(
            self,
            self.tr("Stop the import?"),
            self.tr(
                "The import is still running. If you stop now, nothing from this file is "
                "saved and your contacts stay as they were.\n\nStop the import?"
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.run_page.cancel()
        return True

    def reject(self) -> None:
        if self.may_stop_import():
            super().reject()

    def load_preview(self, **options: str | None) -> bool:
        """Read the chosen file's start; on a problem say so on the page and stay there."""
        path = Path(self.file_page.path_edit.text().strip())
        if not options and self._is_share_file is not None and self._is_share_file(path):
            # A colleague's share file is merged (by UUID, with its notes), never imported.
            self.share_file_chosen.emit(path)
            self.reject()
            return False
        try:
            self.preview = self.imports.preview(path, **options)  # type: ignore[arg-type]
        except UserFacingError as exc:
            self.file_page.show_problem(message_for(exc)[1])
            return False
        except OSError as exc:
            self.file_page.show_problem(
                self.tr(
                    "The file could not be opened ({detail}). Check it still exists and "
                    "is not open in another program."
                ).format(detail=exc.strerror or exc)
            )
            return False
        self.file_page.show_problem("")
        return True

    def request(self, *, with_decisions: bool = True) -> ImportRequest:
        assert self.preview is not None
        page = self.list_page
        cost = page.cost.value()
        return ImportRequest(
            path=Path(self.file_page.path_edit.text().strip()),
            source_name=page.name.text().strip(),
            source_kind=page.kind.currentData(),
            vendor=page.vendor.text().strip() or None,
            cost_cents=round(cost * 100) if cost > 0 else None,
            currency=page.currency.text().strip().upper() or None,
            sheet=self.read_page.sheet.currentText() or None if self.preview.sheets else None,
            encoding=self.preview.encoding,
            delimiter=self.preview.delimiter,
            mapping=self.mapping_page.mapping(),
            duplicates=DuplicatePolicy(page.duplicates.checkedButton().property("policy")),
            decisions=self.duplicates_page.decisions() if with_decisions else {},
        )


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard, path: Path | None) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(self.tr("Choose the list to import"))
        self.setSubTitle(
            self.tr("Excel (.xlsx, .xls), OpenDocument (.ods) or a text file (.csv, .txt).")
        )
        self.path_edit = QLineEdit(str(path) if path else "")
        self.path_edit.setObjectName("importPath")
        self.path_edit.setPlaceholderText(self.tr("The file your vendor or colleague sent"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._on_browse)
        self.problem = QLabel()
        self.problem.setObjectName("importProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(
            "QLabel { color: #8b1a1a; background: #fdecea; border: 1px solid #f5c6c0;"
            " border-radius: 4px; padding: 8px; }"
        )
        self.problem.hide()
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self.path_edit.textChanged.connect(self.completeChanged)

    def _on_browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a lead list"), self.path_edit.text(), FILE_FILTER
        )
        if name:
            self.path_edit.setText(name)

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def isComplete(self) -> bool:
        return bool(self.path_edit.text().strip())

    def validatePage(self) -> bool:
        return self._wizard.load_preview()


class ReadPage(QWizardPage):
    """How the file was read, with the first rows, and the choices to read it otherwise."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(self.tr("Check that the list reads correctly"))
        self.setSubTitle(self.tr("If letters look wrong (Ã©, Ä, ?), choose another encoding."))
        self.described = QLabel()
        self.encoding = QComboBox()
        self.encoding.setObjectName("importEncoding")
        for code, label in ENCODINGS:
            self.encoding.addItem(self.tr(label), code)
        self.delimiter = QComboBox()
        self.delimiter.setObjectName("importDelimiter")
        for code, label in DELIMITERS:
            self.delimiter.addItem(self.tr(label), code)
        self.sheet = QComboBox()
        self.sheet.setObjectName("importSheet")
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(True)
        form = QFormLayout()
        form.addRow(self.tr("Read as:"), self.described)
        self._encoding_row = (QLabel(self.tr("Encoding:")), self.encoding)
        self._delimiter_row = (QLabel(self.tr("Columns separated by:")), self.delimiter)
        self._sheet_row = (QLabel(self.tr("Sheet:")), self.sheet)
        for label, field in (self._encoding_row, self._delimiter_row, self._sheet_row):
            form.addRow(label, field)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        self.encoding.activated.connect(self._reread)
        self.delimiter.activated.connect(self._reread)
        self.sheet.activated.connect(self._reread)

    def initializePage(self) -> None:
        self._show()

    def _reread(self) -> None:
        preview = self._wizard.preview
        assert preview is not None
        if preview.sheets:
            self._wizard.load_preview(sheet=self.sheet.currentText())
        else:
            self._wizard.load_preview(
                encoding=self.encoding.currentData(), delimiter=self.delimiter.currentData()
            )
        self._show()

    def _show(self) -> None:
        preview = self._wizard.preview
        assert preview is not None
        is_text = not preview.sheets
        if is_text:
            how = self.tr("Text file, {encoding}, columns separated by {delimiter}").format(
                encoding=self.tr(dict(ENCODINGS).get(preview.encoding or "", preview.encoding)),
                delimiter=self.tr(DELIMITER_NAMES.get(preview.delimiter or "", "?")),
            )
        else:
            how = self.tr("Workbook, sheet '{sheet}'").format(
                sheet=self.sheet.currentText() or preview.sheets[0]
            )
        self.described.setText(
            self.tr("{how}; the column headers are on row {row}.").format(
                how=how, row=preview.header_row
            )
        )
        for label, field in (self._encoding_row, self._delimiter_row):
            label.setVisible(is_text)
            field.setVisible(is_text)
        self._sheet_row[0].setVisible(not is_text)
        self._sheet_row[1].setVisible(not is_text)
        if is_text:
            self.encoding.setCurrentIndex(max(self.encoding.findData(preview.encoding), 0))
            self.delimiter.setCurrentIndex(max(self.delimiter.findData(preview.delimiter), 0))
        else:
            current = self.sheet.currentText()
            self.sheet.clear()
            self.sheet.addItems(preview.sheets)
            self.sheet.setCurrentText(current or preview.sheets[0])
        columns = preview.columns
        rows = [c.samples for c in columns]
        depth = max((len(r) for r in rows), default=0)
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels([c.name for c in columns])
        self.table.setRowCount(depth)
        for col, samples in enumerate(rows):
            for row, value in enumerate(samples):
                self.table.setItem(row, col, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()


class MappingPage(QWizardPage):
    """One line per column: its header, some of its values, and where it goes."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(self.tr("Match the columns to contact fields"))
        self.setSubTitle(
            self.tr(
                "Columns kept as extra fields are shown on the contact, so nothing in the "
                "file is lost."
            )
        )
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("mappingTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Column in the file"), self.tr("Values in it"), self.tr("Goes into")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.split = QCheckBox(self.tr("Split a full name into first and last name"))
        self.split.setChecked(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.split)
        self.combos: dict[str, QComboBox] = {}

    def initializePage(self) -> None:
        preview = self._wizard.preview
        assert preview is not None
        self.combos.clear()
        self.table.setRowCount(len(preview.columns))
        for row, column in enumerate(preview.columns):
            self.table.setItem(row, 0, QTableWidgetItem(column.name))
            samples = QTableWidgetItem("  ·  ".join(column.samples))
            samples.setToolTip("\n".join(column.samples))
            self.table.setItem(row, 1, samples)
            combo = QComboBox()
            combo.addItem(self.tr("Keep as extra field"), KEEP_AS_EXTRA)
            for target, label in _target_labels():
                combo.addItem(self.tr(label), target.value)
            combo.addItem(self.tr("Don't import"), Target.IGNORE.value)
            guessed = preview.mapping.target_of(column.name)
            combo.setCurrentIndex(max(combo.findData(guessed.value if guessed else None), 0))
            self.table.setCellWidget(row, 2, combo)
            self.combos[column.name] = combo
        self.split.setChecked(preview.mapping.split_full_name)
        if preview.template:
            self.setSubTitle(
                self.tr(
                    "These columns are matched as you matched them last time for {name}. "
                    "Columns kept as extra fields are shown on the contact."
                ).format(name=preview.template)
            )

    def mapping(self) -> ColumnMapping:
        fields = {
            name: Target(combo.currentData())
            for name, combo in self.combos.items()
            if combo.currentData() != KEEP_AS_EXTRA
        }
        return ColumnMapping(fields=fields, split_full_name=self.split.isChecked())

    def validatePage(self) -> bool:
        chosen = [
            Target(c.currentData())
            for c in self.combos.values()
            if c.currentData() not in (KEEP_AS_EXTRA, Target.IGNORE.value)
        ]
        doubles = {t for t in chosen if chosen.count(t) > 1}
        if doubles:
            labels = dict(_target_labels())
            self.setSubTitle(
                self.tr(
                    "Two columns go into the same field ({fields}). Choose one, and keep "
                    "the other as an extra field."
                ).format(fields=", ".join(self.tr(labels[t]) for t in doubles))
            )
            return False
        return True


class ListPage(QWizardPage):
    """Which list these contacts belong to, what it cost, and what to do with duplicates."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(self.tr("Name the list"))
        self.setSubTitle(self.tr("Reports compare lists by what they cost and what they brought."))
        self.name = QLineEdit()
        self.name.setObjectName("listName")
        self.kind = QComboBox()
        for kind in SOURCE_KINDS:
            self.kind.addItem(source_kind_label(kind), kind)
        self.vendor = QLineEdit()
        self.cost = QDoubleSpinBox()
        self.cost.setRange(0, 10_000_000)
        self.cost.setDecimals(2)
        self.cost.setSpecialValueText(self.tr("not known"))
        self.currency = QLineEdit("EUR")
        self.currency.setMaxLength(3)
        self.currency.setFixedWidth(60)
        cost_row = QHBoxLayout()
        cost_row.addWidget(self.cost)
        cost_row.addWidget(self.currency)
        cost_row.addStretch(1)
        self.duplicates = QButtonGroup(self)
        choices = QVBoxLayout()
        for policy, label in (
            (
                DuplicatePolicy.MERGE,
                "Merge: fill in what the contact we have is missing (nothing is overwritten)",
            ),
            (DuplicatePolicy.SKIP, "Skip: keep the contact we have, drop the new row"),
            (DuplicatePolicy.IMPORT, "Import anyway as a new contact"),
        ):
            button = QRadioButton(self.tr(label))
            button.setProperty("policy", policy.value)
            button.setChecked(policy == DuplicatePolicy.MERGE)
            self.duplicates.addButton(button)
            choices.addWidget(button)
        form = QFormLayout(self)
        form.addRow(self.tr("List name:"), self.name)
        form.addRow(self.tr("Kind:"), self.kind)
        form.addRow(self.tr("Vendor:"), self.vendor)
        form.addRow(self.tr("What it cost:"), cost_row)
        form.addRow(self.tr("A contact you already have:"), choices)
        self.name.textChanged.connect(self.completeChanged)

    def initializePage(self) -> None:
        if not self.name.text():
            self.name.setText(Path(self._wizard.file_page.path_edit.text()).stem)
        preview = self._wizard.preview
        if preview is not None and preview.template and not self.vendor.text():
            self.vendor.setText(preview.template)

    def isComplete(self) -> bool:
        return bool(self.name.text().strip())


class DuplicatesPage(QWizardPage):
    """Checks the whole file for contacts you already have, and lets the rep decide."""

    MAX_SHOWN = 2000  # more than this, and the choice on the previous page applies to the rest

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._task: IterTask | None = None
        self.checked: ImportProgress | None = None
        self.setTitle(self.tr("Check for contacts you already have"))
        self.setCommitPage(True)
        self.status = QLabel()
        self.status.setObjectName("duplicatesStatus")
        self.status.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("duplicatesTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Row"),
                self.tr("In the file"),
                self.tr("Already have"),
                self.tr("Same"),
                self.tr("What to do"),
            ]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.all_buttons: dict[DuplicatePolicy, QPushButton] = {}
        buttons = QHBoxLayout()
        self.all_label = QLabel(self.tr("For all of them:"))
        buttons.addWidget(self.all_label)
        for policy, label in (
            (DuplicatePolicy.MERGE, "Merge all"),
            (DuplicatePolicy.SKIP, "Skip all"),
            (DuplicatePolicy.IMPORT, "Import all as new"),
        ):
            button = QPushButton(self.tr(label))
            button.setObjectName(f"all_{policy.value}")
            button.clicked.connect(lambda _=False, p=policy: self.decide_all(p))
            buttons.addWidget(button)
            self.all_buttons[policy] = button
        buttons.addStretch(1)
        self._combos: list[tuple[int, QComboBox]] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.bar)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)

    def initializePage(self) -> None:
        self.checked = None
        self._combos.clear()
        self.table.setRowCount(0)
        self.table.hide()
        self._show_all_buttons(False)
        self.bar.setValue(0)
        self.bar.show()
        request = self._wizard.request(with_decisions=False)
        imports = self._wizard.imports

        def steps(should_stop: Callable[[], bool]) -> Iterator[ImportProgress]:
            return imports.check_duplicates(request, should_stop=should_stop)

        self.status.setText(self.tr("Reading the whole file to find contacts you already have…"))
        self._task = self._wizard.tasks.start(
            steps,
            on_progress=self._on_progress,
            on_finished=self._on_finished,
            on_failed=self._on_failed,
        )

    def cleanupPage(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def isComplete(self) -> bool:
        return self.checked is not None

    def _show_all_buttons(self, visible: bool) -> None:
        self.all_label.setVisible(visible)
        for button in self.all_buttons.values():
            button.setVisible(visible)

    def _on_progress(self, step: ImportProgress) -> None:
        if not step.finished and step.fraction is not None:
            self.bar.setValue(int(step.fraction * 1000))
            self.status.setText(self.tr("Checking… {n} rows read").format(n=f"{step.rows_read:,}"))

    def _on_finished(self, result: ImportProgress) -> None:
        self.bar.hide()
        if result.status != "checked":
            return
        self.checked = result
        matches = result.duplicates
        if not matches:
            self.status.setText(
                self.tr(
                    "No duplicates: none of the {n} rows matches a contact you have, or "
                    "another row of the file. Click Import."
                ).format(n=f"{result.rows_read:,}")
            )
        else:
            default = self._wizard.list_page.duplicates.checkedButton().text()
            more = ""
            if len(matches) > self.MAX_SHOWN:
                more = self.tr(" The first {shown} are listed; for the others: {default}").format(
                    shown=f"{self.MAX_SHOWN:,}", default=default
                )
            self.status.setText(
                self.tr(
                    "{n} rows look like contacts you already have (same email, phone, or "
                    "name and company). Choose what to do with each, or for all of them, "
                    "then click Import.{more}"
                ).format(n=f"{len(matches):,}", more=more)
            )
            self._fill(matches[: self.MAX_SHOWN])
        self.completeChanged.emit()

    def _fill(self, matches: tuple[DuplicateMatch, ...]) -> None:
        default = self._wizard.list_page.duplicates.checkedButton().property("policy")
        reasons = {
            "email": self.tr("email"),
            "phone": self.tr("phone"),
            "name": self.tr("name and company"),
        }
        self.table.setRowCount(len(matches))
        for row, match in enumerate(matches):
            have = match.existing_label
            if match.earlier_row is not None:
                have = self.tr("{label} (row {row} of this file)").format(
                    label=have, row=match.earlier_row
                )
            values = (str(match.row), match.new_label, have, reasons.get(match.reason, ""))
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, col, item)
            combo = QComboBox()
            combo.addItem(self.tr("Merge"), DuplicatePolicy.MERGE.value)
            combo.addItem(self.tr("Skip"), DuplicatePolicy.SKIP.value)
            combo.addItem(self.tr("Import as new"), DuplicatePolicy.IMPORT.value)
            combo.setCurrentIndex(max(combo.findData(default), 0))
            self.table.setCellWidget(row, 4, combo)
            self._combos.append((match.row, combo))
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(3)
        self.table.resizeColumnToContents(4)
        self.table.show()
        self._show_all_buttons(True)

    def _on_failed(self, error: object) -> None:
        self.bar.hide()
        self.status.setText(
            message_for(error)[1]
            if isinstance(error, UserFacingError)
            else self.tr("The file could not be checked ({detail}).").format(detail=error)
        )

    def decide_all(self, policy: DuplicatePolicy) -> None:
        for _row, combo in self._combos:
            combo.setCurrentIndex(combo.findData(policy.value))

    def decisions(self) -> dict[int, DuplicatePolicy]:
        return {row: DuplicatePolicy(combo.currentData()) for row, combo in self._combos}


class RunPage(QWizardPage):
    """Runs the import with a progress bar and Cancel, then shows the report."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._task: IterTask | None = None
        self.result: ImportProgress | None = None
        self.setTitle(self.tr("Importing"))
        self.status = QLabel()
        self.status.setObjectName("importStatus")
        self.status.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.cancel_button = QPushButton(self.tr("Cancel import"))
        self.cancel_button.setObjectName("cancelImport")
        self.cancel_button.clicked.connect(self.cancel)
        # What reading the file changed or left unread, in sentences above the rows' table.
        self.notes = QLabel()
        self.notes.setObjectName("importNotes")
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes.setStyleSheet(
            "QLabel { color: #5c4300; background: #fff8e1; border: 1px solid #f0d48a;"
            " border-radius: 4px; padding: 8px; }"
        )
        self.notes.hide()
        self.problems = QTableWidget(0, 3)
        self.problems.setObjectName("importProblems")
        self.problems.setHorizontalHeaderLabels(
            [self.tr("Row"), self.tr("What to check"), self.tr("Value")]
        )
        self.problems.verticalHeader().setVisible(False)
        self.problems.horizontalHeader().setStretchLastSection(True)
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.hide()
        self.save_problems = QPushButton(self.tr("Save the rejected rows as CSV…"))
        self.save_problems.setToolTip(
            self.tr(
                "The rows that were not imported, with a Problem column: fix them in Excel "
                "and import the file again."
            )
        )
        self.save_problems.setObjectName("saveProblems")
        self.save_problems.clicked.connect(self._on_save_problems)
        self.save_problems.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.bar)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        layout.addWidget(self.notes)
        layout.addWidget(self.problems, 1)
        layout.addWidget(self.save_problems, 0, Qt.AlignmentFlag.AlignRight)

    def initializePage(self) -> None:
        request = self._wizard.request()
        imports = self._wizard.imports

        def steps(should_stop: Callable[[], bool]) -> Iterator[ImportProgress]:
            return imports.run_import(request, should_stop=should_stop)

        self.status.setText(self.tr("Reading {name}…").format(name=request.path.name))
        self._task = self._wizard.tasks.start(
            steps,
            on_progress=self._on_progress,
            on_finished=self._on_finished,
            on_failed=self._on_failed,
        )

    def cancel(self) -> None:
        if self._task is not None:
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("Cancelling… nothing from this import will be kept."))
            self._task.cancel()

    def isComplete(self) -> bool:
        return self.result is not None or self._failed

    def is_running(self) -> bool:
        return self._task is not None and self.result is None and not self._failed

    _failed = False

    def _on_progress(self, step: ImportProgress) -> None:
        if step.finished:
            return
        if step.fraction is not None:
            self.bar.setValue(int(step.fraction * 1000))
        left = ""
        if step.fraction and step.fraction > 0.02 and step.rows_per_s > 0:
            remaining = step.rows_read / step.fraction - step.rows_read
            left = self.tr(", about {s} s left").format(s=max(int(remaining / step.rows_per_s), 1))
        self.status.setText(
            self.tr("{n} rows read ({rate} rows a second{left})").format(
                n=f"{step.rows_read:,}", rate=f"{step.rows_per_s:,.0f}", left=left
            )
        )

    def _on_finished(self, result: ImportProgress) -> None:
        self.result = result
        self.cancel_button.hide()
        self.bar.setValue(1000)
        self.setTitle(self.tr("Import finished"))
        if result.status == "cancelled":
            self.setTitle(self.tr("Import cancelled"))
            self.status.setText(
                self.tr("The import was cancelled. Nothing from this file was saved.")
            )
        else:
            self.status.setText(
                self.tr(
                    "{read} rows read: {imported} new, {merged} merged into contacts you "
                    "had, {skipped} skipped, {rejected} not imported."
                ).format(
                    read=f"{result.rows_read:,}",
                    imported=f"{result.imported:,}",
                    merged=f"{result.merged:,}",
                    skipped=f"{result.skipped:,}",
                    rejected=f"{result.rejected:,}",
                )
                + (
                    " "
                    + self.tr(
                        "{n} of them are on your do-not-call list: they are flagged and will "
                        "never be offered for calls."
                    ).format(n=f"{result.do_not_call:,}")
                    if result.do_not_call
                    else ""
                )
            )
            self._show_notes(result.reading_notes())
            self._show_problems(result)
        self.completeChanged.emit()
        self._wizard.import_finished.emit(result)

    def _on_failed(self, error: object) -> None:
        self._failed = True
        self.cancel_button.hide()
        text = (
            message_for(error)[1]
            if isinstance(error, UserFacingError)
            else self.tr(
                "The import stopped on an unexpected problem ({detail}). Nothing from "
                "this file was saved."
            ).format(detail=error)
        )
        self.status.setText(text)
        self.completeChanged.emit()

    def _show_notes(self, notes: ReadingNotes) -> None:
        lines = self.reading_lines(notes)
        self.notes.setText("\n\n".join(lines))
        self.notes.setVisible(bool(lines))

    def reading_lines(self, notes: ReadingNotes) -> list[str]:
        """What reading the file changed or left unread, in plain words."""
        lines = []
        if notes.blank_run_stop is not None:
            lines.append(
                self.tr(
                    "Reading stopped at row {row}, where {n} blank rows in a row begin: nothing "
                    "below them was read. If your list goes on below them, delete the blank "
                    "rows and import again."
                ).format(row=f"{notes.blank_run_stop:,}", n=f"{BLANK_RUN_ROWS:,}")
            )
        count = notes.formulas_without_value
        if count:
            lines.append(
                (
                    self.tr("1 cell is a formula without a saved result and was read as empty")
                    if count == 1
                    else self.tr(
                        "{n} cells are formulas without a saved result and were read as empty"
                    ).format(n=f"{count:,}")
                )
                + self.tr(": open and save the file in Excel or LibreOffice, then import again.")
            )
        count = len(notes.cut_cells)
        if count:
            cells = [
                self.tr("row {row} ({column})").format(row=f"{row:,}", column=column)
                for row, column in notes.cut_cells[:5]
            ]
            listed = self._listed(cells, count, notes.cut_cells_at_least)
            limit = f"{MAX_CELL:,}"
            if count == 1:
                text = self.tr(
                    "1 cell was longer than a spreadsheet cell can hold ({limit} characters) "
                    "and was cut: {cells}."
                )
            elif notes.cut_cells_at_least:
                text = self.tr(
                    "At least {n} cells were longer than a spreadsheet cell can hold ({limit} "
                    "characters) and were cut: {cells}."
                )
            else:
                text = self.tr(
                    "{n} cells were longer than a spreadsheet cell can hold ({limit} "
                    "characters) and were cut: {cells}."
                )
            lines.append(text.format(n=f"{count:,}", limit=limit, cells=listed))
        count = len(notes.nul_rows)
        if count:
            rows = [f"{row:,}" for row in notes.nul_rows[:5]]
            listed = self._listed(rows, count, notes.nul_rows_at_least)
            if count == 1:
                text = self.tr("Invisible NUL characters were removed from row {rows}.")
            elif notes.nul_rows_at_least:
                text = self.tr(
                    "Invisible NUL characters were removed from at least {n} rows: {rows}."
                )
            else:
                text = self.tr("Invisible NUL characters were removed from {n} rows: {rows}.")
            lines.append(text.format(n=f"{count:,}", rows=listed))
        return lines

    def _listed(self, items: list[str], total: int, at_least: bool, shown: int = 5) -> str:
        """'a, b and c', or the first few and 'and 12 more' ('and at least 995 more')."""
        if total == 1:
            return items[0]
        if total <= shown:
            return self.tr("{items} and {last}").format(
                items=", ".join(items[:-1]), last=items[-1]
            )
        more = f"{total - shown:,}"
        return (
            self.tr("{items} and at least {n} more")
            if at_least
            else self.tr("{items} and {n} more")
        ).format(items=", ".join(items[:shown]), n=more)

    def _show_problems(self, result: ImportProgress) -> None:
        if not result.problems:
            return
        shown = result.problems[:5000]
        self.problems.setRowCount(len(shown))
        for row, problem in enumerate(shown):
            code = problem.code
            for col, value in enumerate(
                (str(problem.row or "—"), problem_text(code), problem_value(code, problem.detail))
            ):
                self.problems.setItem(row, col, QTableWidgetItem(value))
        self.problems.resizeColumnsToContents()
        self.problems.show()
        self.save_problems.setVisible(bool(result.rejected_rows))

    def _on_save_problems(self) -> None:
        if self.result is None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the rejected rows"), "rows-to-fix.csv", "CSV (*.csv)"
        )
        if not name:
            return
        describe = {code: problem_text(code) for code in PROBLEM_TEXTS}
        try:
            saved = self._wizard.imports.save_rejected_rows(self.result, Path(name), describe)
        except OSError as exc:
            self.status.setText(
                self.tr(
                    "The rows could not be saved ({detail}). If the file is open in Excel, "
                    "close it, or choose another name."
                ).format(detail=exc.strerror or exc)
            )
            return
        self.status.setText(
            self.tr("{n} rejected rows saved to {file}.").format(n=f"{saved:,}", file=name)
        )


PROBLEM_TEXTS = {
    "phone.invalid": "Phone number not valid (kept as typed)",
    "mobile.invalid": "Mobile number not valid (kept as typed)",
    "email.invalid": "Email address not valid (kept as typed)",
    "date.invalid": "Date not understood (not saved)",
    "date.ambiguous": "Date could be day/month or month/day: check it",
    "number.invalid": "Not a number (not saved)",
    "row.no_identity": "No name, company, email or phone: row not imported",
    "file.formulas_without_value": (
        "Formula cells without a saved result were read as empty: open and save the file in "
        "Excel or LibreOffice, then import again"
    ),
    "file.blank_run_stop": (
        "Reading stopped: a long run of blank rows begins here, and nothing below it was read"
    ),
    "cell.cut": "Text longer than a spreadsheet cell can hold (32,767 characters): cut",
    "row.nul_removed": "Invisible NUL characters removed",
}


def problem_text(code: str) -> str:
    return QWizard.tr(PROBLEM_TEXTS.get(code, code))


def problem_value(code: str, detail: str) -> str:
    """The Value column: the value itself, or what a reading note's detail stands for."""
    if code == "cell.cut":
        return QWizard.tr("column {name}").format(name=detail)
    if code == "file.blank_run_stop" and detail.isdigit():
        return QWizard.tr("row {row}").format(row=f"{int(detail):,}")
    if code == "file.formulas_without_value" and detail.isdigit():
        return QWizard.tr("{n} cells").format(n=f"{int(detail):,}")
    return detail
