"""The contact on the call screen: who, how to reach them, where they stand, what happened before.

Read at a glance by a rep with a headset on: the name large, the numbers as big targets, the
contact's own clock (nobody likes a call at lunch time), the stage in words with its meaning,
and the last calls and notes so nobody asks the same question twice.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtCore import QElapsedTimer, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.outcomes import CallOutcome
from prospector.domain.queue import QueueBand
from prospector.services.call_queue import ContactCard
from prospector.ui.labels import outcome_label, stage_definition, stage_label

HISTORY_LINES = 5
_LINK_STYLE = (
    "QPushButton#contactLink { background: #f4f8fd; border: 1px solid #b9cde6;"
    " border-radius: 6px; text-align: left; }"
    "QPushButton#contactLink:hover { background: #e6f0fb; border-color: #6d97c9; }"
)


_TIMER_IDLE = "font-size: 16pt; color: #8a96a3; font-family: monospace;"
_TIMER_RUNNING = "font-size: 16pt; color: #1d6b34; font-family: monospace;"


class ContactLinkButton(QPushButton):
    """A big click target: a small caption over the number or address itself."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactLink")
        self.setStyleSheet(_LINK_STYLE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space starts the call, not this button
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color: #5a6b7d; font-size: 8.5pt; background: transparent;")
        self.value = QLabel()
        self.value.setStyleSheet("color: #1d4f8a; font-size: 12.5pt; background: transparent;")
        for label in (self.caption, self.value):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 5, 12, 6)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_value(self, text: str) -> None:
        self.value.setText(text)
        self.setAccessibleName(f"{self.caption.text()} {text}")
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        # QPushButton measures its own text (empty here); the labels inside set the size.
        self.ensurePolished()
        return self.layout().sizeHint() + QSize(2, 2)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class CallCard(QFrame):
    """Shows one ContactCard; the page decides what a click on a number does."""

    link_activated = Signal(str, str)  # 'phone' | 'mobile' | 'email', the address to open

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callCard")
        self.setStyleSheet(
            "QFrame#callCard { background: #ffffff; border: 1px solid #dde3ea;"
            " border-radius: 6px; }"
            "QFrame#callCard QLabel { border: none; background: transparent; }"
        )
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the queue's keys work from here
        self.card: ContactCard | None = None
        self._elapsed = QElapsedTimer()
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._show_time)
        self._targets: dict[str, str] = {}
        self._links_shown: tuple[bool, ...] = ()
        self._build_ui()

    def _build_ui(self) -> None:
        self.band = QLabel()
        self.band.setObjectName("cardBand")
        self.band.setStyleSheet(
            "QLabel#cardBand { background: #fff4d6; color: #6b4e00; border-radius: 4px;"
            " padding: 2px 8px; }"
        )
        self.name = QLabel()
        self.name.setObjectName("cardName")
        self.name.setWordWrap(True)
        self.name.setStyleSheet("font-size: 20pt; font-weight: bold; color: #1f2d3d;")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.role = QLabel()
        self.role.setObjectName("cardRole")
        self.role.setWordWrap(True)
        self.role.setStyleSheet("font-size: 12pt; color: #3c4a59;")

        self.phone = ContactLinkButton(self.tr("Phone"))
        self.mobile = ContactLinkButton(self.tr("Mobile"))
        self.email = ContactLinkButton(self.tr("Email"))
        self.phone.clicked.connect(lambda: self._open("phone"))
        self.mobile.clicked.connect(lambda: self._open("mobile"))
        self.email.clicked.connect(lambda: self._open("email"))
        self.links = QGridLayout()
        self.links.setHorizontalSpacing(8)
        self.links.setVerticalSpacing(6)
        self.links.setColumnStretch(2, 1)

        self.facts = QLabel()
        self.facts.setObjectName("cardFacts")
        self.facts.setWordWrap(True)
        self.facts.setStyleSheet("color: #3c4a59;")
        self.stage = QLabel()
        self.stage.setObjectName("cardStage")
        self.stage.setWordWrap(True)
        self.stage.setStyleSheet("color: #3c4a59;")

        self.timer_label = QLabel("00:00")
        self.timer_label.setObjectName("callTimer")
        self.timer_label.setStyleSheet("font-size: 16pt; color: #8a96a3; font-family: monospace;")
        self.timer_hint = QLabel()
        self.timer_hint.setObjectName("callTimerHint")
        self.timer_hint.setStyleSheet("color: #5f6b78;")
        timer_row = QHBoxLayout()
        timer_row.addWidget(self.timer_label)
        timer_row.addSpacing(8)
        timer_row.addWidget(self.timer_hint, 1)

        self.note = QLineEdit()
        self.note.setObjectName("callNote")
        self.note.setPlaceholderText(self.tr("Note on this call (Tab to type, Enter when done)"))

        self.history = QLabel()
        self.history.setObjectName("cardHistory")
        self.history.setWordWrap(True)
        self.history.setTextFormat(Qt.TextFormat.RichText)
        self.history.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.history.setStyleSheet("color: #3c4a59;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)
        layout.addWidget(self.band, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.name)
        layout.addWidget(self.role)
        layout.addSpacing(4)
        layout.addLayout(self.links)
        layout.addSpacing(2)
        layout.addWidget(self.facts)
        layout.addWidget(self.stage)
        layout.addLayout(timer_row)
        layout.addWidget(self.note)
        layout.addWidget(self.history, 1)
        self.reset_timer()

    # -- showing a contact --------------------------------------------------------------------

    def show_card(self, card: ContactCard) -> None:
        self.card = card
        contact, fields = card.contact, card.contact.fields
        self.name.setText(contact.display_name or self.tr("(no name)"))
        role = " · ".join(p for p in (fields.title, fields.company) if p)
        self.role.setText(role)
        self.role.setVisible(bool(role))
        self._targets = {
            "phone": contact.phone_e164 or fields.phone or "",
            "mobile": contact.mobile_e164 or fields.mobile or "",
            "email": fields.email or "",
        }
        self.phone.set_value(fields.phone or contact.phone_e164 or "")
        self.mobile.set_value(fields.mobile or contact.mobile_e164 or "")
        self.email.set_value(fields.email or "")
        self._lay_out_links()

        self.band.setVisible(card.band == QueueBand.CALL_BACK_DUE or card.attempts > 0)
        if card.band == QueueBand.CALL_BACK_DUE:
            self.band.setText(self.tr("Asked to be called back — due now"))
        elif card.attempts == 1:
            self.band.setText(self.tr("Tried once before without reaching them"))
        else:
            self.band.setText(
                self.tr("Tried {count} times before without reaching them").format(
                    count=card.attempts
                )
            )
        self.facts.setText(self._facts(card))
        stage = fields.stage
        self.stage.setText(
            self.tr("Stage: <b>{stage}</b> — {definition}").format(
                stage=escape(stage_label(stage)), definition=escape(stage_definition(stage))
            )
        )
        self.stage.setToolTip(stage_definition(stage))
        self.history.setText(self._history(card))
        self.note.clear()
        self.reset_timer()

    def _lay_out_links(self) -> None:
        """Numbers side by side; the email beside them, or on its own row when both are there."""
        shown = tuple(bool(b.value.text()) for b in (self.phone, self.mobile, self.email))
        if shown == self._links_shown:
            return  # the same arrangement as the last contact's: nothing to move
        self._links_shown = shown
        for button in (self.phone, self.mobile, self.email):
            self.links.removeWidget(button)
        numbers = [b for b in (self.phone, self.mobile) if b.value.text()]
        for column, button in enumerate(numbers):
            self.links.addWidget(button, 0, column)
        if self.email.value.text() and len(numbers) < 2:
            self.links.addWidget(self.email, 0, len(numbers))
        elif self.email.value.text():
            self.links.addWidget(self.email, 1, 0, 1, 2, Qt.AlignmentFlag.AlignLeft)
        for button in (self.phone, self.mobile, self.email):
            button.setVisible(bool(button.value.text()))

    def _facts(self, card: ContactCard) -> str:
        parts = []
        if card.source_name:
            parts.append(self.tr("List: {name}").format(name=card.source_name))
        else:
            parts.append(self.tr("Added by hand"))
        if card.local_time is not None:
            parts.append(
                self.tr("Their time: {time}").format(time=card.local_time.strftime("%H:%M"))
            )
        place = ", ".join(p for p in (card.contact.fields.city, card.contact.fields.country) if p)
        if place:
            parts.append(place)
        return "   ·   ".join(parts)

    def _history(self, card: ContactCard) -> str:
        events: list[tuple[datetime, str]] = []
        for call in card.recent_calls:
            try:
                what = outcome_label(CallOutcome(call.outcome))
            except ValueError:
                what = call.outcome
            if call.duration_s:
                what += f" ({call.duration_s // 60}:{call.duration_s % 60:02d})"
            if call.note:
                what += f" — {call.note}"
            events.append((call.started_at, self.tr("Call: {what}").format(what=what)))
        for note in card.recent_notes:
            events.append((note.created_at, self.tr("Note: {text}").format(text=note.text)))
        if not events:
            return "<span style='color:#8a96a3;'>{}</span>".format(
                escape(self.tr("No calls or notes yet: this is the first call."))
            )
        events.sort(key=lambda e: e[0], reverse=True)
        lines = [
            "<tr><td style='color:#6b7785; padding-right:10px; white-space:nowrap;'>{when}</td>"
            "<td>{what}</td></tr>".format(
                when=escape(when.astimezone().strftime("%d %b %H:%M")), what=escape(what)
            )
            for when, what in events[:HISTORY_LINES]
        ]
        title = "<p style='margin:6px 0 2px 0; font-weight:bold;'>{}</p>".format(
            escape(self.tr("Earlier"))
        )
        return title + "<table cellspacing='0' cellpadding='1'>" + "".join(lines) + "</table>"

    def target(self, kind: str) -> str:
        """The number or address behind a link ('' when the contact has none)."""
        return self._targets.get(kind, "")

    def first_number(self) -> str | None:
        """'phone' or 'mobile', whichever the contact has first; None without a number."""
        for kind in ("phone", "mobile"):
            if self._targets.get(kind):
                return kind
        return None

    def _open(self, kind: str) -> None:
        self.link_activated.emit(kind, self._targets.get(kind, ""))

    # -- the call timer ---------------------------------------------------------------------------

    def start_timer(self) -> None:
        """Start timing the call (once: a second click on a number keeps the first start)."""
        if self._elapsed.isValid():
            return
        self._elapsed.start()
        self._tick.start()
        self.timer_label.setStyleSheet(_TIMER_RUNNING)
        self.timer_hint.setText(self.tr("On the call"))
        self._show_time()

    def elapsed_seconds(self) -> int:
        return int(self._elapsed.elapsed() // 1000) if self._elapsed.isValid() else 0

    def timer_running(self) -> bool:
        return self._elapsed.isValid()

    def reset_timer(self) -> None:
        self._elapsed.invalidate()
        self._tick.stop()
        self.timer_label.setText("00:00")
        if self.timer_label.styleSheet() != _TIMER_IDLE:  # restyling costs a repolish per card
            self.timer_label.setStyleSheet(_TIMER_IDLE)
        self.timer_hint.setText(self.tr("Space starts the call and its timer"))

    def _show_time(self) -> None:
        seconds = self.elapsed_seconds()
        self.timer_label.setText(f"{seconds // 60:02d}:{seconds % 60:02d}")
