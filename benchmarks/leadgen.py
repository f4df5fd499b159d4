"""Seeded generator of realistic, messy lead lists (benchmarks, the bundled sample list, tests).

    python benchmarks/leadgen.py --rows 100000 --out leads.xlsx
    python benchmarks/leadgen.py --rows 1000000 --out leads.csv --delimiter ';'

Faker is called only to build pools of names, companies, cities and streets per locale; rows
are then combined from the pools with one seeded Random, so a million rows take seconds and
the same seed always gives the same file. Rows are as messy as purchased lists are: phones
typed every which way, blank and junk values, mixed date formats, multi-line notes, ~3%
near-duplicates of earlier rows.
"""

from __future__ import annotations

import argparse
import csv
import random
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

LEAD_COLUMNS: tuple[str, ...] = (
    "First name",
    "Last name",
    "Company",
    "Title",
    "Phone",
    "Mobile",
    "Email",
    "Website",
    "Address",
    "City",
    "Postal code",
    "Country",
    "Birthday",
    "Industry",
    "Employees",
    "Notes",
    "Source ref",
)

_MK_FIRST = [
    "Александар",
    "Ана",
    "Бојан",
    "Весна",
    "Горан",
    "Даниела",
    "Дејан",
    "Елена",
    "Зоран",
    "Ивана",
    "Игор",
    "Јована",
    "Катерина",
    "Марија",
    "Марко",
    "Милан",
    "Наташа",
    "Никола",
    "Оливера",
    "Петар",
    "Сашо",
    "Симона",
    "Стефан",
    "Тамара",
    "Христина",
]
_MK_LAST = [
    "Петровски",
    "Николовски",
    "Стојановски",
    "Трајковски",
    "Јовановски",
    "Илиевски",
    "Ристовски",
    "Димитровски",
    "Костовски",
    "Митревски",
    "Спасовски",
    "Ангеловски",
    "Велковски",
    "Атанасовски",
    "Стефановски",
    "Божиновски",
]
_MK_COMPANY = (
    "Македонски Телеком",
    "Вардар Трејд",
    "Охридска Банка",
    "Скопски Пазар",
    "Пелистер Транспорт",
    "Шар Млекара",
    "Алкалоид Дистрибуција",
    "Битолска Пекарница",
)
_MK_CITIES = ("Скопје", "Битола", "Охрид", "Куманово", "Прилеп", "Тетово", "Велес", "Штип")
_MK_STREETS = ("ул. Македонија", "бул. Партизански Одреди", "ул. Маршал Тито", "ул. Гоце Делчев")

_INDUSTRIES = (
    "Retail",
    "Construction",
    "Hospitality",
    "Healthcare",
    "Logistics",
    "Software",
    "Manufacturing",
    "Agriculture",
    "Legal",
    "Real estate",
    "Education",
    "Automotive",
)
_NOTES = (
    "Met at the trade fair",
    "Prefers calls in the morning",
    'Said "call back after the holidays"',
    "Switchboard, ask for purchasing",
    "Interested in the premium plan, budget unclear",
    "Closed on Mondays, best time 10-12",
    "Gatekeeper: Mrs. Ionescu\nAsk for the owner directly",
    "Old client of the previous owner, 2019",
)
_JUNK_PHONES = ("n/a", "123", "tbd", "-", "0000", "see website")


@dataclass(frozen=True)
class _Locale:
    key: str
    country: str
    weight: int
    date_format: str
    tld: str


_LOCALES = (
    _Locale("fr_FR", "France", 25, "%d/%m/%Y", "fr"),
    _Locale("ro_RO", "Romania", 15, "%d.%m.%Y", "ro"),
    _Locale("hr_HR", "Croatia", 15, "%d.%m.%Y", "hr"),
    _Locale("de_DE", "Germany", 15, "%d.%m.%Y", "de"),
    _Locale("en_GB", "United Kingdom", 10, "%d/%m/%Y", "co.uk"),
    _Locale("en_US", "United States", 10, "%m/%d/%Y", "com"),
    _Locale("mk_MK", "North Macedonia", 10, "%d.%m.%Y", "mk"),
)


