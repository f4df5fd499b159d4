"""Fill a Prospector database with generated leads, for benchmarks (cached under bench-data/).

The schema comes from the real migrations; rows go in with the same cleaning the app applies
(phones to E.164, emails checked, phone digits for search) and through the real FTS triggers.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from leadgen import LEAD_COLUMNS, generate_leads  # noqa: E402

from prospector.domain.contacts import (  # noqa: E402
    name_key,
    normalize_email,
    normalize_phone,
    phone_digits,
    tidy,
)
from prospector.domain.regions import region_for_country  # noqa: E402
from prospector.storage.database import open_database  # noqa: E402

log = logging.getLogger(__name__)

BENCH_DIR = HERE.parent / "bench-data"
_COL = {name: i for i, name in enumerate(LEAD_COLUMNS)}
_STAGES = (
    ("suspect", 70),
    ("lead", 12),
    ("prospect", 5),
    ("customer", 2),
    ("repeat_customer", 1),
    ("disqualified", 5),
    ("not_interested", 4),
    ("do_not_call", 1),
)
_TEMPERATURES = (("cold", 80), ("warm", 15), ("hot", 5))


def database_path(rows: int, seed: int) -> Path:
    return BENCH_DIR / f"contacts-{rows}-{seed}.sqlite"


def ensure_database(rows: int, seed: int = 42) -> Path:
    """The path of a filled database with ``rows`` contacts, building it if missing."""
    path = database_path(rows, seed)
    if path.exists():
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        have = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
        conn.close()
        if have == rows:
            _upgrade(path)
            return path
        path.unlink()
    BENCH_DIR.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial.sqlite")
    for leftover in BENCH_DIR.glob(partial.name + "*"):
        leftover.unlink()
    fill(partial, rows, seed)
    partial.rename(path)
    return path


def _upgrade(path: Path) -> None:
    """Bring a cached database to the current schema, once, here: otherwise every measured
    process would migrate its copy first, and its peak memory would include the migration's."""
    database = open_database(path, backup_dir=None)
    database.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the copies take the main file alone
    conn.close()


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...], n: int) -> list[str]:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices], k=n)


def contact_rows(rows: int, seed: int, source_ids: list[int]):
    """Tuples ready for INSERT, cleaned the way the app cleans typed contacts."""
    rng = random.Random(seed + 1)
    now = datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None)
    stages = _weighted(rng, _STAGES, rows)
    temps = _weighted(rng, _TEMPERATURES, rows)
    for n, lead in enumerate(generate_leads(rows, seed=seed)):

        def get(column: str, lead: tuple[str, ...] = lead) -> str | None:
            return tidy(lead[_COL[column]])

        region = region_for_country(get("Country"), "FR")
        phone, mobile, email = get("Phone"), get("Mobile"), get("Email")
        phone_e164 = normalize_phone(phone, region) if phone else None
        mobile_e164 = normalize_phone(mobile, region) if mobile else None
        stage = stages[n]
        follow_up = (
            now + timedelta(days=rng.randint(-30, 60)) if stage in ("lead", "prospect") else None
        )
        yield (
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            get("First name"),
            get("Last name"),
            get("Company"),
            get("Title"),
            phone,
            phone_e164,
            mobile,
            mobile_e164,
            phone_digits(phone, phone_e164, mobile, mobile_e164),
            email,
            normalize_email(email) if email else None,
            get("Website"),
            get("Address"),
            get("City"),
            get("Postal code"),
            get("Country"),
            stage,
            temps[n],
            rng.randint(0, 100) if stage != "suspect" else 0,
            int(stage == "do_not_call"),
            follow_up,
            rng.choice(source_ids),
            now,
            now,
            name_key(get("First name"), get("Last name"), None),
        )


_INSERT = """
INSERT INTO contacts (
    uuid, first_name, last_name, company, title, phone, phone_e164, mobile, mobile_e164,
    phone_digits, email, email_normalized, website, address, city, postal_code, country,
    stage, temperature, score, do_not_call, next_follow_up, source_id, created_at, updated_at,
    name_key
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def fill(path: Path, rows: int, seed: int) -> None:
    started = time.perf_counter()
    database = open_database(path)  # creates the schema through the real migrations
    database.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA cache_size = -262144")
    conn.execute("BEGIN")
    now = datetime(2026, 11, 1).isoformat(sep=" ")
    source_ids = []
    for i in range(24):
        cur = conn.execute(
            "INSERT INTO sources (uuid, name, kind, vendor, cost_cents, currency, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                str(uuid.uuid4()),
                f"List {i + 1:02d}",
                "purchased_list",
                f"Vendor {i % 5}",
                (i + 1) * 25_000,
                "EUR",
                now,
            ),
        )
        source_ids.append(cur.lastrowid)
    batch: list[tuple] = []
    for row in contact_rows(rows, seed, source_ids):
        batch.append(row)
        if len(batch) == 20_000:
            conn.executemany(_INSERT, batch)
            batch.clear()
    if batch:
        conn.executemany(_INSERT, batch)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    print(
        f"filled {rows:,} contacts in {time.perf_counter() - started:.0f} s: {path}",
        file=sys.stderr,
    )
