"""The Qt binding the project installs survives a long session of background work.

PySide6 6.12.0 dropped a reference to Python's True on every Signal.emit(): after a few
thousand progress signals the interpreter aborted ("deallocating True"), which would kill the
window in the middle of a rep's day. pyproject.toml excludes that release; this test fails on
any binding that does the same.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_fifty_thousand_signals_do_not_crash_the_interpreter():
    script = textwrap.dedent(
        """
        from PySide6.QtCore import QCoreApplication, QObject, Signal

        app = QCoreApplication([])

        class Worker(QObject):
            progress = Signal(object)

        worker = Worker()
        seen = []
        worker.progress.connect(seen.append)
        for step in range(50_000):
            worker.progress.emit(step)
        assert len(seen) == 50_000
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
