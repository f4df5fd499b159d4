"""Follow-up rules without a database: quick picks, snoozes, yearly recurrence, day buckets.

Every case gives ``now`` and a zone; DST nights of 2026: Europe/Paris springs forward on
29 March and falls back on 25 October, America/New_York on 8 March and 1 November.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from prospector.domain.reminders import (
    Bucket,
    QuickPick,
    Snooze,
    YearlyRule,
    add_month,
    bucket_of,
    day_windows,
    quick_pick,
    quick_picks,
    snoozed_until,
    system_zone,
    zone_named,
)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)


# -- quick picks -----------------------------------------------------------------------------------


def test_quick_picks_on_an_ordinary_monday_in_paris():
    now = utc(2026, 3, 16, 9, 37)  # Monday 10:37 in Paris (winter time, UTC+1)
    picks = dict(quick_picks(now, PARIS))
    assert picks[QuickPick.LATER_TODAY] == utc(2026, 3, 16, 11, 45)  # +2 h, next quarter
    assert picks[QuickPick.TOMORROW_MORNING] == local(PARIS, 2026, 3, 17, 9, 0)
    assert picks[QuickPick.NEXT_WEEK] == local(PARIS, 2026, 3, 23, 9, 0)  # next Monday
    # A month on is in summer time: 9:00 local is 07:00 UTC, not 08:00.
    assert picks[QuickPick.IN_A_MONTH] == utc(2026, 4, 16, 7, 0)
    assert list(dict(quick_picks(now, PARIS))) == list(QuickPick)


def test_later_today_is_left_out_when_it_would_be_tomorrow():
    now = local(NEW_YORK, 2026, 6, 10, 22, 30)
    assert quick_pick(QuickPick.LATER_TODAY, now, NEW_YORK) is None
    assert QuickPick.LATER_TODAY not in dict(quick_picks(now, NEW_YORK))
    # Already on a quarter: not pushed further.
    on_quarter = local(NEW_YORK, 2026, 6, 10, 13, 15)
    assert quick_pick(QuickPick.LATER_TODAY, on_quarter, NEW_YORK) == local(
        NEW_YORK, 2026, 6, 10, 15, 15
    )


def test_later_today_counts_real_hours_across_the_spring_gap():
    now = utc(2026, 3, 29, 0, 30)  # 01:30 in Paris; at 02:00 the clocks jump to 03:00
    later = quick_pick(QuickPick.LATER_TODAY, now, PARIS)
    assert later == utc(2026, 3, 29, 2, 30)
    assert later.astimezone(PARIS).time() == time(4, 30)  # two real hours, not 03:30


@pytest.mark.parametrize(
    ("zone", "now", "expected_utc"),
    [
        # Paris, the evening before spring forward: 9:00 CEST is 07:00 UTC.
        (PARIS, utc(2026, 3, 28, 18, 0), utc(2026, 3, 29, 7, 0)),
        # Paris, the evening before fall back: 9:00 CET is 08:00 UTC.
        (PARIS, utc(2026, 10, 24, 18, 0), utc(2026, 10, 25, 8, 0)),
        # New York, the evening before spring forward: 9:00 EDT is 13:00 UTC.
        (NEW_YORK, utc(2026, 3, 7, 23, 0), utc(2026, 3, 8, 13, 0)),
        # New York, the evening before fall back: 9:00 EST is 14:00 UTC.
        (NEW_YORK, utc(2026, 10, 31, 23, 0), utc(2026, 11, 1, 14, 0)),
        # 23:30 UTC on 31 October is still the 31st in New York, already 1 November in Paris.
        (PARIS, utc(2026, 10, 31, 23, 30), utc(2026, 11, 2, 8, 0)),
    ],
)
def test_tomorrow_morning_is_nine_local_whatever_the_dst_night(zone, now, expected_utc):
    moment = quick_pick(QuickPick.TOMORROW_MORNING, now, zone)
    assert moment == expected_utc
    assert moment.astimezone(zone).time() == time(9, 0)
    assert snoozed_until(Snooze.TOMORROW_MORNING, now, zone) == expected_utc


def test_next_week_and_in_a_month_roll_over_the_year():
    now = local(PARIS, 2026, 12, 31, 20, 0)  # Thursday evening
    assert quick_pick(QuickPick.NEXT_WEEK, now, PARIS) == local(PARIS, 2027, 1, 4, 9, 0)
    assert quick_pick(QuickPick.IN_A_MONTH, now, PARIS) == local(PARIS, 2027, 1, 31, 9, 0)
    assert quick_pick(QuickPick.TOMORROW_MORNING, now, PARIS) == local(PARIS, 2027, 1, 1, 9, 0)
    sunday = local(PARIS, 2026, 3, 22, 12, 0)  # "next week" on a Sunday is tomorrow
    assert quick_pick(QuickPick.NEXT_WEEK, sunday, PARIS) == local(PARIS, 2026, 3, 23, 9, 0)


def test_in_a_month_clamps_to_the_end_of_a_short_month():
    assert add_month(date(2026, 1, 31)) == date(2026, 2, 28)
    assert add_month(date(2028, 1, 31)) == date(2028, 2, 29)
    assert add_month(date(2026, 3, 31)) == date(2026, 4, 30)
    assert add_month(date(2026, 12, 15)) == date(2027, 1, 15)
    now = local(PARIS, 2026, 1, 31, 10, 0)
    assert quick_pick(QuickPick.IN_A_MONTH, now, PARIS) == local(PARIS, 2026, 2, 28, 9, 0)


# -- snoozes ---------------------------------------------------------------------------------------


def test_snoozes_count_from_now_not_from_the_due_time():
    now = utc(2026, 3, 16, 9, 31, 20)
    assert snoozed_until(Snooze.MINUTES_15, now, PARIS) == utc(2026, 3, 16, 9, 46, 20)
    assert snoozed_until(Snooze.HOUR, now, PARIS) == utc(2026, 3, 16, 10, 31, 20)
    assert snoozed_until(Snooze.TOMORROW_MORNING, now, PARIS) == local(PARIS, 2026, 3, 17, 9, 0)


def test_an_hour_snooze_on_the_fall_back_night_is_one_real_hour():
    now = local(PARIS, 2026, 10, 25, 2, 30)  # the first 02:30 (summer time)
    back = snoozed_until(Snooze.HOUR, now, PARIS)
    assert back - now == timedelta(hours=1)
    assert back.astimezone(PARIS).time() == time(2, 30)  # the second 02:30 (winter time)
    assert back.astimezone(PARIS).fold == 1


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        quick_picks(datetime(2026, 3, 16, 9, 0), PARIS)
    with pytest.raises(ValueError):
        snoozed_until(Snooze.HOUR, datetime(2026, 3, 16, 9, 0), PARIS)


# -- yearly recurrence -----------------------------------------------------------------------------


def test_a_29_february_birthday_falls_on_the_28th_then_back_on_the_29th():
    rule = YearlyRule.for_birthday(date(1988, 2, 29))
    first = rule.first_from(utc(2026, 3, 16, 9, 30), PARIS)
    assert first == local(PARIS, 2027, 2, 28, 9, 0)
    seen = [first]
    for _ in range(9):
        seen.append(rule.next_after(seen[-1], PARIS))
    days = [moment.astimezone(PARIS).date() for moment in seen]
    assert days == [
        date(2027, 2, 28),
        date(2028, 2, 29),
        date(2029, 2, 28),
        date(2030, 2, 28),
        date(2031, 2, 28),
        date(2032, 2, 29),
        date(2033, 2, 28),
        date(2034, 2, 28),
        date(2035, 2, 28),
        date(2036, 2, 29),
    ]
    assert {moment.astimezone(PARIS).time() for moment in seen} == {time(9, 0)}


def test_a_yearly_rule_never_drifts_even_when_an_occurrence_was_snoozed():
    rule = YearlyRule(3, 5, time(9, 0))
    due = local(PARIS, 2026, 3, 5, 9, 0)
    snoozed = local(PARIS, 2026, 3, 6, 9, 0)  # tomorrow morning
    assert rule.next_after(due, PARIS) == local(PARIS, 2027, 3, 5, 9, 0)
    assert rule.next_after(snoozed, PARIS) == local(PARIS, 2027, 3, 5, 9, 0)
    done_early = local(PARIS, 2026, 3, 1, 9, 0)  # rescheduled to before the day
    assert rule.next_after(done_early, PARIS) == local(PARIS, 2027, 3, 5, 9, 0)


def test_year_rollover_31_december_snoozed_into_january():
    rule = YearlyRule(12, 31, time(9, 0))
    due = local(NEW_YORK, 2026, 12, 31, 9, 0)
    assert rule.next_after(due, NEW_YORK) == local(NEW_YORK, 2027, 12, 31, 9, 0)
    snoozed = local(NEW_YORK, 2027, 1, 1, 9, 0)  # still stands for 31 December 2026
    assert rule.year_of(snoozed, NEW_YORK) == 2026
    assert rule.next_after(snoozed, NEW_YORK) == local(NEW_YORK, 2027, 12, 31, 9, 0)
    new_year = YearlyRule(1, 1, time(9, 0))
    assert new_year.first_from(local(NEW_YORK, 2026, 12, 31, 20, 0), NEW_YORK) == local(
        NEW_YORK, 2027, 1, 1, 9, 0
    )


def test_a_yearly_time_stays_local_across_summer_time():
    rule = YearlyRule(3, 29, time(9, 0))
    assert rule.occurrence(2026, PARIS) == utc(2026, 3, 29, 7, 0)  # switched at 02:00 that day
    assert rule.occurrence(2025, PARIS) == utc(2025, 3, 29, 8, 0)  # switched the day after
    nyc = YearlyRule(3, 9, time(9, 0))  # 9 March: EDT in 2026 (8 March switch), EST in 2025
    assert nyc.occurrence(2025, NEW_YORK) == utc(2025, 3, 9, 13, 0)  # switch was on 9 March
    assert nyc.occurrence(2027, NEW_YORK) == utc(2027, 3, 9, 14, 0)  # switch on 14 March


def test_a_birthday_today_counts_today_even_after_nine():
    rule = YearlyRule.for_birthday(date(1990, 3, 16))
    now = local(PARIS, 2026, 3, 16, 15, 0)
    assert rule.first_from(now, PARIS) == local(PARIS, 2026, 3, 16, 9, 0)
    assert rule.first_from(now + timedelta(days=1), PARIS) == local(PARIS, 2027, 3, 16, 9, 0)


def test_rules_are_stored_in_twenty_characters_and_read_back():
    yearly = YearlyRule(2, 29, time(14, 30))
    birthday = YearlyRule.for_birthday(date(1975, 12, 31))
    due = utc(2026, 5, 1, 12, 0)
    assert yearly.stored() == "yearly:02-29 14:30"
    assert birthday.stored() == "birthday:12-31"
    for rule in (yearly, birthday):
        assert len(rule.stored()) <= 20
        assert YearlyRule.parse(rule.stored(), due, PARIS) == rule
    assert YearlyRule.parse(None, due, PARIS) is None
    # A bare or odd value recurs on the due day and time rather than losing the reminder.
    assert YearlyRule.parse("yearly", due, PARIS) == YearlyRule(5, 1, time(14, 0))
    assert YearlyRule.parse("yearly:oops", due, PARIS) == YearlyRule(5, 1, time(14, 0))
    with pytest.raises(ValueError):
        YearlyRule(2, 30)


# -- the Today view's buckets ----------------------------------------------------------------------


def test_buckets_follow_local_days_not_utc_days():
    now = local(PARIS, 2026, 3, 16, 10, 0)
    assert bucket_of(local(PARIS, 2026, 3, 16, 9, 0), now, PARIS) is Bucket.OVERDUE
    assert bucket_of(now, now, PARIS) is Bucket.OVERDUE  # due this minute: due
    assert bucket_of(local(PARIS, 2026, 3, 16, 23, 30), now, PARIS) is Bucket.TODAY
    assert bucket_of(local(PARIS, 2026, 3, 17, 0, 0), now, PARIS) is Bucket.UPCOMING
    assert bucket_of(local(PARIS, 2026, 3, 23, 23, 59), now, PARIS) is Bucket.UPCOMING
    assert bucket_of(local(PARIS, 2026, 3, 24, 0, 0), now, PARIS) is Bucket.LATER
    # 23:30 UTC on the 16th is 00:30 on the 17th in Paris: tomorrow for the rep.
    assert bucket_of(utc(2026, 3, 16, 23, 30), now, PARIS) is Bucket.UPCOMING


def test_day_windows_on_the_23_and_25_hour_days():
    spring = day_windows(local(PARIS, 2026, 3, 29, 12, 0), PARIS)
    assert spring.today_start == utc(2026, 3, 28, 23, 0)
    assert spring.tomorrow_start == utc(2026, 3, 29, 22, 0)
    assert spring.tomorrow_start - spring.today_start == timedelta(hours=23)
    autumn = day_windows(local(NEW_YORK, 2026, 11, 1, 12, 0), NEW_YORK)
    assert autumn.tomorrow_start - autumn.today_start == timedelta(hours=25)
    late = utc(2026, 11, 2, 4, 30)  # 23:30 EST on 1 November: still today in New York
    assert autumn.bucket(late) is Bucket.TODAY
    assert bucket_of(utc(2026, 11, 2, 5, 0), local(NEW_YORK, 2026, 11, 1, 12, 0), NEW_YORK) is (
        Bucket.UPCOMING
    )


def test_buckets_across_the_new_year():
    now = local(NEW_YORK, 2026, 12, 31, 20, 0)
    assert bucket_of(local(NEW_YORK, 2026, 12, 31, 23, 59), now, NEW_YORK) is Bucket.TODAY
    assert bucket_of(local(NEW_YORK, 2027, 1, 1, 0, 0), now, NEW_YORK) is Bucket.UPCOMING
    assert bucket_of(local(NEW_YORK, 2026, 12, 30, 9, 0), now, NEW_YORK) is Bucket.OVERDUE


# -- the rep's zone --------------------------------------------------------------------------------


def test_the_zone_comes_from_tz_when_set(monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    assert system_zone() == NEW_YORK
    assert zone_named("Europe/Paris") == PARIS
    assert zone_named("Not/AZone") == NEW_YORK  # an unknown name: the computer's zone
    monkeypatch.setenv("TZ", "")
    assert system_zone() is not None
