"""Bottom-up evaluation in Python, kept per predicate until something it depends on changes.

Sits between `fixpoint` and `model`. Two kinds of predicates are materialised here:

- every **recursive stratum**, always: pyDatalog does not terminate on recursion over cyclic
  data, so the engine computes the least fixpoint itself, with every tuple's rank;
- a **non-recursive derived predicate** when a question needs all of it (`alliance(A, B)?`, a
  whole relation read by a recursive stratum, `kb.relation`): pyDatalog's top-down evaluation
  re-derives each subgoal for every binding, where one bottom-up pass with hash joins is several
  times faster (benchmarks/README.md). Goal-directed questions stay with pyDatalog.

Guarantees: a materialised relation is exactly the least model of its rules over what holds on
the as-of day; it carries a stamp (the day and the change counter of every predicate it depends
on), and is recomputed only when that stamp moved, so an edit recomputes only what depends on
the edited predicate. Nothing is stored half-computed: an interrupted evaluation leaves the
previous (stale, hence unused) relation in place.
"""

from __future__ import annotations

from functools import partial

from allegiance.check.checks import CheckedProgram
from allegiance.eval.fixpoint import Relation, evaluate_component
from allegiance.eval.plan import PlanRule, plan_rule
from allegiance.eval.store import FactStore


