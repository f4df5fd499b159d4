"""Make every icon the installers need from the one source, resources/icons/prospector.svg.

    python installer/make_icons.py [OUT_DIR]      (default: build/icons)

Writes, into OUT_DIR:

- ``png/prospector-<N>.png`` for N in LINUX_SIZES: the window icon (bundled, see
  ``prospector/ui/app_icon.py``) and the Linux hicolor theme sizes;
- ``prospector.ico``: every size Windows asks for (WINDOWS_SIZES), each drawn at its own size
  rather than scaled down from 256 px, stored as PNG entries (Windows Vista and later);
- ``prospector.iconset/`` (Apple's naming, 16 to 512 pt at 1x and 2x) and ``prospector.icns``:
  made by Apple's ``iconutil`` on a Mac, else by Pillow (which stores 32 to 1024 px; the 16 pt
  1x slot is then filled by macOS from the 32 px image).

The SVG is drawn by Qt's own SVG renderer (PySide6's QtSvg, build time only: the app itself
loads the PNGs, so the bundle needs no SVG support), then Pillow writes the containers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "icons" / "prospector.svg"

# Windows: the shell picks among these for 100-400% scaling (16 px small icons up to 256 px
# "extra large" tiles); the sizes listed in Microsoft's "Construct your app icon" guidance.
WINDOWS_SIZES = (16, 20, 24, 30, 32, 36, 40, 48, 60, 64, 72, 80, 96, 256)
# Linux: the hicolor icon theme's usual fixed sizes (the SVG goes in as "scalable" too).
LINUX_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
# macOS: the iconset names are <points>x<points>[@2x].
MAC_POINTS = (16, 32, 128, 256, 512)


def render_all(sizes: set[int]) -> dict[int, bytes]:
    """Draw the SVG at each size (PNG bytes), each from the vector source."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE} is not an SVG Qt can draw")
    pngs: dict[int, bytes] = {}
    for size in sorted(sizes):
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        pngs[size] = bytes(data.data())
    return pngs


def make_icons(out: Path) -> dict[str, Path]:
    """Write every icon into ``out``; return the main files by kind (png, ico, icns, svg)."""
    from io import BytesIO

    from PIL import Image

    mac_pixels = {p * s for p in MAC_POINTS for s in (1, 2)}
    pngs = render_all(set(WINDOWS_SIZES) | set(LINUX_SIZES) | mac_pixels)
    images = {size: Image.open(BytesIO(data)).convert("RGBA") for size, data in pngs.items()}

    png_dir = out / "png"
    png_dir.mkdir(parents=True, exist_ok=True)
    for size in LINUX_SIZES:
        (png_dir / f"prospector-{size}.png").write_bytes(pngs[size])

    ico = out / "prospector.ico"
    largest = images[max(WINDOWS_SIZES)]
    largest.save(
        ico,
        format="ICO",
        sizes=[(s, s) for s in WINDOWS_SIZES],
        append_images=[images[s] for s in WINDOWS_SIZES if s != max(WINDOWS_SIZES)],
    )

    iconset = out / "prospector.iconset"
    if iconset.exists():
        shutil.rmtree(iconset)
    iconset.mkdir()
    for points in MAC_POINTS:
        (iconset / f"icon_{points}x{points}.png").write_bytes(pngs[points])
        (iconset / f"icon_{points}x{points}@2x.png").write_bytes(pngs[points * 2])
    icns = out / "prospector.icns"
    icns.unlink(missing_ok=True)
    if sys.platform == "darwin" and shutil.which("iconutil"):
        subprocess.run(["iconutil", "-c", "icns", str(iconset), "-o", str(icns)], check=True)
    else:
        images[1024].save(
            icns, format="ICNS", append_images=[images[s] for s in (32, 64, 128, 256, 512)]
        )

    svg = out / "prospector.svg"
    shutil.copyfile(SOURCE, svg)
    return {"png": png_dir, "ico": ico, "icns": icns, "svg": svg}


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "build" / "icons"
    made = make_icons(out)
    for kind, path in made.items():
        print(f"{kind:>4}: {path}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
