"""Set up and run Prospector from a checkout, with nothing but Python 3.11+ installed.

    python dev.py app [ARGS]     set up, then open the app on your own database
    python dev.py test [ARGS]    set up, then run the checks and the whole test suite
    python dev.py bundle [ARGS]  set up with the build tools too, then build the app for this
                                 system and run the built app's self-test
                                 (installer/build.py; ARGS go to it, e.g. --no-package)

Setting up means: a virtual environment in .venv with the project and its development tools
installed, redone only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".prospector-installed"
BUILD_STAMP = VENV / ".prospector-build-installed"


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _wanted_stamp() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def setup() -> Path:
    """Create or refresh .venv so that it matches pyproject.toml."""
    if sys.version_info < (3, 11):  # noqa: UP036  (dev.py may be run by an older Python)
        sys.exit(f"Prospector needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    python = venv_python()
    if not python.exists():
        print("Creating a virtual environment in .venv …", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text() != _wanted_stamp():
        print("Installing Prospector and its tools (first time only) …", flush=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True
        )
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev]"], check=True
        )
        STAMP.write_text(_wanted_stamp())
    return python


def setup_build(python: Path) -> None:
    """Add the ``build`` extra (PyInstaller, Pillow) to .venv, once per pyproject.toml."""
    if not BUILD_STAMP.exists() or BUILD_STAMP.read_text() != _wanted_stamp():
        print("Installing the build tools (PyInstaller, Pillow; first time only) …", flush=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev,build]"],
            check=True,
        )
        BUILD_STAMP.write_text(_wanted_stamp())


def run_bundle(python: Path, extra: list[str]) -> int:
    """Build the app for this system and self-test it (see installer/build.py)."""
    setup_build(python)
    print("\n=== bundle ===", flush=True)
    command = [str(python), str(ROOT / "installer" / "build.py"), *extra]
    code = subprocess.run(command, cwd=ROOT).returncode
    if code != 0:
        print(f"\nbundle failed (exit code {code}).", flush=True)
    return code


# import-linter ships a console script but no ``python -m`` entry; call it the portable way.
_LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"


def run_tests(python: Path, extra: list[str]) -> int:
    steps = [
        (
            "layer rules",
            [str(python), "-c", _LINT_IMPORTS, "--no-cache"],
        ),
        ("lint", [str(python), "-m", "ruff", "check", "."]),
        ("tests", [str(python), "-m", "pytest", *extra]),
    ]
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    for name, command in steps:
        print(f"\n=== {name} ===", flush=True)
        code = subprocess.run(command, cwd=ROOT, env=env).returncode
        if code != 0:
            print(f"\n{name} failed (exit code {code}).", flush=True)
            return code
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("app", "test", "bundle"):
        print(__doc__)
        return 2
    python = setup()
    if argv[0] == "app":
        return subprocess.run([str(python), "-m", "prospector", *argv[1:]], cwd=ROOT).returncode
    if argv[0] == "bundle":
        return run_bundle(python, argv[1:])
    return run_tests(python, argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
