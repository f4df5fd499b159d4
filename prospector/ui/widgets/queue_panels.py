"""The call queue's quiet states: how it works before starting, and the end of a list.

The end is calm on purpose: "you have worked through this list", how many were reached, and
what this session left for later (retries waiting, call-backs due, skipped contacts), so the
rep knows the list is not forgotten but simply waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from prospector.domain.clock import Clock
from prospector.domain.queue import ListProgress, Waiting
from prospector.domain.stages import ALL_STAGES
from prospector.ui.dialogs.call_back import to_qdatetime
from prospector.ui.labels import stage_definition, stage_label
from prospector.ui.widgets.key_button import key_cap


def panel_label(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(True)
    return label


def stage_legend_html(tr: Callable[[str], str]) -> str:
    """Every stage with its one-line definition, as a small calm table."""
    cell = "<td style='padding:1px 10px 1px 0; white-space:nowrap;'>"
    rows = "".join(
        f"<tr>{cell}<b>{escape(stage_label(stage))}</b></td>"
        f"<td style='padding:1px 0;'>{escape(stage_definition(stage))}</td></tr>"
        for stage in ALL_STAGES
    )
    title = "<p style='margin:0 0 3px 0; font-weight:bold;'>{}</p>".format(
        escape(tr("What the stages mean"))
    )
    return title + f"<table cellspacing='0'>{rows}</table>"


def _framed(box: QFrame, top: int) -> QWidget:
    """The box at the top left of an otherwise empty page, no wider than a line reads well."""
    box.setMaximumWidth(720)
    page = QWidget()
    outer = QHBoxLayout(page)
    outer.setContentsMargins(8, top, 8, 8)
    outer.addWidget(box, 1)
    outer.addStretch(0)  # takes what is left once the box is at its widest
    return page


class IntroPanel(QWidget):
    """Before starting: what the queue does, its keys, and what the stages mean."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = panel_label(self.tr("Work a list, one contact at a time"))
        title.setStyleSheet("font-size: 15pt; font-weight: bold; color: #1f2d3d;")
        how = panel_label(
            self.tr(
                "Choose a list above and press Enter. The queue offers one contact at a time "
                "in a fixed order: call-backs that are due first, then contacts never tried, "
                "then those to try again. Say what happened with one key and the next contact "
                "comes up. Skipped contacts come back a little later."
            )
        )
        how.setStyleSheet("font-size: 11pt; color: #3c4a59;")
        keys = QVBoxLayout()
        keys.setContentsMargins(0, 6, 0, 6)
        for key, words in (
            (self.tr("Space"), self.tr("start the call (opens the number) and its timer")),
            ("1 – 9", self.tr("what happened: no answer, busy, … talked")),
            (self.tr("D"), self.tr("do not call (asks first)")),
            (self.tr("S"), self.tr("skip for now, with a reason")),
            (self.tr("Ctrl+Z"), self.tr("undo the last outcome")),
        ):
            line = QHBoxLayout()
            cap = key_cap(key)
            cap.setMinimumWidth(64)
            line.addWidget(cap)
            line.addWidget(QLabel(words), 1)
            keys.addLayout(line)
        self.legend = panel_label(stage_legend_html(self.tr), "stageLegend")
        self.legend.setStyleSheet("color: #4a5766;")

        box = QFrame()
        box.setObjectName("queueIntro")
        inner = QVBoxLayout(box)
        inner.addWidget(title)
        inner.addWidget(how)
        inner.addLayout(keys)
        inner.addSpacing(8)
        inner.addWidget(self.legend)
        inner.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_framed(box, 16))


class DonePanel(QWidget):
    """Nothing more to offer now: the list's progress and what comes back later."""

    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self.title = panel_label(self.tr("You have worked through this list."), "doneTitle")
        self.title.setStyleSheet("font-size: 16pt; font-weight: bold; color: #2e5e3a;")
        self.text = panel_label("", "doneText")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setStyleSheet("font-size: 11pt; color: #3c4a59;")
        self.again_button = QPushButton(self.tr("Check again  (Enter)"))
        self.again_button.setObjectName("checkAgain")
        self.again_button.setToolTip(
            self.tr("Look for contacts that became due since: retries and call-backs")
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.again_button)
        buttons.addStretch(1)
        box = QFrame()
        box.setObjectName("queueDone")
        inner = QVBoxLayout(box)
        inner.addWidget(self.title)
        inner.addWidget(self.text)
        inner.addSpacing(6)
        inner.addLayout(buttons)
        inner.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_framed(box, 24))

    def show_summary(self, progress: ListProgress | None) -> None:
        """The list's progress and what the queue will bring back by itself, and when."""
        lines = []
        if progress is None:
            self.text.setText("<p>{}</p>".format(escape(self.tr("Counting the list…"))))
            return
        lines.append(
            escape(
                self.tr("{reached} of {total} reached.").format(
                    reached=progress.reached, total=progress.total
                )
            )
        )
        items = self._waiting_items(progress.waiting)
        if items:
            lines.append(escape(self.tr("Coming back later:")))
            lines.append("<ul style='margin-top:0;'>" + "".join(items) + "</ul>")
            lines.append(
                escape(
                    self.tr(
                        "The queue brings them back by itself when they are due; "
                        "press Enter to look again."
                    )
                )
            )
        else:
            lines.append(escape(self.tr("Nobody on this list is waiting to be called again.")))
        self.text.setText("<p>" + "</p><p>".join(lines) + "</p>")

    def _waiting_items(self, waiting: Waiting) -> list[str]:
        rows = (
            (
                waiting.call_backs,
                waiting.next_call_back,
                self.tr("{count} call-backs, the next on {when}"),
            ),
            (
                waiting.retries,
                waiting.next_retry,
                self.tr("{count} to try again after the retry wait, the first from {when}"),
            ),
            (
                waiting.skipped,
                waiting.next_back_from_skip,
                self.tr("{count} skipped, back from {when}"),
            ),
        )
        return [
            f"<li>{escape(text.format(count=count, when=self._when(when)))}</li>"
            for count, when, text in rows
            if count and when is not None
        ]

    def _when(self, moment: datetime) -> str:
        """A time today as '13:30', another day as 'Tue 17 Mar, 09:00' (the rep's time)."""
        today = self._clock().astimezone().date()
        fmt = "HH:mm" if moment.astimezone().date() == today else "ddd d MMM, HH:mm"
        return QLocale().toString(to_qdatetime(moment), fmt)
