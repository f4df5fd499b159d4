"""The calendar export: read back with icalendar (and the strict ``ical`` parser when it is
installed), stable UIDs across exports, times and yearly rules right, atomic and plain errors."""

from __future__ import annotations

import errno
import functools
import json
import os
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from prospector.domain.contacts import ContactFields
from prospector.exporters import ics
from prospector.exporters.ics import CalendarEntry, CalendarNotSaved, calendar_bytes
from prospector.services import workspace as workspace_module
from prospector.services.followups import ReminderKind, Snooze
from prospector.services.workspace import open_workspace

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def _events(path: Path) -> dict[str, object]:
    calendar = Calendar.from_ical(path.read_bytes())
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def followups(workspace):
    workspace.followups.set_zone(PARIS)
    return workspace.followups


@pytest.fixture
def three(workspace, followups):
    """A call-back, an email and a 29 February birthday card for two contacts."""
    jean = workspace.contacts.add(
        ContactFields(
            first_name="Jean",
            last_name="Dupont",
            company="ACME",
            phone="06 12 34 56 78",
            birthday=date(1988, 2, 29),
        )
    ).id
    anna = workspace.contacts.add(ContactFields(first_name="Anna", last_name="Ionescu")).id
    call = followups.create(jean, paris(2026, 3, 17, 9, 0), ReminderKind.CALL_BACK, "Quote, v2")
    mail = followups.create(anna, paris(2026, 3, 16, 15, 0), ReminderKind.EMAIL)
    followups.ensure_birthday_reminders()
    card = next(f for f in followups.due(upcoming_days=400).upcoming if f.recurring)
    return call, mail, card


def test_the_file_reads_back_with_the_right_times_and_rules(followups, three, tmp_path, clock):
    call, mail, card = three
    path = tmp_path / "follow-ups.ics"
    assert followups.export_ics(path) == 3
    calendar = Calendar.from_ical(path.read_bytes())
    assert str(calendar["PRODID"]) == ics.PRODID
    assert str(calendar["VERSION"]) == "2.0"
    events = _events(path)
    assert set(events) == {f"{f.uuid}@prospector" for f in three}

    one_off = events[f"{call.uuid}@prospector"]
    start = one_off.decoded("DTSTART")
    assert start == paris(2026, 3, 17, 9, 0) and start.utcoffset() == timedelta(0)
    assert one_off.decoded("DTEND") - start == timedelta(minutes=15)
    assert str(one_off["SUMMARY"]) == "Call back: Jean Dupont (ACME)"
    assert "06 12 34 56 78" in str(one_off["DESCRIPTION"])
    assert "Quote, v2" in str(one_off["DESCRIPTION"])
    assert one_off.decoded("DTSTAMP") == clock.now
    assert "RRULE" not in one_off
    assert str(events[f"{mail.uuid}@prospector"]["SUMMARY"]) == "Email: Anna Ionescu"
    assert b"DTSTART:20260317T080000Z" in path.read_bytes()  # UTC, the form every app reads

    yearly = events[f"{card.uuid}@prospector"]
    start = yearly.decoded("DTSTART")
    assert start == datetime(2027, 2, 28, 9, 0, tzinfo=PARIS)
    assert start.tzinfo.key == "Europe/Paris"  # local wall time: 9:00 stays 9:00 each year
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {"Europe/Paris"}
    rule = yearly["RRULE"]
    assert rule["FREQ"] == ["YEARLY"] and rule["BYMONTHDAY"] == [-1]
    assert [int(m) for m in rule["BYMONTH"]] == [2]
    assert str(yearly["SUMMARY"]) == "Send a card: Jean Dupont (ACME)"
    # What a calendar makes of the rule: the 28th in common years, the 29th in leap years.
    expanded = rrulestr(rule.to_ical().decode(), dtstart=start.replace(tzinfo=None))
    assert [d.date() for d in expanded[:6]] == [
        date(2027, 2, 28),
        date(2028, 2, 29),
        date(2029, 2, 28),
        date(2030, 2, 28),
        date(2031, 2, 28),
        date(2032, 2, 29),
    ]
    assert {d.time() for d in expanded[:6]} == {time(9, 0)}
    alarm = one_off.walk("VALARM")[0]
    assert str(alarm["ACTION"]) == "DISPLAY"


