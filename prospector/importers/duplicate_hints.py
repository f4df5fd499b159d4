"""Which rows of a list cannot be duplicates, worked out beside the import.

The import looks every row's email, phones and name up in the database (contacts already
there and the list's own earlier rows, written in the same transaction): about a fifth of its
time, though most rows of a list match nothing. The cleaning worker, on the machine's other
core, keeps a Bloom filter of every key the database held when the import began and of every
key of the rows before: a row none of whose keys is in it matches no contact, and the import
skips its lookups. A filter never says "absent" for a key it holds; a wrong "maybe" (about
2 in 100) only costs the lookup the row would have had anyway.

The one key the worker cannot foresee is a name key a merge makes (a contact's first name and
a row's last name): the import checks those itself (``ContactBatchWriter``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

BITS_PER_KEY = 10  # with HASHES hashes: about 1.7% false "maybe"
HASHES = 3  # (KeyFilter writes the three out)
_MASK = (1 << 32) - 1


class KnownKeySource(Protocol):
    """The database's duplicate keys (``storage.known_keys.KnownKeys``), picklable."""

    def count(self) -> int: ...

    def __iter__(self) -> Iterator[str]: ...


class KeyFilter:
    """A Bloom filter of text keys (Python's own string hash: for this process only).

    The bit positions are ``a``, ``a + b`` and ``a + 2b`` (double hashing) from one 64-bit
    hash, written out rather than looped: a million contacts' keys go through ``add_all``.
    """

    def __init__(self, capacity: int) -> None:
        self._size = max(capacity * BITS_PER_KEY, 1 << 16)
        self._bits = bytearray(self._size // 8 + 1)

    def add(self, key: str) -> None:
        self.add_all((key,))

    def add_all(self, keys: Iterable[str]) -> None:
        size, bits = self._size, self._bits
        for key in keys:
            h = hash(key)
            a, b = (h & _MASK) % size, ((h >> 32) | 1) % size
            bits[a >> 3] |= 1 << (a & 7)
            a = (a + b) % size
            bits[a >> 3] |= 1 << (a & 7)
            a = (a + b) % size
            bits[a >> 3] |= 1 << (a & 7)

    def check_and_add(self, key: str) -> bool:
        """Whether ``key`` may have been added before; it is added now either way."""
        size, bits = self._size, self._bits
        h = hash(key)
        a, b = (h & _MASK) % size, ((h >> 32) | 1) % size
        c = (a + b) % size
        d = (c + b) % size
        held = (
            bits[a >> 3] & (1 << (a & 7))
            and bits[c >> 3] & (1 << (c & 7))
            and bits[d >> 3] & (1 << (d & 7))
        )
        if not held:
            bits[a >> 3] |= 1 << (a & 7)
            bits[c >> 3] |= 1 << (c & 7)
            bits[d >> 3] |= 1 << (d & 7)
        return bool(held)

    def __contains__(self, key: object) -> bool:
        size, bits = self._size, self._bits
        h = hash(key)
        a, b = (h & _MASK) % size, ((h >> 32) | 1) % size
        for _ in range(HASHES):
            if not bits[a >> 3] & (1 << (a & 7)):
                return False
            a = (a + b) % size
        return True


class DuplicateHints:
    """``may_match(keys)`` for each row in the list's order, then remembers the row's keys."""

    def __init__(self, known: Iterable[str], known_count: int, expected_rows: int) -> None:
        # Up to four keys a contact (email, phone, mobile, name); undersized, it only answers
        # "maybe" more often.
        self._filter = KeyFilter(4 * (known_count + expected_rows))
        self._filter.add_all(known)
        self._check_and_add = self._filter.check_and_add

    def may_match(self, keys: Iterable[str]) -> bool:
        found = False
        for key in keys:
            if self._check_and_add(key):
                found = True
        return found


def row_keys(
    email: str | None, phone: str | None, mobile: str | None, name: str | None
) -> list[str]:
    """The keys of a cleaned row, spelled as ``KnownKeys`` spells the database's."""
    keys = []
    if email:
        keys.append(f"e:{email}")
    if phone:
        keys.append(f"p:{phone}")
    if mobile:
        keys.append(f"p:{mobile}")
    if name:
        keys.append(f"n:{name}")
    return keys
