"""Bottom-up evaluation of one stratum, recording the rank of every derived tuple.

Sits beside `backend` and under `model`: every recursive component (the rules whose head depends
on itself) is evaluated here by semi-naive iteration in plain Python, because pyDatalog does not
terminate on recursion over cyclic data; a non-recursive stratum is the same call, finished in
one round. Each rule is compiled once per delta position into a join plan (`joins`): the delta
atom first, hash indexes on the bound columns, kept up to date as tuples are added. A relation
of the component is a dict from tuple to rank, which is also its set, so ranks cost little.
Guarantees: terminates on every program that passed `checks` (no function symbols, and no
recursive rule whose head takes a value computed by arithmetic, so the tuples are finitely many
and each round adds at least one or stops; aggregates read lower strata only); the rank of a tuple is the
round in which it was first derived, and every tuple of rank k has a derivation whose premises
inside the component all have ranks below k (stated facts have rank 0). That is what makes the
proofs built from these ranks well-founded. The deadline is checked every round and every
`joins.CHUNK` rows of a round's outermost loop.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator

from allegiance.eval.arith import computes, counts
from allegiance.eval.joins import Computed, compile_join, compile_rule, key_of, run_join
from allegiance.eval.plan import PlanAggregate, PlanAssign, PlanAtom, PlanRule, terms_of

Lookup = Callable[[str, tuple], Iterable[tuple]]


class Relation:
    """A set of tuples with hash indexes kept up to date as tuples are added.

    `rows` is a set, or for a relation built by `ranked`, a dict from each tuple to its rank (the
    dict is the set: recording ranks costs no second structure)."""

    def __init__(self, rows: Iterable[tuple] = ()):
        self.rows: set[tuple] | dict[tuple, int] = set(rows)
        self._indexes: dict[tuple[int, ...], dict] = {}

    @classmethod
    def ranked(cls, rows: Iterable[tuple] = ()) -> Relation:
        """A relation recording each tuple's rank; `rows` have rank 0."""
        return cls.over(dict.fromkeys(rows, 0))

    @classmethod
    def over(cls, rows: set | dict) -> Relation:
        """A relation over `rows` itself, not a copy."""
        relation = cls()
        relation.rows = rows
        return relation

    def add(self, row: tuple) -> None:
        if row not in self.rows:
            self._index_new(dict.fromkeys((row,), 0) if isinstance(self.rows, dict) else {row})

    def extend(self, rows: set[tuple], rank: int = 0) -> set[tuple] | dict[tuple, int]:
        """Add those of `rows` not in the relation yet (at `rank`); return them, held as `rows` is."""
        new = rows.difference(self.rows)
        if new:
            self._index_new(dict.fromkeys(new, rank) if isinstance(self.rows, dict) else new)
        return new

    def _index_new(self, new) -> None:
        self.rows.update(new)
        for columns, index in self._indexes.items():
            for key, row in zip(map(key_of(columns), new), new):
                found = index.get(key)
                if found is None:
                    index[key] = [row]
                else:
                    found.append(row)

    def index(self, columns: tuple[int, ...]) -> dict:
        """The rows by their values at `columns` (one value, or a tuple of two or more)."""
        index = self._indexes.get(columns)
        if index is None:
            index = self._indexes[columns] = {}
            for key, row in zip(map(key_of(columns), self.rows), self.rows):
                found = index.get(key)
                if found is None:
                    index[key] = [row]
                else:
                    found.append(row)
        return index

    def lookup(self, pattern: tuple) -> Iterable[tuple]:
        """The tuples matching `pattern` (None marks a free position)."""
        bound = tuple(i for i, v in enumerate(pattern) if v is not None)
        if not bound:
            return self.rows
        if len(bound) == len(pattern):
            return (pattern,) if pattern in self.rows else ()
        return self.index(bound).get(key_of(bound)(pattern), ())


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
    every literal about a predicate outside the component (asked once per predicate, for all).
    """
    full = {key: Relation.ranked(rows) for key, rows in initial.items()}
    for rule in rules:
        full.setdefault(rule.head.key, Relation.ranked())
    for _ in rounds(rules, full, lookup, deadline):
        pass
    return {key: relation.rows for key, relation in full.items()}


def rounds(rules: list[PlanRule], full: dict[str, Relation], lookup: Lookup,
           deadline: float | None = None) -> Iterator[tuple[int, dict]]:
    """Each round's number and new tuples by predicate, added to `full` at the end of the round
    (with their rank when `full` holds ranked relations; plain ones evaluate without ranks)."""
    tick = None if deadline is None else _ticker(deadline)
    outside = _Outside(lookup)
    plans = [_plans(rule, full, outside) for rule in rules]
    delta: dict[str, Relation] = {}
    rank = 0
    while rank == 0 or delta:
        rank += 1
        if tick is not None:
            tick()
        found: dict[str, set[tuple]] = {key: set() for key in full}
        for rule, (whole, by_delta) in zip(rules, plans):
            out = found[rule.head.key]
            if rank == 1:
                run_join(whole, _sources(rule, full, None, None, outside), out, (), tick)
                continue
            for at, plan in by_delta:
                rows = delta.get(rule.body[at].key)
                if rows:
                    run_join(plan, _sources(rule, full, at, rows, outside), out, (), tick)
        delta = {key: new for key, rows in found.items() if (new := full[key].extend(rows, rank))}
        yield rank, delta
        delta = {key: Relation.over(rows) for key, rows in delta.items()}


def _plans(rule: PlanRule, full, outside) -> tuple:
    """The rule's plan for round one, and one plan per recursive atom for the later rounds
    (where the relations of the component, growing, count as the largest)."""
    recursive = [i for i, lit in enumerate(rule.body)
                 if isinstance(lit, PlanAtom) and not lit.negated and lit.key in full]
    sources = _sources(rule, full, None, None, outside)
    now = [len(s.rows) if s is not None else 0 for s in sources]
    later = [math.inf if i in recursive else size for i, size in enumerate(now)]
    return compile_rule(rule, None, now), [(i, compile_rule(rule, i, later)) for i in recursive]


def _sources(rule: PlanRule, full, at, delta, outside) -> list:
    """The relation each body position reads: the delta at `at`, else the full or outside one."""
    sources = []
    for i, lit in enumerate(rule.body):
        if isinstance(lit, PlanAssign):
            sources.append(outside.assignment(lit))
        elif not isinstance(lit, PlanAtom):
            sources.append(None)
        elif i == at:
            sources.append(delta)
        else:
            sources.append(full[lit.key] if lit.key in full else outside.relation(lit.key, len(lit.args)))
    return sources


class _Outside:
    """The relations outside the component, each asked of `lookup` once, whole, and indexed here."""

    def __init__(self, lookup: Lookup):
        self.lookup = lookup
        self.relations: dict[str, Relation] = {}
        self.computed: dict[PlanAssign, Computed] = {}  # each made once per evaluation

    def assignment(self, assign: PlanAssign) -> Computed:
        """The source of an assignment step (aggregates read the relations outside, whole)."""
        found = self.computed.get(assign)
        if found is None:
            found = self.computed[assign] = assignment_source(
                assign, lambda key, pattern: self.relation(key, len(pattern)).lookup(pattern))
        return found

    def relation(self, key: str, arity: int) -> Relation:
        relation = self.relations.get(key)
        if relation is None:
            relation = self.relations[key] = Relation(self.lookup(key, (None,) * arity))
        return relation


def assignment_source(assign: PlanAssign, lookup: Lookup) -> Computed:
    """The source of an assignment: its expression computed, or its aggregate folded over the
    rows of its body, the body's atoms read through `lookup(key, pattern)`."""
    if isinstance(assign.value, PlanAggregate):
        return Computed(counts(assign, aggregate_rows(assign.value, lookup)))
    return Computed(computes(assign))


