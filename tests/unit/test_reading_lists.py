"""Reading real, messy lists: encodings, delimiters, quotes, title rows, typed cells."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl
import pytest

from prospector.importers.cleaning import RowCleaner, detect_date_order, sensible_case
from prospector.importers.csv_rows import CsvFileError, CsvRows
from prospector.importers.mapping import ColumnMapping, Target, guess_mapping
from prospector.importers.sheet_rows import SheetRows
from prospector.importers.table import column_letter, read_table
from prospector.importers.text_decoding import guess_text

FRENCH = "Prénom;Nom;Société;Téléphone\nFrançois;Lefèvre;Crème & Fils;06 12 34 56 78\n"
ROMANIAN = "Prenume;Nume;Firma;Telefon\nŞtefan;Băneasa;Ţară SRL;0721 123 456\n"
CROATIAN = "Ime;Prezime;Tvrtka;Telefon\nŽeljko;Šarić;Čakovec d.o.o.;091 234 5678\n"
MACEDONIAN = "Име,Презиме,Компанија,Телефон\nПетар,Петровски,Македонски Телеком,070 123 456\n"


@pytest.mark.parametrize(
    ("text", "encoding", "expected_encoding", "delimiter"),
    [
        (FRENCH, "cp1252", "cp1252", ";"),
        (ROMANIAN, "cp1250", "cp1250", ";"),
        (CROATIAN, "cp1250", "cp1250", ";"),
        (MACEDONIAN, "cp1251", "cp1251", ","),
        (FRENCH, "utf-8", "utf_8", ";"),
        (FRENCH, "utf-8-sig", "utf_8_sig", ";"),
        (FRENCH.replace(";", "\t"), "utf-16", "utf_16", "\t"),  # Excel's "Unicode text"
        (FRENCH.replace(";", "|"), "utf-8", "utf_8", "|"),
    ],
)
def test_encodings_and_delimiters_are_detected(
    tmp_path: Path, text, encoding, expected_encoding, delimiter
):
    path = tmp_path / "list.csv"
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    source = CsvRows(path)
    assert (source.encoding, source.delimiter) == (expected_encoding, delimiter)
    rows = list(source.rows())
    assert [list(r.cells) for r in rows] == [line.split(delimiter) for line in text.splitlines()]


def test_french_cp1252_is_not_read_as_cp1250():
    # charset-normalizer alone says cp1250 here and shows "Lefčvre" (reliability.md §4).
    sample = "Prénom;Nom;Société\nFrançois;Lefèvre;Crème\n".encode("cp1252")
    assert guess_text(sample).encoding == "cp1252"


def test_a_tie_goes_to_the_offices_region():
    sample = "Name;City\nAna;Cluj\nIon;Zalău\n".encode("cp1250")
    assert guess_text(sample, region="RO").encoding == "cp1250"


def test_quoted_newlines_ragged_rows_nul_and_row_numbers(tmp_path: Path):
    path = tmp_path / "messy.csv"
    path.write_bytes(
        b'name,phone,notes\r\n"Ana","0601","two\r\nlines"\r\n\r\nBob,0602\r\n'
        b'Cid,0603,x,extra\r\nDan\x00,0604,"\'=1+1"\r'
    )
    rows = list(CsvRows(path).rows())
    numbers = [r.number for r in rows if r.cells]
    assert numbers == [1, 2, 5, 6, 7]  # the line each record starts on
    assert rows[1].cells == ("Ana", "0601", "two\nlines")
    assert rows[3].cells == ("Bob", "0602")
    assert rows[4].cells == ("Cid", "0603", "x", "extra")
    assert rows[5].cells == ("Dan", "0604", "=1+1")  # NUL dropped, our export's apostrophe undone


def test_an_unterminated_quote_is_refused_with_its_row(tmp_path: Path):
    path = tmp_path / "broken.csv"
    path.write_text('name,phone\n"Ana,0601\nBob,0602\nCid,0603\n', encoding="utf-8")
    with pytest.raises(CsvFileError) as caught:
        list(CsvRows(path).rows())
    assert caught.value.row == 2
    assert "Row 2 opens a quote" in caught.value.user_message()
    assert "Nothing was imported" in caught.value.user_message()


def _excel_like(path: Path) -> None:
    """A vendor workbook: a merged title row, a blank row, typed dates and numbers, a formula."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Contacts"
    ws["A1"] = "Annuaire des entreprises — Lyon 2026"
    ws.merge_cells("A1:E1")
    ws.append([])
    ws.append(["Prénom", "Nom", "Téléphone", "Date de naissance", "Effectif", None, "Effectif"])
    ws.append(["françois", "LEFÈVRE", "06 12 34 56 78", datetime.date(1970, 7, 30), 12, "x", 3])
    ws.append(["Ana", "Pop", 612345678, "30/07/1980", "=2+3", None, None])
    ws.append([])
    ws.append(["Élise", "Guillet", "+33 4 72 00 00 01", None, 2.5, None, None])
    wb.create_sheet("Other").append(["nothing", "here"])
    wb.save(path)


