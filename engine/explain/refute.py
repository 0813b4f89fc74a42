"""Refutations: every reason a goal does not hold, independent of the order of body literals.

Sits beside `explain` and asks its questions through the explainer's subgoals (`instances`).
For a goal that does not hold, each rule whose head matches it is an `Attempt`, and its blocks
are found from sets, never from the order of the body:
- the minimal sets of positive literals that have no match together (`Missing`); a literal with
  no match on its own is refuted in turn, down to missing stated facts;
- otherwise every candidate binding (each satisfies all positive literals) with every comparison
  that fails (`FailedTest`) and every negated literal whose atom is derivable (`Present`, with
  its proofs).
A goal that would need itself is reported as `Circular`; bounds give `Cut` (the refutation of a
goal whose time budget ran out is a `Cut` as a whole).
"""

from __future__ import annotations

import itertools

from allegiance.eval.limits import OutOfTime
from allegiance.eval.plan import plan_query
from allegiance.explain.proof import Attempt, Circular, Cut, FailedTest, Missing, Present, Refutation, Test
from allegiance.lang.syntax import Aggregate, Atom, Comparison, Constant, Negation, Variable, substitute_literal
from allegiance.lang.values import from_key, sort_key

MAX_SUBSET = 3  # largest set of positive literals searched for a joint absence


class Refuter:
    """Builds refutations with the help of an `Explainer` (for the proofs it embeds)."""

    def __init__(self, explainer):
        self.explainer = explainer
        self.kb = explainer.kb
        self.model = explainer.model
        self.limits = explainer.limits

    def refute(self, goal: Atom, stack: tuple[Atom, ...] = ()) -> Refutation | Circular | Cut:
        """Why `goal` (ground or not) has no answer."""
        canonical = _canonical(goal)
        for i, earlier in enumerate(stack):
            if _canonical(earlier) == canonical:
                return Circular(stack[i:] + (goal,))
        if len(stack) >= self.limits.refutation_depth:
            return self.explainer.cut(goal, f"refutation depth limit {self.limits.refutation_depth} reached")
        stack = stack + (goal,)
        info = self.kb.checked.predicates.get(goal.key)
        try:
            self.explainer.budget.check()
            attempts = tuple(
                attempt
                for rule in (info.rules if info else ())
                if (attempt := self._attempt(rule, goal, stack)) is not None
            )
        except OutOfTime:
            return self.explainer.cut(goal)
        return Refutation(goal, attempts, self._stated_elsewhere(goal))

    def _stated_elsewhere(self, goal: Atom):
        if not goal.is_ground:
            return ()
        row = tuple(sort_key(t.value) for t in goal.args)
        return self.model.store.statements(goal.key, row)

    def _attempt(self, rule, goal: Atom, stack) -> Attempt | None:
        rule = _rename_apart(rule, goal)
        head = _unify_head(rule.head, rule.goal)
        if head is None:
            return None
        body = tuple(substitute_literal(lit, head) for lit in rule.body)
        positives = [lit for lit in body if isinstance(lit, Atom)]
        shown = _shown(head, rule)
        missing = self._missing(positives, stack)
        if missing:
            return Attempt(rule.original, shown, tuple(missing))
        candidates = self._candidates(positives)
        limit = self.limits.candidates
        blocks = []
        if len(candidates) > limit:
            self.explainer.budget.reached(f"candidate limit {limit} reached")
        for binding in candidates[:limit]:
            blocks.extend(self._blocked(body, binding))
        return Attempt(rule.original, shown, tuple(blocks), len(candidates), min(limit, len(candidates)))

    # -- positive literals -----------------------------------------------------------------
    def _missing(self, positives, stack) -> list:
        """Minimal sets of positive literals with no joint match, each refuted if alone."""
        if not positives or self._satisfiable(positives):
            return []
        found: list[tuple[int, ...]] = []
        for size in range(1, min(MAX_SUBSET, len(positives)) + 1):
            for subset in itertools.combinations(range(len(positives)), size):
                if any(set(f) <= set(subset) for f in found):
                    continue
                if not self._satisfiable([positives[i] for i in subset]):
                    found.append(subset)
        if not found:
            found.append(tuple(range(len(positives))))
        blocks = [sorted((positives[i] for i in subset), key=_atom_order) for subset in found]
        return [self._missing_block(atoms, stack) for atoms in sorted(blocks, key=lambda b: [_atom_order(a) for a in b])]

    def _missing_block(self, atoms, stack) -> Missing:
        refutations = ()
        if len(atoms) == 1:
            info = self.kb.checked.predicates.get(atoms[0].key)
            if info is not None and info.is_derived:
                refutations = (self.refute(_named(atoms[0]), stack),)
            elif stated := self._stated_elsewhere(atoms[0]):  # stated, but not for the day
                refutations = (Refutation(atoms[0], (), stated),)
        return Missing(tuple(atoms), refutations)

    def _satisfiable(self, atoms) -> bool:
        return self.explainer.subgoals.holds(tuple(atoms))

    def _candidates(self, positives) -> list[dict]:
        """Every binding of the named variables that satisfies all positive literals."""
        planned = plan_query(tuple(positives))
        if planned is None:
            return []
        plan, mapping = planned
        free = tuple(sorted({t for t in mapping.values() if isinstance(t, str)}))
        column = {v: i for i, v in enumerate(free)}
        found = []
        for row in sorted(self.explainer.subgoals.ask(plan, free)):
            found.append({n: from_key(row[column[t]] if isinstance(t, str) else t) for n, t in mapping.items()})
        return found or [{}]

    # -- tests and negations ---------------------------------------------------------------
    def _blocked(self, body, binding) -> list:
        shown = tuple(sorted((n, v) for n, v in binding.items() if n[0] not in "_#"))
        binding = self._computed(body, _close_equalities(body, binding))
        counted = [self.explainer.aggregated(substitute_literal(lit, binding)) for lit in body
                   if isinstance(lit, Aggregate)]
        blocks = [c for c in counted if c.value is None]  # `sum`, `min`, `max` over nothing
        blocks += [FailedTest(shown, Comparison("=", c.aggregate.result, Constant(c.value)))
                   for c in counted if c.value is not None and isinstance(c.aggregate.result, Constant)
                   and c.aggregate.result.value != c.value]  # a result the aggregate does not take
        for literal in body:
            ground = substitute_literal(literal, binding)
            if isinstance(ground, Comparison):
                if _bound(ground) and not _test(ground):
                    blocks.append(FailedTest(shown, ground))
            elif isinstance(ground, Negation):
                if self._derivable(ground.atom):
                    proofs = self._proofs(ground.atom)
                    blocks.append(Present(shown, ground.atom, proofs))
        if blocks:  # what each aggregate counted, so that a failed threshold shows its members
            blocks.extend(c for c in counted if c.value is not None)
        return blocks

    def _computed(self, body, binding: dict) -> dict:
        """`binding` extended by the aggregates and expressions of `body` it can compute."""
        from allegiance.explain.arithmetic import extend

        return extend(body, binding, lambda agg: self.explainer.aggregated(substitute_literal(agg, binding)).value)

    def _derivable(self, atom: Atom) -> bool:
        return self.explainer.subgoals.holds((atom,))

    def _proofs(self, atom: Atom):
        if atom.is_ground:
            return self.explainer.alternatives(atom)
        return self.explainer.alternatives(self.explainer.least(atom))


