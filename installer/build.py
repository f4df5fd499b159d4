"""Build Prospector for the operating system this runs on, and check the result runs.

    python installer/build.py [--no-package] [--no-self-test] [--keep-build]

Needs the project installed with its ``build`` extra (PyInstaller, Pillow):
``pip install -e ".[build]"``, or ``python dev.py bundle``, which does that and runs this.

1. the icons, from resources/icons/prospector.svg (``make_icons.py``) into build/icons;
2. on Windows, the version resource of Prospector.exe;
3. PyInstaller with ``installer/prospector.spec``: the one-folder app in dist/ (on macOS,
   dist/Prospector.app);
4. the built app's ``--self-test`` (offscreen unless QT_QPA_PLATFORM says otherwise);
5. the artefact, named with the version and the target (``project.artefact_stem``):
   - Linux: ``Prospector-<v>-linux-<arch>.tar.gz`` (the folder, a desktop entry and
     ``install.sh``), unpacked again and self-tested from there;
   - Windows: ``Prospector-<v>-windows-x64-setup.exe`` by Inno Setup's ISCC
     (``installer/windows/prospector.iss``);
   - macOS: ``Prospector-<v>-macos-<arch>.dmg`` (the app and an Applications link), signed and
     notarized when PROSPECTOR_CODESIGN_IDENTITY and PROSPECTOR_NOTARY_PROFILE are set;
6. the sizes, printed and written to ``dist/<stem>.json``.

See docs/installers.md for what each step does on each system and why.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import project  # noqa: E402 - installer/project.py

SPEC = project.INSTALLER / "prospector.spec"
ISCC_PLACES = (
    r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe",
    r"C:\Program Files\Inno Setup 6\ISCC.exe",
)
SELF_TEST_TIMEOUT_S = 300


def say(text: str) -> None:
    print(f"[build] {text}", flush=True)  # noqa: T201


def run(command: list[str], **kwargs: object) -> None:
    say("$ " + " ".join(str(c) for c in command))
    subprocess.run([str(c) for c in command], check=True, **kwargs)  # type: ignore[arg-type]


def folder_size(path: Path) -> int:
    """Bytes in the files under ``path`` (symlinks counted once, as links)."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())


def mb(size: int) -> float:
    return round(size / 1_000_000, 1)


def check_tools() -> None:
    missing = [name for name in ("PyInstaller", "PIL") if _missing(name)]
    if missing:
        raise SystemExit(
            f'{", ".join(missing)} not installed: run `pip install -e ".[build]"` '
            "(or `python dev.py bundle`, which sets everything up)."
        )


def _missing(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is None


# -- the steps ----------------------------------------------------------------------------------


def make_icons() -> Path:
    from make_icons import make_icons as make

    icons = project.BUILD / "icons"
    made = make(icons)
    say(f"icons: {', '.join(p.name for p in made.values())}")
    return icons


def write_windows_version(version: str) -> None:
    template = (project.INSTALLER / "windows" / "version_info.txt.in").read_text(encoding="utf-8")
    text = (
        template.replace("@NUMERIC_VERSION@", repr(project.numeric_version(version)))
        .replace("@VERSION@", version)
        .replace("@PUBLISHER@", project.PUBLISHER)
    )
    target = project.BUILD / "windows" / "version_info.txt"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def freeze(icons: Path) -> Path:
    """PyInstaller; returns the app folder (or the .app on macOS)."""
    for old in (project.DIST / project.APP_NAME, project.DIST / f"{project.APP_NAME}.app"):
        if old.exists():
            shutil.rmtree(old)
    env = dict(os.environ, PROSPECTOR_ICONS=str(icons))
    run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            SPEC,
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            project.DIST,
            "--workpath",
            project.BUILD / "pyinstaller",
        ],
        env=env,
        cwd=project.ROOT,
    )
    if project.target_os() == "macos":
        return project.DIST / f"{project.APP_NAME}.app"
    return project.DIST / project.APP_NAME


def executable_in(app: Path) -> Path:
    target = project.target_os()
    if target == "macos":
        return app / "Contents" / "MacOS" / project.APP_NAME
    if target == "windows":
        return app / f"{project.APP_NAME}.exe"
    return app / "prospector"


