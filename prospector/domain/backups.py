"""Which backups to keep: the newest few, one a day for the last days, one a week for the weeks.

Plain rules over times, so they are tested without files. Days and weeks are the rep's local
ones (a backup at 00:30 belongs to the day it was made, as the rep sees it).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

DEFAULT_DAILY = 7
DEFAULT_WEEKLY = 4
# Kept whatever their day: a few imports in a row each leave their backup for a while.
KEEP_NEWEST = 3
MAX_DAILY = 365
MAX_WEEKLY = 260


class BackupReason(StrEnum):
    """Why a backup was made; the value is the label in its file name."""

    DAILY = "daily"
    MANUAL = "manual"
    BEFORE_IMPORT = "before-import"
    BEFORE_MERGE = "before-merge"
    BEFORE_UPGRADE = "before-upgrade"  # file labels carry the revision: before-upgrade-to-0007…
    BEFORE_RESTORE = "before-restore"
    UNKNOWN = "unknown"  # a file put in the folder by hand, or named by a newer Prospector


def reason_of(label: str) -> BackupReason:
    """The reason a file label stands for (unknown labels are not an error)."""
    if label.startswith(BackupReason.BEFORE_UPGRADE.value):
        return BackupReason.BEFORE_UPGRADE
    try:
        return BackupReason(label)
    except ValueError:
        return BackupReason.UNKNOWN


@dataclass(frozen=True)
class RotationPolicy:
    """How many backups to keep: one for each of the last ``daily`` days that have one, one
    for each of the last ``weekly`` (ISO) weeks that have one, and the ``newest`` few."""

    daily: int = DEFAULT_DAILY
    weekly: int = DEFAULT_WEEKLY
    newest: int = KEEP_NEWEST

    def problems(self) -> list[str]:
        """Codes of what is wrong with the numbers (none: the policy can be saved)."""
        found = []
        if not 1 <= self.daily <= MAX_DAILY:
            found.append("backup.daily_out_of_range")
        if not 0 <= self.weekly <= MAX_WEEKLY:
            found.append("backup.weekly_out_of_range")
        return found


def backups_to_keep(
    made_at: Mapping[K, datetime],
    now: datetime,
    policy: RotationPolicy = RotationPolicy(),  # noqa: B008  (frozen: safe as a default)
    zone: tzinfo | None = None,
) -> set[K]:
    """The backups to keep, by key; every other one may be deleted.

    Each rule counts on its own: the newest of each of the last ``policy.daily`` days that
    have a backup, the newest of each of the last ``policy.weekly`` weeks that have one, and
    the ``policy.newest`` newest. The newest backup is always kept, and so is any dated after
    ``now`` (made while the clock was wrong: it cannot be placed, so it is not judged).

    Args:
        made_at: when each backup was made (timezone-aware).
        now: the present, aware.
        policy: the numbers to keep.
        zone: the rep's time zone for days and weeks; None is the computer's.
    """
    future = {key for key, when in made_at.items() if when > now}
    ordered = sorted(
        ((when, key) for key, when in made_at.items() if key not in future),
        key=lambda pair: pair[0],
        reverse=True,
    )
    keep = set(future)
    keep.update(key for _when, key in ordered[: max(policy.newest, 1)])
    keep.update(_newest_per_period(ordered, policy.daily, _day, zone))
    keep.update(_newest_per_period(ordered, policy.weekly, _iso_week, zone))
    return keep


def _day(day: date) -> date:
    return day


def _iso_week(day: date) -> tuple[int, int]:
    year, week, _weekday = day.isocalendar()
    return year, week


def _newest_per_period(
    ordered: list[tuple[datetime, K]],
    count: int,
    period_of: Callable[[date], Hashable],
    zone: tzinfo | None,
) -> list[K]:
    """The newest backup of each of the ``count`` latest periods that have one (newest first)."""
    kept: list[K] = []
    seen: set[Hashable] = set()
    for when, key in ordered:
        if len(seen) >= count:
            break
        period = period_of(when.astimezone(zone).date())
        if period not in seen:
            seen.add(period)
            kept.append(key)
    return kept


def made_on_day(when: datetime, day: date, zone: tzinfo | None = None) -> bool:
    """Whether a backup made at ``when`` belongs to the rep's local ``day``."""
    return when.astimezone(zone).date() == day
