"""Termination: no recursive rule may give its head a value computed by arithmetic.

Sits inside `checks`, after `strata`. Datalog terminates because a program can only combine the
constants it was given; arithmetic makes new ones, and a recursive rule such as
`count(Y) :- count(X), Y = X + 1.` would count upward for ever. Such a rule is refused, not
bounded: for every rule of a recursive stratum, every head variable must be bound without
arithmetic (by a positive atom, an equality with a constant or a bound variable, or an aggregate,
whose value comes from lower strata); a head variable bound only through `=` with an expression
is a `non-terminating` error at that expression. Arithmetic that only tests (`X + 1 < Y`), or
computes a value that never reaches the head, is allowed in a recursive rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from allegiance.check.safety import bound_variables
from allegiance.check.strata import DependencyGraph, strata_of
from allegiance.lang.diagnostics import Diagnostic, error
from allegiance.lang.syntax import Comparison, Rule

NOTE = ("termination is guaranteed: a recursive rule may not give its head a value computed by "
        "arithmetic, since it could make new numbers for ever")
HINT = "bind the value by a predicate of a lower stratum too, as in `num(Y), Y = X + 1`"


def counting_rules(graph: DependencyGraph) -> Iterator[Diagnostic]:
    """A `non-terminating` error for each recursive rule whose head takes a computed value."""
    for stratum in strata_of(graph):
        if stratum.recursive:
            for rule in stratum.rules:
                yield from _computed_head(rule, stratum.predicates)


def _computed_head(rule: Rule, recursive: tuple[str, ...]) -> Iterator[Diagnostic]:
    plain = [lit for lit in rule.body if not (isinstance(lit, Comparison) and lit.is_arithmetic)]
    without, bound = bound_variables(plain), bound_variables(rule.body)
    computed = [lit for lit in rule.body if isinstance(lit, Comparison) and lit.is_arithmetic]
    reported: set[str] = set()
    for variable in rule.head.variables():
        if variable.name in without or variable.name not in bound or variable.name in reported:
            continue
        reported.add(variable.name)
        where = next((lit for lit in computed if variable.name in {v.name for v in lit.variables()}), None)
        span = where.span if where is not None and where.span is not None else variable.span
        shown = f" (`{where.left} {where.op} {where.right}`)" if where is not None else ""
        yield error(
            f"recursive rule for `{rule.head.key}` gives its head `{variable.name}` a value computed "
            f"by arithmetic{shown}: it could count upward for ever",
            span,
            "non-terminating",
            notes=(NOTE, f"`{rule.head.key}` is recursive: it depends on itself through "
                   + ", ".join(f"`{k}`" for k in recursive)),
            hint=HINT,
        )
