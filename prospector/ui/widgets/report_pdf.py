"""The whole report as a PDF (A4): the charts drawn as vectors by their own ``paint_chart()``,
the lists table, and what each figure means.

The file is written beside its final name and moved over it once complete, so a failed save
never leaves half a PDF where the rep's last good one was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPdfWriter

from prospector.ui.widgets.report_charts import GRID, MUTED, NAVY, TEXT, Chart
from prospector.ui.widgets.report_format import day_text, grade_explanation, tr
from prospector.ui.widgets.report_views import Tile, lists_columns

if TYPE_CHECKING:
    from prospector.ui.widgets.reports_page import ReportsPage

DPI = 96  # page units are the screen's pixels: the charts draw the same as in the window
MARGIN = 40.0


class _Pages:
    """A painter over the PDF with a cursor going down the page, and a footer on each."""

    def __init__(self, writer: QPdfWriter, painter: QPainter, footer: str) -> None:
        self._writer = writer
        self.painter = painter
        self._footer = footer
        layout = writer.pageLayout()
        paint = layout.paintRectPixels(DPI)
        self.width = float(paint.width())
        self.height = float(paint.height())
        self.y = 0.0
        self.number = 1

    @property
    def room(self) -> float:
        return self.height - 28 - self.y

    def new_page(self) -> None:
        self._paint_footer()
        self._writer.newPage()
        self.number += 1
        self.y = 0.0

    def ensure(self, height: float) -> None:
        if self.y > 0 and height > self.room:
            self.new_page()

    def finish(self) -> None:
        self._paint_footer()

    def _paint_footer(self) -> None:
        p = self.painter
        p.setFont(_font(7.5))
        p.setPen(QColor(MUTED))
        p.drawText(
            QRectF(0, self.height - 16, self.width, 16),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self._footer,
        )
        p.drawText(
            QRectF(0, self.height - 16, self.width, 16),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            tr("Page {n}").format(n=self.number),
        )

    def text(self, text: str, size: float = 9.0, *, bold: bool = False, color: str = TEXT) -> None:
        font = _font(size, bold)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
        bound = QFontMetricsF(font).boundingRect(QRectF(0, 0, self.width, 10_000), flags, text)
        self.ensure(bound.height())
        self.painter.setFont(font)
        self.painter.setPen(QColor(color))
        self.painter.drawText(QRectF(0, self.y, self.width, bound.height()), flags, text)
        self.y += bound.height() + 4

    def heading(self, text: str, keep_with: float = 120) -> None:
        """A section title, on a new page unless ``keep_with`` of what follows fits below it."""
        self.ensure(40 + keep_with)
        self.y += 8
        self.text(text, 13, bold=True, color=NAVY)
        self.painter.setPen(QColor(GRID))
        self.painter.drawLine(QPointF(0, self.y), QPointF(self.width, self.y))
        self.y += 6

    def chart(self, chart: Chart, height: float) -> None:
        self.ensure(height)
        self.painter.save()
        self.painter.setFont(_font(9))
        chart.paint_chart(self.painter, QRectF(0, self.y, self.width, height))
        self.painter.restore()
        self.y += height + 8

    def tiles(self, tiles: list[Tile]) -> None:
        def whole(text: str) -> str:
            return text.replace(" ", "\u00a0")  # a figure never breaks over two lines

        parts = [
            f"{t.caption.text()}: {whole(t.value.text())}"
            + (f" ({whole(t.note.text())})" if t.note.text() else "")
            for t in tiles
        ]
        self.text("   ·   ".join(parts), 9.5, bold=True)


def _font(size: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def write_report_pdf(path: Path, page: ReportsPage) -> None:
    """Write the report shown on ``page`` to ``path``.

    Raises:
        OSError: the folder is missing or read-only, or the target cannot be replaced.
    """
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        _paint(temp, page)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def _paint(file_name: str, page: ReportsPage) -> None:
    writer = QPdfWriter(file_name)
    writer.setResolution(DPI)
    writer.setTitle(tr("Prospector report"))
    writer.setCreator("Prospector")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(14, 14, 14, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write {file_name}")
    try:
        made = page.today()
        pages = _Pages(
            writer,
            painter,
            tr("Prospector report, {filter}, made {day}").format(
                filter=page.filter_words(), day=day_text(made, with_year=True)
            ),
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        _content(pages, page)
        pages.finish()
    finally:
        painter.end()


def _content(pages: _Pages, page: ReportsPage) -> None:
    pages.text(tr("Prospector report"), 20, bold=True, color=NAVY)
    pages.text(page.filter_words(), 11, color=MUTED)
    pages.text(page.hint_text(), 8.5, color=MUTED)

    pages.heading(tr("Funnel"), keep_with=250)
    pages.chart(page.funnel_view.chart, 250)
    if page.funnel_view.junk.text():
        pages.text(page.funnel_view.junk.text(), 9.5)

    lists = page.lists_view
    pages.heading(tr("Lists"))
    names = len(lists.chart.categories())
    pages.chart(lists.chart, min(max(160.0, 70 + 24 * names), pages.height * 0.55))
    _lists_table(pages, lists.table_rows())
    pages.text(
        tr(
            "Reached, junk and prospect rate are shares of the contacts called, so a list half "
            "worked through compares fairly with one finished. Costs are the list's cost divided "
            "by the contacts reached, the prospects and the customers it brought."
        ),
        8,
        color=MUTED,
    )
    pages.text(tr("Grade: ") + grade_explanation(), 8, color=MUTED)

    pages.new_page()
    activity = page.activity_view
    pages.heading(tr("Activity"))
    pages.tiles(
        [
            activity.calls_tile,
            activity.reached_tile,
            activity.talk_tile,
            activity.average_tile,
            activity.followups_tile,
        ]
    )
    pages.chart(activity.calls_chart, 270)
    pages.chart(activity.outcomes_chart, 290)
    pages.chart(activity.followups_chart, 160)

    pipeline = page.pipeline_view
    pages.heading(tr("Pipeline"), keep_with=220)
    pages.tiles(
        [pipeline.leads_tile, pipeline.prospects_tile, pipeline.hot_tile, pipeline.score_tile]
    )
    pages.chart(pipeline.temperature_chart, 170)
    pages.chart(pipeline.score_chart, 250)


def _lists_table(pages: _Pages, rows: list[list[str]]) -> None:
    """The lists table, as sorted on screen, split over pages when long. Columns are as wide
    as their widest cell (the list's name takes what is left), at a size that fits the page."""
    columns = [title for title, _meaning in lists_columns()]
    p = pages.painter
    size = 7.5
    while True:
        font, bold = _font(size), _font(size, True)
        metrics, bold_metrics = QFontMetricsF(font), QFontMetricsF(bold)
        widths = [
            max(
                [metrics.horizontalAdvance(row[c]) for row in rows]
                + [max(bold_metrics.horizontalAdvance(w) for w in columns[c].split())]
            )
            + 8
            for c in range(len(columns))
        ]
        rest = pages.width - sum(widths[1:])
        if rest >= min(widths[0], pages.width * 0.22) or size <= 5.5:
            break
        size -= 0.5
    widths[0] = max(rest, 40.0)
    row_height = metrics.height() + 6
    wrap = Qt.TextFlag.TextWordWrap
    header_height = (
        max(
            bold_metrics.boundingRect(QRectF(0, 0, w - 4, 200), int(wrap), title).height()
            for title, w in zip(columns, widths, strict=True)
        )
        + 4
    )

    def header() -> None:
        p.setFont(bold)
        p.setPen(QColor(TEXT))
        x = 0.0
        for column, (title, width) in enumerate(zip(columns, widths, strict=True)):
            side = Qt.AlignmentFlag.AlignLeft if column == 0 else Qt.AlignmentFlag.AlignRight
            p.drawText(
                QRectF(x + 2, pages.y, width - 4, header_height),
                Qt.AlignmentFlag.AlignBottom | side | wrap,
                title,
            )
            x += width
        pages.y += header_height + 2
        p.setPen(QColor(MUTED))
        p.drawLine(QPointF(0, pages.y), QPointF(pages.width, pages.y))

    pages.ensure(header_height + row_height * 3)
    header()
    for index, row in enumerate(rows):
        if row_height > pages.room:
            pages.new_page()
            header()
        if index % 2:
            p.fillRect(QRectF(0, pages.y, pages.width, row_height), QColor("#f3f5f8"))
        p.setFont(font)
        p.setPen(QColor(TEXT))
        x = 0.0
        for column, (text, width) in enumerate(zip(row, widths, strict=True)):
            side = Qt.AlignmentFlag.AlignLeft if column == 0 else Qt.AlignmentFlag.AlignRight
            p.drawText(
                QRectF(x + 2, pages.y, width - 4, row_height),
                side | Qt.AlignmentFlag.AlignVCenter,
                metrics.elidedText(text, Qt.TextElideMode.ElideRight, width - 4),
            )
            x += width
        pages.y += row_height
    pages.y += 8
