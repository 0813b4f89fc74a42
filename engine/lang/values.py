"""Constants of the language: symbols, strings, integers and dates.

Sits at the bottom of the pipeline; every other stage passes these values around.
Guarantees: values are immutable and hashable; `1`, `"1"` and `one` are three different
constants; all values are totally ordered by one key (`sort_key`) so comparisons never fail:
numbers and dates first (an integer compares with a date as a year), then symbols, then
strings (as in Prolog's standard order of terms).
"""

from __future__ import annotations

import calendar
import datetime
import re

from attrs import frozen

_SYMBOL = re.compile(r"[a-z][A-Za-z0-9_]*\Z")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\Z")


class _Ordered:
    """Total order through `sort_key`, shared by every value type."""

    __slots__ = ()

    def __lt__(self, other: object) -> bool:
        return sort_key(self) < sort_key(other)  # type: ignore[arg-type]

    def __le__(self, other: object) -> bool:
        return sort_key(self) <= sort_key(other)  # type: ignore[arg-type]

    def __gt__(self, other: object) -> bool:
        return sort_key(self) > sort_key(other)  # type: ignore[arg-type]

    def __ge__(self, other: object) -> bool:
        return sort_key(self) >= sort_key(other)  # type: ignore[arg-type]


@frozen
class Symbol(_Ordered):
    """A lower-case identifier such as `jabhat_al_nusra`."""

    name: str

    def __str__(self) -> str:
        return self.name


@frozen
class String(_Ordered):
    """A double-quoted Unicode string such as `"jamaat ad-dawla"`."""

    text: str

    def __str__(self) -> str:
        return quote(self.text)


@frozen
class Integer(_Ordered):
    """An integer of any size."""

    value: int

    def __str__(self) -> str:
        return str(self.value)


@frozen
class Date(_Ordered):
    """An ISO date of year, month or day precision (`2014`, `2014-06`, `2014-06-29`)."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> Date:
        """The date written as `text`; raises ValueError when it is not a valid ISO date."""
        match = _DATE.match(text)
        if not match:
            raise ValueError(f"`{text}` is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
        year, month, day = (int(g) if g else None for g in match.groups())
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"month {month} of `{text}` is not between 01 and 12")
        if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise ValueError(f"day {day} of `{text}` does not exist in {year}-{month:02d}")
        if year < 1:
            raise ValueError(f"year of `{text}` must be at least 0001")
        return cls(year, month, day)

    @classmethod
    def from_date(cls, day: datetime.date) -> Date:
        """The day-precision date of a `datetime.date`."""
        return cls(day.year, day.month, day.day)

    def first_day(self) -> datetime.date:
        """The first day of the period this date names."""
        return datetime.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> datetime.date:
        """The last day of the period this date names."""
        month = self.month or 12
        return datetime.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text


Value = Symbol | String | Integer | Date

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
# Shown by code point, never as themselves: control characters (terminal escapes among them),
# the line and paragraph separators, and the bidirectional overrides and isolates that can make
# a text read in another order than it is written.
_HIDDEN = frozenset([*map(chr, range(0x20)), *map(chr, range(0x7F, 0xA0)), "\u2028", "\u2029",
                     *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))])


def is_hidden(char: str) -> bool:
    """True for a character that output shows by its code point (see `printable`)."""
    return char in _HIDDEN


def quote(text: str) -> str:
    """`text` as a double-quoted string literal that the parser reads back unchanged."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char in _HIDDEN:
            out.append(f"\\u{{{ord(char):x}}}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def sort_key(value: Value) -> tuple:
    """The key that orders all values; it is also the encoding handed to the evaluator."""
    if isinstance(value, Integer):
        return (0, value.value)
    if isinstance(value, Date):
        return (0, value.year, value.month or 0, value.day or 0)
    if isinstance(value, Symbol):
        return (1, value.name)
    if isinstance(value, String):
        return (2, value.text)
    raise TypeError(f"not a value: {value!r}")


def from_key(key: tuple) -> Value:
    """The value whose `sort_key` is `key`."""
    if key[0] == 0:
        if len(key) == 2:
            return Integer(key[1])
        return Date(key[1], key[2] or None, key[3] or None)
    if key[0] == 1:
        return Symbol(key[1])
    return String(key[1])


def sorted_values(rows) -> tuple[tuple[Value, ...], ...]:
    """Encoded rows, sorted, as values: each distinct value decoded once, and rows compared as
    tuples of small integers (their values' places in order), several times faster than as
    tuples of encoded values."""
    distinct = sorted({v for row in rows for v in row})
    place = {v: i for i, v in enumerate(distinct)}
    values = [from_key(v) for v in distinct]
    if all(len(row) == 1 for row in rows):
        ordered = sorted(place[row[0]] for row in rows)
        return tuple((values[i],) for i in ordered)
    get, value = place.__getitem__, values.__getitem__
    ordered = sorted([tuple(map(get, row)) for row in rows])
    return tuple([tuple(map(value, row)) for row in ordered])


def is_symbol_name(text: str) -> bool:
    """True when `text` can be written as a bare symbol."""
    return bool(_SYMBOL.match(text))


def display(value: Value) -> str:
    """The value as a reader sees it in prose: strings without quotes, the rest as written."""
    if isinstance(value, String):
        return printable(value.text)
    return str(value)


def printable(text: str) -> str:
    """`text` with control characters (terminal escapes among them), line separators and
    bidirectional overrides shown as `\\u{..}`."""
    return "".join(f"\\u{{{ord(c):x}}}" if c in _HIDDEN else c for c in text)
