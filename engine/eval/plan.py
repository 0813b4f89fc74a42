"""Evaluation plans: checked rules rewritten into the small form the evaluators execute.

Sits between `checks` and the evaluators (`backend` for pyDatalog, `fixpoint` for recursive
strata). A plan term is a variable name (str), an encoded constant (tuple, `values.sort_key`)
or None for an anonymous `_`. Rewriting guarantees, for every safe rule:
- equalities `X = Y` and `X = c` are gone, their sides unified (a rule whose equalities contradict
  each other is dropped: it can never fire);
- comparisons between two constants are decided now;
- positive atoms come first, in the order written, then comparisons, then negations, so every
  variable is bound before a comparison or a negation reads it.
"""

from __future__ import annotations

from attrs import frozen

from allegiance.lang.syntax import Atom, Comparison, Constant, Negation, Rule, Variable
from allegiance.lang.values import sort_key

PlanTerm = str | tuple | None


@frozen
class PlanAtom:
    key: str
    args: tuple[PlanTerm, ...]
    negated: bool = False


@frozen
class PlanCompare:
    op: str
    left: PlanTerm
    right: PlanTerm


PlanLiteral = PlanAtom | PlanCompare


@frozen
class PlanRule:
    head: PlanAtom
    body: tuple[PlanLiteral, ...]
    rule: Rule  # the rule as written, for explanations


def compare(op: str, left: tuple, right: tuple) -> bool:
    """The comparison `left op right` over encoded values."""
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right


def plan_rule(rule: Rule) -> PlanRule | None:
    """The plan of a safe rule, or None when its equalities can never all hold."""
    unifier = _Unifier()
    rest = []
    for literal in rule.body:
        if isinstance(literal, Comparison) and literal.op == "=":
            if not unifier.union(_term(literal.left), _term(literal.right)):
                return None
        else:
            rest.append(literal)
    positives, comparisons, negations = [], [], []
    for literal in rest:
        if isinstance(literal, Atom):
            positives.append(PlanAtom(literal.key, unifier.args(literal)))
        elif isinstance(literal, Negation):
            negations.append(PlanAtom(literal.atom.key, unifier.args(literal.atom), True))
        else:
            left, right = unifier.find(_term(literal.left)), unifier.find(_term(literal.right))
            if isinstance(left, tuple) and isinstance(right, tuple):
                if not compare(literal.op, left, right):
                    return None
                continue
            comparisons.append(PlanCompare(literal.op, left, right))
    head = PlanAtom(rule.head.key, unifier.args(rule.head))
    return PlanRule(head, tuple(join_order(positives) + comparisons + negations), rule)


def join_order(atoms: list[PlanAtom]) -> list[PlanAtom]:
    """The atoms in a greedy join order: next, the one with the most bound arguments (constants or
    variables bound by the atoms before it); ties keep the order written."""
    remaining, ordered, bound = list(atoms), [], set()
    while remaining:
        best = max(remaining, key=lambda a: sum(1 for t in a.args if isinstance(t, tuple) or t in bound))
        remaining.remove(best)
        ordered.append(best)
        bound.update(t for t in best.args if isinstance(t, str))
    return ordered


def plan_query(body) -> tuple[tuple[PlanLiteral, ...], dict[str, PlanTerm]] | None:
    """The plan of a query body and how each named variable maps into it (None: no answer)."""
    head = Atom("#query", ())
    planned = plan_rule(Rule(head, tuple(body)))
    if planned is None:
        return None
    unifier = _Unifier()
    for literal in body:
        if isinstance(literal, Comparison) and literal.op == "=":
            unifier.union(_term(literal.left), _term(literal.right))
    names = {v.name for lit in body for v in lit.variables() if not v.is_anonymous}
    return planned.body, {name: unifier.find(name) for name in sorted(names)}


def variables_of(literal: PlanLiteral) -> set[str]:
    """The variable names a plan literal mentions."""
    terms = literal.args if isinstance(literal, PlanAtom) else (literal.left, literal.right)
    return {t for t in terms if isinstance(t, str)}


def _term(term) -> PlanTerm:
    if isinstance(term, Constant):
        return sort_key(term.value)
    if isinstance(term, Variable) and not term.is_anonymous:
        return term.name
    return None


class _Unifier:
    """Union-find over variable names and constants, constants being their class's root."""

    def __init__(self):
        self.parent: dict = {}

    def find(self, term: PlanTerm) -> PlanTerm:
        if term is None or isinstance(term, tuple):
            return term if term is None or term not in self.parent else self._root(term)
        return self._root(term)

    def _root(self, term):
        while term in self.parent:
            term = self.parent[term]
        return term

    def union(self, a: PlanTerm, b: PlanTerm) -> bool:
        a, b = self.find(a), self.find(b)
        if a is None or b is None or a == b:
            return True
        if isinstance(a, tuple) and isinstance(b, tuple):
            return False
        if isinstance(a, tuple):
            a, b = b, a
        self.parent[a] = b  # a variable points to a constant or another variable
        return True

    def args(self, atom: Atom) -> tuple[PlanTerm, ...]:
        return tuple(self.find(_term(t)) for t in atom.args)
