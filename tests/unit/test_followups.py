"""Follow-ups through the service and the command line, over a real migrated database."""

from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from prospector.domain.contacts import ContactFields
from prospector.domain.outcomes import CallOutcome
from prospector.errors import NotFound, ValidationError
from prospector.services import workspace as workspace_module
from prospector.services.followups import (
    Bucket,
    QuickPick,
    Recurrence,
    ReminderKind,
    Snooze,
)
from prospector.services.workspace import open_workspace

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


@pytest.fixture
def followups(workspace):
    workspace.followups.set_zone(PARIS)
    return workspace.followups


def _contact(workspace, first: str = "Jean", birthday: date | None = None, **extra) -> int:
    fields = ContactFields(
        first_name=first,
        last_name="Dupont",
        company="Boulangerie Dupont",
        phone="06 12 34 56 78",
        birthday=birthday,
        **extra,
    )
    return workspace.contacts.add(fields).id


def _next_follow_up(workspace, contact_id: int) -> datetime | None:
    return workspace.contacts.get(contact_id).next_follow_up


def _open_rows(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT contact_id, kind, recurrence, uuid FROM reminders WHERE done_at IS NULL "
            "ORDER BY contact_id, id"
        ).fetchall()
    finally:
        conn.close()


# -- creating and the Today view -------------------------------------------------------------------


def test_the_today_view_splits_overdue_today_and_upcoming(workspace, followups, clock):
    # The clock: Monday 16 March 2026, 09:30 UTC = 10:30 in Paris.
    jean = _contact(workspace)
    anna = _contact(workspace, "Anna")
    late = followups.create(jean, paris(2026, 3, 13, 9, 0), ReminderKind.CALL_BACK, "Quote?")
    this_morning = followups.create(anna, paris(2026, 3, 16, 9, 0), "email", "  send prices ")
    tonight = followups.create(jean, paris(2026, 3, 16, 23, 30), ReminderKind.MEETING)
    picks = dict(followups.quick_picks())
    tomorrow = followups.create(anna, picks[QuickPick.TOMORROW_MORNING], ReminderKind.CALL_BACK)
    far = followups.create(jean, paris(2026, 5, 1, 9, 0), ReminderKind.SEND_CARD)

    assert this_morning.text == "send prices"
    assert tomorrow.due_local == datetime(2026, 3, 17, 9, 0, tzinfo=PARIS)
    assert [f.bucket for f in (late, this_morning, tonight, tomorrow, far)] == [
        Bucket.OVERDUE,
        Bucket.OVERDUE,
        Bucket.TODAY,
        Bucket.UPCOMING,
        Bucket.LATER,
    ]
    due = followups.due()
    assert [f.id for f in due.overdue] == [late.id, this_morning.id]
    assert [f.id for f in due.today] == [tonight.id]
    assert [f.id for f in due.upcoming] == [tomorrow.id]
    first = due.overdue[0]
    assert (first.contact_name, first.company, first.phone) == (
        "Jean Dupont",
        "Boulangerie Dupont",
        "06 12 34 56 78",
    )
    counts = followups.counts()
    assert (counts.overdue, counts.today, counts.badge) == (2, 1, 3)

    # The contact's next follow-up is its earliest open reminder.
    assert _next_follow_up(workspace, jean) == paris(2026, 3, 13, 9, 0)
    assert _next_follow_up(workspace, anna) == paris(2026, 3, 16, 9, 0)

    # The same instants seen from New York (05:30 there): 23:30 Paris is 18:30, still today;
    # tomorrow 09:00 Paris is 04:00 there, tomorrow too.
    followups.set_zone(NEW_YORK)
    due = followups.due()
    assert [f.id for f in due.today] == [tonight.id]
    assert [f.id for f in due.upcoming] == [tomorrow.id]


def test_creating_checks_its_input(workspace, followups):
    jean = _contact(workspace)
    with pytest.raises(ValidationError):
        followups.create(jean, paris(2026, 3, 20, 9, 0), "fax")
    with pytest.raises(ValueError):
        followups.create(jean, datetime(2026, 3, 20, 9, 0), ReminderKind.EMAIL)
    with pytest.raises(NotFound):
        followups.create(jean + 99, paris(2026, 3, 20, 9, 0), ReminderKind.EMAIL)


