"""Small charts drawn with QPainter: bars (upright or lying, stacked or side by side) and a funnel.

Why not QtCharts: it ships only in the PySide6-Addons wheel (several hundred MB more in every
installer, issue 8) for four kinds of bar chart. Drawing them ourselves keeps the app small,
lets one ``paint_chart()`` draw the window, the PNG and the vector PDF alike, and keeps the
look (colours, values on the bars, words for empty charts) under our control.

Each chart keeps the values it was given (``categories()``, ``series()``), so tests read what is
drawn without pixels. Bars show their value when it fits; hovering a bar shows its figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QLocale, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QImage,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

# The app's colours (sidebar blue, the follow-ups' red, the welcome banner's green).
NAVY = "#1a3d6e"
BLUE = "#2f6db5"
LIGHT_BLUE = "#8fb3e0"
GREEN = "#3a8d4f"
AMBER = "#d08a1e"
RED = "#b3261e"
GREY = "#98a2b3"
TEXT = "#2b2f36"
MUTED = "#667085"
GRID = "#e4e7ec"

ValueText = Callable[[float], str]


def plain_number(value: float) -> str:
    """A whole number as the rep's locale writes it (1,234 or 1 234)."""
    return QLocale().toString(round(value))


@dataclass(frozen=True)
class Series:
    """One row of bars: a name (the legend), a value per category and a colour."""

    name: str
    values: tuple[float, ...]
    color: str