def test_a_workbook_with_a_title_row_and_typed_cells(tmp_path: Path):
    path = tmp_path / "annuaire.xlsx"
    _excel_like(path)
    table = read_table(SheetRows(path))
    assert table.header_row == 3
    assert [c.name for c in table.columns] == [
        "Prénom",
        "Nom",
        "Téléphone",
        "Date de naissance",
        "Effectif",
        "Column F",
        "Effectif (2)",
    ]
    data = list(table.data)
    assert [r.number for r in data] == [4, 5, 7]  # as Excel numbers them
    assert data[0].cells[3] == datetime.date(1970, 7, 30)
    assert data[1].cells[4] == ""  # a formula without a saved result gives no value
    assert table.columns[1].samples == ("LEFÈVRE", "Pop", "Guillet")


def test_another_sheet_can_be_chosen(tmp_path: Path):
    path = tmp_path / "annuaire.xlsx"
    _excel_like(path)
    rows = list(SheetRows(path, "Other").rows())
    assert rows[0].cells == ("nothing", "here")


def test_headers_in_six_languages_are_recognised():
    from prospector.importers.table import Column

    headers = {
        "Société": Target.COMPANY,
        "Firma": Target.COMPANY,
        "Tvrtka": Target.COMPANY,
        "Компанија": Target.COMPANY,
        "Telefon": Target.PHONE,
        "E-Mail": Target.EMAIL,
        "Prénom": Target.FIRST_NAME,
        "Nume": Target.LAST_NAME,
        "Презиме": Target.LAST_NAME,
        "Code postal": Target.POSTAL_CODE,
        "Localitate": Target.CITY,
        "Portable": Target.MOBILE,
    }
    for header, target in headers.items():
        mapping = guess_mapping([Column(0, header)])
        assert mapping.fields == {header: target}, header


def test_columns_are_guessed_from_their_values_and_a_second_phone_is_the_mobile():
    from prospector.importers.table import Column

    columns = [
        Column(0, "Column A", ("ana@firma.ro", "ion@x.ro", "")),
        Column(1, "Tel", ("06 12 34 56 78",)),
        Column(2, "Column C", ("+40 721 123 456", "0721.123.456")),
        Column(3, "Remarks", ("call after 5", "busy")),
    ]
    fields = guess_mapping(columns).fields
    assert fields == {"Column A": Target.EMAIL, "Tel": Target.PHONE, "Column C": Target.MOBILE}


def test_cleaning_keeps_what_the_file_says_and_lists_problems(tmp_path: Path):
    path = tmp_path / "annuaire.xlsx"
    _excel_like(path)
    table = read_table(SheetRows(path))
    mapping = guess_mapping(table.columns)
    assert mapping.fields["Date de naissance"] == Target.BIRTHDAY
    cleaner = RowCleaner(table.columns, mapping, "FR")
    first, second, third = (cleaner.clean(r) for r in table.data)
    contact = first.contact
    assert contact is not None
    assert (contact.fields.first_name, contact.fields.last_name) == ("François", "Lefèvre")
    assert contact.phone_e164 == "+33612345678"
    assert contact.fields.birthday == datetime.date(1970, 7, 30)
    # Unmapped columns are kept, under their (unique) header names.
    assert contact.fields.custom_fields == {"Effectif": "12", "Column F": "x", "Effectif (2)": "3"}
    assert second.contact.fields.birthday == datetime.date(1980, 7, 30)
    assert second.contact.phone_e164 == "+33612345678"  # a number cell, leading zero lost
    assert third.contact.fields.custom_fields == {"Effectif": "2.5"}


def test_a_bad_phone_is_kept_as_typed_and_reported():
    from prospector.importers.rows import RawRow
    from prospector.importers.table import Column

    columns = [Column(0, "Name"), Column(1, "Phone"), Column(2, "Email")]
    cleaner = RowCleaner(columns, guess_mapping(columns), "RO")
    row = cleaner.clean(RawRow(9, ("Ion Popescu", "n/a", "ion@")))
    assert row.contact is not None
    assert row.contact.fields.phone == "n/a" and row.contact.phone_e164 is None
    assert (row.contact.fields.first_name, row.contact.fields.last_name) == ("Ion", "Popescu")
    assert {(p.row, p.code) for p in row.problems} == {(9, "phone.invalid"), (9, "email.invalid")}
    empty = cleaner.clean(RawRow(10, ("", "", "")))
    assert empty.contact is None and empty.problems[0].code == "row.no_identity"


def test_date_order_comes_from_the_column_and_ambiguity_is_flagged():
    assert detect_date_order(["01/02/2020", "30/07/2023"]) == "dmy"
    assert detect_date_order(["07/30/2023"]) == "mdy"
    assert detect_date_order(["01/02/2020", "1985-05-05"]) is None
    from prospector.importers.rows import RawRow
    from prospector.importers.table import Column

    columns = [Column(0, "Name"), Column(1, "Birthday", ("03/04/1980",))]
    cleaner = RowCleaner(columns, guess_mapping(columns), "FR")
    row = cleaner.clean(RawRow(2, ("Ana", "03/04/1980")))
    assert row.contact.fields.birthday == datetime.date(1980, 4, 3)
    assert [p.code for p in row.problems] == ["date.ambiguous"]


def test_sensible_case_and_column_letters():
    assert sensible_case("LEFÈVRE") == "Lefèvre"
    assert sensible_case("jean-luc") == "Jean-Luc"
    assert sensible_case("McDonald") == "McDonald"
    assert sensible_case("ПЕТРОВСКИ") == "Петровски"
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_mapping_survives_a_round_trip_through_json():
    mapping = ColumnMapping({"Tel": Target.PHONE, "X": Target.IGNORE}, split_full_name=False)
    assert ColumnMapping.from_json(mapping.to_json()) == mapping
