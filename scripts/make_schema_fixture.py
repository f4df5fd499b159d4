"""Save a database of the current schema revision with realistic rows in every table.

    python scripts/make_schema_fixture.py

Run it once per released schema revision: tests/data/db/<revision>.sqlite (and a .json of what
it holds) must then open, upgrade to head and keep every row (tests/unit/test_upgrades.py).
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from prospector.storage.database import open_database  # noqa: E402
from prospector.storage.migrate import head_revision  # noqa: E402

ROWS = {
    "sources": [
        "INSERT INTO sources VALUES (1, '6f1c5d0e-0000-4000-8000-000000000001', 'Annuaire Lyon',"
        " 'directory', 'PagesPro', 12000, 'EUR', '2026-01-15', 'Bought at the fair', "
        "'2026-01-15 09:00:00.000000')",
    ],
    "import_runs": [
        "INSERT INTO import_runs (id, uuid, source_id, file_name, file_hash, sheet,"
        " column_mapping, started_at, finished_at, rows_read, rows_imported, rows_merged,"
        " rows_skipped, rows_rejected, status) VALUES (1,"
        " '6f1c5d0e-0000-4000-8000-000000000002', 1,"
        " 'annuaire.xlsx', 'ab12', 'Feuil1', '{\"Société\": \"company\"}',"
        " '2026-01-15 09:01:00.000000', '2026-01-15 09:02:00.000000', 4, 2, 1, 0, 1,"
        " 'completed')",
    ],
    "contacts": [
        "INSERT INTO contacts (id, uuid, first_name, last_name, company, phone, phone_e164,"
        " phone_digits, email, email_normalized, city, country, birthday, stage, temperature,"
        " score, do_not_call, source_id, import_run_id, custom_fields, created_at, updated_at,"
        " name_key, last_called_at, last_outcome, call_attempts)"
        " VALUES (1, '6f1c5d0e-0000-4000-8000-000000000003', 'François', 'Lefèvre',"
        " 'Crème & Fils', '06 12 34 56 78', '+33612345678', '0612345678 33612345678',"
        " 'F.Lefevre@creme.fr', 'f.lefevre@creme.fr', 'Lyon', 'France', '1970-02-28', 'lead',"
        " 'warm', 40, 0, 1, 1, '{\"Effectif\": \"12\"}', '2026-01-15 09:01:30.000000',"
        " '2026-02-01 10:00:00.000000', 'francois lefevre', '2026-02-01 09:58:00.000000',"
        " 'talked', 0)",
        "INSERT INTO contacts (id, uuid, full_name, company, phone, phone_e164, phone_digits,"
        " city, stage, temperature, score, do_not_call, created_at, updated_at, name_key)"
        " VALUES (2, '6f1c5d0e-0000-4000-8000-000000000004', 'Петар Петровски',"
        " 'Македонски Телеком', '070 123 456', '+38970123456', '070123456 38970123456',"
        " 'Скопје', 'do_not_call', 'cold', 0, 1, '2026-01-15 09:01:31.000000',"
        " '2026-01-15 09:01:31.000000', 'петар петровски')",
    ],
    "import_merges": [
        "INSERT INTO import_merges VALUES (1, 1, 2, '{\"city\": [null, \"Скопје\"]}',"
        " '2026-01-15 09:01:40.000000')",
    ],
    "call_logs": [
        "INSERT INTO call_logs VALUES (1, '6f1c5d0e-0000-4000-8000-000000000005', 1,"
        " '2026-02-01 09:58:00.000000', 125, 'talked', 'Wants a quote')",
    ],
    "notes": [
        "INSERT INTO notes VALUES (1, '6f1c5d0e-0000-4000-8000-000000000006', 1,"
        " 'Rappeler après le salon; préfère le matin', '2026-02-01 10:00:00.000000', NULL)",
    ],
    "reminders": [
        "INSERT INTO reminders VALUES (1, '6f1c5d0e-0000-4000-8000-000000000007', 1,"
        " '2026-02-08 08:00:00.000000', 'call_back', 'Send the quote first', NULL, NULL,"
        " '2026-02-01 10:00:00.000000')",
    ],
    "questionnaires": [
        "INSERT INTO questionnaires VALUES (1, '6f1c5d0e-0000-4000-8000-000000000008',"
        " 'Default', 1, 1, '2026-01-01 00:00:00.000000')",
    ],
    "questions": [
        "INSERT INTO questions VALUES (1, 1, 1, 'market', 'Is this company in our target"
        " market?', 'yes_no_unknown', 'market', NULL, 3, '{\"answers\": [\"no\"]}')",
    ],
    "qualifications": [
        "INSERT INTO qualifications VALUES (1, '6f1c5d0e-0000-4000-8000-000000000009', 1, 1,"
        " '2026-02-01 10:00:00.000000', '{\"market\": \"yes\"}', 'lead', 'B', 40, 'warm',"
        ' \'{"questions": ["authority"]}\', NULL)',
    ],
    "settings": ["INSERT INTO settings VALUES ('default_country', '{\"v\": \"FR\"}')"],
    "do_not_call_entries": [
        "INSERT INTO do_not_call_entries (id, kind, value, origin, reason, added_at) VALUES"
        " (1, 'phone', '+38970123456', 'card', NULL, '2026-01-15 09:01:31.000000'),"
        " (2, 'email', 'ne.pas.appeler@exemple.fr', 'liste-opposition.csv', 'Bloctel',"
        " '2026-02-02 08:00:00.000000')",
    ],
    "stage_changes": [
        "INSERT INTO stage_changes (id, contact_id, changed_at, old_stage, new_stage) VALUES"
        " (1, 1, '2026-02-01 09:58:00.000000', 'suspect', 'lead')",
    ],
    "erased_identities": [
        "INSERT INTO erased_identities (id, kind, value_hash, erased_at) VALUES"
        " (1, 'phone', '4f9b1f0c2c1e5d3a8b7e6f5d4c3b2a1908f7e6d5c4b3a29181706f5e4d3c2b1a',"
        " '2026-02-03 11:00:00.000000')",
    ],
    "tombstones": [
        "INSERT INTO tombstones (uuid, kind, deleted_at) VALUES"
        " ('6f1c5d0e-0000-4000-8000-0000000000aa', 'contact', '2026-02-04 08:00:00.000000')",
    ],
    "share_aliases": [
        "INSERT INTO share_aliases (uuid, contact_id) VALUES"
        " ('9a1c5d0e-0000-4000-8000-000000000003', 1)",
    ],
    "share_baselines": [
        "INSERT INTO share_baselines (contact_id, remote_updated_at, fields) VALUES"
        " (1, '2026-02-01 10:00:00.000000', '{\"city\": \"Lyon\", \"phone\": \"06 12 34 56 78\"}')",
    ],
}


def main() -> None:
    revision = head_revision()
    target = ROOT / "tests" / "data" / "db" / f"{revision}.sqlite"
    target.unlink(missing_ok=True)
    database = open_database(target)
    database.close()
    conn = sqlite3.connect(target)
    with conn:
        for statements in ROWS.values():
            for statement in statements:
                conn.execute(statement)
    conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file in the repo
    manifest = {}
    for table in ROWS:
        cursor = conn.execute(f"SELECT * FROM {table} ORDER BY 1")
        manifest[table] = {
            "columns": [d[0] for d in cursor.description],
            "rows": [list(r) for r in cursor],
        }
    conn.close()
    for leftover in target.parent.glob(f"{target.name}.*"):
        leftover.unlink()
    target.with_suffix(".json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
