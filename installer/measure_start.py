"""How long the built app takes to show its window: process start to the first paint.

    python installer/measure_start.py [--runs 7] [--cold] [APP_EXECUTABLE]

Runs the built app (default: this system's dist/ build) over a database holding the sample
list, with PROSPECTOR_EXIT_AFTER_FIRST_PAINT=1 (the window prints "first-paint" and quits),
offscreen, and prints one JSON line with the median and the spread, next to the same from
source (``python -m prospector``). ``--cold`` empties the OS file cache before each run
(Linux, as root: /proc/sys/vm/drop_caches), the first start after a reboot or an install.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import project  # noqa: E402 - installer/project.py


def default_executable() -> Path:
    if project.target_os() == "macos":
        return project.DIST / f"{project.APP_NAME}.app" / "Contents" / "MacOS" / project.APP_NAME
    if project.target_os() == "windows":
        return project.DIST / project.APP_NAME / f"{project.APP_NAME}.exe"
    return project.DIST / project.APP_NAME / "prospector"


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def first_paint_ms(command: list[str], db: Path, home: Path) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PROSPECTOR_EXIT_AFTER_FIRST_PAINT="1")
    env["PROSPECTOR_HOME"] = str(home)  # its own settings and logs, not the user's
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("first-paint"):
            elapsed = (time.perf_counter() - started) * 1000
            break
    else:
        raise SystemExit(f"{command[0]} never reported its first paint")
    process.wait(timeout=60)
    return elapsed


def measure(command: list[str], runs: int, cold: bool, db: Path, home: Path) -> dict[str, object]:
    first_paint_ms(command, db, home)  # a first run that also settles the database file
    times = []
    for _ in range(runs):
        if cold and not drop_caches():
            raise SystemExit("--cold needs Linux and root (/proc/sys/vm/drop_caches)")
        times.append(first_paint_ms(command, db, home))
    return {
        "median_ms": round(statistics.median(times)),
        "min_ms": round(min(times)),
        "max_ms": round(max(times)),
        "runs": runs,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("executable", nargs="?", type=Path, default=default_executable())
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cold", action="store_true", help="empty the file cache each run")
    args = parser.parse_args(argv)
    if not args.executable.exists():
        raise SystemExit(f"{args.executable} is not built: python installer/build.py first")

    with tempfile.TemporaryDirectory(prefix="prospector-start-") as folder:
        db, home = Path(folder) / "prospector.sqlite", Path(folder) / "home"
        # The database the window opens: migrated, with the sample list, by the app itself.
        env = dict(os.environ, PROSPECTOR_HOME=str(home))
        subprocess.run(
            [str(args.executable), "sample", "--db", str(db)],
            check=True,
            env=env,
            capture_output=True,
        )
        result = {
            "cache": "cold" if args.cold else "warm",
            "built": measure([str(args.executable)], args.runs, args.cold, db, home),
            "source": measure([sys.executable, "-m", "prospector"], args.runs, args.cold, db, home),
            "app_mb": round(
                sum(p.stat().st_size for p in args.executable.parent.rglob("*") if p.is_file())
                / 1_000_000,
                1,
            ),
        }
        shutil.rmtree(home, ignore_errors=True)
    print(json.dumps(result))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
