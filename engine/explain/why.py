"""`why`: a proof for a goal that holds, a refutation for one that does not.

Sits on `model` (it only asks questions of the model, through `instances`, which answers the
subgoals of one explanation in Python and remembers them) and produces `proof` values. Guarantees:
- a proof exists exactly when the goal holds, and every step is a ground instance of a rule whose
  premises hold, one premise per body literal;
- proofs are well-founded: inside a recursive stratum a premise always has a lower rank (the
  round of bottom-up evaluation that first derived it) than its conclusion, so no fact ever
  justifies itself, on cyclic data too;
- the default proof is the one of least height, then fewest nodes, then the first rule and the
  least bindings in the order of values, so the same input always gives the same proof. Inside
  a recursive stratum, height is measured by rank.
Refutations are built by `refute`. Bounds (`Limits`) never raise: a sub-proof beyond the depth,
the node budget or the time budget is a `Cut`, and the explanation says in `partial` which bound
was reached. The search for the best proof uses an explicit stack, not Python recursion, so a
chain of any length is explained without exhausting the stack.
"""

from __future__ import annotations

from attrs import frozen

from allegiance.eval.instances import Subgoals
from allegiance.eval.kb import KnowledgeBase
from allegiance.eval.limits import MAX_DEPTH, Budget, Interrupted, OutOfTime
from allegiance.explain.proof import Absent, Aggregated, Cut, Derived, Explanation, Given, Member, Proof, Test
from allegiance.lang.syntax import (Aggregate, Atom, Comparison, Constant, Negation, Query, Variable,
                                    substitute_literal)
from allegiance.lang.values import sort_key


@frozen
class Limits:
    """Bounds on an explanation: proof depth (at most `MAX_DEPTH`), answers explained,
    alternatives, candidates, refutation depth, proof nodes built and seconds spent (None:
    no time budget). A bound reached cuts the explanation there and marks it partial."""

    depth: int = 40
    answers: int = 20
    alternatives: int = 10
    candidates: int = 20
    refutation_depth: int = 6
    nodes: int = 5000
    seconds: float | None = None


