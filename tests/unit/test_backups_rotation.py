"""Which backups rotation keeps: the newest few, one a day, one a week, never the newest."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from prospector.domain.backups import (
    BackupReason,
    RotationPolicy,
    backups_to_keep,
    made_on_day,
    reason_of,
)

NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)  # a Monday


def _daily(days: int, hour: int = 8) -> dict[str, datetime]:
    """One backup a day for ``days`` days, today first, named by its date."""
    return {
        f"{(NOW - timedelta(days=n)).date()}": (NOW - timedelta(days=n)).replace(hour=hour)
        for n in range(days)
    }


def test_one_a_day_for_a_week_and_one_a_week_for_four_weeks():
    made = _daily(60)
    kept = backups_to_keep(made, NOW, RotationPolicy(daily=7, weekly=4), UTC)
    # The last seven days, and the newest of each of the last four ISO weeks: this week's
    # Monday (today), then Sundays 15, 8 and 1 March.
    assert kept == {
        "2026-03-16",
        "2026-03-15",
        "2026-03-14",
        "2026-03-13",
        "2026-03-12",
        "2026-03-11",
        "2026-03-10",
        "2026-03-08",
        "2026-03-01",
    }


def test_the_newest_of_each_day_is_kept_and_the_newest_few_whatever_their_day():
    made = {
        "yesterday 08:00": NOW - timedelta(days=1, hours=1),
        "yesterday 17:00": NOW - timedelta(hours=16),
        "today 08:00": NOW - timedelta(hours=1, minutes=30),
        "import 1": NOW - timedelta(minutes=40),
        "import 2": NOW - timedelta(minutes=30),
        "import 3": NOW - timedelta(minutes=20),
        "import 4": NOW - timedelta(minutes=10),
    }
    kept = backups_to_keep(made, NOW, RotationPolicy(daily=7, weekly=0, newest=3), UTC)
    assert kept == {"import 4", "import 3", "import 2", "yesterday 17:00"}


def test_days_without_a_backup_do_not_use_up_the_count():
    # The laptop stayed closed for a month: the backups from before are still the last days.
    made = {f"old {n}": NOW - timedelta(days=40 + n) for n in range(10)}
    made["today"] = NOW
    kept = backups_to_keep(made, NOW, RotationPolicy(daily=3, weekly=0, newest=1), UTC)
    assert kept == {"today", "old 0", "old 1"}


def test_the_newest_backup_is_never_deleted():
    made = {"only": NOW - timedelta(days=400)}
    assert backups_to_keep(made, NOW, RotationPolicy(daily=0, weekly=0, newest=0), UTC) == {"only"}
    made["newer"] = NOW - timedelta(days=300)
    kept = backups_to_keep(made, NOW, RotationPolicy(daily=0, weekly=0, newest=0), UTC)
    assert kept == {"newer"}


def test_a_backup_dated_in_the_future_is_kept_and_not_counted():
    made = _daily(5)
    made["clock was wrong"] = NOW + timedelta(days=30)
    kept = backups_to_keep(made, NOW, RotationPolicy(daily=2, weekly=0, newest=1), UTC)
    assert kept == {"clock was wrong", "2026-03-16", "2026-03-15"}


def test_days_are_the_reps_local_days():
    paris = ZoneInfo("Europe/Paris")
    late = datetime(2026, 3, 15, 23, 30, tzinfo=UTC)  # 00:30 on the 16th in Paris
    early = datetime(2026, 3, 15, 22, 0, tzinfo=UTC)  # 23:00 on the 15th in Paris
    made = {"late": late, "early": early}
    policy = RotationPolicy(daily=7, weekly=0, newest=1)
    assert backups_to_keep(made, NOW, policy, UTC) == {"late"}  # same UTC day
    assert backups_to_keep(made, NOW, policy, paris) == {"late", "early"}  # two Paris days
    assert made_on_day(late, NOW.date(), paris)
    assert not made_on_day(late, NOW.date(), UTC)


def test_nothing_is_kept_of_nothing():
    assert backups_to_keep({}, NOW) == set()


def test_reasons_are_read_from_file_labels():
    assert reason_of("daily") is BackupReason.DAILY
    assert reason_of("before-import") is BackupReason.BEFORE_IMPORT
    assert reason_of("before-upgrade-to-0007_erased_identities") is BackupReason.BEFORE_UPGRADE
    assert reason_of("something-a-newer-version-writes") is BackupReason.UNKNOWN
    assert reason_of("") is BackupReason.UNKNOWN


def test_policy_numbers_are_checked():
    assert RotationPolicy().problems() == []
    assert RotationPolicy(daily=0).problems() == ["backup.daily_out_of_range"]
    assert RotationPolicy(weekly=-1).problems() == ["backup.weekly_out_of_range"]
    assert RotationPolicy(daily=7, weekly=0).problems() == []