def _close_equalities(body, binding: dict) -> dict:
    """`binding` extended through equalities `X = c` and `X = Y` whose other side is bound."""
    binding = dict(binding)
    changed = True
    while changed:
        changed = False
        for lit in body:
            if isinstance(lit, Comparison) and lit.op == "=":
                for a, b in ((lit.left, lit.right), (lit.right, lit.left)):
                    if isinstance(a, Variable) and not a.is_anonymous and a.name not in binding:
                        value = b.value if isinstance(b, Constant) else binding.get(getattr(b, "name", None))
                        if value is not None:
                            binding[a.name] = value
                            changed = True
    return binding


class _Renamed:
    """A rule whose goal was renamed apart: the goal's variables get names no rule can use."""

    def __init__(self, goal, original):
        self.goal, self.original = goal, original
        self.head, self.body = original.head, original.body


def _rename_apart(rule, goal: Atom) -> _Renamed:
    renamed = {v.name: Variable(f"#g{i}") for i, v in enumerate(goal.variables()) if not v.is_anonymous}
    return _Renamed(substitute_literal(goal, renamed), rule)


def _unify_head(head: Atom, goal: Atom) -> dict | None:
    """The most general unifier of the rule's head with the goal, as rule variable → term
    (a Constant, or a Variable of the goal); None when they cannot match."""
    parent: dict = {}

    def find(node):
        while node in parent:
            node = parent[node]
        return node

    def node_of(term, side):
        if isinstance(term, Constant):
            return ("c", term.value)
        return None if term.is_anonymous else (side, term.name)

    for h, g in zip(head.args, goal.args):
        a, b = node_of(h, "r"), node_of(g, "g")
        if a is None or b is None:
            continue
        a, b = find(a), find(b)
        if a == b:
            continue
        if a[0] == "c" and b[0] == "c":
            return None
        if a[0] == "c" or (a[0] == "r" and b[0] == "g"):
            a, b = b, a
        parent[a] = b  # constants, then rule variables, end up as roots
    binding = {}
    for term in head.args:
        if isinstance(term, Variable) and not term.is_anonymous:
            root = find(("r", term.name))
            if root[0] == "c":
                binding[term.name] = Constant(root[1])
    return binding


def _shown(head: dict, rule) -> tuple:
    return tuple(sorted((n, t.value) for n, t in head.items() if isinstance(t, Constant)))


def _atom_order(atom: Atom) -> tuple:
    """A key that orders atoms the same way whatever the order of the body they came from."""
    return (atom.key,) + tuple(("c", sort_key(t.value)) if isinstance(t, Constant) else ("v", "")
                               for t in atom.args)


_fresh = itertools.count()


def _named(atom: Atom) -> Atom:
    """`atom` with each anonymous `_` given a name of its own (so it can be asked)."""
    args = tuple(Variable(f"_{next(_fresh)}") if isinstance(t, Variable) and t.is_anonymous else t
                 for t in atom.args)
    return Atom(atom.predicate, args, atom.span)


def _canonical(goal: Atom) -> tuple:
    names: dict[str, int] = {}
    return (goal.key,) + tuple(
        ("v", names.setdefault(t.name, len(names))) if isinstance(t, Variable) else ("c", t.value)
        for t in goal.args
    )


def _test(comparison: Comparison) -> bool:
    from allegiance.explain.arithmetic import holds

    return holds(comparison)


def _bound(comparison: Comparison) -> bool:
    return not comparison.variables()


__all__ = ["Refuter", "Test"]
