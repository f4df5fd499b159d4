"""Time-ordered UUIDs: valid version 7 UUIDs, unique, and in the order they were made."""

from __future__ import annotations

import uuid

from prospector.domain.ids import uuid7, uuid7_text


def test_a_uuid7_is_an_rfc_9562_version_7_uuid_carrying_its_millisecond():
    made = uuid7(now_ms=1_700_000_000_123)
    assert made.version == 7
    assert made.variant == uuid.RFC_4122
    assert made.int >> 80 == 1_700_000_000_123


def test_uuid7_text_reads_back_as_the_same_uuid():
    for _ in range(1000):
        text = uuid7_text()
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 7


def test_uuids_made_later_sort_after_earlier_ones_and_never_repeat():
    earlier = [uuid7(now_ms=1_000) for _ in range(200)]
    later = [uuid7(now_ms=1_001) for _ in range(200)]
    assert max(str(u) for u in earlier) < min(str(u) for u in later)
    assert len({*earlier, *later}) == 400  # 74 random bits each


def test_an_import_gives_its_contacts_time_ordered_uuids(tmp_path):
    from prospector.services.imports import ImportRequest
    from prospector.services.workspace import open_workspace

    path = tmp_path / "list.csv"
    path.write_text("Name,Email\n" + "".join(f"P{i},p{i}@x.fr\n" for i in range(50)), "utf-8")
    workspace = open_workspace(tmp_path / "db.sqlite", backups=False)
    try:
        *_, last = workspace.imports.run_import(ImportRequest(path, "List"))
        assert last.imported == 50
        with workspace.database.sessions() as session:
            from sqlalchemy import text

            uuids = session.execute(text("SELECT uuid FROM contacts ORDER BY id")).scalars().all()
    finally:
        workspace.close()
    assert all(uuid.UUID(u).version == 7 for u in uuids)
    milliseconds = [u[:13] for u in uuids]  # within one millisecond the order is random
    assert milliseconds == sorted(milliseconds)
