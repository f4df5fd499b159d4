"""Settings page: how the call queue retries, what a click on a number opens, the home country.

The retry wait, the attempts and the country travel with the database (the whole office works
the same lists the same way); what opens a number is this computer's business (QSettings).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.regions import SUPPORTED_REGIONS

_HINT_STYLE = "color: #5f6b78;"
DIAL_SCHEMES = ("tel", "callto", "none")
MAX_RETRY_WAIT_HOURS = 24 * 14
MAX_ATTEMPTS = 30


@dataclass(frozen=True)
class CallingChoices:
    retry_wait_hours: float
    max_attempts: int
    dial_scheme: str
    default_country: str


def country_name(code: str) -> str:
    """'FR' -> 'France'; the code itself for a region Qt has no name for."""
    territory = QLocale.codeToTerritory(code)
    if territory == QLocale.Country.AnyTerritory:
        return code
    return QLocale.territoryToString(territory)


class CallingPage(QWidget):
    """A short form; each setting says in a line what it changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._baseline: CallingChoices | None = None
        self._build_ui()

    def _build_ui(self) -> None:
        self.retry_spin = QDoubleSpinBox()
        self.retry_spin.setObjectName("retryWaitHours")
        self.retry_spin.setRange(0.5, MAX_RETRY_WAIT_HOURS)
        self.retry_spin.setSingleStep(0.5)
        self.retry_spin.setDecimals(1)
        self.retry_spin.setSuffix(self.tr(" hours"))
        self.retry_spin.setMinimumWidth(120)

        self.attempts_spin = QSpinBox()
        self.attempts_spin.setObjectName("maxAttempts")
        self.attempts_spin.setRange(1, MAX_ATTEMPTS)
        self.attempts_spin.setSuffix(self.tr(" calls"))
        self.attempts_spin.setMinimumWidth(120)

        self.dial_combo = QComboBox()
        self.dial_combo.setObjectName("settingsDialScheme")
        for scheme, text in zip(
            DIAL_SCHEMES,
            (
                self.tr("Phone app (tel:)"),
                self.tr("Skype or softphone (callto:)"),
                self.tr("Nothing: I dial by hand"),
            ),
            strict=True,
        ):
            self.dial_combo.addItem(text, scheme)

        self.country_combo = QComboBox()
        self.country_combo.setObjectName("defaultCountry")
        self.country_combo.setMaxVisibleItems(20)
        for code in sorted(SUPPORTED_REGIONS, key=lambda c: country_name(c).casefold()):
            name = country_name(code)
            self.country_combo.addItem(f"{name} ({code})" if name != code else code, code)

        self.country_combo.setMinimumWidth(280)
        self.dial_combo.setMinimumWidth(280)
        form = QGridLayout()
        form.setVerticalSpacing(4)
        form.setHorizontalSpacing(14)
        form.setColumnStretch(1, 4)
        form.setColumnStretch(2, 1)  # keeps the explanations to a readable width
        self._add(
            form,
            self.tr("Try again after"),
            self.retry_spin,
            self.tr(
                "When nobody answers, the line is busy or voicemail picks up, the contact is "
                "offered again after this wait."
            ),
        )
        self._add(
            form,
            self.tr("Stop after"),
            self.attempts_spin,
            self.tr("Unanswered calls in a row before the contact leaves the queue."),
        )
        self._add(
            form,
            self.tr("Numbers open with"),
            self.dial_combo,
            self.tr(
                "What opens when you click a number or press Space on the call screen. "
                "This is set for this computer only."
            ),
        )
        self._add(
            form,
            self.tr("Home country"),
            self.country_combo,
            self.tr(
                "Phone numbers typed without a country code (like 06 12 34 56 78) are read as "
                "numbers of this country. Contacts with their own country keep theirs."
            ),
        )

        title = QLabel(self.tr("How the call queue works for this office"))
        title.setStyleSheet("font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addStretch(1)

        self.retry_spin.valueChanged.connect(lambda _v: self.changed.emit())
        self.attempts_spin.valueChanged.connect(lambda _v: self.changed.emit())
        self.dial_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.country_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())

    @staticmethod
    def _add(form: QGridLayout, label: str, field: QWidget, hint: str) -> None:
        """A field with its one-line explanation right under it."""
        row = form.rowCount()
        name = QLabel(label)
        name.setContentsMargins(0, 3, 0, 0)  # level with the text in the field
        words = QLabel(hint)
        words.setWordWrap(True)
        words.setStyleSheet(_HINT_STYLE)
        words.setContentsMargins(0, 0, 0, 14)
        form.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
        form.addWidget(field, row, 1, Qt.AlignmentFlag.AlignLeft)
        form.addWidget(words, row + 1, 1)

    # -- values -----------------------------------------------------------------------------------

    def load(self, choices: CallingChoices) -> None:
        self.retry_spin.setValue(choices.retry_wait_hours)
        self.attempts_spin.setValue(choices.max_attempts)
        self.dial_combo.setCurrentIndex(max(self.dial_combo.findData(choices.dial_scheme), 0))
        index = self.country_combo.findData(choices.default_country)
        self.country_combo.setCurrentIndex(max(index, 0))
        self._baseline = self.choices()

    def choices(self) -> CallingChoices:
        return CallingChoices(
            retry_wait_hours=self.retry_spin.value(),
            max_attempts=self.attempts_spin.value(),
            dial_scheme=str(self.dial_combo.currentData()),
            default_country=str(self.country_combo.currentData()),
        )

    def is_modified(self) -> bool:
        return self._baseline is not None and self.choices() != self._baseline
