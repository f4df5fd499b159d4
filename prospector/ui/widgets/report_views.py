"""The four reports as widgets: each takes the service's figures and only draws them.

Funnel (contacts → called → reached → prospects → customers), Lists (each list's quality and
cost, a chart beside a sortable table), Activity (calls per day or week, outcomes, talk time,
follow-ups) and Pipeline (temperature and engagement score of leads and prospects).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from prospector.domain.outcomes import CallOutcome
from prospector.domain.stages import Stage, Temperature
from prospector.services.reports import (
    Activity,
    FunnelStep,
    Lists,
    Money,
    Pipeline,
    SourceQuality,
)
from prospector.ui.labels import outcome_label, stage_label, temperature_label
from prospector.ui.widgets.report_charts import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    LIGHT_BLUE,
    NAVY,
    RED,
    BarChart,
    Chart,
    FunnelChart,
    FunnelRow,
    Series,
)
from prospector.ui.widgets.report_format import (
    bar_tooltip,
    count_text,
    day_text,
    decimal_text,
    duration_text,
    grade_explanation,
    grade_text,
    money_text,
    percent_text,
    tr,
    whole_percent_text,
)

log = logging.getLogger(__name__)

TEMPERATURE_COLORS = {Temperature.HOT: RED, Temperature.WARM: AMBER, Temperature.COLD: BLUE}


class ChartFrame(QFrame):
    """A chart with its "Save picture…" button."""

    def __init__(self, chart: Chart, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = chart
        self.setObjectName("chartFrame")
        self.setStyleSheet(
            "QFrame#chartFrame { background: white; border: 1px solid #e4e7ec;"
            " border-radius: 6px; }"
        )
        self.save_button = QToolButton()
        self.save_button.setObjectName("saveChart")
        self.save_button.setText(tr("Save picture…"))
        self.save_button.setToolTip(tr("Save this chart as a PNG picture"))
        self.save_button.setAutoRaise(True)
        self.save_button.clicked.connect(self._on_save)
        self.save_button.setEnabled(False)  # nothing drawn yet
        chart.data_changed.connect(lambda: self.save_button.setEnabled(chart.has_data()))
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addStretch(1)
        top.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 4)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(chart, 1)

    def save_png(self, path: Path) -> bool:
        """Save the chart as drawn now, at twice its screen size (sharp when printed)."""
        return self.chart.image().save(str(path), "PNG")

    def _on_save(self) -> None:
        name = (self.chart.title() or tr("chart")).replace("/", "-") + ".png"
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Save chart as picture"), name, tr("PNG pictures (*.png)")
        )
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        if not self.save_png(Path(path)):
            QMessageBox.warning(
                self,
                tr("Picture not saved"),
                tr(
                    "The picture could not be saved as {name}. Choose another folder, such as "
                    "your Documents folder."
                ).format(name=Path(path).name),
            )


_VALUE = "font-size: 15pt; font-weight: bold; color: #1a3d6e;"
_EMPTY_VALUE = "font-size: 11pt; color: #667085; padding: 3px 0;"


class Tile(QFrame):
    """One headline figure: a caption, the figure, and what it means on hover."""

    def __init__(self, caption: str, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportTile")
        self.setStyleSheet(
            "QFrame#reportTile { background: #f3f5f8; border-radius: 6px; }"
            "QLabel { background: transparent; }"
        )
        self.setToolTip(hint)
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color: #556;")
        self.caption.setWordWrap(True)  # a narrow window: captions wrap, figures stay whole
        self.value = QLabel("–")
        self.value.setObjectName("tileValue")
        self.value.setStyleSheet(_VALUE)
        self.note = QLabel("")
        self.note.setStyleSheet("color: #667085;")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(1)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.note)

    def set(self, value: str, note: str = "", *, empty: bool = False) -> None:
        """Show a figure; ``empty``: words saying there is none yet, in a quieter style."""
        self.value.setText(value)
        self.value.setStyleSheet(_EMPTY_VALUE if empty else _VALUE)
        self.note.setText(note)


def _tiles_row(tiles: list[Tile]) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(8)
    for tile in tiles:
        row.addWidget(tile, 1)
    return row


def _explanation(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #556;")
    return label


# -- funnel ----------------------------------------------------------------------------------------


def funnel_label(step: FunnelStep) -> str:
    return {
        FunnelStep.CONTACTS: tr("On the list"),
        FunnelStep.CALLED: tr("Called"),
        FunnelStep.REACHED: tr("Reached"),
        FunnelStep.PROSPECTS: stage_label(Stage.PROSPECT),
        FunnelStep.CUSTOMERS: stage_label(Stage.CUSTOMER),
    }[step]


def funnel_definition(step: FunnelStep) -> str:
    return {
        FunnelStep.CONTACTS: tr("Contacts added in the period (imported or typed in)."),
        FunnelStep.CALLED: tr("Contacts called at least once, or moved on by hand."),
        FunnelStep.REACHED: tr(
            "A real person answered: not a voicemail, a busy line or a receptionist."
        ),
        FunnelStep.PROSPECTS: tr(
            "Qualified: in the target market, can afford it, can decide, has a need "
            "(customers included: every customer was a prospect first)."
        ),
        FunnelStep.CUSTOMERS: tr("Bought once or more."),
    }[step]


def funnel_note(step: FunnelStep, share: float | None) -> str:
    if step == FunnelStep.CONTACTS or share is None:
        return ""
    template = {
        FunnelStep.CALLED: tr("{share} of the list"),
        FunnelStep.REACHED: tr("{share} of those called"),
        FunnelStep.PROSPECTS: tr("{share} of those reached"),
        FunnelStep.CUSTOMERS: tr("{share} of the prospects"),
    }[step]
    return template.format(share=percent_text(share))


class FunnelView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = FunnelChart(tr("From list to customer"))
        self.chart.setObjectName("funnelChart")
        self.chart.empty_text = tr(
            "No contacts were added in this period: the funnel follows the contacts added in "
            'it. Choose "All time" to see every contact, or import a list.'
        )
        self.frame = ChartFrame(self.chart)
        self.junk = QLabel()
        self.junk.setObjectName("funnelJunk")
        self.junk.setWordWrap(True)
        definitions = "<br>".join(
            f"<b>{funnel_label(step)}</b>: {funnel_definition(step)}" for step in FunnelStep
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.frame, 1)
        layout.addWidget(self.junk)
        layout.addWidget(_explanation(definitions))

    def set_data(self, lists: Lists) -> None:
        rows = [
            FunnelRow(
                funnel_label(stage.step),
                stage.count,
                funnel_note(stage.step, stage.from_previous),
                f"{funnel_label(stage.step)}: {count_text(stage.count)}\n"
                f"{funnel_definition(stage.step)}",
            )
            for stage in lists.funnel.stages
        ]
        self.chart.set_rows(rows, count_text)
        total = lists.funnel.count(FunnelStep.CONTACTS)
        called = lists.funnel.count(FunnelStep.CALLED)
        if called:
            self.junk.setText(
                tr(
                    "Junk: {count} of the contacts called ({share}) were a wrong number or not "
                    "in your target market."
                ).format(
                    count=count_text(lists.funnel.junk),
                    share=percent_text(lists.funnel.junk / called),
                )
            )
        elif total:
            self.junk.setText(
                tr("Nobody on these lists has been called yet: start the call queue.")
            )
        else:
            self.junk.setText("")


# -- lists (source quality) ------------------------------------------------------------------------

COL_NAME, COL_CONTACTS, COL_CALLED, COL_REACHED, COL_JUNK, COL_PROSPECTS = range(6)
COL_CUSTOMERS, COL_COST, COL_PER_REACHED, COL_PER_PROSPECT, COL_PER_CUSTOMER, COL_GRADE = range(
    6, 12
)


def lists_columns() -> list[tuple[str, str]]:
    """(header, what it means) of the lists table, in column order."""
    return [
        (tr("List"), tr("The lead list or channel. 'No list': contacts typed in by hand.")),
        (tr("Contacts"), tr("Contacts of this list added in the period.")),
        (tr("Called"), tr("Contacts called at least once, or moved on by hand.")),
        (
            tr("Reached"),
            tr("Of the contacts called, the share where a real person answered."),
        ),
        (
            tr("Junk"),
            tr(
                "Of the contacts called, the share that were a wrong number or not in your "
                "target market (disqualified)."
            ),
        ),
        (
            tr("Prospect rate"),
            tr("Of the contacts called, the share that became prospects or customers."),
        ),
        (tr("Customers"), tr("Contacts of this list who bought.")),
        (
            tr("List cost"),
            tr(
                "What the list cost. For a period holding only part of a list, the part of "
                "the cost its contacts carry."
            ),
        ),
        (tr("Per reached"), tr("List cost divided by the contacts reached.")),
        (tr("Per prospect"), tr("List cost divided by the prospects it brought.")),
        (tr("Per customer"), tr("List cost divided by the customers it brought.")),
        (tr("Grade"), grade_explanation()),
    ]


class _SortItem(QTableWidgetItem):
    """A cell sorted by its number (figures that could not be worked out sort last)."""

    def __init__(self, text: str, key: float | str | None) -> None:
        super().__init__(text)
        self.key = key

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine = self.key
        theirs = other.key if isinstance(other, _SortItem) else None
        if mine is None or theirs is None:
            return mine is not None and theirs is None
        if isinstance(mine, str) or isinstance(theirs, str):
            return str(mine).casefold() < str(theirs).casefold()
        return mine < theirs


def list_name(source: SourceQuality) -> str:
    return source.name if source.name is not None else tr("No list")


MAX_LISTS_CHARTED = 15
"""More bars than this would be too thin to read; the table lists every list."""


class ListMetric:
    """What the lists chart compares, and how each figure is worded."""

    PROSPECT_RATE = "prospect_rate"
    REACHED = "reached"
    JUNK = "junk"
    COST_PER_PROSPECT = "cost_per_prospect"
    COST_PER_REACHED = "cost_per_reached"
    COST_PER_CUSTOMER = "cost_per_customer"
    CONTACTS = "contacts"

    ALL = (
        PROSPECT_RATE,
        REACHED,
        JUNK,
        COST_PER_PROSPECT,
        COST_PER_REACHED,
        COST_PER_CUSTOMER,
        CONTACTS,
    )


def metric_label(metric: str) -> str:
    return {
        ListMetric.PROSPECT_RATE: tr("Prospect rate"),
        ListMetric.REACHED: tr("Reached"),
        ListMetric.JUNK: tr("Junk"),
        ListMetric.COST_PER_PROSPECT: tr("Cost per prospect"),
        ListMetric.COST_PER_REACHED: tr("Cost per contact reached"),
        ListMetric.COST_PER_CUSTOMER: tr("Cost per customer"),
        ListMetric.CONTACTS: tr("Contacts"),
    }[metric]


def metric_value(source: SourceQuality, metric: str) -> float | Money | None:
    return {
        ListMetric.PROSPECT_RATE: source.prospect_rate,
        ListMetric.REACHED: source.reached_rate,
        ListMetric.JUNK: source.junk_rate,
        ListMetric.COST_PER_PROSPECT: source.cost_per_prospect,
        ListMetric.COST_PER_REACHED: source.cost_per_reached,
        ListMetric.COST_PER_CUSTOMER: source.cost_per_customer,
        ListMetric.CONTACTS: float(source.contacts),
    }[metric]


class ListsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sources: tuple[SourceQuality, ...] = ()
        self._sorted_once = False
        self.metric = QComboBox()
        self.metric.setObjectName("listMetric")
        for metric in ListMetric.ALL:
            self.metric.addItem(metric_label(metric), metric)
        self.metric.currentIndexChanged.connect(self._draw_chart)
        self.chart = BarChart()
        self.chart.setObjectName("listsChart")
        self.frame = ChartFrame(self.chart)
        self.table = QTableWidget(0, 12)
        self.table.setObjectName("listsTable")
        columns = lists_columns()
        # Two-word titles on two lines: the figures, not the titles, set the columns' widths.
        self.table.setHorizontalHeaderLabels(
            [header.replace(" ", "\n", 1) for header, _ in columns]
        )
        for index, (_header, meaning) in enumerate(columns):
            item = self.table.horizontalHeaderItem(index)
            if item is not None:
                item.setToolTip(meaning)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        head = self.table.horizontalHeader()
        # Widths are fitted once after each fill: ResizeToContents would measure every cell
        # again for each cell set (a quarter of a second for 24 lists).
        head.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        head.setHighlightSections(False)
        self.table.setStyleSheet("QTableWidget::item { padding: 2px 4px; }")
        self.hint = _explanation(
            tr(
                "Click a column's title to sort by it; hover it to see what it counts. Rates "
                "are shares of the contacts called, so a list half worked through compares "
                "fairly with one finished."
            )
        )

        chooser = QHBoxLayout()
        chooser.addWidget(QLabel(tr("Compare lists by:")))
        chooser.addWidget(self.metric)
        chooser.addStretch(1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(chooser)
        top_layout.addWidget(self.frame, 1)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.table, 1)
        bottom_layout.addWidget(self.hint)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(splitter)

    def set_metric(self, metric: str) -> None:
        self.metric.setCurrentIndex(self.metric.findData(metric))

    def sources(self) -> tuple[SourceQuality, ...]:
        return self._sources

    def set_data(self, lists: Lists) -> None:
        self._sources = lists.sources
        self._fill_table()
        self._draw_chart()

    def _draw_chart(self) -> None:
        metric = self.metric.currentData() or ListMetric.PROSPECT_RATE
        is_money = metric.startswith("cost")
        shown = [(s, v) for s in self._sources if (v := metric_value(s, metric)) is not None]
        title = tr("Lists by {what}").format(what=metric_label(metric).lower())
        text = count_text if metric == ListMetric.CONTACTS else percent_text
        if is_money:
            # One axis, one currency: the currency most lists were bought in.
            currencies = [v.currency for _, v in shown if isinstance(v, Money)]
            currency = max(set(currencies), key=currencies.count) if currencies else None
            if len(set(currencies)) > 1:
                title = tr("Lists bought in {currency}, by {what}").format(
                    currency=currency or "?", what=metric_label(metric).lower()
                )
            shown = [(s, v) for s, v in shown if isinstance(v, Money) and v.currency == currency]
            shown.sort(key=lambda pair: pair[1].cents)  # type: ignore[union-attr]  # cheapest first

            def text(value: float) -> str:
                return money_text(Money(round(value * 100), currency))

        else:
            shown.sort(key=lambda pair: -float(pair[1]))  # type: ignore[arg-type]  # best first
        if len(shown) > MAX_LISTS_CHARTED:
            title += " " + tr("(the first {n} of {total}; the table has them all)").format(
                n=MAX_LISTS_CHARTED, total=len(shown)
            )
            shown = shown[:MAX_LISTS_CHARTED]
        if is_money:
            self.chart.empty_text = tr(
                "No list has a cost entered and a figure to share it over yet. Enter what a "
                "list cost when you import it; its cost per contact reached, prospect and "
                "customer then show here."
            )
        elif not self._sources:
            self.chart.empty_text = tr(
                "No contacts were added in this period. Import a list (File, Import a list…) "
                "and how each list does, and what it costs, shows here."
            )
        else:
            self.chart.empty_text = tr(
                "Nothing to compare yet: call contacts from your lists, and how each list "
                "does shows here."
            )
        self.chart.set_title(title)
        numbers = [v.amount if isinstance(v, Money) else float(v) for _, v in shown]  # type: ignore[arg-type]
        self.chart.set_data(
            [list_name(s) for s, _ in shown],
            [Series(metric_label(metric), tuple(numbers), BLUE)],
            value_text=text,
            axis_text=whole_percent_text if text is percent_text else None,
            horizontal=True,
        )

    def _fill_table(self) -> None:
        first_time = self.table.rowCount() == 0 and not self._sorted_once
        self._sorted_once = True
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(self._sources))
        muted = QColor("#8a94a6")
        for row, s in enumerate(self._sources):
            not_called = tr("not called yet")
            cells: list[tuple[str, float | str | None, str]] = [
                (list_name(s), list_name(s), ""),
                (count_text(s.contacts), s.contacts, ""),
                (count_text(s.called), s.called, ""),
                (
                    percent_text(s.reached_rate, not_called),
                    s.reached_rate,
                    tr("{n} reached").format(n=count_text(s.reached)),
                ),
                (
                    percent_text(s.junk_rate, not_called),
                    s.junk_rate,
                    tr("{n} junk").format(n=count_text(s.junk)),
                ),
                (
                    percent_text(s.prospect_rate, not_called),
                    s.prospect_rate,
                    tr("{n} prospects").format(n=count_text(s.prospects)),
                ),
                (count_text(s.customers), s.customers, ""),
                (
                    money_text(s.cost, tr("not entered")),
                    s.cost.amount if s.cost else None,
                    ""
                    if s.cost
                    else tr("What this list cost was not entered when it was imported."),
                ),
                self._per(s.cost, s.cost_per_reached, tr("nobody reached")),
                self._per(s.cost, s.cost_per_prospect, tr("no prospect yet")),
                self._per(s.cost, s.cost_per_customer, tr("no customer yet")),
                (
                    grade_text(s.grade),
                    s.grade.value if s.grade else None,
                    grade_explanation() if s.grade else tr("Fewer than 20 contacts called yet."),
                ),
            ]
            for column, (text, key, tip) in enumerate(cells):
                item = _SortItem(text, key)
                if tip:
                    item.setToolTip(tip)
                if column != COL_NAME:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if key is None:
                    item.setForeground(muted)
                    font = QFont(item.font())
                    font.setItalic(True)
                    item.setFont(font)
                if column == COL_GRADE:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    if s.grade is not None:
                        font = QFont(item.font())
                        font.setBold(True)
                        item.setFont(font)
                        item.setForeground(QColor(_GRADE_COLORS[s.grade.value]))
                self.table.setItem(row, column, item)
        if first_time:  # by name until the rep sorts by a column
            self.table.horizontalHeader().setSortIndicator(COL_NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()
        self._fit_names()

    def _fit_names(self) -> None:
        """The names' column takes the room the figures leave (names stay whole)."""
        head = self.table.horizontalHeader()
        spare = self.table.viewport().width() - head.length()
        if spare > 0:
            head.resizeSection(COL_NAME, head.sectionSize(COL_NAME) + spare)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.table.rowCount():
            QTimer.singleShot(0, self, self._refit_names)  # once the table has its new size

    def _refit_names(self) -> None:
        self.table.resizeColumnToContents(COL_NAME)
        self._fit_names()

    @staticmethod
    def _per(cost: Money | None, per: Money | None, nobody: str) -> tuple[str, float | None, str]:
        if cost is None:
            return tr("no cost"), None, tr("What this list cost was not entered.")
        if per is None:
            return nobody, None, ""
        return money_text(per), per.amount, ""

    def table_rows(self) -> list[list[str]]:
        """The table as shown (sorted as the rep sorted it), for tests and the PDF."""
        return [
            [
                (item.text() if (item := self.table.item(r, c)) is not None else "")
                for c in range(self.table.columnCount())
            ]
            for r in range(self.table.rowCount())
        ]


