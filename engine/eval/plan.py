"""Evaluation plans: checked rules rewritten into the small form the evaluators execute.

Sits between `checks` and the evaluators (`backend` for pyDatalog, `fixpoint` for recursive
strata). A plan term is a variable name (str), an encoded constant (tuple, `values.sort_key`)
or None for an anonymous `_`. Rewriting guarantees, for every safe rule:
- equalities `X = Y` and `X = c` are gone, their sides unified (a rule whose equalities contradict
  each other is dropped: it can never fire);
- comparisons between two constants are decided now;
- an integer expression is computed by a `PlanAssign` (`Y = X + 1` binds `Y`; a comparison
  between expressions compares fresh variables `#e1`, `#e2` assigned their values), and so is an
  aggregate, whose body is planned on its own (`PlanAggregate`);
- positive atoms come first, in the order written, then assignments (each after those whose
  values it reads), then comparisons, then negations, so every variable is bound before an
  assignment, a comparison or a negation reads it.
"""

from __future__ import annotations

from attrs import frozen

from allegiance.lang.diagnostics import Span
from allegiance.lang.syntax import (Aggregate, Arithmetic, Atom, Comparison, Constant, Minus, Negation,
                                    Rule, Variable, is_term)
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


@frozen
class PlanExpr:
    """`left op right` over integers (`neg`: `-left`, with `right` None)."""

    op: str
    left: PlanTerm | PlanExpr
    right: PlanTerm | PlanExpr | None = None


@frozen
class PlanAggregate:
    """`function` over the distinct rows `counted` (the target last, unless `count`) of the
    bindings of `body` once the `groups` are bound; `never`: the body can never hold."""

    function: str
    body: tuple
    groups: tuple[str, ...]
    counted: tuple[PlanTerm, ...]
    never: bool = False


@frozen
class PlanAssign:
    """`target = value` where the value is computed from the `inputs` (an expression or an
    aggregate); a test when the target is already bound. `span` and `rule` (the head's key,
    or `#query`) say where, for runtime errors."""

    target: PlanTerm
    value: PlanExpr | PlanAggregate
    inputs: tuple[str, ...]
    span: Span | None = None
    rule: str = "#query"


PlanLiteral = PlanAtom | PlanCompare | PlanAssign


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
        if isinstance(literal, Comparison) and literal.op == "=" and not literal.is_arithmetic:
            if not unifier.union(_term(literal.left), _term(literal.right)):
                return None
        else:
            rest.append(literal)
    positives, assigns, comparisons, negations = [], [], [], []
    fresh = iter(range(1, 1 << 30))
    for literal in rest:
        if isinstance(literal, Atom):
            positives.append(PlanAtom(literal.key, unifier.args(literal)))
        elif isinstance(literal, Negation):
            negations.append(PlanAtom(literal.atom.key, unifier.args(literal.atom), True))
        elif isinstance(literal, Aggregate):
            outside = _outside(rule, literal)
            value = _aggregate(literal, unifier, outside)
            assigns.append(PlanAssign(unifier.find(_term(literal.result)), value, value.groups,
                                      literal.span, rule.head.key))
        elif literal.is_arithmetic:
            compared = _arithmetic(literal, unifier, fresh, rule.head.key, assigns)
            if compared is not None:
                comparisons.append(compared)
        else:
            left, right = unifier.find(_term(literal.left)), unifier.find(_term(literal.right))
            if isinstance(left, tuple) and isinstance(right, tuple):
                if not compare(literal.op, left, right):
                    return None
                continue
            comparisons.append(PlanCompare(literal.op, left, right))
    head = PlanAtom(rule.head.key, unifier.args(rule.head))
    ordered = join_order(positives)
    return PlanRule(head, tuple(ordered + _assign_order(ordered, assigns) + comparisons + negations), rule)


def _arithmetic(literal: Comparison, unifier, fresh, rule: str, assigns: list) -> PlanCompare | None:
    """Assignments for the expressions of `literal`; the comparison left to test, if any."""
    def value(side):
        return _expression(side, unifier) if not is_term(side) else unifier.find(_term(side))

    left, right = value(literal.left), value(literal.right)
    if literal.op == "=" and isinstance(right, PlanExpr) and not isinstance(left, PlanExpr):
        left, right = right, left
    if literal.op == "=" and isinstance(left, PlanExpr) and not isinstance(right, PlanExpr):
        assigns.append(PlanAssign(right, left, _inputs(left), literal.span, rule))
        return None
    sides = []
    for side in (left, right):
        if isinstance(side, PlanExpr):
            name = f"#e{next(fresh)}"
            assigns.append(PlanAssign(name, side, _inputs(side), literal.span, rule))
            side = name
        sides.append(side)
    return PlanCompare(literal.op, *sides)


