"""The benchmark list generator: seeded, realistic, messy, and its files read back exactly."""

import csv
import sys
from pathlib import Path

import phonenumbers
from email_validator import validate_email
from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import leadgen  # noqa: E402

from prospector.domain.regions import region_for_country  # noqa: E402


def test_same_seed_same_rows_and_seventeen_columns():
    first = list(leadgen.generate_leads(300, seed=5))
    assert first == list(leadgen.generate_leads(300, seed=5))
    assert first != list(leadgen.generate_leads(300, seed=6))
    assert {len(row) for row in first} == {len(leadgen.LEAD_COLUMNS)} == {17}


def test_rows_mix_scripts_and_carry_near_duplicates():
    rows = list(leadgen.generate_leads(3000, seed=1))
    names = " ".join(r[0] + r[1] for r in rows)
    assert any("\u0400" <= ch <= "\u04ff" for ch in names)  # Cyrillic
    assert any(ch in names for ch in "éèçăşţčćšž")  # accents
    emails = [r[6].lower() for r in rows if "@" in r[6] and not r[6].endswith("@")]
    assert len(emails) - len(set(emails)) > 10
    assert any("\n" in r[15] for r in rows)  # multi-line notes


def test_csv_and_xlsx_read_back_exactly(tmp_path: Path):
    rows = list(leadgen.generate_leads(200, seed=3))
    assert any(r[4].startswith("+") for r in rows)
    csv_path, xlsx_path = tmp_path / "l.csv", tmp_path / "l.xlsx"
    assert leadgen.write_csv(csv_path, rows, delimiter=";") == 200
    with csv_path.open(encoding="utf-8", newline="") as handle:
        back = [tuple(r) for r in csv.reader(handle, delimiter=";")]
    assert back == [leadgen.LEAD_COLUMNS, *rows]
    assert leadgen.write_xlsx(xlsx_path, rows) == 200
    sheet = CalamineWorkbook.from_path(str(xlsx_path)).get_sheet_by_index(0).to_python()
    assert [tuple(str(v) for v in r) for r in sheet] == [leadgen.LEAD_COLUMNS, *rows]


def test_the_bundled_sample_list_is_clean():
    path = ROOT / "resources" / "sample_leads.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 60
    for row in rows:
        validate_email(row["Email"], check_deliverability=False)
        region = region_for_country(row["Country"], "ZZ")
        assert region != "ZZ", row["Country"]
        assert phonenumbers.is_possible_number(phonenumbers.parse(row["Phone"], region)), row
        assert row["First name"] == row["First name"].strip()
