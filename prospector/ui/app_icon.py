"""Prospector's icon for its windows (the taskbar, the Dock and the window switcher show it).

One source, ``resources/icons/prospector.svg``. A built app carries PNGs made from it at build
time (``installer/make_icons.py``), so it needs no SVG plugin; a checkout draws the SVG itself.
"""

from __future__ import annotations

from PySide6.QtGui import QIcon

from prospector.paths import resources_dir


def app_icon() -> QIcon:
    """Every PNG size the build made, else the SVG; an empty icon if neither is there."""
    folder = resources_dir() / "icons"
    icon = QIcon()
    for png in sorted(folder.glob("prospector-*.png")):
        icon.addFile(str(png))
    if icon.isNull() and (folder / "prospector.svg").is_file():
        icon = QIcon(str(folder / "prospector.svg"))
    return icon
