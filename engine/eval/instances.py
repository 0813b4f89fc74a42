"""Subgoals of one explanation, answered in Python and remembered for the length of it.

Sits between `model` and `explain`/`refute`. An explanation asks many small questions, each a
body with most of its variables bound: which instances of a rule have this head, is this premise
derivable, which tuples match `p(c, _)`. Handing each to the model's goal-directed evaluator
costs a round trip apiece; here they are joined in Python over:
- stated facts, through the store's indexes;
- recursive predicates, through the model (which serves their materialised tuples in Python);
- derived non-recursive predicates, top-down: their stated facts, then each rule's instances
  under the bound arguments, every (predicate, pattern) evaluated once per explanation.
A pattern that binds no argument of a derived predicate, or a chain of derived predicates
deeper than `DEPTH`, is asked of the model instead (whole relations, and long chains that would
need a deep Python stack, are its business).

Guarantees: `ask(body, variables)` has exactly the answers of `Model.ask(body, variables)` and
`answers(atom)` the rows of `KnowledgeBase.ask` for the one-atom query, in the same order (the
same least model: the literals are joined in the order `fixpoint.match_body` would choose);
every evaluation checks the explanation's time budget (`OutOfTime`). The memo is never shared
between explanations, so it never outlives a change to the facts; only plans, which depend on
the rules alone, are kept across explanations.
"""

from __future__ import annotations

from collections.abc import Collection

from allegiance.eval.fixpoint import assignment_source
from allegiance.eval.plan import PlanAssign, PlanAtom, PlanCompare, compare, plan_query, terms_of
from allegiance.lang.syntax import Atom, Constant, Query, substitute_literal
from allegiance.lang.values import from_key, sort_key

DEPTH = 12  # nested derived predicates evaluated here before the model takes over
PLANS = 4096  # rules (and bodies) whose plans are kept, over all explanations


