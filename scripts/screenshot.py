"""Render the main window offscreen, with the sample list loaded, to docs/screenshot.png.

python scripts/screenshot.py [--out FILE] [--page contacts|lists|queue] [--questions] [--empty]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
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
    args = parser.parse_args()

    make_application()
    folder = Path(tempfile.mkdtemp())
    ws = open_workspace(folder / "Prospector.sqlite")
    ws.settings.set_default_country("FR")
    window = MainWindow(ws, QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
    window.resize(1360, 820)
    if not args.empty:
        window.load_sample_list()
    window.show()
    page = window.contacts_page
    if args.search:
        page.search.setText(args.search)
        page.apply_filters()
    if page.model.rowCount() > 3:
        page.table.selectRow(3)
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


if __name__ == "__main__":
    main()
