"""The worker's duplicate hints: never "no" for a key it has seen, rarely "maybe" for others."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from prospector.importers.duplicate_hints import DuplicateHints, KeyFilter, row_keys


def test_a_key_filter_never_forgets_a_key_and_rarely_claims_one():
    rng = random.Random(3)
    held = [f"e:person{rng.random()}@example.com" for _ in range(20_000)]
    keys = KeyFilter(len(held))
    for key in held:
        keys.add(key)
    assert all(key in keys for key in held)
    others = [f"p:+33{rng.randrange(10**9):09d}" for _ in range(20_000)]
    wrong = sum(key in keys for key in others)
    assert wrong < 0.04 * len(others)  # about 1.7% by design


def test_hints_say_maybe_for_known_keys_and_for_rows_seen_before():
    known = ["e:ana@pop.ro", "p:+40722000000", "n:pop ana"]
    hints = DuplicateHints(known, known_count=1, expected_rows=10)
    assert hints.may_match(row_keys("ana@pop.ro", None, None, None))
    assert hints.may_match(row_keys(None, None, "+40722000000", None))  # a mobile is a phone
    assert hints.may_match(row_keys(None, None, None, "pop ana"))
    fresh = row_keys("ion@x.ro", "+40733000000", None, "x ion")
    assert not hints.may_match(fresh)
    assert hints.may_match(fresh)  # the same row again: an earlier row of the list
    assert hints.may_match(row_keys(None, "+40733000000", None, None))
    assert not hints.may_match(row_keys(None, None, None, None))  # no key: matches nobody


def _import(db: Path, path: Path, *, worker: bool, monkeypatch):
    import prospector.services.imports as imports
    from prospector.domain.contacts import ContactFields
    from prospector.services.imports import ImportRequest
    from prospector.services.workspace import open_workspace

    monkeypatch.setattr(imports, "PARALLEL_MIN_BYTES", 0 if worker else 10**12)
    ws = open_workspace(db, backups=False)
    try:
        ws.settings.set_default_country("FR")
        known = ws.contacts.add(ContactFields(first_name="Jean", email="jean@dupont.fr")).id
        *_, last = ws.imports.run_import(ImportRequest(path, "List"), batch_size=5)
    finally:
        ws.close()
    return known, last


def test_a_name_a_merge_made_is_found_again_on_the_worker_path_as_inline(
    migrated_template: Path, tmp_path: Path, monkeypatch
):
    # Row 2 merges a last name into Jean (jean@dupont.fr): his name key becomes one no row of
    # the list has. Row 40, "Jean Dupont" with nothing else, is him: the worker's hints cannot
    # know that name, the import must look it up all the same.
    lines = ["First name,Last name,Email,Phone", ",Dupont,jean@dupont.fr,"]
    lines += [f"P{i},Q{i},p{i}@example.com,06 11 22 33 {i:02d}" for i in range(37)]
    lines.append("Jean,Dupont,,")
    path = tmp_path / "list.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    results = []
    for worker in (True, False):
        db = tmp_path / f"{worker}.sqlite"
        shutil.copy(migrated_template, db)
        known, last = _import(db, path, worker=worker, monkeypatch=monkeypatch)
        by_row = {m.row: (m.reason, m.contact_id) for m in last.duplicates}
        assert by_row[2] == ("email", known)
        assert by_row[40] == ("name", known), worker
        results.append((last.imported, last.merged, sorted(by_row.items())))
    assert results[0] == results[1]