def test_a_second_export_updates_rather_than_duplicates(followups, three, tmp_path, clock):
    call, mail, card = three
    first_path, second_path = tmp_path / "first.ics", tmp_path / "second.ics"
    followups.export_ics(first_path)
    clock.advance(hours=2)
    followups.reschedule(call.id, paris(2026, 3, 18, 9, 0))
    followups.snooze(mail.id, Snooze.HOUR)
    followups.complete(card.id)  # this year's card sent: moves on to 2028, same row
    followups.export_ics(second_path)

    first, second = _events(first_path), _events(second_path)
    assert set(first) == set(second)  # same UIDs: the calendar replaces, never adds
    uid = f"{call.uuid}@prospector"
    assert second[uid].decoded("DTSTART") == paris(2026, 3, 18, 9, 0)
    assert int(second[uid]["SEQUENCE"]) > int(first[uid]["SEQUENCE"])
    assert second[uid].decoded("DTSTAMP") > first[uid].decoded("DTSTAMP")
    assert second[f"{mail.uuid}@prospector"].decoded("DTSTART") == clock.now + timedelta(hours=1)
    card_uid = f"{card.uuid}@prospector"
    assert second[card_uid].decoded("DTSTART") == datetime(2028, 2, 29, 9, 0, tzinfo=PARIS)

    followups.complete(mail.id)  # done: no longer exported
    followups.export_ics(second_path)
    assert set(_events(second_path)) == set(first) - {f"{mail.uuid}@prospector"}
    assert followups.export_ics(tmp_path / "calls.ics", kinds=[ReminderKind.CALL_BACK]) == 1


def test_a_strict_parser_accepts_the_file(followups, three, tmp_path):
    strict = pytest.importorskip("ical.calendar_stream", reason="the ical package validates")
    path = tmp_path / "f.ics"
    followups.export_ics(path)
    calendar = strict.IcsCalendarStream.calendar_from_ics(path.read_text(encoding="utf-8"))
    assert {e.uid for e in calendar.events} == {f"{f.uuid}@prospector" for f in three}
    leap = next(e for e in calendar.events if e.rrule is not None)
    days = [
        e.dtstart.date() for e in calendar.timeline.included(date(2027, 1, 1), date(2033, 1, 1))
    ]
    assert [d for d in days if d.month == 2] == [
        date(2027, 2, 28),
        date(2028, 2, 29),
        date(2029, 2, 28),
        date(2030, 2, 28),
        date(2031, 2, 28),
        date(2032, 2, 29),
    ]
    assert leap.dtstart == datetime(2027, 2, 28, 9, 0, tzinfo=PARIS)


def test_writer_rules_for_plain_yearly_and_fixed_offsets():
    now = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
    fixed = timezone(timedelta(hours=2))
    entries = [
        CalendarEntry(
            "a@prospector", datetime(2026, 3, 5, 9, 0, tzinfo=PARIS), "A", yearly_on=(3, 5)
        ),
        CalendarEntry(
            "b@prospector", datetime(2026, 6, 1, 9, 0, tzinfo=fixed), "B", yearly_on=(6, 1)
        ),
    ]
    calendar = Calendar.from_ical(calendar_bytes(entries, now))
    a, b = calendar.walk("VEVENT")
    assert dict(a["RRULE"]) == {"FREQ": ["YEARLY"]}
    # No zone name to give a calendar: the instant in UTC rather than a wrong TZID.
    assert b.decoded("DTSTART") == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        calendar_bytes([CalendarEntry("c", datetime(2026, 1, 1), "naive")], now)


# -- writing safely --------------------------------------------------------------------------------


def test_a_missing_folder_is_a_plain_error(followups, three, tmp_path):
    with pytest.raises(CalendarNotSaved) as caught:
        followups.export_ics(tmp_path / "nowhere" / "f.ics")
    assert caught.value.user_message() == (
        "The calendar file f.ics was not saved: that folder does not exist. "
        "Choose another place, such as your Documents folder."
    )
    with pytest.raises(CalendarNotSaved) as caught:
        followups.export_ics(tmp_path)
    assert "a folder already has that name" in caught.value.user_message()


def test_a_full_disk_leaves_the_last_good_file_whole(followups, three, tmp_path, monkeypatch):
    folder = tmp_path / "calendars"
    folder.mkdir()
    path = folder / "f.ics"
    followups.export_ics(path)
    before = path.read_bytes()

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(CalendarNotSaved) as caught:
        followups.export_ics(path)
    assert "the disk is full" in caught.value.user_message()
    assert path.read_bytes() == before
    assert os.listdir(folder) == ["f.ics"]  # no temporary file left behind


# -- the command line ------------------------------------------------------------------------------


def test_followups_command_writes_the_calendar(db_path, clock, monkeypatch, tmp_path, capsys):
    from prospector.cli import main

    monkeypatch.setenv("TZ", "Europe/Paris")
    ws = open_workspace(db_path, clock=clock)
    jean = ws.contacts.add(ContactFields(first_name="Jean", last_name="Dupont")).id
    ws.followups.create(jean, paris(2026, 3, 17, 9, 0), ReminderKind.CALL_BACK)
    ws.close()
    real = workspace_module.open_workspace
    monkeypatch.setattr(workspace_module, "open_workspace", functools.partial(real, clock=clock))

    out = tmp_path / "mine.ics"
    assert main(["followups", "--ics", str(out), "--json", "--db", str(db_path)]) == 0
    assert json.loads(capsys.readouterr().out) == {"exported": 1, "file": str(out)}
    assert len(_events(out)) == 1

    assert main(["followups", "--ics", str(tmp_path / "no" / "x.ics"), "--db", str(db_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "prospector: The calendar file x.ics was not saved: that folder does not exist. "
        "Choose another place, such as your Documents folder."
    ]
