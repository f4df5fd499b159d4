"""Which of PyInstaller's collected files the bundle keeps (used by prospector.spec).

PyInstaller collects every plugin of each Qt module the app imports, and every library those
plugins link to. This keeps the plugins a desktop window needs and drops the rest, then drops
every library that only the dropped plugins linked to. Plain functions over PyInstaller's
``(dest, source, typecode)`` entries, so the rules are tested without a build
(tests/unit/test_installer_build.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

Entry = tuple[str, str, str]  # (path in the bundle, source path, typecode)
ImportsOf = Callable[[str], Iterable[str]]  # a binary's source path -> names it links to

# Plugin folders kept whole, and the few kept file by file; every other plugin goes (image
# formats: the app draws PNG only, built into QtGui; the SVG icon engine: the window icon is
# PNG; TLS and network information: no networking; eglfs, linuxfb, VNC, evdev: embedded
# devices; the virtual keyboard: needs QtQuick).
KEEP_PLUGIN_DIRS = {
    "xcbglintegrations",
    "wayland-decoration-client",
    "wayland-graphics-integration-client",
    "wayland-shell-integration",
    "styles",  # the Windows 11 and macOS styles
}
KEEP_PLUGINS = {
    "platforms": {"qxcb", "qwayland", "qoffscreen", "qwindows", "qcocoa"},
    # The desktop portal: native file dialogs on GNOME and KDE, through D-Bus. Not the GTK 3
    # theme: it links GTK, whose half (cairo, pango, glib) would be bundled and then meet the
    # system's other half at run time.
    "platformthemes": {"qxdgdesktopportal"},
    "platforminputcontexts": {
        "composeplatforminputcontextplugin",
        "ibusplatforminputcontextplugin",
    },
}


def plugin_kept(dest: str) -> bool:
    parts = PurePosixPath(dest.replace("\\", "/")).parts
    if "plugins" not in parts:
        return True
    at = parts.index("plugins")
    if len(parts) < at + 3:  # not inside a plugin folder
        return True
    kind, file_name = parts[at + 1], parts[-1]
    if kind in KEEP_PLUGIN_DIRS:
        return True
    stem = file_name.split(".")[0].removeprefix("lib")
    return stem in KEEP_PLUGINS.get(kind, set())


def _is_qt_part(dest: str) -> bool:
    return dest.replace("\\", "/").startswith("PySide6/")


def _is_translation(dest: str) -> bool:
    # Qt's own catalogs (qtbase_de.qm …). The app installs no translator yet; when it does
    # (ui/i18n.py), keep qtbase_<language>.qm for the languages it ships.
    return _is_qt_part(dest) and "/translations/" in dest.replace("\\", "/")


def _name(dest: str) -> str:
    return PurePosixPath(dest.replace("\\", "/")).name.lower()


def _is_root(entry: Entry) -> bool:
    """What is loaded by name rather than linked: Python's extension modules, Python itself,
    Qt plugins. Everything else is a library, kept when something kept links to it."""
    dest = entry[0].replace("\\", "/")
    name = _name(dest)
    return (
        "/plugins/" in dest
        or "lib-dynload/" in dest
        or name.endswith(".pyd")
        or ".cpython-" in name
        or ".abi3." in name
        or name.startswith(("libpython", "python3", "python"))
    )


def _linked(
    entries: Iterable[Entry],
    libraries: dict[str, Entry],
    imports: dict[str, list[str]],
    imports_of: ImportsOf,
) -> set[str]:
    """The libraries (by lower-case file name) that ``entries`` link to, transitively."""
    seen: set[str] = set()
    todo = list(entries)
    while todo:
        entry = todo.pop()
        if entry[1] not in imports:
            imports[entry[1]] = [_name(n) for n in imports_of(entry[1])]
        for key in imports[entry[1]]:
            if key in libraries and key not in seen:
                seen.add(key)
                todo.append(libraries[key])
    return seen


def prune(
    binaries: list[Entry], datas: list[Entry], imports_of: ImportsOf
) -> tuple[list[Entry], list[Entry]]:
    """Drop the unwanted plugins and the translations, then every library that only the
    dropped plugins linked to (Qt's and the system's alike: the GTK theme's cairo and pango,
    QtNetwork's Kerberos). A library nothing links to either way (loaded by ctypes) stays."""
    real = [b for b in binaries if b[2] != "SYMLINK"]
    libraries = {_name(b[0]): b for b in real if not _is_root(b)}
    imports: dict[str, list[str]] = {}
    roots_before = [b for b in real if _is_root(b)]
    roots_after = [b for b in roots_before if not _is_qt_part(b[0]) or plugin_kept(b[0])]
    before = _linked(roots_before, libraries, imports, imports_of)
    after = _linked(roots_after, libraries, imports, imports_of)
    dropped_roots = {b[0] for b in roots_before} - {b[0] for b in roots_after}
    dropped = {libraries[key][0] for key in before - after} | dropped_roots
    kept = [b for b in real if b[0] not in dropped]
    present = {PurePosixPath(b[0].replace("\\", "/")) for b in kept}

    def dangling(entry: Entry) -> bool:  # a link (PyInstaller puts some in datas) to a dropped file
        if entry[2] != "SYMLINK":
            return False
        dest = PurePosixPath(entry[0].replace("\\", "/"))
        target = os.path.normpath(str(dest.parent / entry[1].replace("\\", "/")))
        return PurePosixPath(target.replace("\\", "/")) not in present

    kept += [b for b in binaries if b[2] == "SYMLINK" and not dangling(b)]
    datas = [d for d in datas if not _is_translation(d[0]) and not dangling(d)]
    return kept, datas
