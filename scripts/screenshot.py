"""Render the main window offscreen, with the sample list loaded, to docs/screenshot.png.

python scripts/screenshot.py [--out FILE] [--page contacts|lists|queue|followups] [--questions]
    [--timeline] [--empty]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PROSPECTOR_HOME"] = tempfile.mkdtemp()

from PySide6.QtCore import QSettings, QThreadPool  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from prospector.services.workspace import open_workspace  # noqa: E402
from prospector.ui.app import make_application  # noqa: E402
from prospector.ui.windows.main_window import MainWindow  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--page", default="contacts")
    parser.add_argument("--empty", action="store_true", help="show the first-run window")
    parser.add_argument("--search", default="")
    parser.add_argument(
        "--questions", action="store_true", help="queue page: with the questionnaire open"
    )
    parser.add_argument(
        "--timeline", action="store_true", help="contacts page: a worked contact's notes tab"
    )
    args = parser.parse_args()

    make_application()
    folder = Path(tempfile.mkdtemp())
    ws = open_workspace(folder / "Prospector.sqlite", clock=CLOCK)
    ws.settings.set_default_country("FR")
    window = MainWindow(ws, QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
    window.resize(1360, 820)
    if not args.empty:
        if args.timeline:  # the list was bought before the week of work acted out below
            CLOCK.at = datetime.now(UTC) - timedelta(days=9)
        window.load_sample_list()
        CLOCK.at = None
    window.show()
    page = window.contacts_page
    if args.search:
        page.search.setText(args.search)
        page.apply_filters()
    if args.timeline:
        _work_a_contact(ws, page.model.contact_id_at(3))
        page.refresh()
    if page.model.rowCount() > 3:
        page.table.selectRow(3)
    if args.timeline:
        page.detail_tabs.setCurrentWidget(page.timeline)
        page.timeline.editor.setPlainText("Send the price list for 12 fridges before Friday")
        page.timeline.save_now()
    if args.page == "followups" and not args.empty:
        _plan_follow_ups(ws, [page.model.contact_id_at(row) for row in range(1, 6)])
        window.update_followups_badge()
    window.show_page(args.page)
    if args.page == "queue" and not args.empty:
        queue_page = window.call_queue_page
        queue_page.start()
        if args.questions:
            queue_page.choose("talked")
    for _ in range(3):  # the queue's progress is counted on the pool, then shown
        QThreadPool.globalInstance().waitForDone(10_000)
        QApplication.processEvents()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.out))
    print(f"wrote {args.out}")
    ws.close()


class _Clock:
    """The system clock, unless a script sets it back to act out an earlier day."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def __call__(self) -> datetime:
        return self.at or datetime.now(UTC)


CLOCK = _Clock()


def _work_a_contact(ws, contact_id: int | None) -> None:  # type: ignore[no-untyped-def]
    """A week of history on one contact: notes, calls, a questionnaire."""
    from prospector.domain.outcomes import CallOutcome

    if contact_id is None:
        return
    start = datetime.now(UTC).replace(hour=8, minute=40) - timedelta(days=6)
    CLOCK.at = start
    ws.notes.add(contact_id, "Met their buyer at the Lyon trade fair; asked us to call.")
    CLOCK.at = start + timedelta(days=1, hours=1, minutes=12)
    ws.queue.log_outcome(contact_id, CallOutcome.NO_ANSWER)
    CLOCK.at = start + timedelta(days=3, hours=6, minutes=3)
    logged = ws.queue.log_outcome(
        contact_id,
        CallOutcome.TALKED,
        started_at=CLOCK.at - timedelta(seconds=312),
        duration_s=312,
        note="Interested in the 2-door model; budget approved in May",
    )
    CLOCK.at += timedelta(seconds=40)  # the questionnaire is answered after the outcome key
    ws.queue.qualify(
        contact_id,
        {"market": "yes", "budget": "yes", "authority": "yes", "need": "yes"},
        logged=logged,
    )
    CLOCK.at = None


def _plan_follow_ups(ws, contact_ids: list[int | None]) -> None:  # type: ignore[no-untyped-def]
    """A rep's usual mix: one late call-back, two for today, a few coming days."""
    from prospector.services.followups import ReminderKind

    now = datetime.now(UTC)
    plan = [
        (-timedelta(hours=26), ReminderKind.CALL_BACK, "Promised the price list yesterday"),
        (timedelta(minutes=40), ReminderKind.CALL_BACK, "Asked to call after lunch"),
        (timedelta(hours=3), ReminderKind.EMAIL, "Send the brochure and references"),
        (timedelta(days=2), ReminderKind.MEETING, "Demo at their shop"),
        (timedelta(days=5), ReminderKind.SEND_CARD, "Thank-you card after the order"),
    ]
    for contact_id, (offset, kind, text) in zip(contact_ids, plan, strict=False):
        if contact_id is not None:
            ws.followups.create(contact_id, now + offset, kind, text)


if __name__ == "__main__":
    main()