class Materialiser:
    """The Python side of evaluation: recursive strata and whole derived relations."""

    def __init__(self, checked: CheckedProgram, store: FactStore):
        self.checked = checked
        self.store = store
        self.component_of: dict[str, int] = {}
        self.component_plans: dict[int, list[PlanRule]] = {}
        self.rule_plans: dict[str, list[PlanRule]] = {}  # non-recursive derived key → its rules
        self._members: dict[int, list[str]] = {}
        self._ranks: dict[str, dict[tuple, int]] = {}
        self._relations: dict[str, Relation] = {}  # indexes over the recursive relations
        self._fresh: dict[int, tuple] = {}
        self._derived: dict[str, tuple[tuple, Relation]] = {}
        self._dependencies: dict[str, tuple[str, ...]] = {}
        self._needed: dict[frozenset, tuple[int, ...]] = {}
        self._orders: dict[str, tuple[str, ...]] = {}
        self._stratum_of: dict[str, int] = {}  # derived key → its place in evaluation order
        for stratum in checked.strata:
            for key in stratum.predicates:
                self._stratum_of[key] = stratum.index
            plans = [p for p in (plan_rule(r) for r in stratum.rules) if p is not None]
            if stratum.recursive:
                self.component_plans[stratum.index] = plans
                self._members[stratum.index] = sorted(stratum.predicates)
                for key in stratum.predicates:
                    self.component_of[key] = stratum.index
            else:
                for plan in plans:
                    self.rule_plans.setdefault(plan.head.key, []).append(plan)

    # -- what depends on what ----------------------------------------------------------------
    def is_derived(self, key: str) -> bool:
        return key in self._stratum_of

    def dependencies(self, key: str) -> tuple[str, ...]:
        """`key` and every predicate it depends on through rules, sorted (computed once)."""
        found = self._dependencies.get(key)
        if found is None:
            found = self._dependencies[key] = tuple(sorted(self.checked.dependencies((key,))))
        return found

    def components_needed(self, keys) -> tuple[int, ...]:
        """The recursive strata that `keys` depend on, in evaluation order."""
        keys = frozenset(keys)
        found = self._needed.get(keys)
        if found is None:
            deps = {d for k in keys for d in self.dependencies(k)}
            found = tuple(sorted({self.component_of[d] for d in deps if d in self.component_of}))
            self._needed[keys] = found
        return found

    def _stamp(self, key: str) -> tuple:
        changes = self.store.changes
        return (self.store.day, tuple(changes.get(d, 0) for d in self.dependencies(key)))

    def _component_stamp(self, index: int) -> tuple:
        """A stratum is a strongly connected component: its members depend on the same keys."""
        return self._stamp(self._members[index][0])

    # -- bringing relations up to date -----------------------------------------------------
    def _order(self, key: str) -> tuple[str, ...]:
        """The derived predicates `key` depends on (itself included), lowest stratum first."""
        found = self._orders.get(key)
        if found is None:
            derived = [d for d in self.dependencies(key) if d in self._stratum_of]
            found = self._orders[key] = tuple(sorted(derived, key=self._stratum_of.__getitem__))
        return found

    def _update(self, key: str, deadline) -> None:
        """Evaluate every stale relation below `key`, in stratum order: no recursion, so a
        chain of a thousand rules needs no deeper Python stack than a chain of one."""
        for dep in self._order(key):
            index = self.component_of.get(dep)
            if index is not None:
                stamp = self._component_stamp(index)
                if self._fresh.get(index) != stamp:
                    self._evaluate_component(index, deadline)
                    self._fresh[index] = stamp
            else:
                stamp = self._stamp(dep)
                cached = self._derived.get(dep)
                if cached is None or cached[0] != stamp:
                    self._derived[dep] = (stamp, self._evaluate_derived(dep, deadline))

    def _reader(self):
        """A lookup for one evaluation, over relations `_update` has just brought up to date."""
        resolved: dict = {}

        def lookup(key: str, pattern: tuple):
            source = resolved.get(key)
            if source is None:
                source = resolved[key] = self._current(key)
            return source(pattern)

        return lookup

    def _current(self, key: str):
        if key in self.component_of:
            return self.recursive(key).lookup
        if key in self._stratum_of:
            return self._derived[key][1].lookup
        return partial(self.store.lookup, key)

    # -- recursive strata --------------------------------------------------------------------
    def prepare(self, keys, deadline: float | None = None) -> None:
        """Evaluate, in stratum order, every stale recursive stratum that `keys` depend on."""
        for index in self.components_needed(keys):
            if self._fresh.get(index) != self._component_stamp(index):
                self._update(self._members[index][0], deadline)

    def _evaluate_component(self, index: int, deadline) -> None:
        inside = self._members[index]
        initial = {k: set(self.store.rows(k)) for k in inside}
        ranks = evaluate_component(self.component_plans[index], initial, self._reader(), deadline)
        for key in inside:
            self._ranks[key] = ranks.get(key, {})
            self._relations.pop(key, None)

    def recursive(self, key: str) -> Relation:
        """The relation of a recursive predicate as last prepared."""
        relation = self._relations.get(key)
        if relation is None:
            relation = self._relations[key] = Relation.over(self._ranks.get(key, {}))
        return relation

    def rank(self, key: str, row: tuple) -> int | None:
        """The round in which a tuple of a recursive predicate was first derived (0: stated)."""
        return self._ranks.get(key, {}).get(row)

    # -- whole derived relations -------------------------------------------------------------
    def is_fresh(self, key: str) -> bool:
        """True when the relation of `key` is materialised and still holds as is."""
        if key in self.component_of:
            return all(self._fresh.get(i) == self._component_stamp(i)
                       for i in self.components_needed((key,)))
        cached = self._derived.get(key)
        return cached is not None and cached[0] == self._stamp(key)

    def _evaluate_derived(self, key: str, deadline) -> Relation:
        initial = {key: set(self.store.rows(key))}
        ranks = evaluate_component(self.rule_plans.get(key, []), initial, self._reader(), deadline)
        return Relation.over(ranks.get(key, {}))

    def lookup(self, key: str, pattern: tuple, deadline: float | None = None):
        """The tuples of any predicate matching `pattern`, materialising what it needs."""
        if key in self._stratum_of:
            self._update(key, deadline)
        return self._current(key)(pattern)

    def rows(self, key: str, deadline: float | None = None) -> set[tuple]:
        """Every tuple of `key` that holds."""
        return set(self.lookup(key, (None,) * _arity(key), deadline))


def _arity(key: str) -> int:
    return int(key.rsplit("/", 1)[1])
