"""Converting one column of a batch of rows in place, each distinct value once.

An export turns stored values into Python values, times into the rep's wall-clock time and,
for a CSV, values into text: a batch at a time, column by column. Lists repeat their values (an
import stamps thousands of contacts with the same moment; scores, amounts and dates recur), so
each distinct value is converted once and then looked up. The lookup sits in the column's own
loop rather than in a function called per value: at a million rows that call was most of the
conversion's cost.

A plain module beside the layers: the storage reader, the export plan and the CSV writer use it,
and those layers may not import each other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Batch = list[list[Any]]

# Distinct values remembered per column before starting over: bounded memory on a million
# rows of distinct times, and a list's repeated values stay cheap.
MEMO_LIMIT = 50_000


def column_converter(
    make: Callable[[Any], Any], *, empty: Any = None
) -> Callable[[Batch, int], None]:
    """What converts column ``index`` of a batch in place: a value becomes ``make(value)``
    (made once per distinct value; ``make`` never returns None) and None becomes ``empty``."""
    known: dict[Any, Any] = {None: empty}

    def convert(batch: Batch, index: int) -> None:
        look_up = known.get
        for row in batch:
            value = row[index]
            found = look_up(value)
            if found is None:
                if value is None:
                    continue
                if len(known) >= MEMO_LIMIT:
                    known.clear()
                    known[None] = empty
                found = known[value] = make(value)
            row[index] = found

    return convert
