"""Fill a Prospector database with generated leads, for benchmarks (cached under bench-data/).

The schema comes from the real migrations; rows go in with the same cleaning the app applies
(phones to E.164, emails checked, phone digits for search) and through the real FTS triggers.
"""

from __future__ import annotations

import logging
import random
import shutil
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


# -- call history and follow-ups (bench_reports) ---------------------------------------------------

_UNANSWERED = ("no_answer", "no_answer", "busy", "voicemail", "voicemail", "gatekeeper")
# The last call of a contact at each stage (a suspect's may be unanswered or a wrong number).
_LAST_CALL = {
    "lead": ("talked", "call_back", "send_info"),
    "prospect": ("talked",),
    "customer": ("talked",),
    "repeat_customer": ("talked",),
    "disqualified": ("talked",),
    "not_interested": ("not_interested",),
    "do_not_call": ("do_not_call",),
}
_REACHED = ("talked", "call_back", "send_info", "not_interested", "do_not_call")
_ACTIVITY_END = datetime(2026, 11, 1)  # naive UTC, as stored
_ACTIVITY_DAYS = 365


def activity_database_path(rows: int, seed: int, calls: int) -> Path:
    return BENCH_DIR / f"activity-{rows}-{calls}-{seed}.sqlite"


def ensure_activity_database(rows: int, seed: int = 42, calls: int | None = None) -> Path:
    """A database of ``rows`` contacts with ``calls`` call logs (default 3 a contact) and their
    follow-ups, built once from the contacts database (which stays as it was: other benchmarks
    rely on contacts nobody has called yet)."""
    calls = 3 * rows if calls is None else calls
    path = activity_database_path(rows, seed, calls)
    if path.exists():
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        have = conn.execute("SELECT count(*) FROM call_logs").fetchone()[0]
        conn.close()
        if have == calls:
            _upgrade(path)
            return path
        path.unlink()
    base = ensure_database(rows, seed)
    partial = path.with_suffix(".partial.sqlite")
    for leftover in BENCH_DIR.glob(partial.name + "*"):
        leftover.unlink()
    shutil.copy(base, partial)
    add_activity(partial, seed, calls)
    partial.rename(path)
    return path


def _call_plan(rng: random.Random, stages: list[tuple[int, str]], calls: int) -> dict[int, list]:
    """How many calls each contact got and how its last one ended, about ``calls`` in all."""
    plan: dict[int, list] = {}
    for contact_id, stage in stages:
        if stage == "suspect":
            if rng.random() < 0.45:
                continue  # never tried
            last = "wrong_number" if rng.random() < 0.08 else rng.choice(_UNANSWERED)
            plan[contact_id] = [rng.randint(0, 3), last]
        elif stage == "do_not_call" and rng.random() < 0.5:
            continue  # flagged from the register, never called
        else:
            plan[contact_id] = [rng.randint(0, 4), rng.choice(_LAST_CALL[stage])]
    called = list(plan)
    total = sum(n + 1 for n, _ in plan.values())
    while total < calls:  # spread what is missing as earlier unanswered tries
        plan[rng.choice(called)][0] += 1
        total += 1
    while total > calls:
        entry = plan[rng.choice(called)]
        if entry[0]:
            entry[0] -= 1
            total -= 1
    return plan


def add_activity(path: Path, seed: int, calls: int) -> None:
    """Lists bought over a year, calls after each list came in, and the follow-ups they asked
    for (some done, some missed, some still to come); the contacts' queue state to match."""
    started = time.perf_counter()
    rng = random.Random(seed + 7)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA cache_size = -262144")
    conn.execute("BEGIN")
    # Each list arrived on its own day; its contacts were added then.
    arrived = {}
    for (source_id,) in conn.execute("SELECT id FROM sources ORDER BY id").fetchall():
        day = _ACTIVITY_END - timedelta(days=rng.randint(60, _ACTIVITY_DAYS))
        arrived[source_id] = day
        conn.execute(
            "UPDATE sources SET acquired_on = ? WHERE id = ?", (day.date().isoformat(), source_id)
        )
    conn.execute(
        "UPDATE contacts SET created_at = CASE source_id "
        + " ".join(f"WHEN {i} THEN '{d.isoformat(sep=' ')}'" for i, d in arrived.items())
        + " ELSE created_at END"
    )
    stages = conn.execute("SELECT id, stage, source_id FROM contacts").fetchall()
    source_of = {contact_id: source_id for contact_id, _, source_id in stages}
    plan = _call_plan(rng, [(c, s) for c, s, _ in stages], calls)
    del stages
    batch: list[tuple] = []
    states: list[tuple] = []
    reminders: list[tuple] = []
    for contact_id, (tries, last) in plan.items():
        first = arrived.get(source_of[contact_id], _ACTIVITY_END - timedelta(days=200))
        span = (_ACTIVITY_END - first).total_seconds()
        whens = sorted(
            min(
                (first + timedelta(seconds=rng.random() * span)).replace(
                    hour=7 + rng.randint(0, 10)  # office hours, UTC
                ),
                _ACTIVITY_END - timedelta(hours=1),
            )
            for _ in range(tries + 1)
        )
        outcomes = [rng.choice(_UNANSWERED) for _ in range(tries)] + [last]
        for when, outcome in zip(whens, outcomes, strict=True):
            reached = outcome in _REACHED
            duration = rng.randint(60, 900) if reached else rng.randint(5, 45)
            batch.append(
                (
                    str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    contact_id,
                    when.isoformat(sep=" ", timespec="microseconds"),
                    duration,
                    outcome,
                )
            )
        unanswered = 0
        for outcome in reversed(outcomes):
            if outcome not in _UNANSWERED:
                break
            unanswered += 1
        states.append(
            (when.isoformat(sep=" ", timespec="microseconds"), last, unanswered, contact_id)
        )
        if last in ("call_back", "send_info", "not_interested"):
            due = when + timedelta(days=rng.randint(1, 60))
            done = None
            if due < _ACTIVITY_END and rng.random() < 0.7:
                done = (due + timedelta(hours=rng.randint(0, 72))).isoformat(
                    sep=" ", timespec="microseconds"
                )
            reminders.append(
                (
                    str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    contact_id,
                    due.isoformat(sep=" ", timespec="microseconds"),
                    "call_back" if last != "send_info" else "email",
                    done,
                    when.isoformat(sep=" ", timespec="microseconds"),
                )
            )
    # Calls are logged as they happen: the table holds them in time order, as a real one does.
    batch.sort(key=lambda call: call[2])
    _write_activity(conn, batch, states, reminders)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    print(
        f"added {calls:,} calls in {time.perf_counter() - started:.0f} s: {path}",
        file=sys.stderr,
    )


def _write_activity(
    conn: sqlite3.Connection, calls: list[tuple], states: list[tuple], reminders: list[tuple]
) -> None:
    for start in range(0, len(calls), 50_000):
        conn.executemany(
            "INSERT INTO call_logs (uuid, contact_id, started_at, duration_s, outcome)"
            " VALUES (?, ?, ?, ?, ?)",
            calls[start : start + 50_000],
        )
    conn.executemany(
        "UPDATE contacts SET last_called_at = ?, last_outcome = ?, call_attempts = ? WHERE id = ?",
        states,
    )
    conn.executemany(
        "INSERT INTO reminders (uuid, contact_id, due_at, kind, done_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        reminders,
    )
    calls.clear()
    states.clear()
    reminders.clear()
