"""What the contact table asks for: a search text, filters and a sort order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from prospector.domain.stages import Stage, Temperature


class SortKey(StrEnum):
    NAME = "name"
    COMPANY = "company"
    PHONE = "phone"
    EMAIL = "email"
    CITY = "city"
    STAGE = "stage"
    TEMPERATURE = "temperature"
    SOURCE = "source"
    NEXT_FOLLOW_UP = "next_follow_up"
    UPDATED = "updated"


@dataclass(frozen=True)
class ContactQuery:
    """A filter and an order over contacts; empty sets mean 'any'."""

    text: str = ""
    stages: frozenset[Stage] = field(default_factory=frozenset)
    temperatures: frozenset[Temperature] = field(default_factory=frozenset)
    source_ids: frozenset[int] = field(default_factory=frozenset)
    sort: SortKey = SortKey.NAME
    descending: bool = False
    # Search results in the search index's own order instead of ``sort``: used when so many
    # contacts match a few typed letters that sorting them on every keystroke would lag.
    match_order: bool = False


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def search_terms(text: str) -> list[str]:
    """Split what the user typed into search words: letters and digits, punctuation dropped.

    A phone typed as '06 12 34' is one number to the user: digit groups separated only by spaces,
    dots or dashes are joined, so '06 12 34' searches for '061234'.
    """
    compact = re.sub(r"(?<=\d)[\s.\-/()]+(?=\d)", "", text.strip())
    compact = compact.replace("+", "")
    return _WORD.findall(compact)
