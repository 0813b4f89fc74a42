"""What would flip a verdict: the smallest sets of changes to the stated facts that reverse it.

Sits on `whatif` (every candidate is verified by assuming it) and `explain` (the search is
guided by explanations). For a goal that does not hold, a flip set states base facts (over the
base predicates and the constants of the knowledge base) and may withdraw stated facts; for a
goal that holds, it only withdraws stated facts: its critical premises. Guarantees:
- every reported set really flips the verdict, and is minimal: no proper subset flips it (every
  subset is checked, since with negation a subset may flip what a superset does not);
- the search is bounded: sets of at most `max_size` changes, at most `max_checks` sets assumed;
  `bound_reached` says whether a bound stopped it, so absence of larger sets is not claimed.
Search: sets grow one change at a time, by increasing size, and the changes tried next to a set
are read off the explanation of the goal with that set assumed: for a refuted goal, the missing
base atoms of its `Missing` blocks (variables instantiated from the other literals of the rule,
or from the constants stated at that argument position) and the stated facts under its `Present`
proofs; for a goal that holds, the `Given` leaves of its proofs (the default proof and every
top-level alternative; should the explainer fail to build one, every stated fact the goal
depends on). Supersets of a flip set are pruned.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable

from attrs import frozen

from allegiance.lang.diagnostics import QueryError, error
from allegiance.explain.why import Explainer, Limits
from allegiance.eval.kb import KnowledgeBase
from allegiance.explain.proof import Absent, Derived, Given, Missing, Present, Refutation
from allegiance.lang.syntax import Atom, Constant, Query, Variable, substitute_literal
from allegiance.lang.values import from_key, sort_key
from allegiance.whatif.layers import Change, assume_changes, change_key, ground_goal, holds

INSTANCES = 6  # values tried for one unbound variable of a missing atom
NESTING = 2  # how many times a missing derived atom or an absent one is refuted in turn


@frozen
class FlipSets:
    """The minimal sets of changes found that reverse the verdict on `goal`, smallest first."""

    goal: Atom
    as_of: datetime.date
    holds: bool  # the verdict now; each set makes it the opposite
    sets: tuple[tuple[Change, ...], ...]
    max_size: int
    bound_reached: bool
    reason: str = ""  # which bound stopped the search
    checks: int = 0  # sets assumed, to verify them or to read the changes to try next


def flip_sets(kb: KnowledgeBase, goal: str | Atom, *, max_size: int = 3, max_checks: int = 400,
              fixed: Iterable[str] = (), max_candidates: int = 30) -> FlipSets:
    """The minimal sets of changes that would reverse the verdict on the ground `goal`; no change
    touches a predicate listed in `fixed` (keys such as `group/1`)."""
    atom = ground_goal(kb, goal)
    with kb._lock:
        return _Search(kb, atom, max_size, max_checks, frozenset(fixed), max_candidates).run()


def critical_premises(kb: KnowledgeBase, goal: str | Atom, **options) -> FlipSets:
    """The minimal sets of stated facts whose withdrawal would defeat the goal (which holds)."""
    atom = ground_goal(kb, goal)
    if not holds(kb, atom):
        raise QueryError([error(f"`{atom.predicate}` does not hold for these arguments, so it has no "
                                "premises", atom.span, "goal", hint="ask what would make it hold")])
    return flip_sets(kb, atom, **options)


class _Exhausted(Exception):
    pass


class _Search:
    def __init__(self, kb, goal: Atom, max_size, max_checks, fixed, max_candidates):
        self.kb, self.goal, self.max_size, self.max_checks = kb, goal, max_size, max_checks
        self.fixed, self.max_candidates = fixed, max_candidates
        self.holds = holds(kb, goal)
        self.tested: dict[frozenset, bool] = {}
        self.found: list[frozenset] = []
        self.spent = 0  # sets assumed, to verify them or to read the changes to try next

    def run(self) -> FlipSets:
        frontier, reason = [frozenset()], ""
        try:
            for size in range(1, self.max_size + 1):
                frontier = self._level(frontier)
                if not frontier:
                    break
            else:
                reason = f"sets of more than {self.max_size} changes were not searched"
        except _Exhausted:
            reason = f"stopped after assuming {self.max_checks} sets"
        sets = sorted((tuple(sorted(s, key=change_key)) for s in self.found),
                      key=lambda s: (len(s), [change_key(c) for c in s]))
        return FlipSets(self.goal, self.kb.as_of, self.holds, tuple(sets), self.max_size,
                        bool(reason), reason, self.spent)

    def _level(self, frontier: list[frozenset]) -> list[frozenset]:
        """Verify the one-change extensions of the frontier; those that do not flip."""
        remaining, seen = [], set()
        for node in frontier:
            for change in self._candidates(node):
                child = node | {change}
                if child in seen or not _coherent(child) or any(f <= child for f in self.found):
                    continue
                seen.add(child)
                if self._flips(child):
                    self._add_cores(child)
                else:
                    remaining.append(child)
        return remaining

    def _spend(self) -> None:
        if self.spent >= self.max_checks:
            raise _Exhausted
        self.spent += 1

    def _flips(self, changes: frozenset) -> bool:
        if changes not in self.tested:
            self._spend()
            with assume_changes(self.kb, changes):
                self.tested[changes] = holds(self.kb, self.goal) != self.holds
        return self.tested[changes]

    def _add_cores(self, changes: frozenset) -> None:
        """Record the subsets of `changes` that flip and have no flipping proper subset."""
        ordered = sorted(changes, key=change_key)
        for size in range(1, len(ordered) + 1):
            for subset in itertools.combinations(ordered, size):
                subset = frozenset(subset)
                if not any(f <= subset for f in self.found) and self._flips(subset):
                    self.found.append(subset)

    def _candidates(self, node: frozenset) -> list[Change]:
        """The changes to try next to `node`, read off the explanation with `node` assumed."""
        self._spend()
        with assume_changes(self.kb, node):
            changes = _Collector(self.kb, self.fixed).read(self.goal, self.holds)
        return [c for c in changes if c not in node][: self.max_candidates]


_LIMITS = Limits(alternatives=10, candidates=10, refutation_depth=4)


def _coherent(changes: frozenset) -> bool:
    """No atom is both added and withdrawn."""
    atoms = [c.atom for c in changes]
    return len(atoms) == len(set(atoms))


class _Collector:
    """Gathers candidate changes from proofs and refutations, in order of discovery."""

    def __init__(self, kb: KnowledgeBase, fixed: frozenset):
        self.kb, self.fixed = kb, fixed
        self.explainer = Explainer(kb, _LIMITS)
        self.changes: list[Change] = []

    def read(self, goal: Atom, goal_holds: bool) -> list[Change]:
        """The candidates read off the explanation of `goal`."""
        try:
            if goal_holds:
                self.premises_of(goal)
            else:
                self.refutation(self.explainer.why(goal).refutation, NESTING)
        except ValueError:  # the explainer could not rebuild a proof: fall back below
            pass
        if goal_holds and not self.changes:
            self.stated_below(goal)
        return self.changes

    # -- the goal holds: withdraw a premise ----------------------------------------------------
    def premises_of(self, goal: Atom) -> None:
        for proof in self.explainer.alternatives(goal):
            for leaf in _leaves(proof):
                if isinstance(leaf, Given):
                    self._withdraw(leaf.atom)

    def stated_below(self, goal: Atom) -> None:
        """Every stated fact that holds, of every predicate the goal depends on."""
        keys = self.kb.checked.dependencies((goal.key,))
        for fact in self.kb.facts():
            if fact.atom.key in keys and holds(self.kb, fact.atom):
                self._withdraw(fact.atom)

    # -- the goal fails: supply what is missing, defeat what is present --------------------------
    def refutation(self, node, nesting: int) -> None:
        if not isinstance(node, Refutation):
            return  # circular or cut: nothing to read off
        if not node.attempts and node.goal.is_ground:
            self._add(node.goal)
        for attempt in node.attempts:
            for block in attempt.blocks:
                if isinstance(block, Missing):
                    self._missing(block, attempt, nesting)
                elif isinstance(block, Present):
                    for proof in block.proofs:
                        self._defeat(proof, nesting)

    def _missing(self, block: Missing, attempt, nesting: int) -> None:
        if block.refutations:
            for refutation in block.refutations:
                self.refutation(refutation, nesting)
            return
        for atom in block.atoms:
            for ground in self._instances(atom, block, attempt):
                self._need(ground, nesting)

    def _need(self, atom: Atom, nesting: int) -> None:
        """Candidates that would make the ground `atom` hold."""
        info = self.kb.checked.predicates.get(atom.key)
        if info is None or not info.is_derived:
            self._add(atom)
        elif nesting > 0 and not holds(self.kb, atom):
            self.refutation(self.explainer.why(atom).refutation, nesting - 1)

    def _defeat(self, proof, nesting: int) -> None:
        """Candidates that would defeat `proof`: withdraw a stated leaf, or supply an absent atom."""
        for leaf in _leaves(proof):
            if isinstance(leaf, Given):
                self._withdraw(leaf.atom)
            elif isinstance(leaf, Absent) and nesting > 0 and leaf.atom.is_ground:
                self._need(leaf.atom, nesting - 1)

    def _instances(self, atom: Atom, block: Missing, attempt) -> list[Atom]:
        """Ground instances of a missing atom: its variables bound as the rest of the rule
        allows, or else to the constants stated at their argument position."""
        if atom.is_ground:
            return [atom]
        env = {name: value for name, value in attempt.bindings}
        body = [substitute_literal(lit, env) for lit in attempt.rule.body if isinstance(lit, Atom)]
        others = [a for a in block.atoms if a != atom]
        rest = [a for a in body if a not in block.atoms]
        for context in (others + rest, others, []):
            bindings = self._bindings(context)
            if bindings:
                break
        found = []
        for binding in bindings[:INSTANCES]:
            found += self._fill(substitute_literal(atom, binding))
        return list(dict.fromkeys(found))

    def _bindings(self, atoms: list[Atom]) -> list[dict]:
        if not atoms:
            return [{}]
        named = [_named(a, i) for i, a in enumerate(atoms)]
        answer = self.kb.ask(Query(tuple(named)))
        return [{k: v for k, v in b.items() if not k.startswith("_")} for b in answer.bindings()]

    def _fill(self, atom: Atom) -> list[Atom]:
        """Instances of `atom` with each remaining variable set to a stated constant."""
        choices = []
        for position, term in enumerate(atom.args):
            if isinstance(term, Constant):
                choices.append([term])
            else:
                choices.append([Constant(v) for v in self._stated_values(atom.key, position)])
        combos = itertools.islice(itertools.product(*choices), INSTANCES)
        return [Atom(atom.predicate, tuple(args)) for args in combos]

    def _stated_values(self, key: str, position: int) -> list:
        return [from_key(k) for k in sorted({sort_key(f.atom.args[position].value)
                                             for f in self.kb.facts(key)})[:INSTANCES]]

    def _add(self, atom: Atom) -> None:
        info = self.kb.checked.predicates.get(atom.key)
        if info is not None and not info.is_derived and atom.key not in self.fixed \
                and atom.is_ground and not (info.is_defined and holds(self.kb, atom)):
            self._keep(Change(atom, True))

    def _withdraw(self, atom: Atom) -> None:
        if atom.key not in self.fixed:
            self._keep(Change(atom, False))

    def _keep(self, change: Change) -> None:
        if change not in self.changes:
            self.changes.append(change)


def _leaves(proof):
    if isinstance(proof, Derived):
        for premise in proof.premises:
            yield from _leaves(premise)
    else:
        yield proof


def _named(atom: Atom, index: int) -> Atom:
    """`atom` with each `_` given a name of its own, so that it can be asked."""
    args = tuple(Variable(f"_{index}_{i}") if isinstance(t, Variable) and t.is_anonymous else t
                 for i, t in enumerate(atom.args))
    return Atom(atom.predicate, args)
