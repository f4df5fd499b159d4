"""Guess how a text list was encoded and delimited, the way our users' files really are.

charset-normalizer alone reads a French cp1252 file as cp1250 ("Lefèvre" -> "Lefčvre"), exactly
the mix our users have. So: a BOM decides first, then strict UTF-8, and only then detection among
the encodings Excel actually writes here, with a plausibility tie-break between cp1252 and cp1250.
The preview always shows the guess, and the user can change it.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass

CANDIDATES: tuple[str, ...] = ("utf_8", "cp1252", "cp1250", "cp1251", "utf_16")
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
SAMPLE_BYTES = 256 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf_8_sig"),
    (b"\xff\xfe", "utf_16"),
    (b"\xfe\xff", "utf_16"),
)

# Letters that betray a wrong guess for our users' languages (French, German, Italian versus
# Romanian, Croatian): cp1252 bytes read as cp1250 give Czech/Polish letters, and cp1250 bytes
# read as cp1252 give Nordic/Portuguese ones. Whichever reading has fewer of them wins.
_ODD_IN_1250 = set("ŕůňěęűńĺľőśźŔŮŇĚĘŰŃĹĽŐŚŹ")
_ODD_IN_1252 = set("ºªþÞðÐæÆãÃ¹³¼¾øØõÕåÅ¥µ")
# French è before a consonant and a final e ("Lefèvre", "crème") comes out as "č" in cp1250;
# Croatian č before a vowel ("Čakovec") comes out as "è" in cp1252.
_FRENCH_GRAVE_AS_1250 = re.compile(r"č[bcdfgjklmnpqrstvz]{1,2}e\b|čs\b")
_CROATIAN_C_AS_1252 = re.compile(r"è[aiou]")
CENTRAL_EUROPEAN_REGIONS = frozenset({"RO", "HR", "SI", "CZ", "SK", "PL", "HU", "RS", "BA", "MD"})


@dataclass(frozen=True)
class TextGuess:
    encoding: str
    delimiter: str
    reason: str  # for the log and the preview: 'byte order mark', 'valid UTF-8', 'detected'


def detect_encoding(
    sample: bytes, preferred: str | None = None, region: str | None = None
) -> tuple[str, str]:
    """(encoding, reason) for a text file's first bytes.

    ``preferred`` is what the user chose last time for this vendor: used when it decodes.
    ``region`` (the office's country) breaks a cp1250/cp1252 tie.
    """
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name, "byte order mark"
    if preferred:
        try:
            sample.decode(preferred)
            return preferred, "your earlier choice"
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        _decode_prefix(sample, "utf_8")
        return "utf_8", "valid UTF-8"
    except UnicodeDecodeError:
        pass
    return _detect_legacy(sample, region), "detected"


def _decode_prefix(sample: bytes, encoding: str) -> str:
    """Decode, forgiving only a multi-byte character cut at the end of the sample."""
    try:
        return sample.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4 and len(sample) >= SAMPLE_BYTES // 2:
            return sample[: exc.start].decode(encoding)
        raise


def _detect_legacy(sample: bytes, region: str | None = None) -> str:
    from charset_normalizer import from_bytes

    # UTF-16 without a BOM is only believable in bigger files (reliability.md §4).
    candidates = [c for c in CANDIDATES if c != "utf_8" and (c != "utf_16" or len(sample) > 1024)]
    best = from_bytes(sample, cp_isolation=candidates).best()
    guess = best.encoding if best is not None else "cp1252"
    if guess in ("cp1250", "cp1252"):
        guess = cp125x_tie_break(sample, region)
    return guess


def cp125x_tie_break(sample: bytes, region: str | None = None) -> str:
    """cp1252 (Western) or cp1250 (Central European), by which reading looks like real words.

    A tie (no telling letters at all) goes to the user's own region.
    """
    as_1252 = sample.decode("cp1252", errors="replace")
    as_1250 = sample.decode("cp1250", errors="replace")
    odd_1250 = sum(ch in _ODD_IN_1250 for ch in as_1250)
    odd_1250 += len(_FRENCH_GRAVE_AS_1250.findall(as_1250.lower()))
    odd_1252 = sum(ch in _ODD_IN_1252 for ch in as_1252)
    odd_1252 += len(_CROATIAN_C_AS_1252.findall(as_1252.lower()))
    if odd_1250 != odd_1252:
        return "cp1250" if odd_1250 < odd_1252 else "cp1252"
    return "cp1250" if region in CENTRAL_EUROPEAN_REGIONS else "cp1252"


def detect_delimiter(text: str) -> str:
    """The delimiter of a text sample: csv.Sniffer first, then counts over the first 50 lines."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters="".join(DELIMITERS))
        if dialect.delimiter in DELIMITERS:
            return dialect.delimiter
    except csv.Error:
        pass
    # Choose the delimiter that appears most consistently, line after line.
    scores: Counter[str] = Counter()
    for delimiter in DELIMITERS:
        counts = [line.count(delimiter) for line in lines]
        common = Counter(counts).most_common(1)[0]
        if common[0] > 0:
            scores[delimiter] = common[1] * 100 + common[0]
    return scores.most_common(1)[0][0] if scores else ","


def guess_text(
    sample: bytes, preferred_encoding: str | None = None, region: str | None = None
) -> TextGuess:
    encoding, reason = detect_encoding(sample, preferred_encoding, region)
    text = sample.decode(encoding, errors="replace")
    return TextGuess(encoding=encoding, delimiter=detect_delimiter(text), reason=reason)
