from datetime import date

import pytest

from prospector.domain.contacts import (
    ContactFields,
    clean_contact,
    display_name,
    fold_text,
    normalize_email,
    normalize_phone,
    phone_digits,
)
from prospector.domain.query import search_terms
from prospector.domain.regions import region_for_country
from prospector.domain.stages import Stage
from prospector.errors import ValidationError


def test_phone_is_kept_as_typed_beside_e164():
    clean = clean_contact(ContactFields(last_name="Lefèvre", phone=" 06 12 34 56 78 "), "FR")
    assert clean.fields.phone == "06 12 34 56 78"
    assert clean.phone_e164 == "+33612345678"
    assert clean.phone_digits == "0612345678 33612345678"


@pytest.mark.parametrize(
    ("typed", "region", "expected"),
    [
        ("+40 721 123 456", "FR", "+40721123456"),
        ("0721.123.456", "RO", "+40721123456"),
        ("0033612345678", "FR", "+33612345678"),
        ("(212) 555-0147", "US", "+12125550147"),
        ("n/a", "FR", None),
        ("123", "FR", None),
    ],
)
def test_normalize_phone(typed, region, expected):
    assert normalize_phone(typed, region) == expected


def test_emails_are_checked_and_lowercased():
    assert normalize_email("Jean.Dupont@Example.FR") == "jean.dupont@example.fr"
    assert normalize_email("jean.dupont@") is None
    assert normalize_email("at gmail") is None
    assert normalize_email("jovan@пример.мк") is not None  # internationalised domain


def test_invalid_fields_are_named_together():
    with pytest.raises(ValidationError) as caught:
        clean_contact(ContactFields(first_name="Ana", email="ana@", phone="12"), "RO")
    assert set(caught.value.problems) == {"email", "phone"}
    assert "ana@" in caught.value.problems["email"]


def test_a_contact_needs_a_name_or_a_company():
    with pytest.raises(ValidationError) as caught:
        clean_contact(ContactFields(email="x@example.com"), "FR")
    assert "name" in caught.value.problems
    assert clean_contact(ContactFields(company="Crème SARL"), "FR").fields.company == "Crème SARL"


def test_text_is_tidied_and_blank_becomes_none():
    clean = clean_contact(ContactFields(first_name="  Ana \n Maria ", city="   "), "RO")
    assert clean.fields.first_name == "Ana Maria"
    assert clean.fields.city is None


def test_birthday_in_the_future_is_refused():
    with pytest.raises(ValidationError):
        clean_contact(
            ContactFields(last_name="X", birthday=date(2030, 1, 1)), "FR", date(2026, 1, 1)
        )


def test_do_not_call_stage_sets_the_flag():
    clean = clean_contact(ContactFields(last_name="X", stage=Stage.DO_NOT_CALL), "FR")
    assert clean.fields.do_not_call is True


def test_display_name_falls_back_to_full_name_then_company():
    assert display_name(ContactFields(first_name="Ana", last_name="Pop")) == "Ana Pop"
    assert display_name(ContactFields(full_name="Петар Петровски")) == "Петар Петровски"
    assert display_name(ContactFields(company="Firma d.o.o.")) == "Firma d.o.o."


def test_fold_text_ignores_case_and_accents():
    assert fold_text("Ştefan LEFÈVRE") == "stefan lefevre"


def test_phone_digits_skip_duplicates_and_short_junk():
    assert phone_digits("+33612345678", "+33612345678", "12") == "33612345678"
    assert phone_digits(None, "") is None


def test_search_terms_join_phone_groups_and_drop_punctuation():
    assert search_terms("06 12 34") == ["061234"]
    assert search_terms("+40 721") == ["40721"]
    assert search_terms("jean-luc, Lyon") == ["jean", "luc", "Lyon"]
    assert search_terms("Петров") == ["Петров"]
    assert search_terms("   ") == []


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("France", "FR"),
        ("Hrvatska", "HR"),
        ("Македонија", "MK"),
        ("ro", "RO"),
        ("", "DE"),
        ("Atlantis", "DE"),
    ],
)
def test_region_for_country(country, expected):
    assert region_for_country(country, "DE") == expected