class Explainer:
    """Proof search over one knowledge base, as of its current day (memoised per call)."""

    def __init__(self, kb: KnowledgeBase, limits: Limits = Limits()):
        self.kb = kb
        self.model = kb.model
        self.checked = kb.checked
        self.limits = limits
        self.budget = Budget(limits.seconds, limits.nodes)
        self.depth = min(limits.depth, MAX_DEPTH)
        self.subgoals = Subgoals(self.model, self.checked, self.budget)
        self._choices: dict[tuple, tuple | None] = {}

    # -- entry point -------------------------------------------------------------------------
    def why(self, goal: Atom) -> Explanation:
        """A proof of each answer of `goal` (up to the limit), or the refutation of `goal`."""
        from allegiance.explain.refute import Refuter

        try:  # `why p(a, _)`: each answer's `_` filled with the least value that holds
            grounds = [g if g.is_ground else self.least(g) for g in self._answers(goal)]
            grounds = [g for g in grounds if g is not None]
        except OutOfTime:  # not even the answers are known: there is nothing to show
            raise Interrupted(self.budget.deadline.reached()) from None
        if len(grounds) > self.limits.answers:
            self.budget.reached(f"only the first {self.limits.answers} of {len(grounds)} "
                                "answers are explained")
        proofs = [self.proof(ground) for ground in grounds[: self.limits.answers]]
        if proofs:
            return Explanation(goal, self.kb.as_of, tuple(proofs), partial=self.budget.partial())
        refutation = Refuter(self).refute(goal)
        see_also = self._see_also(goal)
        return Explanation(goal, self.kb.as_of, (), refutation, see_also, self.budget.partial())

    def _answers(self, goal: Atom) -> list[Atom]:
        """The instances of `goal` that hold, least first. A goal that binds no argument asks
        for a whole relation: the knowledge base answers it (and may have the answer cached)."""
        if not goal.args or any(isinstance(t, Constant) for t in goal.args):
            return self.subgoals.answers(goal)
        return [substitute_literal(goal, b) for b in self.ask(Query((goal,))).bindings()]

    def cut(self, atom: Atom, reason: str | None = None) -> Cut:
        """A `Cut` for `atom` (by default: the time is out), its reason noted for `partial`."""
        return Cut(atom, self.budget.reached(reason or self.budget.deadline.reason))

    def ask(self, query: Query):
        """`kb.ask` within the time budget (`OutOfTime` when it runs out)."""
        return self.budget.within(self.kb.ask, query)

    def _see_also(self, goal: Atom) -> tuple[Proof, ...]:
        """Proofs of the related goal a predicate's `see` field names (for a refuted goal)."""
        from allegiance.lang.parse import parse_query
        from allegiance.lang.values import String

        info = self.checked.predicates.get(goal.key)
        decl = info.decl if info else None  # the first declaration of the key, as checked
        see = decl.get("see") if decl else None
        if not isinstance(see, String) or not goal.is_ground:
            return ()
        related = parse_query(see.text, "<see>").body[0]
        related = substitute_literal(related, {p: t.value for p, t in zip(decl.params, goal.args)})
        try:
            grounds = self.subgoals.answers(related)
        except OutOfTime:
            self.budget.reached(self.budget.deadline.reason)
            return ()
        return tuple(self.proof(ground) for ground in grounds[: self.limits.alternatives])

    def proof(self, atom: Atom, depth: int = 0) -> Proof:
        """The default proof of a ground atom that holds (a `Cut` once the time is out)."""
        try:
            choice = self._choose(atom)
        except OutOfTime:
            return self.cut(atom)
        if choice is None:
            raise ValueError(f"`{atom}` does not hold")
        return self._build(atom, choice, depth)

    def alternatives(self, atom: Atom) -> tuple[Proof, ...]:
        """Every way to derive `atom` at the top level (each with default sub-proofs), best first."""
        try:
            options = sorted(self._search(self._options(atom)), key=lambda c: c[:3])
        except OutOfTime:
            return (self.cut(atom),)
        if len(options) > self.limits.alternatives:
            self.budget.reached(f"only {self.limits.alternatives} of {len(options)} ways are shown")
        return tuple(self._build(atom, c, 0) for c in options[: self.limits.alternatives])

    # -- choosing ----------------------------------------------------------------------------
    def _choose(self, atom: Atom):
        """(height, nodes, order, rule, binding) of the best derivation, memoised; None if none."""
        key = (atom.key, _row(atom))
        if key not in self._choices:
            self._search(self._choosing(atom), key)
        return self._choices[key]

    def _choosing(self, atom: Atom):
        """Chooses the best derivation of `atom` into the memo; a generator for `_search`."""
        key = (atom.key, _row(atom))
        self._choices[key] = None  # well-founded choices never come back here
        options = yield from self._options(atom)
        self._choices[key] = min(options, key=lambda c: c[:3]) if options else None

    def _search(self, root, root_key=None):
        """Runs a generator of `_options` or `_choosing` to its end and returns its value. Each
        premise it yields is chosen first, on an explicit stack (no Python recursion, however
        deep the derivations go), and its choice sent back."""
        stack, reply = [(root, root_key)], None
        try:
            while True:
                try:
                    premise = stack[-1][0].send(reply)
                except StopIteration as done:
                    _, key = stack.pop()
                    if not stack:
                        return done.value
                    reply = self._choices[key]
                    continue
                key = (premise.key, _row(premise))
                if key in self._choices:
                    reply = self._choices[key]
                else:
                    stack.append((self._choosing(premise), key))
                    reply = None
        except BaseException:
            for _, key in stack:  # choices left half-made are forgotten, not taken as "none"
                if key is not None:
                    self._choices.pop(key, None)
            raise

    def _options(self, atom: Atom):
        """Every derivation of `atom`, measured; a generator for `_search`."""
        self.budget.check()
        key, row = atom.key, _row(atom)
        if self.model.store.holds(key, row):
            return [(0, 1, (-1,), None, None)]
        options = []
        info = self.checked.predicates.get(key)
        for index, rule in enumerate(info.rules if info else ()):
            for binding in self.instances(rule, atom):
                option = yield from self._measure(atom, index, rule, binding)
                if option is not None:
                    options.append(option)
        return options

    def instances(self, rule, atom: Atom) -> list[dict]:
        """Every binding of the rule's named variables under which its head is `atom` and its
        body holds (values decoded), in the order of values."""
        return self.subgoals.instances(rule, atom)

    def _measure(self, atom, index, rule, binding):
        """The option of one derivation, or None; a generator: yields the premises to choose."""
        rank = self.model.rank(atom.key, _row(atom))
        heights, nodes = [0], 1
        for literal in rule.body:
            premise = substitute_literal(literal, binding)
            if not isinstance(premise, Atom):
                nodes += 1
                continue
            premise = self._ground_anonymous(premise, atom)
            if premise is None:
                return None
            if rank is not None and self._same_stratum(atom, premise):
                premise_rank = self.model.rank(premise.key, _row(premise))
                if premise_rank is None or premise_rank >= rank:
                    return None
                heights.append(premise_rank)
                nodes += premise_rank + 1
                continue
            choice = yield premise
            if choice is None:
                return None
            heights.append(choice[0])
            nodes += choice[1]
        order = (index, tuple(sort_key(binding[n]) for n in sorted(binding)))
        return (1 + max(heights), nodes, order, rule, binding)

    def _same_stratum(self, a: Atom, b: Atom) -> bool:
        mine = self.model.component_of(a.key)
        return mine is not None and mine == self.model.component_of(b.key)

    def least(self, atom: Atom) -> Atom | None:
        """The least instance of `atom` that holds (its `_` arguments filled in), or None."""
        return self._ground_anonymous(atom)

    def _ground_anonymous(self, atom: Atom, conclusion: Atom | None = None) -> Atom | None:
        """A premise with `_` arguments: the least matching tuple that holds; inside the
        conclusion's recursive stratum, the one of least rank below the conclusion's (None if
        there is none), so the proof stays well-founded."""
        if atom.is_ground:
            return atom
        args = tuple(Variable(f"_{i}") if isinstance(t, Variable) else t for i, t in enumerate(atom.args))
        atom = Atom(atom.predicate, args, atom.span)
        grounds = self.subgoals.answers(atom)
        if conclusion is not None and self._same_stratum(conclusion, atom):
            limit = self.model.rank(conclusion.key, _row(conclusion))
            ranked = [(self.model.rank(g.key, _row(g)), i, g) for i, g in enumerate(grounds)]
            ranked = [r for r in ranked if r[0] is not None and (limit is None or r[0] < limit)]
            return min(ranked)[2] if ranked else None
        return grounds[0] if grounds else None

    # -- building ----------------------------------------------------------------------------
    def _build(self, atom: Atom, choice, depth: int) -> Proof:
        height, nodes, _, rule, binding = choice
        if not self.budget.spend():
            return self.cut(atom, f"node limit {self.limits.nodes} reached")
        if rule is None:
            day = self.model.store.day  # a leaf cites only the statements valid on the day
            return Given(atom, tuple(f for f in self.model.store.statements(atom.key, _row(atom))
                                     if f.holds_on(day)))
        if depth >= self.depth:
            return self.cut(atom, f"depth limit {self.depth} reached")
        try:
            premises = self._premises(atom, rule, binding, depth)
        except OutOfTime:
            return self.cut(atom)
        shown = tuple(sorted(binding.items()))
        real_height = 1 + max((p.height if isinstance(p, Derived) else 0) for p in premises)
        real_nodes = 1 + sum(p.nodes if isinstance(p, Derived) else 1 for p in premises)
        return Derived(atom, rule, shown, tuple(premises), real_height, real_nodes)

    def _premises(self, atom: Atom, rule, binding, depth: int) -> list[Proof]:
        self.budget.check()
        premises = []
        for literal in rule.body:
            premise = substitute_literal(literal, binding)
            if isinstance(premise, Negation):
                premises.append(Absent(premise.atom))
            elif isinstance(premise, Comparison):
                premises.append(Test(premise, True))
            elif isinstance(premise, Aggregate):
                premises.append(self.aggregated(premise, depth + 1))
            else:
                premise = self._ground_anonymous(premise, atom)
                premises.append(self._premise(atom, premise, depth + 1))
        return premises

    def aggregated(self, aggregate: Aggregate, depth: int = 0) -> Aggregated:
        """An aggregate under its group's values: its value and each member, with its proofs."""
        from allegiance.eval.plan import plan_query
        from allegiance.lang.values import from_key

        body = tuple(_named(lit, i) for i, lit in enumerate(aggregate.body))
        planned = plan_query(body)
        rows, mapping = [], {}
        if planned is not None:
            plan, mapping = planned
            free = tuple(sorted({t for t in mapping.values() if isinstance(t, str)}))
            rows = [{n: from_key(row[free.index(t)] if isinstance(t, str) else t) for n, t in mapping.items()}
                    for row in sorted(self.subgoals.ask(plan, free))]
        limit = self.limits.alternatives
        if len(rows) > limit:
            self.budget.reached(f"only {limit} of the {len(rows)} members of `{aggregate.function}` are shown")
        members = []
        for binding in rows[:limit]:
            premises = []
            for literal in body:
                ground = substitute_literal(literal, binding)
                premises.append(Absent(ground.atom) if isinstance(ground, Negation) else
                                Test(ground) if isinstance(ground, Comparison) else self.proof(ground, depth))
            shown = tuple(sorted((n, v) for n, v in binding.items() if n[0] not in "_#"))
            members.append(Member(shown, tuple(premises)))
        from allegiance.explain.arithmetic import fold

        value = fold(aggregate.function, aggregate.target, rows)
        return Aggregated(aggregate, value, tuple(members), max(0, len(rows) - limit))

    def _premise(self, conclusion: Atom, premise: Atom, depth: int) -> Proof:
        if self._same_stratum(conclusion, premise):
            return self._ranked(conclusion, premise, depth)
        return self.proof(premise, depth)

    def _ranked(self, conclusion: Atom, premise: Atom, depth: int) -> Proof:
        """A proof of a premise inside a recursive stratum (its rank is below the conclusion's)."""
        choice = self._choose(premise)
        return self._build(premise, choice, depth)


