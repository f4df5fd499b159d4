"""A contact's notes and history: type a note and it is saved as you type; the story below.

The note being typed is saved whenever the typing pauses (``AUTOSAVE_MS``), when the rep
switches contact, leaves the field, or the window closes: nothing typed is ever lost, and there
is no Save button to forget. A failed save keeps the text in the field and says why.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime
from html import escape

from PySide6.QtCore import QEvent, QObject, QTimer, QUrl, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.outcomes import CallOutcome
from prospector.domain.stages import Stage, Temperature
from prospector.domain.timeline import EntryKind, Timeline, TimelineEntry
from prospector.errors import UserFacingError
from prospector.services.notes import TIMELINE_PAGE, NoteService
from prospector.ui.errors import message_for
from prospector.ui.labels import outcome_label, stage_label, temperature_label

log = logging.getLogger(__name__)

AUTOSAVE_MS = 700
_MUTED = "#6b7785"


class ContactTimeline(QWidget):
    """The note field and the timeline of one contact."""

    notes_changed = Signal(int)  # contact id: a note was written, edited or deleted
    follow_up_requested = Signal(int)  # contact id

    def __init__(self, notes: NoteService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._notes = notes
        self._contact_id: int | None = None
        self._note_id: int | None = None  # the draft being typed, or the note being edited
        self._editing = False  # an existing, finished note (its changes are "edits")
        self._dirty = False
        self._loading = False
        self._limit = TIMELINE_PAGE
        self._build_ui()
        self.set_contact(None)

    def _build_ui(self) -> None:
        self.heading = QLabel(self.tr("New note"))
        self.heading.setObjectName("noteHeading")
        self.heading.setStyleSheet("font-weight: bold;")

        self.editor = QPlainTextEdit()
        self.editor.setObjectName("noteEditor")
        self.editor.setPlaceholderText(
            self.tr("Type a note… It is saved as you type: no need to press anything.")
        )
        self.editor.setTabChangesFocus(True)
        self.editor.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 14)
        self.editor.installEventFilter(self)

        self.status = QLabel()
        self.status.setObjectName("noteStatus")
        self.status.setStyleSheet(f"color: {_MUTED};")
        self.status.setWordWrap(True)
        self.done_button = QPushButton(self.tr("New note"))
        self.done_button.setObjectName("newNoteButton")
        self.done_button.setToolTip(
            self.tr("Keep this note as it is and start another one (the note is already saved)")
        )
        self.follow_up_button = QPushButton(self.tr("Follow up…"))
        self.follow_up_button.setObjectName("followUpButton")
        self.follow_up_button.setToolTip(
            self.tr("A reminder to call, email or send a card to this contact (Ctrl+R)")
        )
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.status, 1)
        row.addWidget(self.follow_up_button)
        row.addWidget(self.done_button)

        self.history = QTextBrowser()
        self.history.setObjectName("timeline")
        self.history.setOpenLinks(False)
        self.history.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.history.setStyleSheet("QTextBrowser { background: transparent; }")

        history_title = QLabel(self.tr("History"))
        history_title.setStyleSheet("font-weight: bold; margin-top: 8px;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.editor)
        layout.addLayout(row)
        layout.addWidget(history_title)
        layout.addWidget(self.history, 1)

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.save_now)
        self.editor.textChanged.connect(self._on_text_changed)
        self.done_button.clicked.connect(self.start_new_note)
        self.follow_up_button.clicked.connect(self._on_follow_up)
        self.history.anchorClicked.connect(self._on_link)

    # -- which contact ----------------------------------------------------------------------------

    def contact_id(self) -> int | None:
        return self._contact_id

    def set_contact(self, contact_id: int | None) -> None:
        """Show another contact (None: nobody); what was typed for the last one is saved first."""
        self.save_now()
        self._contact_id = contact_id
        self._limit = TIMELINE_PAGE
        self._reset_editor()
        self.editor.setEnabled(contact_id is not None)
        self.done_button.setEnabled(contact_id is not None)
        self.follow_up_button.setEnabled(contact_id is not None)
        self.refresh()

    def refresh(self) -> None:
        if self._contact_id is None:
            hint = escape(self.tr("Pick a contact to see its notes."))
            self.history.setHtml(f"<p style='color:{_MUTED};'>{hint}</p>")
            return
        try:
            timeline = self._notes.timeline(self._contact_id, self._limit)
        except UserFacingError as exc:
            self.history.setHtml(f"<p>{escape(message_for(exc)[1])}</p>")
            return
        scroll = self.history.verticalScrollBar().value()
        self.history.setHtml(self._render(timeline))
        self.history.verticalScrollBar().setValue(scroll)

    # -- the note being typed ---------------------------------------------------------------------

    def is_saved(self) -> bool:
        return not self._dirty

    def note_id(self) -> int | None:
        return self._note_id

    def save_now(self) -> bool:
        """Write what was typed, now; False (and the reason shown) when it could not be."""
        self._autosave.stop()
        if not self._dirty or self._contact_id is None:
            return True
        text = self.editor.toPlainText()
        try:
            if self._editing and self._note_id is not None:
                self._notes.edit(self._note_id, text)
            else:
                self._note_id = self._notes.save_draft(self._contact_id, self._note_id, text)
        except UserFacingError as exc:
            log.info("Note not saved: %s", exc)
            self.status.setText(
                self.tr("Not saved: {reason}").format(reason=message_for(exc)[1])
            )
            self.status.setStyleSheet("color: #b3261e;")
            return False
        self._dirty = False
        self.status.setStyleSheet(f"color: {_MUTED};")
        self.status.setText(
            self.tr("Saved at {time}").format(time=datetime.now().strftime("%H:%M"))
            if text.strip()
            else ""
        )
        self.notes_changed.emit(self._contact_id)
        self.refresh()
        return True

    def _on_follow_up(self) -> None:
        if self._contact_id is not None:
            self.save_now()
            self.follow_up_requested.emit(self._contact_id)

    def start_new_note(self) -> None:
        """Leave the current note as it is (it is saved) and start a blank one."""
        if self.save_now():
            self._reset_editor()
            self.editor.setFocus()

    def edit_note(self, note_id: int) -> None:
        if not self.save_now():
            return
        try:
            note = self._notes.get(note_id)
        except UserFacingError as exc:
            self.status.setText(message_for(exc)[1])
            self.refresh()
            return
        self._note_id, self._editing = note.id, True
        self._set_text(note.text)
        self.heading.setText(
            self.tr("Changing the note of {when}").format(when=_when(note.created_at))
        )
        self.done_button.setText(self.tr("Done"))
        self.status.setText(self.tr("Changes are saved as you type."))
        self.editor.setFocus()
        self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)

    def delete_note(self, note_id: int) -> None:
        answer = QMessageBox.question(
            self,
            self.tr("Delete note"),
            self.tr("Delete this note? This cannot be undone."),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        if note_id == self._note_id:
            self._autosave.stop()
            self._reset_editor()
        try:
            self._notes.delete(note_id)
        except UserFacingError as exc:
            self.status.setText(message_for(exc)[1])
        if self._contact_id is not None:
            self.notes_changed.emit(self._contact_id)
        self.refresh()

    def _reset_editor(self) -> None:
        self._note_id, self._editing, self._dirty = None, False, False
        self._set_text("")
        self.heading.setText(self.tr("New note"))
        self.done_button.setText(self.tr("New note"))
        self.status.setText("")

    def _set_text(self, text: str) -> None:
        self._loading = True
        try:
            self.editor.setPlainText(text)
        finally:
            self._loading = False

    def _on_text_changed(self) -> None:
        if self._loading:
            return
        self._dirty = True
        self._autosave.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor and event.type() == QEvent.Type.FocusOut:
            self.save_now()
        return super().eventFilter(watched, event)

    def hideEvent(self, event: QEvent) -> None:  # type: ignore[override]
        self.save_now()
        super().hideEvent(event)

    # -- the history ------------------------------------------------------------------------------

    def _on_link(self, url: QUrl) -> None:
        action, _, value = url.toString().partition(":")
        if action == "edit":
            self.edit_note(int(value))
        elif action == "delete":
            self.delete_note(int(value))
        elif action == "more":
            self._limit *= 4
            self.refresh()

    def _render(self, timeline: Timeline) -> str:
        rows = [self._row(entry) for entry in timeline.entries]
        if timeline.more:
            rows.append(
                "<tr><td></td><td><a href='more:'>{}</a></td></tr>".format(
                    escape(self.tr("Show older entries"))
                )
            )
        return "<table cellspacing='0' cellpadding='3' width='100%'>" + "".join(rows) + "</table>"

    def _row(self, entry: TimelineEntry) -> str:
        title, body, links = self._describe(entry)
        parts = [f"<b>{escape(title)}</b>"]
        if body:
            parts.append(escape(body).replace("\n", "<br>"))
        if links:
            parts.append(f"<span style='color:{_MUTED};'>{links}</span>")
        return (
            f"<tr><td style='color:{_MUTED}; white-space:nowrap; padding-right:8px;' "
            f"valign='top'>{escape(_when(entry.at))}</td>"
            f"<td valign='top'>{'<br>'.join(parts)}</td></tr>"
        )

    def _describe(self, entry: TimelineEntry) -> tuple[str, str, str]:
        """Title, text and links of one entry, in the rep's words."""
        if entry.kind == EntryKind.NOTE:
            links = "<a href='edit:{id}'>{edit}</a> · <a href='delete:{id}'>{delete}</a>".format(
                id=entry.ref_id, edit=escape(self.tr("Change")), delete=escape(self.tr("Delete"))
            )
            if entry.edited_at is not None:
                links = (
                    escape(self.tr("changed {when}").format(when=_when(entry.edited_at)))
                    + " · "
                    + links
                )
            return self.tr("Note"), entry.text or "", links
        if entry.kind == EntryKind.CALL:
            try:
                what = outcome_label(CallOutcome(entry.outcome))
            except ValueError:
                what = entry.outcome or ""
            title = self.tr("Call: {outcome}").format(outcome=what)
            if entry.duration_s:
                title += f" ({entry.duration_s // 60}:{entry.duration_s % 60:02d})"
            return title, entry.text or "", ""
        if entry.kind == EntryKind.QUALIFICATION:
            facts = [_stage(entry.new_stage)]
            if entry.fit_grade:
                facts.append(self.tr("grade {grade}").format(grade=entry.fit_grade))
            if entry.temperature:
                with contextlib.suppress(ValueError):
                    facts.append(temperature_label(Temperature(entry.temperature)))
            title = self.tr("Questionnaire: {result}").format(result=", ".join(facts))
            return title, entry.text or "", ""
        if entry.kind == EntryKind.STAGE:
            return (
                self.tr("Stage: {old} → {new}").format(
                    old=_stage(entry.old_stage), new=_stage(entry.new_stage)
                ),
                "",
                "",
            )
        if entry.source_name:
            return self.tr("Added from the list “{name}”").format(name=entry.source_name), "", ""
        return self.tr("Added by hand"), "", ""


def _stage(value: str | None) -> str:
    try:
        return stage_label(Stage(value))
    except ValueError:
        return value or ""


def _when(at: datetime) -> str:
    """Local time, with the year only when it is not this year's."""
    local = at.astimezone()
    if local.year == datetime.now().year:
        return local.strftime("%d %b %H:%M")
    return local.strftime("%d %b %Y %H:%M")


__all__ = ["AUTOSAVE_MS", "ContactTimeline"]
