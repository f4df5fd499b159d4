"""How the reports word their figures: counts, shares, money, talk time, days; and the names and
explanations of what is counted, in the rep's language (context "reports").

A figure that cannot be worked out is never shown as 0, NaN or infinity: ``None`` becomes a few
words saying why (no cost entered, nobody reached yet).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication, QDate, QLocale

from prospector.domain.reports import Grade, Money, Period


def tr(text: str) -> str:
    return QCoreApplication.translate("reports", text)


def count_text(value: float) -> str:
    return QLocale().toString(int(round(value)))


def percent_text(fraction: float | None, missing: str = "") -> str:
    """12%, or 4.5% below ten (small shares matter when lists are compared)."""
    if fraction is None:
        return missing
    value = fraction * 100
    decimals = 1 if 0 < value < 10 else 0
    return QLocale().toString(value, "f", decimals) + "%"


def whole_percent_text(fraction: float) -> str:
    """A chart axis's share: 5%, 10%, never 5.0%."""
    return QLocale().toString(round(fraction * 100)) + "%"


def decimal_text(value: float, decimals: int = 1) -> str:
    return QLocale().toString(value, "f", decimals)


def money_text(money: Money | None, missing: str = "") -> str:
    if money is None:
        return missing
    amount = QLocale().toString(money.cents / 100, "f", 2)
    return f"{amount} {money.currency}" if money.currency else amount


def duration_text(seconds: float | None) -> str:
    """3 h 05 min, 12 min, 45 s."""
    if seconds is None:
        return tr("no calls yet")
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return tr("{h} h {m:02d} min").format(h=QLocale().toString(hours), m=minutes)
    if minutes:
        return tr("{m} min {s:02d} s").format(m=minutes, s=secs)
    return tr("{s} s").format(s=secs)


def hours_text(seconds: float) -> str:
    """Talk time on a chart's axis: whole hours, or minutes when short."""
    if seconds >= 3600:
        return tr("{h} h").format(h=QLocale().toString(round(seconds / 3600)))
    return tr("{m} min").format(m=round(seconds / 60))


def day_text(day: date, with_year: bool = False) -> str:
    return QLocale().toString(
        QDate(day.year, day.month, day.day), "d MMM yyyy" if with_year else "d MMM"
    )


def bar_tooltip(day: date, period: Period) -> str:
    if period == Period.WEEK:
        return tr("Week of {day}").format(day=day_text(day, with_year=True))
    return QLocale().toString(QDate(day.year, day.month, day.day), "dddd d MMMM yyyy")


def grade_text(grade: Grade | None) -> str:
    return grade.value if grade is not None else tr("too early")


def grade_explanation() -> str:
    return tr(
        "A (best) to D, from what became of the contacts called: A when at least 10 in 100 "
        "became prospects, B from 5, C from 2, D below. A list with a quarter or more junk "
        "goes down one grade; half junk is D. A prospect costing half of what it usually costs "
        "(across the lists shown) or less moves a list up one grade, twice as much or more "
        "moves it down. No grade before 20 contacts are called."
    )


def period_words() -> str:
    return tr(
        "The funnel, the lists and the pipeline count the contacts added in the period, as "
        "they stand today. Activity counts the calls made and the follow-ups due in the period."
    )