def _named(literal, index: int):
    """A literal of an aggregate's braces with each `_` of a positive atom named (`_m…`), so that
    each member binds it and it is counted, as the evaluators count it."""
    if not isinstance(literal, Atom):
        return literal
    args = tuple(Variable(f"_m{index}_{i}") if isinstance(t, Variable) and t.is_anonymous else t
                 for i, t in enumerate(literal.args))
    return Atom(literal.predicate, args, literal.span)


def _row(atom: Atom) -> tuple:
    return tuple(sort_key(t.value) for t in atom.args if isinstance(t, Constant))


def why(kb: KnowledgeBase, goal, limits: Limits = Limits()) -> Explanation:
    """Explain `goal` (a one-atom query as text or an Atom): proofs if it holds, else a refutation."""
    from allegiance.check.checks import check_query
    from allegiance.eval.kb import resolve_aliases
    from allegiance.lang.parse import parse_query
    from allegiance.lang.diagnostics import QueryError, error

    query = parse_query(goal) if isinstance(goal, str) else Query((goal,))
    query, _ = resolve_aliases(query, kb.aliases())
    check_query(query, kb.checked)
    if len(query.body) != 1 or not isinstance(query.body[0], Atom):
        raise QueryError([error("`why` explains one atom, such as `alliance(JN, IS)`", query.span, "why")])
    with kb._lock:
        return Explainer(kb, limits).why(query.body[0])