class Subgoals:
    """Memoised answers to the questions of one explanation, over one model."""

    def __init__(self, model, checked, budget, depth: int = DEPTH):
        self.model, self.checked, self.budget = model, checked, budget
        self.depth = depth  # 0: every derived predicate is asked of the model
        self._memo: dict[tuple[str, tuple], Collection[tuple]] = {}
        self._queries: dict = {}  # literals → their plan and variable mapping
        self._holds: dict[tuple, bool] = {}
        self._answers: dict[Atom, tuple] = {}
        self._instances: dict[tuple, list[dict]] = {}
        self._computed: dict = {}  # assignment → its source (aggregates read `matches`)
        self._stamp: tuple | None = None
        self._nesting = 0

    def _fresh(self) -> None:
        """Forget every answer once the facts or the day changed (plans stay)."""
        stamp = (self.model.store.generation, self.model.store.day)
        if stamp != self._stamp:
            for memo in (self._memo, self._holds, self._answers, self._instances, self._computed):
                memo.clear()
            self._stamp = stamp

    # -- questions -------------------------------------------------------------------------
    def instances(self, rule, atom: Atom) -> list[dict]:
        """Every binding of the rule's named variables (decoded) under which its head is the
        ground `atom` and its body holds, in the order of the encoded values of the variables
        the head leaves free (by name); memoised."""
        self._fresh()
        key = (id(rule), atom)  # the rule is the program's own: its id is stable
        if key not in self._instances:
            self._instances[key] = self._instances_of(rule, atom)
        return self._instances[key]

    def _instances_of(self, rule, atom: Atom) -> list[dict]:
        head = _bind_head(rule.head, atom)
        planned = None if head is None else _cached(rule, lambda r: plan_query(r.body))
        if planned is None:
            return []
        plan, mapping = planned
        start: dict = {}
        for name, value in head.items():
            term, key = mapping.get(name), sort_key(value)
            if isinstance(term, tuple) and term != key or isinstance(term, str) and start.setdefault(term, key) != key:
                return []
        free = tuple(sorted({t for t in mapping.values() if isinstance(t, str) and t not in start}))
        column = {v: i for i, v in enumerate(free)}
        found = []
        for row in sorted({tuple(b[v] for v in free) for b in self._solutions(plan, start, kept=True)}):
            binding = dict(head)
            for name, term in mapping.items():
                if name not in head:
                    key = row[column[term]] if term in column else start.get(term, term)
                    binding[name] = from_key(key)
            found.append(binding)
        return found

    def ask(self, body, variables: tuple[str, ...]) -> set[tuple]:
        """The bindings of `variables` (encoded) that satisfy the plan literals `body`."""
        self._fresh()
        return {tuple(b[v] for v in variables) for b in self._solutions(body, {})}

    def holds(self, literals: tuple) -> bool:
        """True when the conjunction of `literals` (atoms, `_` allowed) has an answer."""
        self._fresh()
        if literals not in self._holds:
            planned = self._planned(literals)
            self._holds[literals] = planned is not None and any(True for _ in self._solutions(planned[0], {}))
        return self._holds[literals]

    def answers(self, atom: Atom) -> list[Atom]:
        """The instances of `atom` that hold, least first (the rows `kb.ask` gives, substituted)."""
        self._fresh()
        if atom not in self._answers:
            self._answers[atom] = self._rows(atom)
        names, rows = self._answers[atom]
        return [substitute_literal(atom, {n: from_key(k) for n, k in zip(names, row)}) for row in rows]

    def _rows(self, atom: Atom) -> tuple[tuple[str, ...], list[tuple]]:
        """The atom's named variables, and their values (encoded) in each answer, sorted."""
        names = tuple(v.name for v in Query((atom,)).variables())
        planned = self._planned((atom,))
        if planned is None:
            return names, []
        plan, mapping = planned
        free = tuple(sorted({t for t in mapping.values() if isinstance(t, str)}))
        column = {v: i for i, v in enumerate(free)}
        return names, sorted({tuple(row[column[mapping[n]]] if isinstance(mapping[n], str) else mapping[n]
                                    for n in names) for row in self.ask(plan, free)})

    def _planned(self, literals: tuple):
        if literals not in self._queries:
            self._queries[literals] = plan_query(literals)
        return self._queries[literals]

    # -- tuples ----------------------------------------------------------------------------
    def matches(self, key: str, pattern: tuple) -> Collection[tuple]:
        """The tuples of `key` that hold and match `pattern` (None: a free position)."""
        info = self.checked.predicates.get(key)
        if info is None or not info.is_derived:
            return self.model.store.lookup(key, pattern)
        found = self._memo.get((key, pattern))
        if found is None:
            if self.model.is_recursive(key) or self._nesting >= self.depth or not _binds(pattern):
                found = self._asked(key, pattern)
            else:
                found = self._derived(key, pattern)
            self._memo[(key, pattern)] = found
        return found

    def _asked(self, key: str, pattern: tuple) -> list[tuple]:
        """The tuples matching `pattern`, asked of the model (within the time budget)."""
        args = tuple(f"V{i}" if v is None else v for i, v in enumerate(pattern))
        free = tuple(a for a in args if isinstance(a, str))
        found = []
        for row in self.budget.within(self.model.ask, (PlanAtom(key, args),), free):
            values = iter(row)
            found.append(tuple(next(values) if v is None else v for v in pattern))
        return found

    def _derived(self, key: str, pattern: tuple) -> set[tuple]:
        """The tuples of a non-recursive derived predicate matching `pattern`, top-down."""
        found = set(self.model.store.lookup(key, pattern))  # its stated facts
        self._nesting += 1
        try:
            for plan in self.model.python.rule_plans.get(key, ()):
                start = _match_pattern(plan.head.args, pattern)
                if start is not None:
                    for b in self._solutions(plan.body, start, kept=True):
                        found.add(tuple(b[t] if isinstance(t, str) else t for t in plan.head.args))
        finally:
            self._nesting -= 1
        return found

    # -- joins -----------------------------------------------------------------------------
    def _solutions(self, body: tuple, start: dict, kept: bool = False):
        """Every extension of `start` that satisfies the plan literals of `body`; `kept`: the
        body is a rule's (cached) plan, and its join orders are kept with it."""
        self.budget.check()
        bound = frozenset(start)
        if not kept:
            return self._join(_steps(body, bound), 0, start)
        orders = _cached(body, lambda _: {})
        steps = orders.get(bound)
        if steps is None:
            steps = orders[bound] = _steps(body, bound)
        return self._join(steps, 0, start)

    def _join(self, steps, at: int, binding: dict):
        if at == len(steps):
            yield binding
            return
        lit, new = steps[at]
        if isinstance(lit, PlanAssign):
            yield from self._assigned(steps, at, lit, binding)
            return
        if new is None:  # a comparison, all its variables bound
            left, right = (binding.get(t, t) if isinstance(t, str) else t for t in (lit.left, lit.right))
            if compare(lit.op, left, right):
                yield from self._join(steps, at + 1, binding)
            return
        pattern = tuple(binding.get(t) if isinstance(t, str) else t for t in lit.args)
        rows = self.matches(lit.key, pattern)
        if lit.negated:
            if not rows:
                yield from self._join(steps, at + 1, binding)
            return
        self.budget.check()
        for row in rows:
            extended = dict(binding)
            for i, name in new:
                if extended.setdefault(name, row[i]) != row[i]:
                    break
            else:
                yield from self._join(steps, at + 1, extended)


    def _assigned(self, steps, at: int, assign: PlanAssign, binding: dict):
        """The joins after an assignment: its value bound to its target, or tested against it."""
        source = self._computed.get(assign)
        if source is None:
            source = self._computed[assign] = assignment_source(assign, self.matches)
        target = assign.target
        for (value,) in source.compute(tuple(binding[t] for t in assign.inputs)):
            known = target if isinstance(target, tuple) else binding.get(target)
            if known is None:
                yield from self._join(steps, at + 1, {**binding, target: value})
            elif known == value:
                yield from self._join(steps, at + 1, binding)

    def aggregated(self, assign: PlanAssign, group: tuple) -> set[tuple]:
        """The rows an aggregate folds for the values of its group (encoded)."""
        from allegiance.eval.fixpoint import aggregate_rows

        return aggregate_rows(assign.value, self.matches)(group)


