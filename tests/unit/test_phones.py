"""The fast phone path must give exactly phonenumbers' answer whenever it answers at all."""

import random
import sys
from pathlib import Path

import pytest

from prospector.domain.phones import fast_e164, slow_e164, to_e164
from prospector.domain.regions import region_for_country

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import leadgen  # noqa: E402

REGIONS = [
    "FR",
    "RO",
    "HR",
    "DE",
    "GB",
    "MK",
    "US",
    "IT",
    "BE",
    "CH",
    "AT",
    "ES",
    "NL",
    "RS",
    "SI",
    "BG",
    "MD",
    "IE",
    "CA",
    "BR",
    "AR",
    "RU",
    "LU",
    "MX",
    "JP",
    "IN",
]


def _list_numbers() -> list[tuple[str, str]]:
    cases = []
    for row in leadgen.generate_leads(6000, seed=11):
        region = region_for_country(row[11], "FR")
        cases += [(value, region) for value in (row[4], row[5]) if value]
    return cases


def _cases() -> list[tuple[str, str]]:
    cases = _list_numbers()
    rng = random.Random(3)
    for _ in range(20_000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 14)))
        lead = rng.choice(["", "+", "00", "0", "(0)", "+33 ", "+44 ", "+1 ", "0", "0"])
        sep = rng.choice(["", " ", "-", "."])
        typed = lead + sep.join(digits[i : i + 2] for i in range(0, len(digits), 2))
        cases.append((typed, rng.choice(REGIONS)))
    return cases


def test_the_fast_path_agrees_with_phonenumbers_and_takes_most_list_numbers():
    for typed, region in _cases():
        fast = fast_e164(typed, region)
        if fast is not None:
            assert fast == slow_e164(typed, region), (typed, region)
    numbers = _list_numbers()
    fast = sum(fast_e164(typed, region) is not None for typed, region in numbers)
    assert fast > 0.8 * len(numbers)  # the point of it: most real numbers skip the slow path


@pytest.mark.parametrize(
    ("typed", "region", "expected"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("0033 6 12 34 56 78", "FR", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "FR", "+33612345678"),  # the slow path
        ("02 989 723", "MK", "+38902989723"),  # phonenumbers keeps this trunk zero
        ("011 33 6 12 34 56 78", "US", "+33612345678"),
        ("n/a", "FR", None),
    ],
)
def test_to_e164(typed, region, expected):
    assert to_e164(typed, region) == expected