def nice_step(top: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` grid lines."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return float(factor * power)
    return float(10 * power)


class Chart(QWidget):
    """A chart with a title and, when it has nothing to show, a sentence saying why."""

    data_changed = Signal()  # new figures were given (a frame enables its save button)

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self.empty_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(130)  # the window may be small: bars get thinner, not cut
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def title(self) -> str:
        return self._title

    def set_title(self, title: str) -> None:
        self._title = title
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(520, 280)

    def has_data(self) -> bool:
        """Each chart says whether it has anything to draw (else "No data" is shown)."""
        raise NotImplementedError  # every chart class defines it

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        self.paint_chart(painter, QRectF(self.rect()), interactive=True)
        painter.end()

    def image(self, size: QSize | None = None, scale: float = 2.0) -> QImage:
        """The chart as a picture (twice the pixels by default: sharp on any screen)."""
        size = size or self.size()
        image = QImage(
            round(size.width() * scale), round(size.height() * scale), QImage.Format.Format_ARGB32
        )
        image.setDevicePixelRatio(scale)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self.font())
        self.paint_chart(painter, QRectF(0, 0, size.width(), size.height()))
        painter.end()
        return image

    def paint_chart(self, painter: QPainter, rect: QRectF, *, interactive: bool = False) -> None:
        """Draw the whole chart into ``rect`` (the window, a picture or a PDF page)."""
        body = self._paint_title(painter, rect)
        if not self.has_data():
            self._paint_empty(painter, body)
            return
        self._paint_body(painter, body, interactive)

    def _paint_body(self, painter: QPainter, rect: QRectF, interactive: bool) -> None:
        """Each chart draws its bars or lines below the title."""
        raise NotImplementedError  # every chart class defines it

    # -- shared pieces -----------------------------------------------------------------------------

    def _font(self, painter: QPainter, scale: float = 1.0, bold: bool = False) -> QFont:
        font = QFont(self.font())
        size = font.pointSizeF() if font.pointSizeF() > 0 else 9.0
        font.setPointSizeF(size * scale)
        font.setBold(bold)
        painter.setFont(font)
        return font

    def _paint_title(self, painter: QPainter, rect: QRectF) -> QRectF:
        if not self._title:
            return rect.adjusted(8, 8, -8, -8)
        font = self._font(painter, 1.15, bold=True)
        height = QFontMetricsF(font).height()
        painter.setPen(QColor(TEXT))
        painter.drawText(
            QRectF(rect.left() + 8, rect.top() + 6, rect.width() - 16, height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self._title,
        )
        return rect.adjusted(8, height + 14, -8, -8)

    def _paint_empty(self, painter: QPainter, rect: QRectF) -> None:
        self._font(painter, 1.0)
        painter.setPen(QColor(MUTED))
        painter.drawText(
            rect.adjusted(12, 12, -12, -12),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            self.empty_text,
        )


class BarChart(Chart):
    """Bars per category, for one or more series, with the values written on them."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._categories: tuple[str, ...] = ()
        self._series: tuple[Series, ...] = ()
        self._value_text: ValueText = plain_number
        self._axis_text: ValueText = plain_number
        self._horizontal = False
        self._stacked = False
        self._tooltips: tuple[str, ...] = ()
        self._legend = True
        self._hits: list[tuple[QRectF, str]] = []
        self.setMouseTracking(True)

    def set_data(
        self,
        categories: Sequence[str],
        series: Sequence[Series],
        *,
        value_text: ValueText = plain_number,
        horizontal: bool = False,
        stacked: bool = False,
        tooltips: Sequence[str] = (),
        legend: bool = True,
        axis_text: ValueText | None = None,
    ) -> None:
        """Show new figures. ``tooltips`` (one per category) replace the default hover text;
        ``legend`` False leaves out the colours' key (when the categories say it already)."""
        if any(len(s.values) != len(categories) for s in series):
            raise ValueError("each series needs one value per category")
        self._categories = tuple(categories)
        self._series = tuple(series)
        self._value_text = value_text
        self._horizontal = horizontal
        self._stacked = stacked
        self._tooltips = tuple(tooltips)
        self._legend = legend
        self._axis_text = axis_text or value_text
        self.update()
        self.data_changed.emit()

    def categories(self) -> tuple[str, ...]:
        return self._categories

    def series(self) -> tuple[Series, ...]:
        return self._series

    def has_data(self) -> bool:
        return bool(self._categories) and any(v > 0 for s in self._series for v in s.values)

    def _totals(self) -> list[float]:
        if self._stacked:
            return [sum(s.values[i] for s in self._series) for i in range(len(self._categories))]
        return [
            max((s.values[i] for s in self._series), default=0)
            for i in range(len(self._categories))
        ]

    def _paint_body(self, painter: QPainter, rect: QRectF, interactive: bool) -> None:
        if interactive:
            self._hits = []
        if len(self._series) > 1 and self._legend:
            rect = self._paint_legend(painter, rect)
        top = max(self._totals(), default=0)
        step = nice_step(top)
        axis_top = step * math.ceil(top / step) if top > 0 else step
        if top > 0 and axis_top - top < step * 0.15:
            axis_top += step  # room for the value written above the tallest bar
        if self._horizontal:
            self._paint_lying(painter, rect, axis_top, step, interactive)
        else:
            self._paint_upright(painter, rect, axis_top, step, interactive)

    def _paint_legend(self, painter: QPainter, rect: QRectF) -> QRectF:
        font = self._font(painter, 0.95)
        metrics = QFontMetricsF(font)
        x = rect.left()
        y = rect.top()
        box = metrics.height() * 0.7
        for s in self._series:
            painter.fillRect(QRectF(x, y + (metrics.height() - box) / 2, box, box), QColor(s.color))
            x += box + 5
            painter.setPen(QColor(TEXT))
            width = metrics.horizontalAdvance(s.name)
            painter.drawText(QPointF(x, y + metrics.ascent()), s.name)
            x += width + 16
        return rect.adjusted(0, metrics.height() + 8, 0, 0)

    def _paint_upright(
        self, painter: QPainter, rect: QRectF, axis_top: float, step: float, interactive: bool
    ) -> None:
        font = self._font(painter, 0.9)
        metrics = QFontMetricsF(font)
        ticks = [step * i for i in range(int(round(axis_top / step)) + 1)]
        label_width = max(metrics.horizontalAdvance(self._axis_text(t)) for t in ticks)
        plot = QRectF(
            rect.left() + label_width + 8,
            rect.top() + 4,
            rect.width() - label_width - 12,
            rect.height() - metrics.height() - 10,
        )
        self._paint_grid(painter, plot, ticks, axis_top, metrics, vertical_axis=True)
        n = len(self._categories)
        group = plot.width() / n
        bar_area = group * (0.72 if n > 1 else 0.4)
        per_series = 1 if self._stacked else len(self._series)
        bar_width = bar_area / per_series
        totals = self._totals()
        for i in range(n):
            x0 = plot.left() + i * group + (group - bar_area) / 2
            base = plot.bottom()
            for k, s in enumerate(self._series):
                value = s.values[i]
                height = plot.height() * value / axis_top if axis_top else 0
                if self._stacked:
                    bar = QRectF(x0, base - height, bar_area, height)
                    base -= height
                else:
                    bar = QRectF(x0 + k * bar_width, plot.bottom() - height, bar_width, height)
                if height > 0:
                    painter.fillRect(bar, QColor(s.color))
                if interactive:
                    self._hits.append((bar.adjusted(0, -4, 0, 0), self._tip(i, s, value)))
                if not self._stacked:
                    self._value_on_upright(painter, metrics, bar, value, s.color)
            if self._stacked:
                top_bar = QRectF(
                    x0,
                    plot.bottom() - plot.height() * totals[i] / axis_top,
                    bar_area,
                    plot.height() * totals[i] / axis_top,
                )
                self._value_on_upright(painter, metrics, top_bar, totals[i], TEXT)
        self._paint_category_labels(painter, plot, metrics)

    def _value_on_upright(
        self, painter: QPainter, metrics: QFontMetricsF, bar: QRectF, value: float, color: str
    ) -> None:
        if value <= 0:
            return
        text = self._value_text(value)
        width = metrics.horizontalAdvance(text)
        painter.setPen(QColor(TEXT))
        if width <= bar.width() + 6:
            painter.drawText(
                QRectF(
                    bar.center().x() - width / 2 - 3,
                    bar.top() - metrics.height() - 1,
                    width + 6,
                    metrics.height(),
                ),
                Qt.AlignmentFlag.AlignCenter,
                text,
            )
        elif bar.width() >= metrics.height() * 0.9:
            # A narrow bar: the value stands up above it.
            painter.save()
            painter.translate(bar.center().x() + metrics.ascent() / 2 - 1, bar.top() - 3)
            painter.rotate(-90)
            painter.drawText(QPointF(0, 0), text)
            painter.restore()

    def _paint_category_labels(
        self, painter: QPainter, plot: QRectF, metrics: QFontMetricsF
    ) -> None:
        n = len(self._categories)
        group = plot.width() / n
        widest = max(metrics.horizontalAdvance(c) for c in self._categories) + 8
        every = max(1, math.ceil(widest / group))
        painter.setPen(QColor(MUTED))
        for i in range(0, n, every):
            center = plot.left() + (i + 0.5) * group
            label = metrics.elidedText(
                self._categories[i], Qt.TextElideMode.ElideRight, max(group * every - 4, 20)
            )
            width = metrics.horizontalAdvance(label)
            painter.drawText(
                QRectF(center - width / 2 - 2, plot.bottom() + 4, width + 4, metrics.height()),
                Qt.AlignmentFlag.AlignCenter,
                label,
            )

    def _paint_lying(
        self, painter: QPainter, rect: QRectF, axis_top: float, step: float, interactive: bool
    ) -> None:
        font = self._font(painter, 0.95)
        metrics = QFontMetricsF(font)
        label_width = min(
            max(metrics.horizontalAdvance(c) for c in self._categories) + 10, rect.width() * 0.35
        )
        ticks = [step * i for i in range(int(round(axis_top / step)) + 1)]
        value_room = max(
            metrics.horizontalAdvance(self._value_text(t)) for t in [*ticks, *self._totals()]
        )
        plot = QRectF(
            rect.left() + label_width,
            rect.top() + 2,
            rect.width() - label_width - value_room * 0.5 - 6,
            rect.height() - metrics.height() - 8,
        )
        self._paint_grid(painter, plot, ticks, axis_top, metrics, vertical_axis=False)
        n = len(self._categories)
        group = plot.height() / n
        bar_area = min(
            group * 0.7, metrics.height() * 2.2 * (1 if self._stacked else len(self._series))
        )
        per_series = 1 if self._stacked else len(self._series)
        bar_height = bar_area / per_series
        totals = self._totals()
        for i, category in enumerate(self._categories):
            y0 = plot.top() + i * group + (group - bar_area) / 2
            painter.setPen(QColor(TEXT))
            label = metrics.elidedText(category, Qt.TextElideMode.ElideRight, label_width - 10)
            painter.drawText(
                QRectF(rect.left(), y0, label_width - 10, bar_area),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            left = plot.left()
            # A stacked bar of several parts shows each part inside, and the whole after it.
            parts = sum(1 for s in self._series if s.values[i] > 0)
            for k, s in enumerate(self._series):
                value = s.values[i]
                width = plot.width() * value / axis_top if axis_top else 0
                if self._stacked:
                    bar = QRectF(left, y0, width, bar_area)
                    left += width
                else:
                    bar = QRectF(plot.left(), y0 + k * bar_height, width, bar_height)
                if width > 0:
                    painter.fillRect(bar, QColor(s.color))
                if interactive:
                    self._hits.append((bar.adjusted(0, 0, 4, 0), self._tip(i, s, value)))
                if self._stacked and parts > 1:
                    self._value_inside(painter, metrics, bar, value)
                elif not self._stacked:
                    self._value_after(painter, metrics, bar, value)
            if self._stacked:
                whole = QRectF(plot.left(), y0, plot.width() * totals[i] / axis_top, bar_area)
                self._value_after(painter, metrics, whole, totals[i], zero_too=True)

    def _value_after(
        self,
        painter: QPainter,
        metrics: QFontMetricsF,
        bar: QRectF,
        value: float,
        *,
        zero_too: bool = False,
    ) -> None:
        if (value <= 0 and not zero_too) or bar.height() < metrics.height() * 0.6:
            return
        painter.setPen(QColor(TEXT))
        painter.drawText(
            QRectF(bar.right() + 5, bar.top(), 400, bar.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self._value_text(value),
        )

    def _value_inside(
        self, painter: QPainter, metrics: QFontMetricsF, bar: QRectF, value: float
    ) -> None:
        text = self._value_text(value)
        if value <= 0 or metrics.horizontalAdvance(text) + 8 > bar.width():
            return
        painter.setPen(QColor("white"))
        painter.drawText(bar, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_grid(
        self,
        painter: QPainter,
        plot: QRectF,
        ticks: list[float],
        axis_top: float,
        metrics: QFontMetricsF,
        *,
        vertical_axis: bool,
    ) -> None:
        grid = QPen(QColor(GRID))
        grid.setWidthF(1)
        for tick in ticks:
            text = self._axis_text(tick)
            painter.setPen(grid)
            if vertical_axis:
                y = plot.bottom() - plot.height() * tick / axis_top
                painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
                painter.setPen(QColor(MUTED))
                painter.drawText(
                    QRectF(plot.left() - 200 - 6, y - metrics.height() / 2, 200, metrics.height()),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    text,
                )
            else:
                x = plot.left() + plot.width() * tick / axis_top
                painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
                painter.setPen(QColor(MUTED))
                width = metrics.horizontalAdvance(text)
                painter.drawText(
                    QRectF(x - width / 2 - 2, plot.bottom() + 3, width + 4, metrics.height()),
                    Qt.AlignmentFlag.AlignCenter,
                    text,
                )
        axis = QPen(QColor(GREY))
        painter.setPen(axis)
        if vertical_axis:
            painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        else:
            painter.drawLine(plot.topLeft(), plot.bottomLeft())

    def _tip(self, index: int, series: Series, value: float) -> str:
        if index < len(self._tooltips) and self._tooltips[index]:
            return self._tooltips[index]
        name = f"{series.name}: " if len(self._series) > 1 else ""
        return f"{self._categories[index]}\n{name}{self._value_text(value)}"

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            for area, text in self._hits:
                if area.contains(QPointF(event.pos())):
                    QToolTip.showText(event.globalPos(), text, self)
                    return True
            QToolTip.hideText()
            event.ignore()
            return True
        return super().event(event)


@dataclass(frozen=True)
class FunnelRow:
    label: str
    count: int
    note: str  # the conversion from the step before, in words
    tooltip: str = ""


class FunnelChart(Chart):
    """The pipeline's steps as centred bars, widest first, with each step's conversion."""

    COLORS = (NAVY, "#24558f", BLUE, "#4f8cc9", GREEN)

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._rows: tuple[FunnelRow, ...] = ()
        self._count_text: ValueText = plain_number
        self._hits: list[tuple[QRectF, str]] = []
        self.setMouseTracking(True)

    def set_rows(self, rows: Sequence[FunnelRow], count_text: ValueText = plain_number) -> None:
        self._rows = tuple(rows)
        self._count_text = count_text
        self.update()
        self.data_changed.emit()

    def rows(self) -> tuple[FunnelRow, ...]:
        return self._rows

    def categories(self) -> tuple[str, ...]:
        return tuple(r.label for r in self._rows)

    def series(self) -> tuple[Series, ...]:
        return (Series("count", tuple(float(r.count) for r in self._rows), BLUE),)

    def has_data(self) -> bool:
        return bool(self._rows) and self._rows[0].count > 0

    def _paint_body(self, painter: QPainter, rect: QRectF, interactive: bool) -> None:
        if interactive:
            self._hits = []
        bold = self._font(painter, 1.0, bold=True)
        bold_metrics = QFontMetricsF(bold)
        note_font = self._font(painter, 0.95)
        note_metrics = QFontMetricsF(note_font)
        label_width = max(bold_metrics.horizontalAdvance(r.label) for r in self._rows) + 16
        note_width = min(max(note_metrics.horizontalAdvance(r.note) for r in self._rows) + 16, 260)
        area = QRectF(
            rect.left() + label_width,
            rect.top(),
            rect.width() - label_width - note_width,
            rect.height(),
        )
        top = max(r.count for r in self._rows) or 1
        row_height = min(area.height() / len(self._rows), bold_metrics.height() * 4.5)
        # Centred in the height it has, so a tall window shows a tall funnel, not a gap.
        offset = (area.height() - row_height * len(self._rows)) / 2
        for i, row in enumerate(self._rows):
            y = area.top() + offset + i * row_height
            bar_height = row_height * 0.8
            width = max(area.width() * row.count / top, 2.0 if row.count else 0.0)
            bar = QRectF(area.center().x() - width / 2, y, width, bar_height)
            painter.fillRect(bar, QColor(self.COLORS[min(i, len(self.COLORS) - 1)]))
            painter.setFont(bold)
            painter.setPen(QColor(TEXT))
            painter.drawText(
                QRectF(rect.left(), y, label_width - 12, bar_height),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                row.label,
            )
            count = self._count_text(row.count)
            count_width = bold_metrics.horizontalAdvance(count)
            if count_width + 12 <= bar.width():
                painter.setPen(QColor("white"))
                painter.drawText(bar, Qt.AlignmentFlag.AlignCenter, count)
            else:
                painter.drawText(
                    QRectF(bar.right() + 6, y, count_width + 8, bar_height),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    count,
                )
            painter.setFont(note_font)
            painter.setPen(QColor(MUTED))
            painter.drawText(
                QRectF(area.right() + 12, y, note_width - 12, bar_height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                note_metrics.elidedText(row.note, Qt.TextElideMode.ElideRight, note_width - 12),
            )
            if interactive:
                full = QRectF(rect.left(), y, rect.width(), bar_height)
                self._hits.append((full, row.tooltip or f"{row.label}: {count}\n{row.note}"))

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            for area, text in self._hits:
                if area.contains(QPointF(event.pos())):
                    QToolTip.showText(event.globalPos(), text, self)
                    return True
            QToolTip.hideText()
            event.ignore()
            return True
        return super().event(event)
