"""Which column of a list goes into which contact field, guessed from headers and values.

Headers are matched in English, French, Romanian, Croatian, Macedonian and German, ignoring
case, accents and punctuation; columns whose header says nothing are judged by their values (a
column of email addresses, of phone numbers). Every column left unmapped is kept as a custom
field of the contact: nothing in the file is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from prospector.domain.contacts import fold_text, normalize_email
from prospector.importers.table import Column


class Target(StrEnum):
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    FULL_NAME = "full_name"
    COMPANY = "company"
    TITLE = "title"
    PHONE = "phone"
    MOBILE = "mobile"
    EMAIL = "email"
    WEBSITE = "website"
    ADDRESS = "address"
    CITY = "city"
    POSTAL_CODE = "postal_code"
    COUNTRY = "country"
    BIRTHDAY = "birthday"
    ESTIMATED_VALUE = "estimated_value"
    IGNORE = "ignore"  # the user said: do not import this column at all


_SYNONYMS: dict[Target, tuple[str, ...]] = {
    Target.FIRST_NAME: (
        "first name",
        "firstname",
        "given name",
        "forename",
        "first",
        "prenom",
        "vorname",
        "prenume",
        "ime",
        "име",
    ),
    Target.LAST_NAME: (
        "last name",
        "lastname",
        "surname",
        "family name",
        "nom",
        "nom de famille",
        "nachname",
        "familienname",
        "nume",
        "nume de familie",
        "prezime",
        "презиме",
        "фамилија",
    ),
    Target.FULL_NAME: (
        "name",
        "full name",
        "fullname",
        "contact",
        "contact name",
        "contact person",
        "nom complet",
        "nom et prenom",
        "prenom et nom",
        "ansprechpartner",
        "nume complet",
        "nume si prenume",
        "ime i prezime",
        "име и презиме",
        "контакт",
        "kontakt",
        "persoana",
        "persoana de contact",
        "kontakt osoba",
    ),
    Target.COMPANY: (
        "company",
        "company name",
        "organisation",
        "organization",
        "business",
        "account",
        "societe",
        "entreprise",
        "raison sociale",
        "firma",
        "firmenname",
        "unternehmen",
        "tvrtka",
        "poduzece",
        "компанија",
        "фирма",
        "претпријатие",
        "companie",
        "societate",
        "denumire",
        "denumire firma",
        "naziv",
        "naziv tvrtke",
    ),
    Target.TITLE: (
        "title",
        "job title",
        "position",
        "role",
        "function",
        "fonction",
        "poste",
        "titre",
        "functie",
        "funcția",
        "pozitie",
        "beruf",
        "funktion",
        "funkcija",
        "radno mjesto",
        "pozicija",
        "позиција",
        "функција",
        "работно место",
    ),
    Target.PHONE: (
        "phone",
        "telephone",
        "tel",
        "phone number",
        "telephone number",
        "landline",
        "office phone",
        "work phone",
        "switchboard",
        "fixe",
        "telephone fixe",
        "standard",
        "telefon",
        "telefonnummer",
        "broj telefona",
        "телефон",
        "numar de telefon",
        "numar telefon",
        "telefon fix",
    ),
    Target.MOBILE: (
        "mobile",
        "mobile phone",
        "cell",
        "cell phone",
        "cellphone",
        "portable",
        "telephone portable",
        "gsm",
        "handy",
        "mobil",
        "mobiltelefon",
        "mobitel",
        "мобилен",
        "мобилен телефон",
        "telefon mobil",
    ),
    Target.EMAIL: (
        "email",
        "e mail",
        "mail",
        "email address",
        "courriel",
        "adresse email",
        "adresse e mail",
        "e mail adresse",
        "email adresa",
        "e posta",
        "е пошта",
        "емаил",
        "adresa de email",
        "adresa email",
    ),
    Target.WEBSITE: (
        "website",
        "web",
        "site",
        "site web",
        "site internet",
        "url",
        "homepage",
        "webseite",
        "internetseite",
        "web stranica",
        "веб страна",
        "веб страница",
        "pagina web",
    ),
    Target.ADDRESS: (
        "address",
        "street",
        "street address",
        "adresse",
        "rue",
        "adresa",
        "strasse",
        "anschrift",
        "ulica",
        "адреса",
        "улица",
    ),
    Target.CITY: (
        "city",
        "town",
        "ville",
        "localite",
        "commune",
        "stadt",
        "ort",
        "oras",
        "localitate",
        "grad",
        "mjesto",
        "град",
        "место",
    ),
    Target.POSTAL_CODE: (
        "postal code",
        "postcode",
        "zip",
        "zip code",
        "code postal",
        "cp",
        "plz",
        "postleitzahl",
        "cod postal",
        "postanski broj",
        "поштенски број",
        "pbr",
    ),
    Target.COUNTRY: ("country", "pays", "land", "tara", "drzava", "држава", "zemlja"),
    Target.BIRTHDAY: (
        "birthday",
        "date of birth",
        "birth date",
        "dob",
        "date de naissance",
        "anniversaire",
        "geburtstag",
        "geburtsdatum",
        "data nasterii",
        "datum rodenja",
        "datum rođenja",
        "роденден",
        "датум на раѓање",
    ),
    Target.ESTIMATED_VALUE: (
        "estimated value",
        "value",
        "deal value",
        "potential",
        "valeur",
        "valeur estimee",
        "montant",
        "potentiel",
        "wert",
        "auftragswert",
        "valoare",
        "valoare estimata",
        "vrijednost",
        "procijenjena vrijednost",
        "вредност",
    ),
}

_PUNCT = re.compile(r"[^\w]+", re.UNICODE)


def header_key(header: str) -> str:
    """'E-Mail Adresse' -> 'e mail adresse'; 'Téléphone ' -> 'telephone'."""
    return " ".join(_PUNCT.sub(" ", fold_text(header)).split())


_BY_KEY: dict[str, Target] = {
    header_key(word): target for target, words in _SYNONYMS.items() for word in words
}
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]{6,22}$")


@dataclass
class ColumnMapping:
    """column name -> target field; columns not in ``fields`` become custom fields."""

    fields: dict[str, Target] = field(default_factory=dict)
    split_full_name: bool = True

    def target_of(self, column: str) -> Target | None:
        return self.fields.get(column)

    def to_json(self) -> dict[str, object]:
        return {
            "fields": {k: v.value for k, v in self.fields.items()},
            "split_full_name": self.split_full_name,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ColumnMapping:
        raw = data.get("fields", {})
        fields = {str(k): Target(str(v)) for k, v in raw.items()} if isinstance(raw, dict) else {}
        return cls(fields=fields, split_full_name=bool(data.get("split_full_name", True)))


def guess_target(column: Column) -> Target | None:
    """A field for one column: its header first, then what its values look like."""
    target = _BY_KEY.get(header_key(column.name))
    if target is not None:
        return target
    values = [v for v in column.samples if v]
    if len(values) >= 2:
        if sum(normalize_email(v) is not None for v in values) >= 0.6 * len(values):
            return Target.EMAIL
        if sum(bool(_PHONE_LIKE.match(v)) for v in values) >= 0.6 * len(values):
            return Target.PHONE
    return None


def guess_mapping(columns: list[Column]) -> ColumnMapping:
    """Guess every column; a field is given to one column only (a second phone is the mobile)."""
    mapping = ColumnMapping()
    taken: set[Target] = set()
    for column in columns:
        target = guess_target(column)
        if target is None:
            continue
        if target in taken and target == Target.PHONE and Target.MOBILE not in taken:
            target = Target.MOBILE
        if target in taken:
            continue
        taken.add(target)
        mapping.fields[column.name] = target
    return mapping


_TLD_REGIONS = {
    "fr": "FR", "ro": "RO", "hr": "HR", "mk": "MK", "de": "DE", "at": "AT", "ch": "CH",
    "be": "BE", "it": "IT", "es": "ES", "uk": "GB", "rs": "RS", "si": "SI", "bg": "BG",
    "md": "MD", "lu": "LU", "nl": "NL", "ie": "IE", "ca": "CA",
}  # fmt: skip


def guess_region(columns: list[Column], mapping: ColumnMapping) -> str | None:
    """The country most of a list's sample values point at, when the office set none.

    Numbers typed with '+33', a Country column saying 'France', addresses ending in '.fr':
    each sample is a vote. A list of '06 12 34 56 78' numbers can only be read with a region,
    and the list itself is a better witness than the computer's locale.
    """
    import phonenumbers

    from prospector.domain.regions import region_for_country

    votes: dict[str, int] = {}

    def vote(region: str | None) -> None:
        if region:
            votes[region] = votes.get(region, 0) + 1

    for column in columns:
        target = mapping.target_of(column.name)
        for value in column.samples:
            if target in (Target.PHONE, Target.MOBILE) and value.strip().startswith(("+", "00")):
                digits = re.sub(r"\D", "", value)
                digits = digits[2:] if value.strip().startswith("00") else digits
                for size in (1, 2, 3):
                    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:size] or 0))
                    if regions:
                        vote(regions[0])
                        break
            elif target == Target.COUNTRY:
                vote(region_for_country(value, "") or None)
            elif target == Target.EMAIL and "." in value:
                vote(_TLD_REGIONS.get(value.rsplit(".", 1)[-1].lower()))
    if not votes:
        return None
    return max(votes.items(), key=lambda item: item[1])[0]
