"""What every build shares: the version, the app's fixed identities, the artefact names.

Imported by ``build.py`` and ``prospector.spec`` (and the tests); it imports nothing of the app.
"""

from __future__ import annotations

import ast
import os
import platform
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "installer"
BUILD = ROOT / "build"  # PyInstaller's work folder, the icons, the generated scripts
DIST = ROOT / "dist"  # the built app and the artefacts

APP_NAME = "Prospector"
# Identities the operating systems remember an installed app by. Fixed on day one and NEVER to
# change: a new value makes Windows install a second copy beside the first instead of upgrading
# it, and macOS treat the app as another one (permissions, Dock, preferences).
WINDOWS_APP_ID = "{3FFC8BAE-6C2F-4ED5-A7EC-3B6D1459DA34}"  # do not change
MAC_BUNDLE_ID = "com.prospectorapp.Prospector"  # do not change
PUBLISHER = "Prospector"


def read_version() -> str:
    """The one version: ``prospector/__init__.py``'s ``__version__`` (pyproject reads it too).

    Read without importing the package, so a build needs nothing installed to name its files.
    """
    tree = ast.parse((ROOT / "prospector" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise SystemExit("prospector/__init__.py has no __version__ = '…' line")


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """Windows wants four numbers: 0.1.0 -> (0, 1, 0, 0); a suffix such as 'rc1' is dropped."""
    parts = version.split(".")
    numbers = [int(m.group()) if (m := re.match(r"\d+", part)) else 0 for part in parts]
    numbers = (numbers + [0, 0, 0, 0])[:4]
    return numbers[0], numbers[1], numbers[2], numbers[3]


def target_os() -> str:
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    return "linux"


def target_arch() -> str:
    """The architecture the artefact is for. On a Mac it can be asked for (see docs)."""
    if target_os() == "macos":
        return os.environ.get("PROSPECTOR_MAC_ARCH") or platform.machine()
    machine = platform.machine().lower()
    return {"amd64": "x64", "x86_64": "x86_64", "aarch64": "arm64"}.get(machine, machine)


def artefact_stem(version: str | None = None) -> str:
    """E.g. Prospector-0.1.0-linux-x86_64: the version and the target in every file name."""
    return f"{APP_NAME}-{version or read_version()}-{target_os()}-{target_arch()}"
