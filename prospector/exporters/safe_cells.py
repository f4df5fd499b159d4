r"""Text a spreadsheet would run as a formula, and how each format keeps it plain text.

Excel treats a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula (OWASP "CSV
injection"), and some versions skip a leading tab or carriage return before looking. A company
called ``=HYPERLINK("http://…","click")`` must show as that text, never as a live link.

The rule (reliability.md §2), one per format:

- **xlsx**: every text cell is written as a string, never a formula, and one starting with a
  trigger also gets the "quote prefix" style, so editing it in Excel keeps it text. Nothing is
  added to the value: it reads back exactly.
- **CSV**: a text field matching ``^'*[=+\-@\t\r]`` gets one more leading apostrophe, so a
  spreadsheet opening the file sees text (LibreOffice shows ``'=1+1`` with its apostrophe; a
  CSV has no other way to say "text"), never a formula. Our CSV importer removes exactly one
  apostrophe from a field matching ``^'+[=+\-@\t\r]`` (``importers/csv_rows.py``). The two
  rules are inverse for every text:
  ``=x`` -> ``'=x`` -> ``=x``, and a real ``'=x`` -> ``''=x`` -> ``'=x``. A text that starts
  with an apostrophe not followed by a trigger (``'t is``) is left alone both ways.
  Phone numbers typed ``+33 …`` get the apostrophe too: Excel would otherwise compute
  ``+33 1 23`` or show ``33``.
"""

from __future__ import annotations

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# What a CSV field may start with for the rule to look further (the triggers, or apostrophes).
_CSV_STARTS = (*FORMULA_TRIGGERS, "'")
_CSV_PROTECT = re.compile(r"'*[=+\-@\t\r]")
# The importer's inverse, kept here for the tests that prove the two agree.
CSV_UNPROTECT = re.compile(r"'+[=+\-@\t\r]")


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def csv_protected(text: str) -> str:
    """``text`` as a CSV field that no spreadsheet evaluates (see the module's rule)."""
    if text.startswith(_CSV_STARTS) and _CSV_PROTECT.match(text):
        return "'" + text
    return text


def csv_unprotected(text: str) -> str:
    """What our importer reads back from a field written by ``csv_protected``."""
    if text.startswith("'") and CSV_UNPROTECT.match(text):
        return text[1:]
    return text