def test_complete_snooze_reschedule_delete(workspace, followups, clock):
    jean = _contact(workspace)
    first = followups.create(jean, paris(2026, 3, 16, 9, 0), ReminderKind.CALL_BACK)
    second = followups.create(jean, paris(2026, 3, 18, 9, 0), ReminderKind.EMAIL)

    snoozed = followups.snooze(first.id, Snooze.MINUTES_15)
    assert snoozed.due_at == clock.now + timedelta(minutes=15)
    assert snoozed.bucket is Bucket.TODAY
    assert followups.counts().overdue == 0
    assert _next_follow_up(workspace, jean) == clock.now + timedelta(minutes=15)
    assert followups.snooze(first.id, Snooze.HOUR).due_at == clock.now + timedelta(hours=1)
    assert followups.snooze(first.id, Snooze.TOMORROW_MORNING).due_at == paris(2026, 3, 17, 9, 0)

    assert followups.complete(first.id) is None
    assert followups.complete(first.id) is None  # done twice (two windows): no harm
    assert _next_follow_up(workspace, jean) == paris(2026, 3, 18, 9, 0)
    assert [f.id for f in followups.due().upcoming] == [second.id]

    moved = followups.reschedule(first.id, paris(2026, 3, 16, 17, 0))  # done -> open again
    assert moved.bucket is Bucket.TODAY
    assert _next_follow_up(workspace, jean) == paris(2026, 3, 16, 17, 0)

    followups.delete(first.id)
    followups.delete(second.id)
    assert _next_follow_up(workspace, jean) is None
    with pytest.raises(NotFound):
        followups.get(first.id)
    with pytest.raises(NotFound):
        followups.snooze(first.id, Snooze.HOUR)


def test_the_queue_call_backs_show_up_and_stay_in_step(workspace, followups, clock):
    jean = _contact(workspace)
    workspace.queue.log_outcome(jean, CallOutcome.CALL_BACK, call_back_at=paris(2026, 3, 16, 15))
    due = followups.due()
    assert [(f.kind, f.text) for f in due.today] == [(ReminderKind.CALL_BACK, "Call back")]
    call_back = due.today[0]
    followups.snooze(call_back.id, Snooze.TOMORROW_MORNING)
    assert _next_follow_up(workspace, jean) == paris(2026, 3, 17, 9, 0)
    clock.now = paris(2026, 3, 17, 9, 5)
    card = workspace.queue.next_card(None)
    assert card is not None and card.contact.id == jean  # the queue offers the due call-back


def test_a_recurring_reminder_keeps_its_uuid_and_moves_on(workspace, followups, clock, db_path):
    jean = _contact(workspace)
    yearly = followups.create(
        jean, paris(2026, 3, 16, 14, 0), ReminderKind.MEETING, "Annual review", recurrence="yearly"
    )
    assert yearly.recurrence is Recurrence.YEARLY
    followups.snooze(yearly.id, Snooze.TOMORROW_MORNING)
    clock.now = paris(2026, 3, 17, 9, 30)
    moved = followups.complete(yearly.id)
    assert moved is not None
    assert (moved.id, moved.uuid) == (yearly.id, yearly.uuid)
    assert moved.due_at == paris(2027, 3, 16, 14, 0)  # its own day and hour, not the snooze's
    assert _next_follow_up(workspace, jean) == paris(2027, 3, 16, 14, 0)
    assert len(_open_rows(db_path)) == 1

    # Years late (the app was not used): it moves to the next one still to come.
    followups.reschedule(yearly.id, paris(2027, 3, 16, 14, 0))
    clock.now = paris(2029, 6, 1, 9, 0)
    assert followups.complete(yearly.id).due_at == paris(2030, 3, 16, 14, 0)


# -- missed while the app was closed ---------------------------------------------------------------