def _phone(rng: random.Random, key: str) -> str:
    """A plausible number for the country, typed in one of the forms lists really use."""
    d = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
    form = rng.random()
    if key == "fr_FR":
        lead = rng.choice("1234567")
        groups = [d(2) for _ in range(4)]
        if form < 0.45:
            return f"0{lead} " + " ".join(groups)
        if form < 0.75:
            return f"+33 {lead} " + " ".join(groups)
        if form < 0.9:
            return f"0033{lead}" + "".join(groups)
        return f"(0){lead}-" + "-".join(groups)
    if key == "ro_RO":
        mobile = f"7{rng.choice('2345')}{d(1)}"
        rest = f"{d(3)} {d(3)}"
        if form < 0.5:
            return f"0{mobile} {rest}"
        if form < 0.8:
            return f"+40 {mobile} {rest}"
        return f"0{mobile}.{rest.replace(' ', '.')}"
    if key == "hr_HR":
        prefix = rng.choice(("91", "92", "95", "98", "99", "1"))
        if form < 0.5:
            return f"0{prefix} {d(3)} {d(4)}"
        return f"+385 {prefix} {d(3)} {d(4)}"
    if key == "de_DE":
        area = rng.choice(("30", "40", "89", "221", "69", "711"))
        if form < 0.5:
            return f"0{area} {d(7)}"
        if form < 0.8:
            return f"+49 {area} {d(7)}"
        return f"0{area}/{d(3)} {d(4)}"
    if key == "en_GB":
        if form < 0.5:
            return f"07{d(3)} {d(6)}"
        return f"+44 20 {d(4)} {d(4)}"
    if key == "en_US":
        area = rng.choice(("212", "415", "312", "617", "206", "512"))
        if form < 0.6:
            return f"({area}) {rng.choice('23456789')}{d(2)}-{d(4)}"
        return f"+1 {area} {rng.choice('23456789')}{d(2)} {d(4)}"
    prefix = rng.choice(("70", "71", "72", "75", "2"))  # North Macedonia
    if form < 0.5:
        return f"0{prefix} {d(3)} {d(3)}"
    return f"+389 {prefix} {d(3)} {d(3)}"


_TRANSLIT = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "ѓ": "gj",
        "е": "e",
        "ж": "zh",
        "з": "z",
        "ѕ": "dz",
        "и": "i",
        "ј": "j",
        "к": "k",
        "л": "l",
        "љ": "lj",
        "м": "m",
        "н": "n",
        "њ": "nj",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "ќ": "kj",
        "у": "u",
        "ф": "f",
        "х": "h",
        "ц": "c",
        "ч": "ch",
        "џ": "dzh",
        "ш": "sh",
    }
)


def _ascii(text: str) -> str:
    """'Lefèvre' -> 'lefevre', 'Петровски' -> 'petrovski': what a mailbox name looks like."""
    text = text.lower().translate(_TRANSLIT)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in ".-"))


