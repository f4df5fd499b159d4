"""The Call queue page: work a list one contact at a time, with the keyboard alone.

The queue decides who is next (prospector.domain.queue), not the rep: there is no list to pick
from here, only the contact on screen, a Skip that asks why, and the outcome keys. Every action
is one service call on the UI thread (each is a single small transaction, and keys must be
answered in the order they were pressed); only the list's progress, a count over the whole
list, is worked out in the background.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from html import escape

from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.clock import Clock, system_clock
from prospector.errors import UserFacingError
from prospector.services.call_queue import (
    CallOutcome,
    CallQueueService,
    ContactCard,
    ListProgress,
    LoggedCall,
    QueuePolicy,
    Skipped,
)
from prospector.services.sources import SourceService
from prospector.ui.dialogs.call_back import CallBackDialog
from prospector.ui.dialogs.keep_on_list import KeepOnListDialog
from prospector.ui.dialogs.script_editor import ScriptEditorDialog
from prospector.ui.dialogs.skip import SkipDialog
from prospector.ui.errors import show_error
from prospector.ui.labels import outcome_label
from prospector.ui.tasks import TaskRunner
from prospector.ui.widgets.call_card import CallCard
from prospector.ui.widgets.list_chooser import ListChooser
from prospector.ui.widgets.outcome_pad import SKIP, OutcomePad
from prospector.ui.widgets.questionnaire_panel import QuestionnairePanel
from prospector.ui.widgets.queue_panels import (
    DonePanel,
    IntroPanel,
    panel_label,
    stage_legend_html,
)
from prospector.ui.widgets.script_panel import ScriptPanel

log = logging.getLogger(__name__)

DIAL_SCHEME_KEY = "call_queue/dial_scheme"
UNDO_DEPTH = 20


class State(Enum):
    CHOOSING = "choosing"  # a list to pick, Start
    WORKING = "working"  # a contact on screen, outcome keys live
    TALKING = "talking"  # the questionnaire is open for the contact on screen
    DONE = "done"  # nothing more to offer now


@dataclass(frozen=True)
class UndoEntry:
    done: LoggedCall | Skipped  # an outcome logged, or a skip
    name: str


class CallQueuePage(QWidget):
    """List chooser and progress on top; the contact, its outcomes and its script below."""

    def __init__(
        self,
        queue: CallQueueService,
        sources: SourceService,
        tasks: TaskRunner,
        settings: QSettings,
        clock: Clock = system_clock,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._queue = queue
        self._sources = sources
        self._tasks = tasks
        self._settings = settings
        self._clock = clock
        self.state = State.CHOOSING
        self.card_data: ContactCard | None = None
        self._policy = QueuePolicy()
        self._undo: list[UndoEntry] = []
        self._call_started_at: datetime | None = None  # when the timer started, by the clock
        self._build_ui()
        self._build_shortcuts()
        self._connect_signals()
        self._set_state(State.CHOOSING)

    # -- building ---------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.chooser = ListChooser(self._queue, self._sources, self._tasks, self._settings)
        self.chooser.setObjectName("listChooser")

        self.body = QStackedWidget()
        self.intro = IntroPanel()
        self.done = DonePanel(self._clock)
        self.body.addWidget(self.intro)
        self.body.addWidget(self._build_work())
        self.body.addWidget(self.done)

        self.status = QLabel()
        self.status.setObjectName("queueStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.status.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 12)
        self.status.setStyleSheet(
            "QLabel#queueStatus { background: #f3f6f9; border: 1px solid #e1e6ec;"
            " border-radius: 5px; padding: 4px 10px; color: #2c3a48; }"
            'QLabel#queueStatus[empty="true"] { background: transparent; border: none; }'
        )
        self.status.setProperty("empty", True)
        self.dial_combo = QComboBox()
        self.dial_combo.setObjectName("dialScheme")
        self.dial_combo.addItem(self.tr("Phone app (tel:)"), "tel")
        self.dial_combo.addItem(self.tr("Skype or softphone (callto:)"), "callto")
        self.dial_combo.addItem(self.tr("Nothing: I dial by hand"), "none")
        self.dial_combo.setToolTip(self.tr("What opens when you click a number or press Space"))
        self.dial_combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        scheme = str(self._settings.value(DIAL_SCHEME_KEY, "tel"))
        self.dial_combo.setCurrentIndex(max(self.dial_combo.findData(scheme), 0))
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addSpacing(12)
        numbers = QLabel(self.tr("Numbers open with:"))
        numbers.setStyleSheet("color: #5f6b78;")
        bottom.addWidget(numbers)
        bottom.addWidget(self.dial_combo)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(8)
        layout.addWidget(self.chooser)
        layout.addWidget(self.body, 1)
        layout.addLayout(bottom)

    def _build_work(self) -> QWidget:
        self.card = CallCard()
        self.outcomes = OutcomePad()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(10)
        left_layout.addWidget(self.card, 1)
        left_layout.addWidget(self.outcomes)

        self.questionnaire = QuestionnairePanel()
        self.questionnaire.setMinimumWidth(340)
        self.questionnaire.hide()

        self.script = ScriptPanel()
        self.legend = panel_label(stage_legend_html(self.tr), "stageLegendSmall")
        self.legend.setStyleSheet("color: #5f6b78; font-size: 8.5pt;")
        self.legend.setContentsMargins(12, 0, 0, 0)  # in line with the script's text above
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(8)
        right_layout.addWidget(self.script, 1)
        right_layout.addWidget(self.legend)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("queueSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.questionnaire)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setStretchFactor(2, 4)
        right.setMinimumWidth(200)
        return self.splitter

    def _build_shortcuts(self) -> None:
        """Single keys for the flow; Qt does not fire them while a text field takes the key."""
        self._work_shortcuts: list[QShortcut] = []
        for key, value in self.outcomes.keys().items():
            self._work_shortcuts.append(self._shortcut(key, lambda v=value: self.choose(v)))
        self._work_shortcuts.append(self._shortcut("Space", self.start_call))
        self._enter_shortcuts = [self._shortcut(key, self._on_enter) for key in ("Return", "Enter")]
        self._shortcut("Ctrl+Z", self.undo_last)

    def _shortcut(self, key: str, slot: Callable[[], object]) -> QShortcut:
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.setAutoRepeat(False)  # a held key must not log a row of outcomes
        shortcut.activated.connect(slot)
        return shortcut

    def _connect_signals(self) -> None:
        self.chooser.start_button.clicked.connect(self.start)
        self.chooser.list_changed.connect(self._on_list_changed)
        self.chooser.progress_changed.connect(self._on_progress)
        self.done.again_button.clicked.connect(self.advance)
        self.outcomes.chosen.connect(self.choose)
        self.card.link_activated.connect(self._on_link)
        self.card.note.returnPressed.connect(lambda: self.card.setFocus())
        self.script.edit_requested.connect(self.edit_script)
        self.questionnaire.save_requested.connect(self.save_questionnaire)
        self.questionnaire.dismiss_requested.connect(self.dismiss_questionnaire)
        self.dial_combo.currentIndexChanged.connect(
            lambda _i: self._settings.setValue(DIAL_SCHEME_KEY, self.dial_combo.currentData())
        )

    # -- lists and progress ------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.chooser.reload()
        self.chooser.refresh_progress()

    def source_id(self) -> int | None:
        return self.chooser.source_id()

    def _on_list_changed(self) -> None:
        if self.state != State.TALKING:
            self.card_data = None
            self._set_state(State.CHOOSING)
            self.chooser.combo.setFocus()

    def reset(self) -> None:
        """Forget the contact on screen and what Ctrl+Z would take back, and go back to choosing
        a list: the data underneath was replaced (a backup was restored)."""
        self._undo.clear()
        self.card_data = None
        self._say("")
        self.chooser.reload()
        self._set_state(State.CHOOSING)

    def _on_progress(self, _progress: ListProgress) -> None:
        if self.state == State.DONE:
            self._show_done()

    # -- the flow ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Start (or go on with) the chosen list at the contact the queue offers now."""
        self._policy = self._queue.policy()
        self._say("")
        self.advance()

    def advance(self) -> None:
        """Show the next contact the queue offers, or the calm 'done' state."""
        card = self._queue.next_card(self.source_id())
        if card is None:
            self.card_data = None
            self._set_state(State.DONE)
        else:
            self.show_card(card)
        self.chooser.refresh_progress()

    def recheck_card(self) -> None:
        """After contacts changed elsewhere (a do-not-call file): move on if this one may no
        longer be called. A conversation in progress is left alone."""
        if self.state == State.WORKING:
            self.advance()
        else:
            self.chooser.refresh_progress()

    def show_card(self, card: ContactCard) -> None:
        self.card_data = card
        self._call_started_at = None
        self.card.show_card(card)
        self._show_script(card)
        self._set_state(State.WORKING)

    def _show_script(self, card: ContactCard) -> None:
        script = self._queue.script(card.contact.fields.source_id)
        self.script.show_script(script.filled(card.contact, self.tr("your company")))

    def _set_state(self, state: State) -> None:
        self.state = state
        pages = {State.CHOOSING: 0, State.WORKING: 1, State.TALKING: 1, State.DONE: 2}
        self.body.setCurrentIndex(pages[state])
        for shortcut in self._work_shortcuts:
            shortcut.setEnabled(state == State.WORKING)
        for shortcut in self._enter_shortcuts:
            shortcut.setEnabled(state in (State.CHOOSING, State.DONE))
        self.chooser.start_button.setVisible(state == State.CHOOSING)
        self.chooser.combo.setEnabled(state != State.TALKING)
        self.outcomes.setEnabled(state == State.WORKING)
        self._arrange_columns(talking=state == State.TALKING)
        if state == State.WORKING:
            self.card.setFocus(Qt.FocusReason.OtherFocusReason)
        elif state == State.TALKING:
            self.questionnaire.focus_first()
        elif state == State.DONE:
            self._show_done()
            self.done.again_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _arrange_columns(self, *, talking: bool) -> None:
        """While talking, the questions take the middle and the outcome keys step aside."""
        if talking == self.questionnaire.isVisible():
            return
        self.outcomes.setVisible(not talking)
        self.legend.setVisible(not talking)
        self.questionnaire.setVisible(talking)
        total = sum(self.splitter.sizes()) or self.splitter.width()
        if talking:  # the card as narrow as it can be, the script a quarter, the questions the rest
            card = self.splitter.widget(0).minimumSizeHint().width()
            script = max(int(total * 0.25), self.splitter.widget(2).minimumWidth())
            self.splitter.setSizes([card, max(total - card - script, 0), script])
        else:
            self.splitter.setSizes([int(total * 0.56), 0, int(total * 0.44)])

    def _on_enter(self) -> None:
        if self.state == State.CHOOSING:
            self.start()
        elif self.state == State.DONE:
            self.advance()

    def _name(self) -> str:
        if self.card_data is None:
            return ""
        return self.card_data.contact.display_name or self.tr("this contact")

    # -- calling ----------------------------------------------------------------------------------

    def start_call(self) -> None:
        """Space: dial the contact's first number and start the timer."""
        kind = self.card.first_number()
        if kind is None:
            self._start_timer()
            self._say(
                self.tr("{name} has no phone number on file.").format(name=escape(self._name()))
            )
            return
        self._on_link(kind, self.card.target(kind))

    def _start_timer(self) -> None:
        if not self.card.timer_running():
            self._call_started_at = self._clock()
        self.card.start_timer()

    def dial_scheme(self) -> str:
        return str(self.dial_combo.currentData())

    def _on_link(self, kind: str, target: str) -> None:
        if not target:
            return
        if kind == "email":
            QDesktopServices.openUrl(QUrl(f"mailto:{target}"))
            return
        self._start_timer()
        scheme = self.dial_scheme()
        if scheme != "none":
            number = "".join(c for c in target if c.isdigit() or c == "+")
            QDesktopServices.openUrl(QUrl(f"{scheme}:{number}"))

    # -- outcomes ---------------------------------------------------------------------------------

    def choose(self, value: str) -> None:
        """An outcome key or button: ask what the outcome needs, then log it and move on."""
        if self.state != State.WORKING or self.card_data is None:
            return
        if value == SKIP:
            self._ask_skip()
            return
        outcome = CallOutcome(value)
        if outcome == CallOutcome.CALL_BACK:
            dialog = CallBackDialog(self._name(), self._clock, self)
            self._open(dialog, lambda: self.log(outcome, call_back_at=dialog.when()))
        elif outcome == CallOutcome.NOT_INTERESTED:
            keep = KeepOnListDialog(self._name(), self._clock, self)
            self._open(
                keep,
                lambda: self.log(
                    outcome,
                    keep_on_list=keep.keep_on_list(),
                    nurture_until=keep.nurture_until(),
                ),
            )
        elif outcome == CallOutcome.DO_NOT_CALL:
            self._confirm_do_not_call()
        elif outcome == CallOutcome.TALKED:
            self.open_questionnaire()
        else:
            self.log(outcome)

    def _open(self, dialog: QDialog, on_accepted: Callable[[], object]) -> None:
        """Open a small dialog without a nested event loop; act when it is accepted."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(on_accepted)
        dialog.rejected.connect(lambda: self.card.setFocus())
        dialog.open()

    def _confirm_do_not_call(self) -> None:
        box = QMessageBox(self)
        box.setObjectName("confirmDoNotCall")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Do not call"))
        box.setText(
            self.tr("Put {name} on the do-not-call list? They will never be offered again.").format(
                name=self._name()
            )
        )
        yes = box.addButton(self.tr("&Yes, never call again"), QMessageBox.ButtonRole.YesRole)
        no = box.addButton(self.tr("&No"), QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def finished(_result: int) -> None:
            if box.clickedButton() is yes:
                self.log(CallOutcome.DO_NOT_CALL)
            else:
                self.card.setFocus()

        box.finished.connect(finished)
        box.open()

    def log(self, outcome: CallOutcome, **answers: object) -> None:
        """Log the outcome for the contact on screen, remember it for Ctrl+Z, move on."""
        logged = self._log(outcome, **answers)
        if logged is None:
            return
        self._say(
            self.tr("Logged: {outcome} for {name}.").format(
                outcome=escape(outcome_label(outcome)), name=escape(self._name())
            )
            + self._undo_hint()
        )
        self.advance()

    def _log(self, outcome: CallOutcome, **answers: object) -> LoggedCall | None:
        card = self.card_data
        assert card is not None
        note = self.card.note.text().strip() or None
        try:
            logged = self._queue.log_outcome(
                card.contact.id,
                outcome,
                started_at=self._call_started_at,
                duration_s=self.card.elapsed_seconds(),
                note=note,
                **answers,  # type: ignore[arg-type]
            )
        except UserFacingError as error:
            show_error(self, error)
            self.advance()  # the contact may be gone; the queue knows what is next
            return None
        self._push_undo(UndoEntry(logged, self._name()))
        return logged

    def _push_undo(self, entry: UndoEntry) -> None:
        self._undo.append(entry)
        del self._undo[:-UNDO_DEPTH]

    def _undo_hint(self) -> str:
        return f" <span style='color:#6b7785;'>{escape(self.tr('Ctrl+Z to undo.'))}</span>"

    def _ask_skip(self) -> None:
        dialog = SkipDialog(self._name(), self)
        self._open(dialog, lambda: self.skip(dialog.reason_text()))

    def skip(self, reason: str) -> None:
        card = self.card_data
        assert card is not None
        try:
            skipped = self._queue.skip(card.contact.id, reason)
        except UserFacingError as error:
            show_error(self, error)
            self.advance()  # the contact may be gone; the queue knows what is next
            return
        self._push_undo(UndoEntry(skipped, self._name()))
        self._say(
            self.tr("Skipped {name} ({reason}). They come back later.").format(
                name=escape(self._name()), reason=escape(reason)
            )
            + self._undo_hint()
        )
        self.advance()

    # -- undo -------------------------------------------------------------------------------------

    def undo_last(self) -> None:
        """Ctrl+Z: close an open questionnaire, else take back the last logged outcome."""
        if self.state == State.TALKING:
            self._set_state(State.WORKING)
            self._say(
                self.tr("Questions closed. Nothing was logged for {name}.").format(
                    name=escape(self._name())
                )
            )
            return
        if not self._undo:
            self._say(self.tr("Nothing to undo."))
            return
        entry = self._undo.pop()
        done = entry.done
        try:
            if isinstance(done, Skipped):
                self._queue.undo_skip(done)
            else:
                self._queue.undo(done)
            card = self._queue.card(done.contact_id)
        except UserFacingError as error:
            show_error(self, error)
            self.advance()
            return
        self.show_card(card)
        self.chooser.refresh_progress()
        if isinstance(done, Skipped):
            text = self.tr("Skip undone: {name} is back. Choose an outcome.")
        else:
            text = self.tr("Undone: {outcome} for {name}. Choose again.")
        outcome = "" if isinstance(done, Skipped) else outcome_label(done.outcome)
        self._say(text.format(outcome=escape(outcome), name=escape(entry.name)))

    # -- the questionnaire ------------------------------------------------------------------------

    def open_questionnaire(self) -> None:
        """Talked: the questions open beside the script; the call is logged when saved."""
        self.questionnaire.start(self._queue.questionnaire(), self._name())
        self._set_state(State.TALKING)

    def save_questionnaire(self) -> None:
        if self.state != State.TALKING or self.card_data is None:
            return
        card = self.card_data
        logged = self._log(CallOutcome.TALKED)
        if logged is None:
            return
        try:
            result = self._queue.qualify(
                card.contact.id,
                self.questionnaire.answers(),
                notes=self.questionnaire.notes(),
                engagement=self.questionnaire.engagement(),
                logged=logged,
                asked=self.questionnaire.questionnaire,
            )
        except UserFacingError as error:
            self._queue.undo(logged)  # the talk and its answers are saved together or not at all
            self._undo.pop()
            show_error(self, error)
            return
        summary = self.questionnaire.summary_html(result, self._name())
        self._say(summary + self._undo_hint(), self.questionnaire.summary_tip(result))
        self.advance()

    def dismiss_questionnaire(self) -> None:
        """Log the conversation without answers (the rep will qualify another time)."""
        if self.state == State.TALKING:
            self.log(CallOutcome.TALKED)

    def _show_done(self) -> None:
        self.done.show_summary(self.chooser.progress)

    # -- the script -------------------------------------------------------------------------------

    def edit_script(self) -> None:
        card = self.card_data
        source_id = card.contact.fields.source_id if card else self.source_id()
        name = (card.source_name if card else None) or self.tr("contacts without a list")
        dialog = ScriptEditorDialog(self._queue.script(source_id), name, self)

        def save() -> None:
            self._queue.save_script(source_id, dialog.script())
            if self.card_data is not None:
                self._show_script(self.card_data)
            self._say(self.tr("Script saved for {name}.").format(name=escape(name)))

        self._open(dialog, save)

    # -- leaving ----------------------------------------------------------------------------------

    def may_leave(self) -> bool:
        """Before the window closes: answers typed for a conversation are not dropped silently."""
        if self.state != State.TALKING:
            return True
        answer = QMessageBox.question(
            self,
            self.tr("Unsaved answers"),
            self.tr("Save the conversation with {name} and its answers first?").format(
                name=self._name()
            ),
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            self.save_questionnaire()
            return self.state != State.TALKING
        return answer == QMessageBox.StandardButton.Discard

    def _say(self, html: str, tip: str = "") -> None:
        self.status.setText(html)
        self.status.setToolTip(tip)
        if self.status.property("empty") != (not html):
            self.status.setProperty("empty", not html)
            self.status.style().unpolish(self.status)
            self.status.style().polish(self.status)
        log.debug("Call queue: %s", html)

    # -- settings ---------------------------------------------------------------------------------

    def apply_settings(self) -> None:
        """After Settings were saved: new stage names, policy, dial choice and questions show.

        Questions open in a conversation stay as they are, so nothing the rep typed is lost,
        and their answers are judged and filed by that version (``save_questionnaire`` passes
        it); the next conversation gets the new ones (``open_questionnaire`` reads them).
        The card on screen is redrawn only before the call starts, so its note and timer stay.
        """
        self._policy = self._queue.policy()
        scheme = str(self._settings.value(DIAL_SCHEME_KEY, "tel"))
        self.dial_combo.setCurrentIndex(max(self.dial_combo.findData(scheme), 0))
        self.intro.legend.setText(stage_legend_html(self.tr))
        self.legend.setText(stage_legend_html(self.tr))
        card = self.card_data
        if (
            self.state == State.WORKING
            and card is not None
            and not self.card.timer_running()
            and not self.card.note.text()
        ):
            self.card.show_card(card)
        if self.state == State.TALKING:
            self._say(
                self.tr("Settings saved. The new questions apply from the next conversation.")
            )
