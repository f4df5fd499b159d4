"""Shared fixtures: headless Qt, a fresh migrated database per test, noise treated as failure."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything loads Qt
# Logs, settings and the default database of the code under test stay out of the user's folders.
os.environ["PROSPECTOR_HOME"] = tempfile.mkdtemp(prefix="prospector-tests-")

import pytest  # noqa: E402

from prospector.services.workspace import Workspace, open_workspace  # noqa: E402
from prospector.storage.engine import make_engine  # noqa: E402
from prospector.storage.migrate import upgrade_database  # noqa: E402


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 16, 9, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "prospector.sqlite"
    engine = make_engine(path)
    upgrade_database(engine, path, backup_dir=None)
    engine.dispose()  # checkpoints the WAL: the one file is the whole database
    return path


@pytest.fixture
def db_path(migrated_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "prospector.sqlite"
    shutil.copy(migrated_template, path)
    return path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def workspace(db_path: Path, clock: FakeClock) -> Iterator[Workspace]:
    ws = open_workspace(db_path, clock=clock)
    ws.settings.set_default_country("FR")
    yield ws
    ws.close()


@pytest.fixture
def fail_third_batch(monkeypatch: pytest.MonkeyPatch):
    """Call it to make the import's batch writer fail on its third batch, as a full disk would."""

    def install() -> None:
        from prospector.storage import import_repository

        original = import_repository.ContactBatchWriter.write
        calls = {"n": 0}

        def failing(self, batch, counts):  # type: ignore[no-untyped-def]
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError("disk I/O error")
            return original(self, batch, counts)

        monkeypatch.setattr(import_repository.ContactBatchWriter, "write", failing)

    return install


class _FailOnWarnings(logging.Handler):
    """Any WARNING a test did not ask for is a defect (qutebrowser's logfail idea)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def fail_on_logged_warnings(request: pytest.FixtureRequest) -> Iterator[None]:
    handler = _FailOnWarnings()
    root = logging.getLogger()
    root.addHandler(handler)
    yield
    root.removeHandler(handler)
    if request.node.get_closest_marker("allow_log_warnings") is None and handler.records:
        lines = "\n".join(f"{r.name}: {r.getMessage()}" for r in handler.records)
        pytest.fail(f"unexpected warnings were logged:\n{lines}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"qtbot", "qapp"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)