def self_test(app: Path) -> float:
    """Run the built app's --self-test from a neutral folder; returns its wall time."""
    exe = executable_in(app)
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    for leak in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(leak, None)  # the built app must need nothing from the build's Python
    with tempfile.TemporaryDirectory(prefix="prospector-build-check-") as folder:
        started = time.perf_counter()
        result = subprocess.run(
            [str(exe), "--self-test"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=SELF_TEST_TIMEOUT_S,
        )
        elapsed = time.perf_counter() - started
        report = Path(folder) / "prospector-self-test.txt"  # a Windows app has no stdout
        output = result.stdout or (report.read_text(encoding="utf-8") if report.exists() else "")
    for line in output.splitlines():
        say(f"  {line}")
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"the built app's self-test failed (exit code {result.returncode})")
    say(f"self-test passed in {elapsed:.1f} s: {exe}")
    return elapsed


def check_linux_libraries(app: Path) -> None:
    """Every library a bundled binary asks for must be in the bundle or on the system."""
    if not shutil.which("ldd"):
        return
    problems: set[str] = set()
    for path in (app / "_internal").rglob("*.so*"):
        if not path.is_file():
            continue
        result = subprocess.run(["ldd", str(path)], capture_output=True, text=True)
        for line in result.stdout.splitlines():
            if "not found" in line:
                problems.add(f"{path.relative_to(app)}: {line.strip()}")
    # System libraries a user's desktop has (xcb helpers, GTK) may be missing on a build
    # machine without a desktop: say so, but only a missing *Qt* library fails the build.
    qt_missing = sorted(p for p in problems if "libQt6" in p.split(":", 1)[1])
    system = sorted(
        {p.split(":", 1)[1].split("=>")[0].strip() for p in problems}
        - {p.split(":", 1)[1].split("=>")[0].strip() for p in qt_missing}
    )
    if system:
        say(f"not on this machine, found on a user's desktop: {', '.join(system)}")
    if qt_missing:
        raise SystemExit("Qt libraries missing from the bundle:\n" + "\n".join(qt_missing))


def package_linux(app: Path, version: str) -> Path:
    shutil.copy2(project.INSTALLER / "linux" / "prospector.desktop", app / "prospector.desktop")
    shutil.copy2(project.INSTALLER / "linux" / "install.sh", app / "install.sh")
    (app / "install.sh").chmod(0o755)
    archive = project.DIST / f"{project.artefact_stem(version)}.tar.gz"
    top = f"{project.APP_NAME}-{version}"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(app, arcname=top)
    return archive


def check_linux_archive(archive: Path, version: str) -> None:
    """Unpack the archive as a user would and self-test the app from there."""
    with tempfile.TemporaryDirectory(prefix="prospector-archive-") as folder:
        with tarfile.open(archive) as tar:
            tar.extractall(folder, filter="tar")
        self_test(Path(folder) / f"{project.APP_NAME}-{version}")


def find_iscc() -> str | None:
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return found
    return next((p for p in ISCC_PLACES if Path(p).is_file()), None)


def iscc_defines(app: Path, version: str, icons: Path) -> dict[str, str]:
    """The values prospector.iss expects (each ``{#Name}`` in it), from the one version."""
    return {
        "AppVersion": version,
        "AppNumericVersion": ".".join(str(n) for n in project.numeric_version(version)),
        "AppGuid": project.WINDOWS_APP_ID.strip("{}"),
        "SourceDir": str(app),
        "IconFile": str(icons / "prospector.ico"),
        "OutputDir": str(project.DIST),
        "OutputBaseFilename": f"{project.artefact_stem(version)}-setup",
    }


def package_windows(app: Path, version: str, icons: Path) -> Path:
    iscc = find_iscc()
    if iscc is None:
        raise SystemExit(
            "Inno Setup's ISCC.exe was not found: install Inno Setup 6 (e.g. "
            "`choco install innosetup`), or build the folder only with --no-package."
        )
    defines = iscc_defines(app, version, icons)
    run(
        [
            iscc,
            "/Qp",
            *(f"/D{name}={value}" for name, value in defines.items()),
            project.INSTALLER / "windows" / "prospector.iss",
        ]
    )
    return project.DIST / f"{defines['OutputBaseFilename']}.exe"


def sign_macos_app(app: Path) -> None:
    """Sign every binary, then the bundle, with the hardened runtime (notarization needs it)."""
    identity = os.environ.get("PROSPECTOR_CODESIGN_IDENTITY")
    if not identity:
        say("not signed (PROSPECTOR_CODESIGN_IDENTITY is not set): the app is ad-hoc signed")
        return
    entitlements = project.INSTALLER / "macos" / "entitlements.plist"
    common = ["--force", "--timestamp", "--options", "runtime", "--sign", identity]
    binaries = [
        p
        for p in app.rglob("*")
        if p.is_file() and not p.is_symlink() and (p.suffix in (".so", ".dylib") or _is_macho(p))
    ]
    for binary in sorted(binaries, key=lambda p: len(p.parts), reverse=True):  # inside out
        run(["codesign", *common, binary])
    run(["codesign", *common, "--entitlements", entitlements, app])
    run(["codesign", "--verify", "--deep", "--strict", "--verbose=2", app])


