"""Bottom-up evaluation of one recursive stratum, recording the rank of every derived tuple.

Sits beside `backend`: pyDatalog evaluates the non-recursive rules top-down, and this module
evaluates each recursive component (the rules whose head depends on itself) by semi-naive
iteration in plain Python, because pyDatalog does not terminate on recursion over cyclic data.
Guarantees: terminates on every stratified program (no function symbols or arithmetic, so the
tuples are finitely many and each round adds at least one or stops); the rank of a tuple is the
round in which it was first derived, and every tuple of rank k has a derivation whose premises
inside the component all have ranks below k (stated facts have rank 0). That is what makes the
proofs built from these ranks well-founded.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable

from .plan import PlanAtom, PlanCompare, PlanRule, compare

Lookup = Callable[[str, tuple], Iterable[tuple]]


class Relation:
    """A set of tuples with hash indexes kept up to date as tuples are added."""

    def __init__(self, rows: Iterable[tuple] = ()):
        self.rows: set[tuple] = set(rows)
        self._indexes: dict[tuple[int, ...], dict[tuple, list[tuple]]] = {}

    def add(self, row: tuple) -> None:
        self.rows.add(row)
        for bound, index in self._indexes.items():
            index.setdefault(tuple(row[i] for i in bound), []).append(row)

    def lookup(self, pattern: tuple) -> Iterable[tuple]:
        """The tuples matching `pattern` (None marks a free position)."""
        bound = tuple(i for i, v in enumerate(pattern) if v is not None)
        if not bound:
            return self.rows
        if len(bound) == len(pattern):
            return (pattern,) if pattern in self.rows else ()
        index = self._indexes.get(bound)
        if index is None:
            index = defaultdict(list)
            for row in self.rows:
                index[tuple(row[i] for i in bound)].append(row)
            index = self._indexes[bound] = dict(index)
        return index.get(tuple(pattern[i] for i in bound), ())


class DeadlineExceeded(Exception):
    """Evaluation ran past its time budget."""


def evaluate_component(
    rules: list[PlanRule],
    initial: dict[str, set[tuple]],
    lookup: Lookup,
    deadline: float | None = None,
) -> dict[str, dict[tuple, int]]:
    """The least fixpoint of `rules`, as tuple → rank for each predicate of the component.

    `initial` holds the stated facts of the component's predicates (rank 0); `lookup` answers
    every literal about a predicate outside the component.
    """
    ranks: dict[str, dict[tuple, int]] = {k: dict.fromkeys(rows, 0) for k, rows in initial.items()}
    for rule in rules:
        ranks.setdefault(rule.head.key, {})
    full = {k: Relation(r) for k, r in ranks.items()}
    delta = {k: Relation(r) for k, r in ranks.items()}
    rank = 0
    first = True
    while first or any(d.rows for d in delta.values()):
        rank += 1
        if deadline is not None and time.monotonic() > deadline:
            raise DeadlineExceeded
        found: dict[str, set[tuple]] = defaultdict(set)
        for rule in rules:
            for row in _fire(rule, full, delta, lookup, first):
                if row not in ranks[rule.head.key]:
                    found[rule.head.key].add(row)
        first = False
        delta = {k: Relation() for k in full}
        for key, rows in found.items():
            for row in rows:
                ranks[key][row] = rank
                full[key].add(row)
                delta[key].add(row)
    return ranks


def _fire(rule: PlanRule, full, delta, lookup: Lookup, first: bool):
    """Heads of `rule` derivable in this round: from everything in round one, else from deltas."""
    recursive = [i for i, lit in enumerate(rule.body) if isinstance(lit, PlanAtom)
                 and not lit.negated and lit.key in full]
    if first or not recursive:
        if first:
            yield from _heads(rule, _sources(rule, full, full, None), lookup)
        return
    for i in recursive:
        yield from _heads(rule, _sources(rule, full, delta, i), lookup)


def _sources(rule: PlanRule, full, delta, delta_at: int | None):
    """For each body position, the relation it reads (the delta at `delta_at`, else the full)."""
    sources = {}
    for i, lit in enumerate(rule.body):
        if isinstance(lit, PlanAtom) and lit.key in full:
            sources[i] = delta[lit.key] if i == delta_at else full[lit.key]
    return sources


def _heads(rule: PlanRule, sources, lookup: Lookup):
    def read(i: int, lit: PlanAtom, pattern: tuple):
        rel = sources.get(i)
        return rel.lookup(pattern) if rel is not None else lookup(lit.key, pattern)

    for binding in match_body(rule.body, read, {}):
        yield tuple(binding[t] if isinstance(t, str) else t for t in rule.head.args)


def match_body(body, read, binding: dict):
    """Every extension of `binding` that satisfies the plan literals of `body`.

    `read(i, atom, pattern)` gives the tuples of the atom at body position `i` matching the
    pattern. Positive atoms are joined most-bound first; comparisons and negations are tested as
    soon as their variables are bound (plans put them after the atoms that bind them).
    """
    pending = list(range(len(body)))
    yield from _match(body, read, binding, pending)


def _match(body, read, binding, pending):
    if not pending:
        yield dict(binding)
        return
    i = _choose(body, binding, pending)
    lit = body[i]
    rest = [j for j in pending if j != i]
    if isinstance(lit, PlanCompare):
        if compare(lit.op, _value(lit.left, binding), _value(lit.right, binding)):
            yield from _match(body, read, binding, rest)
        return
    pattern = tuple(_value(t, binding) if t is not None else None for t in lit.args)
    pattern = tuple(None if isinstance(v, str) else v for v in pattern)
    if lit.negated:
        if not any(True for _ in read(i, lit, pattern)):
            yield from _match(body, read, binding, rest)
        return
    for row in read(i, lit, pattern):
        extended = _unify(lit.args, row, binding)
        if extended is not None:
            yield from _match(body, read, extended, rest)


def _choose(body, binding, pending) -> int:
    """The next literal: a ready test, else the positive atom with the most bound arguments."""
    best, best_score = None, -1
    for i in pending:
        lit = body[i]
        free = _free(lit, binding)
        if not isinstance(lit, PlanAtom) or lit.negated:
            if not free:
                return i
            continue
        score = sum(1 for t in lit.args if t is None or t not in free) * 2 + (not free)
        if score > best_score:
            best, best_score = i, score
    if best is None:  # only tests with unbound variables remain: the rule is unsafe
        raise ValueError("unsafe body: a test reads an unbound variable")
    return best


def _free(lit, binding) -> set[str]:
    terms = lit.args if isinstance(lit, PlanAtom) else (lit.left, lit.right)
    return {t for t in terms if isinstance(t, str) and t not in binding}


def _value(term, binding):
    return binding.get(term, term) if isinstance(term, str) else term


def _unify(args, row, binding):
    extended = dict(binding)
    for term, value in zip(args, row):
        if term is None:
            continue
        if isinstance(term, tuple):
            if term != value:
                return None
        elif term in extended:
            if extended[term] != value:
                return None
        else:
            extended[term] = value
    return extended

