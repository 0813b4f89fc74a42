"""Safety of rules and queries: every variable that must have a value gets one from the body.

Sits inside `checks` (and `check_query`), before any evaluation. For a safe rule it guarantees:
- every named variable of the head, of a negated literal, of a comparison and of an expression is
  bound: it occurs in a positive atom of the body, or it is equated by `=` to a constant, to a
  bound variable or to an expression whose variables are bound, through any chain of equalities
  (`X = Y, Y = 3`, `Y = X + 1`), or it is the result of an aggregate whose group is bound;
- inside an aggregate's braces the same rule holds, the group (the variables also written
  outside the braces) counting as bound, and the aggregated term is bound there too;
- the head holds no anonymous `_`, and no comparison does;
- `_` may appear in a negated literal, where it is existential: `not p(X, _)` holds when `p` has
  no tuple whose first argument is `X`, whatever the second. An evaluator must project such an
  argument away (`q(X) :- p(X, _)`, then `not q(X)`), never try to bind it.
Queries obey the same rule without a head.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from allegiance.lang.diagnostics import Diagnostic, error
from allegiance.lang.syntax import (Aggregate, Atom, Comparison, Constant, Literal, Negation, Rule, Variable,
                                    expression_variables)

HEAD, NEGATION, COMPARISON, GROUP = "head", "negation", "comparison", "group"  # where a variable stands

RULE_NOTE = (
    "every variable of the head, of a negated literal, of a comparison and of an expression must "
    "occur in a positive atom of the body or be bound by an earlier `=`"
)
QUERY_NOTE = (
    "every variable of a negated literal, of a comparison and of an expression must occur in a "
    "positive atom of the query or be bound by an earlier `=`"
)


def bound_variables(body: Iterable[Literal], outside: frozenset[str] = frozenset()) -> frozenset[str]:
    """The named variables a body binds: those of positive atoms, then through `=` (chains,
    expressions) and aggregates whose group is bound; `outside` are bound already."""
    body = tuple(body)
    bound = set(outside) | {v.name for lit in body if isinstance(lit, Atom) for v in lit.variables()}
    bound.discard("_")
    equalities = [lit for lit in body if isinstance(lit, Comparison) and lit.op == "="]
    aggregates = [lit for lit in body if isinstance(lit, Aggregate)]
    changed = True
    while changed:
        changed = False
        for eq in equalities:
            for target, other in ((eq.left, eq.right), (eq.right, eq.left)):
                if _binds(target, other, bound):
                    bound.add(target.name)
                    changed = True
        for aggregate in aggregates:
            result = aggregate.result
            if _binds(result, aggregate, bound):
                bound.add(result.name)
                changed = True
    return frozenset(bound)


def _binds(target, other, bound: set[str]) -> bool:
    """True when `target = other` gives the still unbound variable `target` a value."""
    if not isinstance(target, Variable) or target.is_anonymous or target.name in bound:
        return False
    if isinstance(other, Aggregate):
        return all(v.name in bound for v in group_of(other, bound | {target.name}))
    names = expression_variables(other)
    return all(v.name in bound and not v.is_anonymous for v in names)


def group_of(aggregate: Aggregate, outside: Iterable[str]) -> tuple[Variable, ...]:
    """The variables of the aggregate's braces that are also written outside them: its group."""
    outside = set(outside)
    return tuple(v for v in aggregate.inner_variables() if not v.is_anonymous and v.name in outside)


def _outside_names(head: Atom | None, body, aggregate: Aggregate) -> set[str]:
    names = {v.name for v in head.variables()} if head is not None else set()
    for literal in body:
        if literal is not aggregate:
            names.update(v.name for v in literal.variables())
    return names


def unsafe_rule(rule: Rule) -> tuple[Diagnostic, ...]:
    """An `unsafe` error for each variable of `rule` left unbound (once per name)."""
    return _unsafe(rule.body, rule.head, "body", RULE_NOTE)