def _is_macho(path: Path) -> bool:
    with path.open("rb") as handle:
        magic = handle.read(4)
    return magic in (
        b"\xcf\xfa\xed\xfe",  # 64-bit Mach-O
        b"\xca\xfe\xba\xbe",  # universal (fat)
    )


def package_macos(app: Path, version: str) -> Path:
    """A compressed .dmg holding the app and a link to /Applications (drag to install)."""
    dmg = project.DIST / f"{project.artefact_stem(version)}.dmg"
    dmg.unlink(missing_ok=True)
    volume = f"{project.APP_NAME} {version}"
    if shutil.which("create-dmg"):
        run(
            [
                "create-dmg",
                "--volname",
                volume,
                "--window-size",
                "540",
                "360",
                "--icon-size",
                "96",
                "--icon",
                app.name,
                "140",
                "170",
                "--app-drop-link",
                "400",
                "170",
                "--no-internet-enable",
                dmg,
                app,
            ]
        )
    else:
        with tempfile.TemporaryDirectory(prefix="prospector-dmg-") as folder:
            staging = Path(folder) / volume
            staging.mkdir()
            run(["ditto", app, staging / app.name])  # keeps the signatures and links
            (staging / "Applications").symlink_to("/Applications")
            run(
                [
                    "hdiutil",
                    "create",
                    "-volname",
                    volume,
                    "-srcfolder",
                    staging,
                    "-fs",
                    "HFS+",
                    "-format",
                    "UDZO",
                    "-ov",
                    dmg,
                ]
            )
    identity = os.environ.get("PROSPECTOR_CODESIGN_IDENTITY")
    if identity:
        run(["codesign", "--force", "--timestamp", "--sign", identity, dmg])
    profile = os.environ.get("PROSPECTOR_NOTARY_PROFILE")
    if identity and profile:
        run(["xcrun", "notarytool", "submit", dmg, "--keychain-profile", profile, "--wait"])
        run(["xcrun", "stapler", "staple", dmg])
        run(
            [
                "spctl",
                "--assess",
                "--type",
                "open",
                "--context",
                "context:primary-signature",
                "--verbose",
                dmg,
            ]
        )
    return dmg


# -- the whole build ------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-package", action="store_true", help="the app folder only")
    parser.add_argument("--no-self-test", action="store_true", help="do not run the built app")
    parser.add_argument(
        "--keep-build", action="store_true", help="keep PyInstaller's work folder (build/)"
    )
    args = parser.parse_args(argv)

    check_tools()
    version = project.read_version()
    target = project.target_os()
    say(f"Prospector {version} for {target} ({project.target_arch()}), Python {sys.version}")
    started = time.perf_counter()

    icons = make_icons()
    if target == "windows":
        write_windows_version(version)
    app = freeze(icons)
    frozen_s = time.perf_counter() - started
    if target == "linux":
        check_linux_libraries(app)
    if target == "macos":
        sign_macos_app(app)

    report: dict[str, object] = {
        "version": version,
        "target": f"{target}-{project.target_arch()}",
        "app": str(app.relative_to(project.ROOT)),
        "app_mb": mb(folder_size(app)),
        "freeze_s": round(frozen_s, 1),
    }
    if not args.no_self_test:
        report["self_test_s"] = round(self_test(app), 1)

    artefact: Path | None = None
    if not args.no_package:
        if target == "linux":
            artefact = package_linux(app, version)
            if not args.no_self_test:
                check_linux_archive(artefact, version)
        elif target == "windows":
            artefact = package_windows(app, version, icons)
        else:
            artefact = package_macos(app, version)
        report["artefact"] = str(artefact.relative_to(project.ROOT))
        report["artefact_mb"] = mb(artefact.stat().st_size)

    report["total_s"] = round(time.perf_counter() - started, 1)
    summary = project.DIST / f"{project.artefact_stem(version)}.json"
    summary.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    say(f"app: {report['app']} ({report['app_mb']} MB)")
    if artefact is not None:
        say(f"artefact: {report['artefact']} ({report['artefact_mb']} MB)")
    say(f"done in {report['total_s']} s; sizes in {summary.relative_to(project.ROOT)}")
    if not args.keep_build:
        shutil.rmtree(project.BUILD / "pyinstaller", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