_GRADE_COLORS = {"A": GREEN, "B": BLUE, "C": AMBER, "D": RED}


# -- activity --------------------------------------------------------------------------------------


def outcome_words(outcome: str) -> str:
    try:
        return outcome_label(CallOutcome(outcome))
    except ValueError:
        return outcome.replace("_", " ").capitalize()


_ANSWERED = {"talked", "call_back", "send_info", "not_interested", "do_not_call"}
_WRONG = {"wrong_number"}


class ActivityView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.calls_tile = Tile(tr("Calls"), tr("Calls logged in the period."))
        self.reached_tile = Tile(tr("Someone answered"), tr("Calls where a real person answered."))
        self.talk_tile = Tile(
            tr("Time on the phone"), tr("The length of every call logged, added up.")
        )
        self.average_tile = Tile(
            tr("Average conversation"),
            tr("The average length of the calls where someone answered."),
        )
        self.followups_tile = Tile(
            tr("Follow-ups done"),
            tr("Of the follow-ups that fell due in the period, how many were done."),
        )
        self.calls_chart = BarChart(tr("Calls per day"))
        self.calls_chart.setObjectName("callsChart")
        self.calls_chart.empty_text = tr(
            "No calls in this period yet. Calls you log in the call queue show here."
        )
        self.outcomes_chart = BarChart(tr("How the calls ended"))
        self.outcomes_chart.setObjectName("outcomesChart")
        self.outcomes_chart.empty_text = tr("No calls in this period yet.")
        self.followups_chart = BarChart(tr("Follow-ups due in the period"))
        self.followups_chart.setObjectName("followUpsChart")
        self.followups_chart.empty_text = tr(
            "No follow-ups were due in this period. Call-backs and reminders you set show here."
        )
        self.calls_frame = ChartFrame(self.calls_chart)
        self.outcomes_frame = ChartFrame(self.outcomes_chart)
        self.followups_frame = ChartFrame(self.followups_chart)
        bottom = QHBoxLayout()
        bottom.addWidget(self.outcomes_frame, 3)
        bottom.addWidget(self.followups_frame, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(
            _tiles_row(
                [
                    self.calls_tile,
                    self.reached_tile,
                    self.talk_tile,
                    self.average_tile,
                    self.followups_tile,
                ]
            )
        )
        layout.addWidget(self.calls_frame, 3)
        layout.addLayout(bottom, 3)

    def set_data(self, activity: Activity) -> None:
        calls = activity.calls
        self.calls_tile.set(count_text(calls))
        self.reached_tile.set(
            count_text(activity.reached),
            tr("{share} of the calls").format(share=percent_text(activity.reached / calls))
            if calls
            else "",
        )
        if calls:
            self.talk_tile.set(duration_text(activity.talk_s))
        else:
            self.talk_tile.set(tr("no calls yet"), empty=True)
        if activity.average_talk_s is not None:
            self.average_tile.set(duration_text(activity.average_talk_s))
        else:
            self.average_tile.set(tr("nobody reached yet"), empty=True)
        tally = activity.follow_ups
        due = tally.done + tally.missed
        if due:
            self.followups_tile.set(
                tr("{done} of {due}").format(done=count_text(tally.done), due=count_text(due)),
                tr("{missed} missed").format(missed=count_text(tally.missed)),
            )
        else:
            self.followups_tile.set(tr("none due yet"), empty=True)
        week = activity.period.value == "week"
        self.calls_chart.set_title(tr("Calls per week") if week else tr("Calls per day"))
        self.calls_chart.set_data(
            [day_text(p.first_day) for p in activity.periods],
            [
                Series(
                    tr("Someone answered"), tuple(float(p.reached) for p in activity.periods), GREEN
                ),
                Series(
                    tr("Nobody reached"),
                    tuple(float(p.calls - p.reached) for p in activity.periods),
                    LIGHT_BLUE,
                ),
            ],
            stacked=True,
            tooltips=[
                tr("{when}\n{calls} calls, {reached} answered, {talk} on the phone").format(
                    when=bar_tooltip(p.first_day, activity.period),
                    calls=count_text(p.calls),
                    reached=count_text(p.reached),
                    talk=duration_text(p.talk_s),
                )
                for p in activity.periods
            ],
        )
        outcomes = activity.outcomes
        names = [outcome_words(o.outcome) for o in outcomes]

        # One series per kind of ending, each bar in one of them: the legend explains the colours.
        kinds = [
            "answered" if o.outcome in _ANSWERED else "wrong" if o.outcome in _WRONG else "not"
            for o in outcomes
        ]

        def calls_of(kind: str) -> tuple[float, ...]:
            return tuple(
                float(o.calls) if k == kind else 0.0 for o, k in zip(outcomes, kinds, strict=True)
            )

        self.outcomes_chart.set_data(
            names,
            [
                Series(tr("Someone answered"), calls_of("answered"), GREEN),
                Series(tr("Nobody reached"), calls_of("not"), GREY),
                Series(tr("Wrong number"), calls_of("wrong"), RED),
            ],
            horizontal=True,
            stacked=True,
            tooltips=[
                tr("{outcome}: {calls} calls ({share}), {talk} on the phone").format(
                    outcome=name,
                    calls=count_text(o.calls),
                    share=percent_text(o.calls / calls if calls else None),
                    talk=duration_text(o.talk_s),
                )
                for name, o in zip(names, outcomes, strict=True)
            ],
        )
        labels = [tr("Done"), tr("Missed"), tr("Still to come")]
        values = (float(tally.done), float(tally.missed), float(tally.coming))
        self.followups_chart.set_data(
            labels,
            [
                Series(labels[0], (values[0], 0.0, 0.0), GREEN),
                Series(labels[1], (0.0, values[1], 0.0), RED),
                Series(labels[2], (0.0, 0.0, values[2]), GREY),
            ],
            horizontal=True,
            stacked=True,
            legend=False,
            tooltips=[
                tr("Done: the follow-up was marked done."),
                tr("Missed: it fell due and is still not done."),
                tr("Still to come: due later in the period."),
            ],
        )


# -- pipeline --------------------------------------------------------------------------------------


class PipelineView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.leads_tile = Tile(stage_label(Stage.LEAD), tr("Reached, not yet qualified."))
        self.prospects_tile = Tile(stage_label(Stage.PROSPECT), tr("Qualified, not yet bought."))
        self.hot_tile = Tile(temperature_label(Temperature.HOT), tr("Ready to buy."))
        self.score_tile = Tile(
            tr("Average engagement"),
            tr(
                "The engagement score (0 to 100) grows with what a contact does: answering, "
                "asking questions, asking for information, agreeing to a meeting."
            ),
        )
        self.temperature_chart = BarChart(tr("How warm the pipeline is"))
        self.temperature_chart.setObjectName("temperatureChart")
        empty = tr(
            "No leads or prospects yet: contacts become leads once someone answers the phone."
        )
        self.temperature_chart.empty_text = empty
        self.score_chart = BarChart(tr("Engagement scores of leads and prospects"))
        self.score_chart.setObjectName("scoreChart")
        self.score_chart.empty_text = empty
        self.temperature_frame = ChartFrame(self.temperature_chart)
        self.score_frame = ChartFrame(self.score_chart)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(
            _tiles_row([self.leads_tile, self.prospects_tile, self.hot_tile, self.score_tile])
        )
        grid = QGridLayout()
        grid.addWidget(self.temperature_frame, 0, 0)
        grid.addWidget(self.score_frame, 1, 0)
        layout.addLayout(grid, 1)

    def set_data(self, pipeline: Pipeline) -> None:
        by = pipeline.by_temperature
        leads = sum(by[Stage.LEAD].values())
        prospects = sum(by[Stage.PROSPECT].values())
        hot = sum(stage[Temperature.HOT] for stage in by.values())
        self.leads_tile.set(count_text(leads))
        self.prospects_tile.set(count_text(prospects))
        self.hot_tile.set(
            count_text(hot),
            tr("{share} of the pipeline").format(share=percent_text(hot / pipeline.total))
            if pipeline.total
            else "",
        )
        if pipeline.average_score is not None:
            self.score_tile.set(decimal_text(pipeline.average_score))
        else:
            self.score_tile.set(tr("no leads yet"), empty=True)
        stages = [Stage.LEAD, Stage.PROSPECT]
        self.temperature_chart.set_data(
            [stage_label(s) for s in stages],
            [
                Series(
                    temperature_label(t),
                    tuple(float(by[s][t]) for s in stages),
                    TEMPERATURE_COLORS[t],
                )
                for t in (Temperature.HOT, Temperature.WARM, Temperature.COLD)
            ],
            horizontal=True,
            stacked=True,
        )
        self.score_chart.set_data(
            [f"{low}–{low + 9}" if low < 90 else "90–100" for low, _ in pipeline.score_buckets],
            [
                Series(
                    tr("Leads and prospects"),
                    tuple(float(n) for _, n in pipeline.score_buckets),
                    NAVY,
                )
            ],
        )