def test_reminders_due_while_closed_show_as_missed_on_the_next_start(db_path, clock):
    ws = open_workspace(db_path, clock=clock)
    ws.followups.set_zone(PARIS)
    jean = ws.contacts.add(ContactFields(first_name="Jean", last_name="Dupont")).id
    old = ws.followups.create(jean, clock.now - timedelta(days=2), ReminderKind.CALL_BACK)
    first_run = ws.followups.missed_since_last_run()
    assert [f.id for f in first_run] == [old.id]  # never checked: every overdue one, once
    assert ws.followups.missed_since_last_run() == []
    while_closed = ws.followups.create(jean, clock.now + timedelta(hours=5), "email")
    after_restart = ws.followups.create(jean, clock.now + timedelta(days=3), "meeting")
    clock.advance(hours=1)
    ws.followups.record_check()  # the window's timer, then the window closes
    ws.close()

    clock.advance(days=1)  # the app stays closed for a day
    again = open_workspace(db_path, clock=clock)
    again.followups.set_zone(PARIS)
    missed = again.followups.missed_since_last_run()
    assert [f.id for f in missed] == [while_closed.id]
    assert missed[0].bucket is Bucket.OVERDUE
    assert again.followups.missed_since_last_run() == []  # shown once
    assert after_restart.id not in [f.id for f in again.followups.due().overdue]
    assert [f.id for f in again.followups.due().overdue] == [old.id, while_closed.id]
    again.close()


def test_the_last_check_never_goes_back(followups, clock):
    followups.record_check()
    followups.record_check(clock.now - timedelta(days=1))  # a clock set back
    assert followups.last_check() == clock.now


# -- birthdays -------------------------------------------------------------------------------------


def test_birthday_reminders_one_per_contact_idempotent(workspace, followups, clock, db_path):
    leap = _contact(workspace, "Leap", birthday=date(1988, 2, 29))
    today = _contact(workspace, "Today", birthday=date(1990, 3, 16))
    _contact(workspace, "None")
    sync = followups.ensure_birthday_reminders()
    assert (sync.added, sync.moved, sync.removed) == (2, 0, 0)
    assert followups.ensure_birthday_reminders().added == 0
    assert followups.ensure_birthday_reminders(force=True).added == 0
    rows = _open_rows(db_path)
    assert [(c, k, r) for c, k, r, _ in rows] == [
        (leap, "send_card", "birthday:02-29"),
        (today, "send_card", "birthday:03-16"),
    ]
    due = followups.due()
    assert [f.contact_id for f in due.overdue] == [today]  # 9:00 today; it is 10:30
    assert _next_follow_up(workspace, leap) == paris(2027, 2, 28, 9, 0)

    # The birthday changes, then goes: the reminder follows, then goes too.
    clock.advance(minutes=1)
    fields = workspace.contacts.get(today).fields
    workspace.contacts.update(today, replace(fields, birthday=date(1990, 4, 2)))
    sync = followups.ensure_birthday_reminders()
    assert (sync.added, sync.moved, sync.removed) == (0, 1, 0)
    assert _next_follow_up(workspace, today) == paris(2026, 4, 2, 9, 0)
    clock.advance(minutes=1)
    workspace.contacts.update(today, replace(fields, birthday=None))
    assert followups.ensure_birthday_reminders().removed == 1
    assert _next_follow_up(workspace, today) is None
    assert [c for c, *_ in _open_rows(db_path)] == [leap]


def test_a_deleted_birthday_reminder_stays_stopped(workspace, followups, db_path):
    jean = _contact(workspace, birthday=date(1970, 7, 14))
    followups.ensure_birthday_reminders()
    reminder = followups.due(upcoming_days=365).upcoming[0]
    followups.delete(reminder.id)
    assert followups.ensure_birthday_reminders(force=True).added == 0
    assert _open_rows(db_path) == []
    assert _next_follow_up(workspace, jean) is None


def test_a_29_february_birthday_over_the_years(workspace, followups, clock, db_path):
    leap = _contact(workspace, "Leap", birthday=date(1988, 2, 29))
    followups.ensure_birthday_reminders()
    uid = _open_rows(db_path)[0][3]
    seen = []
    for _ in range(6):
        reminder = followups.due(upcoming_days=400).upcoming[0]
        assert reminder.contact_id == leap
        seen.append(reminder.due_local.date())
        clock.now = reminder.due_at + timedelta(hours=2)  # the card is sent that morning
        assert followups.complete(reminder.id).uuid == reminder.uuid
    assert seen == [
        date(2027, 2, 28),
        date(2028, 2, 29),
        date(2029, 2, 28),
        date(2030, 2, 28),
        date(2031, 2, 28),
        date(2032, 2, 29),
    ]
    assert [r[3] for r in _open_rows(db_path)] == [uid]  # one row, one calendar UID


