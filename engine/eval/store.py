"""The fact store: base facts with their sources and validity, indexed for lookups.

Sits between the checked program and the evaluator. It keeps every stated fact (a tuple may be
stated several times, with different sources or intervals) and, for one as-of day at a time, the
set of tuples that hold that day, with hash indexes built lazily for each pattern of bound
arguments. Tuples are stored encoded (`values.sort_key` of each argument), the form the
evaluator works on. Every change bumps `generation`, so caches above it know when to drop.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from allegiance.lang.syntax import Constant, Fact
from allegiance.lang.values import sort_key

Row = tuple  # a tuple of encoded values


def encode_atom_args(fact: Fact) -> Row:
    """The encoded tuple of a ground fact."""
    return tuple(sort_key(a.value) for a in fact.atom.args if isinstance(a, Constant))


class FactStore:
    """Base facts of one knowledge base, and the tuples that hold on the current day."""

    def __init__(self, day: datetime.date):
        self.day = day
        self.generation = 0
        self.changes: dict[str, int] = defaultdict(int)  # per predicate: holding set changed
        self.revisions: dict[str, int] = defaultdict(int)  # per predicate: statements changed
        self._stated: dict[str, dict[Row, list[Fact]]] = defaultdict(dict)
        self._holding: dict[str, set[Row]] = defaultdict(set)
        self._indexes: dict[str, dict[tuple[int, ...], dict[Row, list[Row]]]] = {}

    def add(self, fact: Fact) -> bool:
        """Record a stated fact; True when the store changed."""
        key, row = fact.atom.key, encode_atom_args(fact)
        statements = self._stated[key].setdefault(row, [])
        if fact in statements:
            return False
        statements.append(fact)
        if fact.holds_on(self.day) and row not in self._holding[key]:
            self._holding[key].add(row)
            self._changed(key, row, True)
        self.revisions[key] += 1
        self.generation += 1
        return True

    def remove(self, fact: Fact) -> bool:
        """Withdraw one stated fact (equal atom, sources and interval); True when it was there."""
        key, row = fact.atom.key, encode_atom_args(fact)
        statements = self._stated.get(key, {}).get(row)
        if not statements or fact not in statements:
            return False
        statements.remove(fact)
        if not statements:
            del self._stated[key][row]
        self._refresh_row(key, row)
        self.revisions[key] += 1
        self.generation += 1
        return True

    def statements(self, key: str, row: Row) -> tuple[Fact, ...]:
        """Every stated fact with this tuple, whether or not it holds today."""
        return tuple(self._stated.get(key, {}).get(row, ()))

    def keys(self) -> list[str]:
        """Every predicate with stated facts (some may have been introduced after loading)."""
        return [k for k, rows in self._stated.items() if rows]

    def statements_of(self, key: str) -> list[Fact]:
        """Every stated fact of one predicate, whether or not it holds today."""
        return [f for facts in self._stated.get(key, {}).values() for f in facts]

    def all_statements(self) -> list[Fact]:
        """Every stated fact, grouped by predicate in insertion order."""
        return [f for rows in self._stated.values() for facts in rows.values() for f in facts]

    def set_day(self, day: datetime.date) -> None:
        """Make `day` the as-of day: recompute which stated facts hold."""
        if day == self.day:
            return
        self.day = day
        self._holding = defaultdict(set)
        for key, rows in self._stated.items():
            self._holding[key] = {r for r, facts in rows.items() if any(f.holds_on(day) for f in facts)}
        self._indexes.clear()
        for key in self._stated:
            self.changes[key] += 1
        self.generation += 1

    def rows(self, key: str) -> set[Row]:
        """The tuples of `key` that hold on the current day (do not mutate)."""
        return self._holding.get(key, set())

    def holds(self, key: str, row: Row) -> bool:
        return row in self._holding.get(key, ())

    def count(self) -> int:
        """How many distinct tuples are stated, over all predicates."""
        return sum(len(rows) for rows in self._stated.values())

    def lookup(self, key: str, pattern: tuple) -> list[Row] | set[Row]:
        """The holding tuples of `key` that match `pattern` (None marks a free position)."""
        bound = tuple(i for i, v in enumerate(pattern) if v is not None)
        if not bound:
            return self.rows(key)
        if len(bound) == len(pattern):
            row = tuple(pattern)
            return [row] if row in self._holding.get(key, ()) else []
        by_pattern = self._indexes.setdefault(key, {})
        index = by_pattern.get(bound)
        if index is None:
            index = by_pattern[bound] = build_index(self.rows(key), bound)
        return index.get(tuple(pattern[i] for i in bound), [])

    def _refresh_row(self, key: str, row: Row) -> None:
        facts = self._stated.get(key, {}).get(row, ())
        holding = self._holding[key]
        now = any(f.holds_on(self.day) for f in facts)
        if now != (row in holding):
            (holding.add if now else holding.discard)(row)
            self._changed(key, row, now)

    def _changed(self, key: str, row: Row, added: bool) -> None:
        """Keep the indexes of `key` up to date (an edit costs O(indexes), not O(rows))."""
        for bound, index in self._indexes.get(key, {}).items():
            entry = tuple(row[i] for i in bound)
            if added:
                index.setdefault(entry, []).append(row)
            else:
                matching = index[entry]
                matching.remove(row)
                if not matching:
                    del index[entry]
        self.changes[key] += 1


def build_index(rows, bound: tuple[int, ...]) -> dict[Row, list[Row]]:
    """A hash index of `rows` on the positions `bound`."""
    index: dict[Row, list[Row]] = defaultdict(list)
    for row in rows:
        index[tuple(row[i] for i in bound)].append(row)
    return dict(index)
