"""The model: what holds, as of a day, for a checked program and its fact store.

Sits on `backend` and `fixpoint`. Non-recursive rules are handed to pyDatalog once; each
recursive stratum is evaluated here, bottom-up, and the result (with every tuple's rank) served
to pyDatalog as a relation. Strata are materialised only when a query needs them and only again
after a fact they depend on changed or the as-of day moved. Answers are cached until the next
change. Everything is keyed by predicate `name/arity`; values are encoded (`values.sort_key`).
"""

from __future__ import annotations

import time

from .backend import Backend, Interrupted
from .checks import CheckedProgram
from .fixpoint import DeadlineExceeded, Relation, evaluate_component
from .plan import PlanAtom, PlanLiteral, PlanRule, plan_rule
from .store import FactStore

FACTS = "#facts:"   # the stated facts of a derived predicate
PROJECT = "#proj:"  # the projection used by a negated atom with `_`


class Model:
    """Answers over one program and its store; the only owner of the program's backend."""

    def __init__(self, checked: CheckedProgram, store: FactStore):
        self.checked = checked
        self.store = store
        self.backend = Backend()
        self._served: set[str] = set()
        self._component_of: dict[str, int] = {}
        self._plans: dict[int, list[PlanRule]] = {}
        self._ranks: dict[str, dict[tuple, int]] = {}
        self._fresh: dict[int, tuple] = {}
        self._relations: dict[str, Relation] = {}  # indexes over materialised relations
        self._cache: dict = {}
        self._cache_generation = -1
        self._compile()

    # -- compilation ---------------------------------------------------------------------
    def _compile(self) -> None:
        rules: list[tuple[PlanAtom, tuple[PlanLiteral, ...]]] = []
        for stratum in self.checked.strata:
            plans = [p for p in (plan_rule(r) for r in stratum.rules) if p is not None]
            if stratum.recursive:
                self._plans[stratum.index] = plans
                for key in stratum.predicates:
                    self._component_of[key] = stratum.index
                    self._serve(key, self._materialised(key))
            else:
                plans = [self._without_anonymous_negation(p, rules) for p in plans]
                rules.extend((p.head, p.body) for p in plans)
        for key, info in self.checked.predicates.items():
            if not info.is_derived:
                self._serve(key, self._stored(key), info.arity)
            elif key not in self._component_of:
                fresh = tuple(f"V{i}" for i in range(info.arity))
                rules.append((PlanAtom(key, fresh), (PlanAtom(FACTS + key, fresh),)))
                self._serve(FACTS + key, self._stored(key), info.arity)
        self.backend.add_rules(rules)

    def _without_anonymous_negation(self, plan: PlanRule, rules) -> PlanRule:
        """Rewrite `not p(X, _)` as `not q(X)` with `q(X) :- p(X, _)`: pyDatalog needs it."""
        body = []
        for lit in plan.body:
            if isinstance(lit, PlanAtom) and lit.negated and None in lit.args:
                mask = "".join("_" if a is None else "x" for a in lit.args)
                key = f"{PROJECT}{lit.key}:{mask}"
                names = [f"V{i}" for i in range(len(lit.args))]
                kept = tuple(n for n, a in zip(names, lit.args) if a is not None)
                inner = tuple(None if a is None else n for n, a in zip(names, lit.args))
                rules.append((PlanAtom(key, kept), (PlanAtom(lit.key, inner),)))
                lit = PlanAtom(key, tuple(a for a in lit.args if a is not None), True)
            body.append(lit)
        return PlanRule(plan.head, tuple(body), plan.rule)

    def _serve(self, key: str, lookup, arity: int | None = None) -> None:
        if key in self._served:
            return
        self._served.add(key)
        if arity is None:
            arity = int(key.rsplit("/", 1)[1])
        self.backend.serve_relation(key, arity, lookup)

    def _stored(self, key: str):
        return lambda pattern: self.store.lookup(key, pattern)

    def _materialised(self, key: str):
        def lookup(pattern):
            relation = self._relations.get(key)
            if relation is None:
                relation = self._relations[key] = Relation(self._ranks.get(key, {}))
            return relation.lookup(pattern)

        return lookup

    def ensure_served(self, key: str) -> None:
        """Give pyDatalog a definition for `key` (a predicate first seen in a query or fact)."""
        if key in self.checked.predicates and self.checked.predicates[key].is_derived:
            return
        self._serve(key, self._stored(key))

    # -- evaluation ----------------------------------------------------------------------
    def prepare(self, keys, deadline: float | None = None) -> None:
        """Materialise, in stratum order, every recursive stratum that `keys` depend on."""
        for index in sorted(self._components_needed(keys)):
            stamp = self._stamp(index)
            if self._fresh.get(index) != stamp:
                self._evaluate_component(index, deadline)
                self._fresh[index] = stamp

    def _components_needed(self, keys) -> set[int]:
        return {self._component_of[k] for k in self._reachable(keys) if k in self._component_of}

    def _reachable(self, keys) -> set[str]:
        """`keys` and every predicate they depend on, through rules."""
        todo, seen = list(keys), set()
        while todo:
            key = todo.pop()
            if key in seen:
                continue
            seen.add(key)
            info = self.checked.predicates.get(key)
            if info is not None:
                todo.extend(lit_key for r in info.rules for lit_key in _body_keys(r))
        return seen

    def _stamp(self, index: int) -> tuple:
        """What a stratum's result depends on: the day and the changes to every predicate below."""
        heads = [k for k, i in self._component_of.items() if i == index]
        keys = sorted(self._reachable(heads))
        return (self.store.day, tuple(self.store.changes.get(k, 0) for k in keys))

    def _evaluate_component(self, index: int, deadline) -> None:
        plans = self._plans[index]
        inside = {k for k, i in self._component_of.items() if i == index}
        initial = {k: set(self.store.rows(k)) for k in inside}
        outside: dict[str, Relation] = {}

        def lookup(key, pattern):
            if key not in outside:
                outside[key] = Relation(self.all_rows(key))
            return outside[key].lookup(pattern)

        ranks = evaluate_component(plans, initial, lookup, deadline)
        for key in inside:
            self._ranks[key] = ranks.get(key, {})
            self._relations.pop(key, None)

    def all_rows(self, key: str) -> set[tuple]:
        """Every tuple of `key` that holds (the caller has prepared its strata)."""
        info = self.checked.predicates.get(key)
        if key in self._component_of:
            return set(self._ranks.get(key, {}))
        if info is None or not info.is_derived:
            return set(self.store.rows(key))
        arity = info.arity
        names = tuple(f"V{i}" for i in range(arity))
        return self.backend.ask((PlanAtom(key, names),), names)

    def rank(self, key: str, row: tuple) -> int | None:
        """The round in which a tuple of a recursive predicate was first derived (0: stated)."""
        return self._ranks.get(key, {}).get(row)

    def is_recursive(self, key: str) -> bool:
        return key in self._component_of

    def component_of(self, key: str) -> int | None:
        """The index of the recursive stratum that defines `key`, or None."""
        return self._component_of.get(key)

    def ask(self, body: tuple[PlanLiteral, ...], variables: tuple[str, ...], timeout=None) -> set[tuple]:
        """The bindings of `variables` satisfying the plan literals `body` (cached)."""
        generation = (self.store.generation, self.store.day)
        if generation != self._cache_generation:
            self._cache.clear()
            self._cache_generation = generation
        cache_key = (body, variables)
        if cache_key in self._cache:
            return self._cache[cache_key]
        keys = {lit.key for lit in body if isinstance(lit, PlanAtom)}
        deadline = None if timeout is None else time.monotonic() + timeout
        for key in keys:
            self.ensure_served(key)
        try:
            self.prepare(keys, deadline)
        except DeadlineExceeded:  # one exception for every stop, whichever evaluator stopped
            raise Interrupted() from None
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        rows = self._lookup(body[0], variables) if self._served_in_python(body) else (
            self.backend.ask(body, variables, remaining) if body else {()})
        self._cache[cache_key] = frozenset(rows)
        return self._cache[cache_key]

    def _served_in_python(self, body) -> bool:
        """True for one positive atom over stated or materialised tuples: no need for pyDatalog."""
        if len(body) != 1 or not isinstance(body[0], PlanAtom) or body[0].negated:
            return False
        info = self.checked.predicates.get(body[0].key)
        return info is None or not info.is_derived or body[0].key in self._component_of

    def _lookup(self, atom: PlanAtom, variables: tuple[str, ...]) -> set[tuple]:
        pattern = tuple(t if isinstance(t, tuple) else None for t in atom.args)
        if atom.key in self._component_of:
            rows = self._materialised(atom.key)(pattern)
        else:
            rows = self.store.lookup(atom.key, pattern)
        found = set()
        for row in rows:
            binding: dict = {}
            if all(binding.setdefault(t, v) == v for t, v in zip(atom.args, row) if isinstance(t, str)):
                found.add(tuple(binding[v] for v in variables))
        return found

    def close(self) -> None:
        self.backend.close()


def _body_keys(rule) -> list[str]:
    from .syntax import Atom, Negation

    keys = []
    for lit in rule.body:
        if isinstance(lit, Atom):
            keys.append(lit.key)
        elif isinstance(lit, Negation):
            keys.append(lit.atom.key)
    return keys
