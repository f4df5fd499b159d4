"""The installers' build: one version everywhere, the bundle's pruning rules, the icons, the
Windows script's values. (The build itself runs in .ci/run: ``python dev.py bundle``.)"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import prospector

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"


def _load(name: str):
    """A module of installer/ (a folder of scripts, not a package)."""
    if str(INSTALLER) not in sys.path:
        sys.path.insert(0, str(INSTALLER))
    spec = importlib.util.spec_from_file_location(name, INSTALLER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


project = _load("project")
bundle_filter = _load("bundle_filter")


# -- one version -----------------------------------------------------------------------------


def test_the_version_has_one_source_read_by_pyproject_and_the_build():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in pyproject["project"]["dynamic"]
    assert "version" not in pyproject["project"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "prospector.__version__"
    }
    assert project.read_version() == prospector.__version__


def test_artefact_names_carry_the_version_and_the_target():
    stem = project.artefact_stem("1.4.2")
    assert stem == f"Prospector-1.4.2-{project.target_os()}-{project.target_arch()}"
    assert project.artefact_stem().startswith(f"Prospector-{prospector.__version__}-")


@pytest.mark.parametrize(
    ("version", "numbers"),
    [
        ("0.1.0", (0, 1, 0, 0)),
        ("1.2", (1, 2, 0, 0)),
        ("2.0.1rc1", (2, 0, 1, 0)),
        ("3.4.5.6", (3, 4, 5, 6)),
    ],
)
def test_windows_gets_four_numbers(version, numbers):
    assert project.numeric_version(version) == numbers


def test_the_build_needs_pyinstaller_and_pillow_from_the_build_extra():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    build = " ".join(pyproject["project"]["optional-dependencies"]["build"]).lower()
    assert re.search(r"pyinstaller>=\d", build) and re.search(r"pillow>=\d", build)


def test_every_value_the_inno_setup_script_uses_is_passed_by_the_build(tmp_path):
    build = _load("build")
    script = (INSTALLER / "windows" / "prospector.iss").read_text(encoding="utf-8")
    used = set(re.findall(r"\{#(\w+)\}", script)) | set(re.findall(r"#ifndef (\w+)", script))
    defines = build.iscc_defines(tmp_path / "Prospector", "0.1.0", tmp_path / "icons")
    assert used <= set(defines), used - set(defines)
    assert defines["AppGuid"] == project.WINDOWS_APP_ID.strip("{}")
    assert defines["OutputBaseFilename"].startswith("Prospector-0.1.0-")
    for rule in ("PrivilegesRequired=lowest", "ChangesAssociations=no", "AppId={{{#AppGuid}}"):
        assert rule in script
    assert 'Root: HKCU; Subkey: "Software\\Classes\\.xlsx' not in script  # .xlsx stays Excel's


# -- what the bundle keeps ---------------------------------------------------------------------


def _entry(dest: str, kind: str = "BINARY") -> tuple[str, str, str]:
    return (dest, f"/src/{dest}", kind)


def test_only_the_plugins_a_desktop_window_needs_are_kept():
    kept = bundle_filter.plugin_kept
    assert kept("PySide6/Qt/plugins/platforms/libqxcb.so")
    assert kept("PySide6/Qt/plugins/platforms/libqwayland.so")
    assert kept("PySide6/Qt/plugins/platforms/libqoffscreen.so")  # the self-test's
    assert kept("PySide6\\plugins\\platforms\\qwindows.dll")
    assert kept("PySide6/Qt/plugins/platforms/libqcocoa.dylib")
    assert kept("PySide6\\plugins\\styles\\qmodernwindowsstyle.dll")
    assert kept("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so")
    assert not kept("PySide6/Qt/plugins/platforms/libqeglfs.so")
    assert not kept("PySide6/Qt/plugins/platforms/libqvnc.so")
    assert not kept("PySide6/Qt/plugins/platformthemes/libqgtk3.so")
    assert not kept("PySide6/Qt/plugins/imageformats/libqjpeg.so")
    assert not kept("PySide6/Qt/plugins/iconengines/libqsvgicon.so")
    assert not kept("PySide6/Qt/plugins/tls/libqopensslbackend.so")
    assert not kept("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so")
    assert kept("PySide6/Qt/lib/libQt6Core.so.6")  # not a plugin: decided by what links it


def test_libraries_only_dropped_plugins_link_to_go_too_and_nothing_else():
    core = _entry("PySide6/Qt/lib/libQt6Core.so.6")
    network = _entry("PySide6/Qt/lib/libQt6Network.so.6")
    krb5 = _entry("libkrb5.so.3")
    gtk_half = _entry("libcairo.so.2")
    ctypes_only = _entry("libsomething-ctypes-loads.so.1")  # nothing links it: stays
    binaries = [
        _entry("PySide6/QtCore.abi3.so"),
        _entry("PySide6/Qt/plugins/platforms/libqxcb.so"),
        _entry("PySide6/Qt/plugins/tls/libqopensslbackend.so"),
        _entry("PySide6/Qt/plugins/platformthemes/libqgtk3.so"),
        core,
        network,
        krb5,
        gtk_half,
        ctypes_only,
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
    ]
    links = {
        "/src/PySide6/QtCore.abi3.so": ["libQt6Core.so.6"],
        "/src/PySide6/Qt/plugins/platforms/libqxcb.so": ["libQt6Core.so.6"],
        "/src/PySide6/Qt/plugins/tls/libqopensslbackend.so": ["libQt6Network.so.6"],
        "/src/PySide6/Qt/lib/libQt6Network.so.6": ["libQt6Core.so.6", "libkrb5.so.3"],
        "/src/PySide6/Qt/plugins/platformthemes/libqgtk3.so": ["libcairo.so.2"],
    }
    datas = [
        ("PySide6/Qt/translations/qtbase_de.qm", "/src/qtbase_de.qm", "DATA"),
        ("resources/sample_leads.csv", "/src/sample_leads.csv", "DATA"),
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
    ]

    kept, kept_datas = bundle_filter.prune(binaries, datas, lambda path: links.get(path, []))

    names = {entry[0] for entry in kept}
    assert core[0] in names and ctypes_only[0] in names
    assert "PySide6/Qt/plugins/platforms/libqxcb.so" in names
    assert network[0] not in names and krb5[0] not in names and gtk_half[0] not in names
    assert "PySide6/Qt/plugins/tls/libqopensslbackend.so" not in names
    symlinks = {e[0] for e in kept if e[2] == "SYMLINK"}
    assert symlinks == {"libQt6Core.so.6"}  # the link to the dropped QtNetwork went with it
    assert [d[0] for d in kept_datas] == ["resources/sample_leads.csv"]


# -- icons ------------------------------------------------------------------------------------


def test_every_icon_is_made_from_the_one_svg(tmp_path):
    pytest.importorskip("PIL", reason="Pillow comes with the build extra (python dev.py bundle)")
    from PIL import Image

    make_icons = _load("make_icons")  # its sizes; the drawing runs apart (it starts Qt)
    subprocess.run([sys.executable, str(INSTALLER / "make_icons.py"), str(tmp_path)], check=True)
    made = {
        "ico": tmp_path / "prospector.ico",
        "icns": tmp_path / "prospector.icns",
        "png": tmp_path / "png",
    }

    with Image.open(made["ico"]) as ico:
        assert set(ico.info["sizes"]) == {(s, s) for s in make_icons.WINDOWS_SIZES}
    with Image.open(made["icns"]) as icns:
        assert (512, 512, 2) in icns.info["sizes"]
    for size in make_icons.LINUX_SIZES:
        with Image.open(made["png"] / f"prospector-{size}.png") as png:
            assert png.size == (size, size) and png.mode == "RGBA"
            assert png.getpixel((size // 2, size // 2))[3] == 255  # drawn, not blank
            assert png.getpixel((0, 0))[3] == 0  # the rounded corner is transparent
    iconset = sorted(p.name for p in (tmp_path / "prospector.iconset").iterdir())
    assert "icon_16x16.png" in iconset and "icon_512x512@2x.png" in iconset


def test_the_window_has_the_app_icon(qapp, monkeypatch, tmp_path):
    from PySide6.QtGui import QImage

    from prospector.ui import app_icon

    assert not app_icon.app_icon().isNull()  # a checkout: drawn from the SVG

    # A built app: the PNGs made at build time, every size of them.
    icons = tmp_path / "resources" / "icons"
    icons.mkdir(parents=True)
    for size in (16, 32, 256):
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(0xFF2F6DB5)
        image.save(str(icons / f"prospector-{size}.png"))
    monkeypatch.setattr(app_icon, "resources_dir", lambda: tmp_path / "resources")
    sizes = {(s.width(), s.height()) for s in app_icon.app_icon().availableSizes()}
    assert sizes == {(16, 16), (32, 32), (256, 256)}