class _Pools:
    """Names, companies, cities and streets per locale, built once with Faker."""

    def __init__(self, seed: int, size: int) -> None:
        from faker import Faker

        self.by_locale: dict[str, dict[str, list[str]]] = {}
        for locale in _LOCALES:
            if locale.key == "mk_MK":
                self.by_locale[locale.key] = {
                    "first": list(_MK_FIRST),
                    "last": list(_MK_LAST),
                    "company": [f"{c} {s}" for c in _MK_COMPANY for s in ("ДООЕЛ", "ДОО", "АД")],
                    "city": list(_MK_CITIES),
                    "street": [f"{s} {n}" for s in _MK_STREETS for n in range(1, 60)],
                    "postcode": [str(1000 + n * 10) for n in range(80)],
                    "job": ["Управител", "Сопственик", "Набавка", "Менаџер"],
                }
                continue
            fake = Faker(locale.key)
            fake.seed_instance(seed)
            self.by_locale[locale.key] = {
                "first": [fake.first_name() for _ in range(size)],
                "last": [fake.last_name() for _ in range(size)],
                "company": [fake.company() for _ in range(size)],
                "city": [fake.city() for _ in range(max(size // 4, 50))],
                "street": [fake.street_address() for _ in range(size)],
                "postcode": [fake.postcode() for _ in range(max(size // 4, 50))],
                "job": [fake.job()[:60] for _ in range(max(size // 8, 30))],
            }


def generate_leads(
    rows: int, seed: int = 42, duplicate_rate: float = 0.03, pool_size: int = 2000
) -> Iterator[tuple[str, ...]]:
    """Yield ``rows`` lead rows (tuples of strings in LEAD_COLUMNS order); '' is a blank cell."""
    rng = random.Random(seed)
    pools = _Pools(seed, pool_size)
    locales = list(_LOCALES)
    weights = [loc.weight for loc in locales]
    recent: list[tuple[str, ...]] = []
    for n in range(rows):
        if recent and rng.random() < duplicate_rate:
            yield _near_duplicate(rng, rng.choice(recent))
            continue
        locale = rng.choices(locales, weights)[0]
        pool = pools.by_locale[locale.key]
        first, last = rng.choice(pool["first"]), rng.choice(pool["last"])
        company = rng.choice(pool["company"])
        domain = _ascii(company.split()[0]) or "firma"
        roll = rng.random()
        if roll < 0.10:
            email = ""
        elif roll < 0.12:
            email = rng.choice((f"{_ascii(first)}.{_ascii(last)}@", f"{_ascii(last)} at gmail"))
        else:
            user = rng.choice(
                (f"{_ascii(first)}.{_ascii(last)}", f"{_ascii(first)[:1]}{_ascii(last)}")
            )
            email = f"{user}@{domain}.{locale.tld}"
            if rng.random() < 0.05:
                email = email.capitalize()
        roll = rng.random()
        phone = (
            ""
            if roll < 0.08
            else rng.choice(_JUNK_PHONES)
            if roll < 0.11
            else _phone(rng, locale.key)
        )
        mobile = "" if rng.random() < 0.4 else _phone(rng, locale.key)
        if rng.random() < 0.05:
            first, last = rng.choice(((f" {first}", f"{last} "), (first.upper(), last.upper())))
        birthday = ""
        if rng.random() < 0.3:
            year, month, day = rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28)
            fmt = "%Y-%m-%d" if rng.random() < 0.15 else locale.date_format
            birthday = time.strftime(fmt, (year, month, day, 0, 0, 0, 0, 1, -1))
        row = (
            first,
            last,
            company,
            rng.choice(pool["job"]),
            phone,
            mobile,
            email,
            "" if rng.random() < 0.35 else f"www.{domain}.{locale.tld}",
            rng.choice(pool["street"]),
            rng.choice(pool["city"]),
            rng.choice(pool["postcode"]),
            locale.country,
            birthday,
            rng.choice(_INDUSTRIES),
            str(rng.choice((1, 2, 5, 8, 12, 25, 40, 120, 300, 1500))),
            rng.choice(_NOTES) if rng.random() < 0.15 else "",
            f"DIR-2024-{n:06d}",
        )
        if len(recent) < 5000:
            recent.append(row)
        elif rng.random() < 0.01:
            recent[rng.randrange(len(recent))] = row
        yield row


def _near_duplicate(rng: random.Random, row: tuple[str, ...]) -> tuple[str, ...]:
    """The same person again, as another list would write them."""
    values = list(row)
    change = rng.random()
    if change < 0.4 and values[6]:
        values[6] = values[6].upper() if rng.random() < 0.5 else values[6].capitalize()
    elif change < 0.7 and values[4]:
        digits = "".join(c for c in values[4] if c.isdigit())
        values[4] = digits
    else:
        values[1] = unicodedata.normalize("NFKD", values[1]).encode("ascii", "ignore").decode()
        values[1] = values[1] or row[1]
    values[16] = f"DUP-{rng.randint(0, 999_999):06d}"
    return tuple(values)


def write_csv(
    path: Path,
    rows: Iterable[tuple[str, ...]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> int:
    """Write a header and ``rows``; return how many rows were written."""
    count = 0
    with path.open("w", encoding=encoding, newline="", errors="replace") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(LEAD_COLUMNS)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_xlsx(path: Path, rows: Iterable[tuple[str, ...]]) -> int:
    """Stream ``rows`` into an .xlsx (openpyxl write-only); every cell is a text cell."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Leads")
    sheet.append(list(LEAD_COLUMNS))
    count = 0
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, even when it starts with '=' or '+'
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(path)
    return count


def write_sample_list(path: Path) -> int:
    """The friendly 60-contact demo list: clean values only, as a new user should first see."""
    rows = []
    for row in generate_leads(400, seed=7, duplicate_rate=0.0):
        first, last, email, phone = row[0].strip(), row[1].strip(), row[6], row[4]
        if (
            first.isupper()
            or last.isupper()
            or not email
            or "@" not in email
            or " " in email
            or email.endswith("@")
            or phone in ("", *_JUNK_PHONES)
        ):
            continue
        rows.append((first, last, *row[2:]))
        if len(rows) == 60:
            break
    return write_csv(path, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--delimiter", default=",")
    parser.add_argument("--encoding", default="utf-8")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = generate_leads(args.rows, seed=args.seed)
    if args.out.suffix.lower() == ".xlsx":
        written = write_xlsx(args.out, rows)
    else:
        written = write_csv(args.out, rows, delimiter=args.delimiter, encoding=args.encoding)
    print(f"wrote {written:,} rows to {args.out} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