def _expression(expression, unifier) -> PlanExpr | PlanTerm:
    if isinstance(expression, Arithmetic):
        return PlanExpr(expression.op, _expression(expression.left, unifier),
                        _expression(expression.right, unifier))
    if isinstance(expression, Minus):
        return PlanExpr("neg", _expression(expression.operand, unifier))
    return unifier.find(_term(expression))


def _inputs(expression) -> tuple[str, ...]:
    """The variables an expression reads, each once, in order."""
    if isinstance(expression, str):
        return (expression,)
    if isinstance(expression, PlanExpr):
        return tuple(dict.fromkeys(_inputs(expression.left) + _inputs(expression.right)))
    return ()


def _outside(rule: Rule, aggregate: Aggregate) -> set[str]:
    """The named variables of the rule outside the braces of `aggregate`."""
    names = {v.name for v in rule.head.variables()}
    for literal in rule.body:
        if literal is not aggregate:
            names.update(v.name for v in literal.variables())
    return names


def _aggregate(aggregate: Aggregate, unifier, outside: set[str]) -> PlanAggregate:
    """The plan of an aggregate: its body planned as a rule over the group and its own variables
    (each `_` of a positive atom named, so that it is counted)."""
    names = iter(range(1 << 30))
    body = tuple(_name_anonymous(lit, names) for lit in aggregate.body)
    own = [v.name for lit in body for v in lit.variables() if not v.is_anonymous]
    if isinstance(aggregate.target, Variable):
        own.append(aggregate.target.name)
    own = list(dict.fromkeys(own))
    groups = [n for n in own if n in outside]
    resolved = {n: unifier.find(n) for n in groups}
    group_names = tuple(dict.fromkeys(t for t in resolved.values() if isinstance(t, str)))
    counted = [Variable(n) for n in own if n not in outside]
    target = aggregate.target
    if target is not None and aggregate.function != "count":
        counted.append(target)
    head = Atom("#aggregate", tuple(Variable(n) for n in group_names) + tuple(counted))
    fixed = tuple(Comparison("=", Variable(n), _syntax(t)) for n, t in resolved.items() if t != n)
    planned = plan_rule(Rule(head, fixed + body))
    if planned is None:
        return PlanAggregate(aggregate.function, (), group_names, (), True)
    args = planned.head.args
    checks = tuple(PlanCompare("=", g, a) for g, a in zip(group_names, args) if a != g)
    return PlanAggregate(aggregate.function, planned.body + checks, group_names,
                         args[len(group_names):])


def _syntax(term: PlanTerm):
    from allegiance.lang.values import from_key

    return Variable(term) if isinstance(term, str) else Constant(from_key(term))


def _name_anonymous(literal, names):
    if not isinstance(literal, Atom):
        return literal
    args = tuple(Variable(f"#a{next(names)}") if isinstance(t, Variable) and t.is_anonymous else t
                 for t in literal.args)
    return Atom(literal.predicate, args, literal.span)


def _assign_order(atoms: list[PlanAtom], assigns: list[PlanAssign]) -> list[PlanAssign]:
    """The assignments, each after the atoms and assignments that bind what it reads."""
    bound = {t for a in atoms for t in a.args if isinstance(t, str)}
    ordered, pending = [], list(assigns)
    while pending:
        ready = next((a for a in pending if all(i in bound for i in a.inputs)), pending[0])
        pending.remove(ready)
        ordered.append(ready)
        if isinstance(ready.target, str):
            bound.add(ready.target)
    return ordered


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
        if isinstance(literal, Comparison) and literal.op == "=" and not literal.is_arithmetic:
            unifier.union(_term(literal.left), _term(literal.right))
    names = {v.name for lit in body for v in lit.variables() if not v.is_anonymous}
    return planned.body, {name: unifier.find(name) for name in sorted(names)}


def variables_of(literal: PlanLiteral) -> set[str]:
    """The variable names a plan literal mentions."""
    return {t for t in terms_of(literal) if isinstance(t, str)}


def terms_of(literal: PlanLiteral) -> tuple:
    """The terms a plan literal reads or binds (an assignment: its inputs, then its target)."""
    if isinstance(literal, PlanAtom):
        return literal.args
    if isinstance(literal, PlanAssign):
        return (*literal.inputs, literal.target)
    return (literal.left, literal.right)


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
