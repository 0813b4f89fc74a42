"""The model: what holds, as of a day, for a checked program and its fact store.

Sits on `backend` (pyDatalog) and `materialise` (bottom-up evaluation in Python) and chooses,
for each question, the evaluator that suits it:

- a goal-directed question (some argument bound, or a conjunction) goes to pyDatalog, which was
  given every non-recursive rule once, at load time;
- a question that asks for a whole relation, and every recursive stratum, is evaluated bottom-up
  in Python and kept until a predicate it depends on changes; a question about a relation that
  is materialised and still fresh is answered from it, by a hash lookup.

Both evaluators compute the same least model (the test suite checks each against the oracle).
Answers are cached until the next change. Everything is keyed by predicate `name/arity`;
values are encoded (`values.sort_key`).
"""

from __future__ import annotations

import time
from operator import itemgetter

from allegiance.eval.backend import Backend, Interrupted
from allegiance.check.checks import CheckedProgram
from allegiance.eval.fixpoint import DeadlineExceeded, assignment_source
from allegiance.eval.materialise import Materialiser
from allegiance.eval.plan import PlanAtom, PlanLiteral, PlanRule
from allegiance.eval.store import FactStore

FACTS = "#facts:"   # the stated facts of a derived predicate
PROJECT = "#proj:"  # the projection used by a negated atom with `_`


class Model:
    """Answers over one program and its store; the only owner of the program's backend."""

    def __init__(self, checked: CheckedProgram, store: FactStore):
        self.checked = checked
        self.store = store
        self.backend = Backend()
        self.backend.compute = self._computed
        self.python = Materialiser(checked, store)
        self._served: set[str] = set()
        self._cache: dict = {}
        self._cache_generation: tuple | None = None
        self._compile()

    # -- compilation ---------------------------------------------------------------------
    def _compile(self) -> None:
        rules: list[tuple[PlanAtom, tuple[PlanLiteral, ...]]] = []
        for key in self.python.component_of:
            self._serve(key, self._recursive(key))
        for plans in self.python.rule_plans.values():
            rules.extend((p.head, p.body) for p in
                         (self._without_anonymous_negation(p, rules) for p in plans))
        for key, info in self.checked.predicates.items():
            if not info.is_derived:
                self._serve(key, self._stored(key), info.arity)
            elif key not in self.python.component_of and self.store.statements_of(key):
                rules.append(self._stated_facts_rule(key))
        self.backend.add_rules(rules)

    def _stated_facts_rule(self, key: str):
        """`key(V…) :- #facts:key(V…)`: stated facts of a derived predicate, for pyDatalog."""
        arity = self.checked.predicates[key].arity
        fresh = tuple(f"V{i}" for i in range(arity))
        self._serve(FACTS + key, self._stored(key), arity)
        return PlanAtom(key, fresh), (PlanAtom(FACTS + key, fresh),)

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

    def _computed(self, assign):
        """How pyDatalog computes an assignment: in Python, over the relations its aggregate
        reads (materialised here: they lie in lower strata), afresh after every change."""
        state: dict = {}

        def compute(values: tuple) -> list[tuple]:
            stamp = (self.store.generation, self.store.day)
            if state.get("stamp") != stamp:
                state["stamp"] = stamp
                state["source"] = assignment_source(assign, self.python.lookup)
            return state["source"].compute(values)

        return compute

    def _serve(self, key: str, lookup, arity: int | None = None) -> None:
        if key in self._served:
            return
        self._served.add(key)
        if arity is None:
            arity = int(key.rsplit("/", 1)[1])
        self.backend.serve_relation(key, arity, lookup)

    def _stored(self, key: str):
        return lambda pattern: self.store.lookup(key, pattern)

    def _recursive(self, key: str):
        return lambda pattern: self.python.recursive(key).lookup(pattern)

    def ensure_served(self, key: str) -> None:
        """Give pyDatalog a definition for `key` before a fact of it is told or asked about."""
        if key not in self.checked.predicates or not self.checked.predicates[key].is_derived:
            self._serve(key, self._stored(key))
        elif key not in self.python.component_of and FACTS + key not in self._served:
            self.backend.add_rules([self._stated_facts_rule(key)])

    # -- evaluation ----------------------------------------------------------------------
    def rank(self, key: str, row: tuple) -> int | None:
        """The round in which a tuple of a recursive predicate was first derived (0: stated)."""
        return self.python.rank(key, row)

    def is_recursive(self, key: str) -> bool:
        return key in self.python.component_of

    def component_of(self, key: str) -> int | None:
        """The index of the recursive stratum that defines `key`, or None."""
        return self.python.component_of.get(key)

    def ask(self, body: tuple[PlanLiteral, ...], variables: tuple[str, ...], timeout=None) -> set[tuple]:
        """The bindings of `variables` satisfying the plan literals `body` (cached)."""
        generation = (self.store.generation, self.store.day)
        if generation != self._cache_generation:
            self._cache.clear()
            self._cache_generation = generation
        cache_key = (body, variables)
        if cache_key in self._cache:
            return self._cache[cache_key]
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            if self._in_python(body):
                rows = self._lookup(body[0], variables, deadline)
            else:
                rows = self.ask_pydatalog(body, variables, deadline)
        except (DeadlineExceeded, KeyboardInterrupt) as exc:  # one exception for every stop
            raise Interrupted() from exc
        self._cache[cache_key] = frozenset(rows)
        return self._cache[cache_key]

    def ask_pydatalog(self, body, variables, deadline: float | None = None) -> set[tuple]:
        """The same bindings, evaluated goal-directed by pyDatalog (recursive strata prepared)."""
        keys = {lit.key for lit in body if isinstance(lit, PlanAtom)}
        for key in keys:
            self.ensure_served(key)
        self.python.prepare(keys, deadline)  # pyDatalog reads the recursive strata as relations
        if not body:
            return {()}
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        return self.backend.ask(body, variables, remaining)

    def _in_python(self, body) -> bool:
        """True for one positive atom over stated, recursive, wholly asked or fresh tuples."""
        if len(body) != 1 or not isinstance(body[0], PlanAtom) or body[0].negated:
            return False
        atom = body[0]
        if not self.python.is_derived(atom.key) or atom.key in self.python.component_of:
            return True
        return all(not isinstance(t, tuple) for t in atom.args) or self.python.is_fresh(atom.key)

    def _lookup(self, atom: PlanAtom, variables: tuple[str, ...], deadline) -> set[tuple]:
        pattern = tuple(t if isinstance(t, tuple) else None for t in atom.args)
        rows = self.python.lookup(atom.key, pattern, deadline)
        named = [t for t in atom.args if isinstance(t, str)]
        if len(set(named)) == len(named):  # no repeated variable: a projection
            if tuple(named) == tuple(atom.args) == variables:
                return set(rows)
            project = itemgetter(*(atom.args.index(v) for v in variables)) if variables else None
            if len(variables) == 1:
                return {(v,) for v in map(project, rows)}
            return set(map(project, rows)) if project else ({()} if rows else set())
        found = set()
        for row in rows:
            binding: dict = {}
            if all(binding.setdefault(t, v) == v for t, v in zip(atom.args, row) if isinstance(t, str)):
                found.add(tuple(binding[v] for v in variables))
        return found

    def close(self) -> None:
        self.backend.close()