def aggregate_rows(aggregate: PlanAggregate, lookup: Lookup) -> Callable[[tuple], set[tuple]]:
    """For the values of an aggregate's group: the distinct rows its function folds."""
    if aggregate.never:
        return lambda group: set()
    plan = compile_join(aggregate.body, aggregate.counted, None, aggregate.groups)

    def rows(group: tuple) -> set[tuple]:
        env = dict(zip(aggregate.groups, group))
        sources = []
        for lit in aggregate.body:
            if isinstance(lit, PlanAtom):
                pattern = tuple(t if isinstance(t, tuple) else env.get(t) for t in lit.args)
                sources.append(Relation(lookup(lit.key, pattern)))
            else:
                sources.append(assignment_source(lit, lookup) if isinstance(lit, PlanAssign) else None)
        found: set[tuple] = set()
        run_join(plan, sources, found, group)
        return found

    return rows


def _ticker(deadline: float) -> Callable[[], None]:
    def tick() -> None:
        if time.monotonic() > deadline:
            raise DeadlineExceeded

    return tick


def match_body(body, read, binding: dict):
    """Every extension of `binding` that satisfies the plan literals of `body`.

    `read(i, atom, pattern)` gives the tuples of the atom at body position `i` matching the
    pattern; it is asked once per atom, for all its tuples. Comparisons and negations are tested
    as soon as their variables are bound; an unsafe body raises ValueError.
    """
    names = tuple(dict.fromkeys([*binding, *(t for lit in body for t in _variables(lit))]))
    plan = compile_join(body, names, None, tuple(binding))
    sources = [Relation(read(i, lit, (None,) * len(lit.args))) if isinstance(lit, PlanAtom)
               else assignment_source(lit, lambda k, p: read(i, PlanAtom(k, p), p))
               if isinstance(lit, PlanAssign) else None for i, lit in enumerate(body)]
    found: set[tuple] = set()
    run_join(plan, sources, found, tuple(binding.values()))
    for row in found:
        yield dict(zip(names, row))


def _variables(lit) -> list[str]:
    return [t for t in terms_of(lit) if isinstance(t, str)]