def unsafe_query(body: Iterable[Literal]) -> tuple[Diagnostic, ...]:
    """An `unsafe` error for each variable of a query left unbound (once per name)."""
    return _unsafe(tuple(body), None, "query", QUERY_NOTE)


def _unsafe(body, head: Atom | None, where: str, note: str) -> tuple[Diagnostic, ...]:
    bound = bound_variables(body)
    reported: set[str] = set()
    found = []
    for aggregate in (lit for lit in body if isinstance(lit, Aggregate)):
        found.extend(_unsafe_inside(aggregate, _outside_names(head, body, aggregate), bound, note))
    for variable, kind, place in _checked_places(head, body):
        if variable.is_anonymous:
            if kind != NEGATION:  # `_` in a negated literal is existential
                found.append(_anonymous_error(variable, place, note))
            continue
        if variable.name in bound or variable.name in reported:
            continue
        reported.add(variable.name)
        found.append(_unbound_error(variable, kind, place, where, note))
    return tuple(found)


def _unsafe_inside(aggregate: Aggregate, outside: set[str], bound, note: str) -> list[Diagnostic]:
    """The unsafe variables inside an aggregate's braces, its group counting as bound."""
    group = {v.name for v in group_of(aggregate, outside)}
    inner = bound_variables(aggregate.body, frozenset(group & bound))
    found, reported = [], set(group)
    places = list(_checked_places(None, aggregate.body))
    if isinstance(aggregate.target, Variable):
        places.append((_spanned(aggregate.target, aggregate), COMPARISON,
                       f"the aggregated term of `{aggregate.function}`"))
    for variable, kind, place in places:
        if variable.is_anonymous:
            if kind != NEGATION:
                found.append(_anonymous_error(variable, place, note))
        elif variable.name not in inner and variable.name not in reported:
            reported.add(variable.name)
            found.append(_unbound_error(variable, kind, place, "aggregate's braces", note))
    return found


def _checked_places(head: Atom | None, body) -> Iterator[tuple[Variable, str, str]]:
    """Each variable that must be bound, with the kind and a description of its place."""
    if head is not None:
        for variable in head.variables():
            yield _spanned(variable, head), HEAD, f"the head of `{head.key}`"
    for literal in body:
        if isinstance(literal, Negation):
            for variable in literal.variables():
                yield _spanned(variable, literal), NEGATION, f"`not {literal.atom.key}`"
        elif isinstance(literal, Comparison):
            text = f"{literal.left} {literal.op} {literal.right}"
            kind = "expression" if literal.is_arithmetic else "comparison"
            for variable in literal.variables():
                yield _spanned(variable, literal), COMPARISON, f"the {kind} `{text}`"
        elif isinstance(literal, Aggregate):
            yield from ((_spanned(v, literal), GROUP, f"the group of `{literal.function}`")
                        for v in group_of(literal, _outside_names(head, body, literal)))
            yield from ((_spanned(v, literal), COMPARISON, f"the result of `{literal.function}`")
                        for v in literal.variables())


def _spanned(variable: Variable, literal) -> Variable:
    """`variable`, carrying its literal's span when it has none of its own."""
    if variable.span is not None:
        return variable
    return Variable(variable.name, literal.span)


def _unbound_error(variable: Variable, kind: str, place: str, where: str, note: str) -> Diagnostic:
    hint = "write `_` if any value will do" if kind == NEGATION else None
    return error(
        f"variable `{variable.name}` in {place} is unsafe: "
        f"it occurs in no positive literal of the {where}",
        variable.span,
        "unsafe",
        notes=(note,),
        hint=hint,
    )


def _anonymous_error(variable: Variable, place: str, note: str) -> Diagnostic:
    return error(
        f"anonymous variable `_` in {place} is unsafe: it can never be bound",
        variable.span,
        "unsafe",
        notes=(note,),
    )