def test_birthday_sync_is_set_based_at_scale(workspace, followups, db_path):
    conn = sqlite3.connect(db_path)
    now = "2026-03-16 09:30:00.000000"
    days = [date(2000, 1, 1) + timedelta(days=i % 366) for i in range(5000)]  # 29 Feb too
    conn.executemany(
        "INSERT INTO contacts (uuid, first_name, stage, temperature, score, do_not_call, "
        "call_attempts, birthday, created_at, updated_at) "
        "VALUES (?, ?, 'suspect', 'cold', 0, 0, 0, ?, ?, ?)",
        [(f"u{i}", f"C{i}", day.isoformat(), now, now) for i, day in enumerate(days)],
    )
    conn.commit()
    conn.close()
    sync = followups.ensure_birthday_reminders()
    assert sync.added == 5000
    assert followups.ensure_birthday_reminders(force=True).added == 0
    rows = _open_rows(db_path)
    assert len(rows) == 5000 == len({c for c, *_ in rows})
    assert followups.counts().badge == len(followups.due().overdue) + len(followups.due().today)


def test_past_reaching_reads_use_the_open_reminders_index(workspace, followups, clock):
    """Every reminder ever done lies in the past: the badge and the overdue list must walk the
    partial index of open reminders, not the due_at index that holds the done ones too."""
    jean = _contact(workspace)
    followups.create(jean, clock.now - timedelta(days=1), ReminderKind.CALL_BACK)
    engine = workspace.database.engine
    seen: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        if statement.lstrip().startswith("SELECT") and "FROM reminders" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        followups.counts()
        followups.due()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    plans = []
    with engine.connect() as conn:
        for statement, parameters in seen:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            plans.append(" / ".join(str(r[-1]) for r in rows))
    count_plan, overdue_plan, today_plan, upcoming_plan = plans
    assert "ix_reminders_open" in count_plan
    assert "ix_reminders_open" in overdue_plan
    assert "ix_reminders_due_at" in today_plan and "ix_reminders_due_at" in upcoming_plan


# -- the command line ------------------------------------------------------------------------------


def _cli_clock(monkeypatch, clock):
    """The command opens its own workspace: give it the test's clock."""
    real = workspace_module.open_workspace
    monkeypatch.setattr(workspace_module, "open_workspace", functools.partial(real, clock=clock))


def test_followups_command_lists_what_is_due_as_json(db_path, clock, monkeypatch, capsys):
    from prospector.cli import main

    monkeypatch.setenv("TZ", "Europe/Paris")
    ws = open_workspace(db_path, clock=clock)
    jean = ws.contacts.add(
        ContactFields(first_name="Jean", last_name="Dupont", company="ACME", phone="0612345678")
    ).id
    ws.followups.create(jean, paris(2026, 3, 15, 9, 0), ReminderKind.CALL_BACK, "Quote")
    ws.followups.create(jean, paris(2026, 3, 16, 18, 0), ReminderKind.EMAIL)
    ws.followups.create(jean, paris(2026, 3, 18, 9, 0), ReminderKind.MEETING)
    ws.close()
    _cli_clock(monkeypatch, clock)

    assert main(["followups", "--due", "--json", "--db", str(db_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"] == {"overdue": 1, "today": 1}
    assert "upcoming" not in data
    overdue = data["overdue"][0]
    assert overdue["name"] == "Jean Dupont"
    assert overdue["company"] == "ACME"
    assert overdue["phone"] == "0612345678"
    assert overdue["kind"] == "call_back"
    assert overdue["due_at"] == "2026-03-15T08:00:00+00:00"
    assert overdue["due_local"] == "2026-03-15T09:00:00+01:00"
    assert [f["kind"] for f in data["today"]] == ["email"]

    assert main(["followups", "--db", str(db_path)]) == 0
    text = capsys.readouterr().out
    assert "Overdue (1):" in text and "Coming days (1):" in text
    assert "2026-03-18 09:00" in text


def test_what_came_due_since_the_last_look_is_found_behind_hundreds_of_late_ones(
    workspace, followups, clock
):
    contact = _contact(workspace)
    now = clock()
    for minutes in range(600):  # a rep who never ticks anything off
        followups.create(contact, now - timedelta(days=2, minutes=minutes), "call_back")
    fresh = followups.create(contact, now + timedelta(seconds=30), "email", "Brochure")
    looked = clock()
    clock.advance(minutes=1)
    assert len(followups.due(clock()).overdue) == 500  # the Today view shows the oldest
    came = followups.came_due(looked, clock())
    assert [f.id for f in came] == [fresh.id]
    assert followups.came_due(clock(), clock()) == []