def _steps(body: tuple, bound: frozenset) -> tuple:
    """The literals of `body` in the order they are joined once `bound` are bound, each with the
    positions of the variables it binds (None for a comparison): a test as soon as its variables
    are bound, else the positive atom with the most bound arguments (`fixpoint.match_body`)."""
    pending, steps, bound = list(range(len(body))), [], set(bound)
    while pending:
        best, best_score = None, -1
        for i in pending:
            lit = body[i]
            if isinstance(lit, PlanAssign):
                if all(t in bound for t in lit.inputs):
                    best = i
                    break
                continue
            free = {t for t in terms_of(lit) if isinstance(t, str) and t not in bound}
            if isinstance(lit, PlanCompare) or lit.negated:
                if not free:
                    best = i
                    break
                continue
            score = sum(1 for t in lit.args if not (isinstance(t, str) and t in free)) * 2 + (not free)
            if score > best_score:
                best, best_score = i, score
        if best is None:
            raise ValueError("unsafe body: a test reads an unbound variable")
        pending.remove(best)
        lit = body[best]
        if isinstance(lit, PlanCompare):
            steps.append((lit, None))
            continue
        if isinstance(lit, PlanAssign):
            steps.append((lit, None))
            if isinstance(lit.target, str):
                bound.add(lit.target)
            continue
        new = tuple((i, t) for i, t in enumerate(lit.args) if isinstance(t, str) and t not in bound)
        steps.append((lit, () if lit.negated else new))
        bound.update(t for _, t in new)
    return tuple(steps)


_PLANS: dict[int, tuple] = {}  # id(rule or body) → (it, its plan): the entry keeps the id taken


def _cached(thing, make):
    """`make(thing)`, remembered while the entry lasts (plans depend on the rules alone)."""
    entry = _PLANS.get(id(thing))
    if entry is None or entry[0] is not thing:
        if len(_PLANS) >= PLANS:
            _PLANS.clear()
        entry = _PLANS[id(thing)] = (thing, make(thing))
    return entry[1]


def _binds(pattern: tuple) -> bool:
    """True unless the pattern leaves every argument free (a zero-arity atom is bound)."""
    return not pattern or any(v is not None for v in pattern)


def _match_pattern(args: tuple, pattern: tuple) -> dict | None:
    """The binding of a plan head's variables that makes it match `pattern`, or None."""
    binding: dict = {}
    for term, value in zip(args, pattern):
        if value is None or term is None:
            continue
        if isinstance(term, str):
            if binding.setdefault(term, value) != value:
                return None
        elif term != value:
            return None
    return binding


def _bind_head(head: Atom, atom: Atom) -> dict | None:
    """The binding of head variables (name → value) that makes `head` equal to the ground
    `atom`, or None."""
    binding: dict = {}
    for term, value in zip(head.args, atom.args):
        value = value.value
        if isinstance(term, Constant):
            if term.value != value:
                return None
        elif term.is_anonymous:
            continue
        elif binding.setdefault(term.name, value) != value:
            return None
    return binding
