"""The abstract syntax of the language: what `parse` produces and every later stage reads.

All nodes are frozen values. Spans are carried for diagnostics but take no part in equality, so
a program printed by `printer` and parsed again equals the original.

    program   := statement*
    statement := fact | rule | source | predicate | property
    fact      := atom annotation* "."           annotation := "from" DATE | "to" DATE | "@" id
    rule      := atom ":-" literal ("," literal)* "."
    literal   := atom | "not" atom | expr OP expr | term "=" aggregate   OP := = != < <= > >=
    expr      := mul (("+" | "-") mul)*        mul := unary (("*" | "/" | "%") unary)*
    unary     := "-" unary | term | "(" expr ")"
    aggregate := ("count" | ("sum" | "min" | "max") term) ":" "{" literal ("," literal)* "}"
    query     := literal ("," literal)* "?"
    property  := "property" name "(" arg ("," arg)* ")" fields? "."
    arg       := name "/" INTEGER | constant
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from attrs import field, frozen

from allegiance.lang.diagnostics import Span
from allegiance.lang.terms import (OPERATORS, PRECEDENCE, Arithmetic, Constant, Expression,  # noqa: F401
                                   Minus, Term, Variable, expression_variables, is_term, substitute)
from allegiance.lang.values import Date, Value

COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
AGGREGATES = ("count", "sum", "min", "max")


@frozen
class Atom:
    """`name(arg, ...)`: a predicate applied to terms."""

    predicate: str
    args: tuple[Term, ...] = ()
    span: Span | None = field(default=None, eq=False, repr=False)

    @property
    def key(self) -> str:
        """The predicate as `name/arity`."""
        return f"{self.predicate}/{len(self.args)}"

    @property
    def is_ground(self) -> bool:
        return all(isinstance(a, Constant) for a in self.args)

    def variables(self) -> tuple[Variable, ...]:
        return tuple(a for a in self.args if isinstance(a, Variable))


@frozen
class Negation:
    """`not atom`: holds when the atom is not derivable (closed world)."""

    atom: Atom
    span: Span | None = field(default=None, eq=False, repr=False)

    def variables(self) -> tuple[Variable, ...]:
        return self.atom.variables()


@frozen
class Comparison:
    """`left op right` with op one of `= != < <= > >=`, over the order of `values.sort_key`;
    either side may be an integer expression (`Y = X + 1` binds `Y` when `X` is bound)."""

    op: str
    left: Expression
    right: Expression
    span: Span | None = field(default=None, eq=False, repr=False)

    def variables(self) -> tuple[Variable, ...]:
        return expression_variables(self.left) + expression_variables(self.right)

    @property
    def is_arithmetic(self) -> bool:
        return not (is_term(self.left) and is_term(self.right))


@frozen
class Aggregate:
    """`result = function target : { body }` (Souffle's aggregates): `count` the distinct
    bindings of the body's variables, or the `sum`, `min` or `max` of `target` over them.
    Variables of the body that also occur outside the braces are the group: they must be bound
    outside, and the aggregate is taken for each of their values. A count over nothing is 0;
    `sum`, `min` and `max` over nothing have no value (the literal fails)."""

    result: Term
    function: str
    target: Term | None
    body: tuple[Literal, ...]
    span: Span | None = field(default=None, eq=False, repr=False)

    def variables(self) -> tuple[Variable, ...]:
        """The variables the aggregate binds or tests outside its braces: its result."""
        return (self.result,) if isinstance(self.result, Variable) else ()

    def inner_variables(self) -> tuple[Variable, ...]:
        """Every variable written inside the braces (and the target), in order."""
        found = [self.target] if isinstance(self.target, Variable) else []
        for literal in self.body:
            found.extend(literal.variables())
        return tuple(found)

    def atoms(self) -> tuple[Atom, ...]:
        """The atoms inside the braces, negated ones included."""
        return tuple(lit.atom if isinstance(lit, Negation) else lit for lit in self.body
                     if isinstance(lit, (Atom, Negation)))

    def __str__(self) -> str:
        from allegiance.lang.printer import format_literal

        return format_literal(self)


Literal = Atom | Negation | Comparison | Aggregate


@frozen
class Fact:
    """A ground atom asserted as true, with its cited sources and validity interval."""

    atom: Atom
    sources: tuple[str, ...] = ()
    valid_from: Date | None = None
    valid_to: Date | None = None
    span: Span | None = field(default=None, eq=False, repr=False)

    def holds_on(self, day: datetime.date) -> bool:
        """True when the validity interval contains `day` (an open end is unbounded)."""
        if self.valid_from is not None and day < self.valid_from.first_day():
            return False
        return self.valid_to is None or day <= self.valid_to.last_day()


@frozen
class Rule:
    """`head :- body.`"""

    head: Atom
    body: tuple[Literal, ...]
    span: Span | None = field(default=None, eq=False, repr=False)


@frozen
class SourceDecl:
    """`source id {title: "...", author: "...", outlet: "...", date: 2014-11, url: "..."}.`"""

    id: str
    fields: tuple[tuple[str, Value], ...] = ()
    span: Span | None = field(default=None, eq=False, repr=False)

    def get(self, key: str) -> Value | None:
        """The value of field `key`, or None."""
        return next((v for k, v in self.fields if k == key), None)


@frozen
class PredicateDecl:
    """`predicate name(Param, ...) {doc: "...", holds: "...", fails: "..."}.`

    Declares a predicate's arity, the names of its arguments, its glossary line and the
    sentence templates used to explain it when it holds and when it fails.
    """

    name: str
    params: tuple[str, ...]
    fields: tuple[tuple[str, Value], ...] = ()
    span: Span | None = field(default=None, eq=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.name}/{len(self.params)}"

    def get(self, key: str) -> Value | None:
        return next((v for k, v in self.fields if k == key), None)


@frozen
class PredicateRef:
    """`name/arity` written as an argument of a directive."""

    name: str
    arity: int
    span: Span | None = field(default=None, eq=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.name}/{self.arity}"

    def __str__(self) -> str:
        return self.key


@frozen
class PropertyDecl:
    """`property kind(arg, ...) {doc: "..."}.`: what the rules must always do, checked by
    `allegiance test` against generated knowledge bases (see `properties`).

    An argument is a predicate `name/arity` or a constant (an argument position, a word).
    """

    kind: str
    args: tuple[PredicateRef | Constant, ...] = ()
    fields: tuple[tuple[str, Value], ...] = ()
    span: Span | None = field(default=None, eq=False, repr=False)

    def get(self, key: str) -> Value | None:
        return next((v for k, v in self.fields if k == key), None)

    @property
    def predicates(self) -> tuple[PredicateRef, ...]:
        """The predicates the directive names, in order."""
        return tuple(a for a in self.args if isinstance(a, PredicateRef))


Statement = Fact | Rule | SourceDecl | PredicateDecl | PropertyDecl


@frozen
class Query:
    """`literal, ... ?`: a conjunction asked of the knowledge base."""

    body: tuple[Literal, ...]
    span: Span | None = field(default=None, eq=False, repr=False)

    def variables(self) -> tuple[Variable, ...]:
        """The named variables of the query, in order of first occurrence."""
        seen: dict[str, Variable] = {}
        for literal in self.body:
            for v in literal.variables():
                if not v.is_anonymous:
                    seen.setdefault(v.name, v)
        return tuple(seen.values())


@frozen
class Program:
    """The statements of one or more files, in the order written."""

    statements: tuple[Statement, ...] = ()

    @property
    def facts(self) -> tuple[Fact, ...]:
        return tuple(s for s in self.statements if isinstance(s, Fact))

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(s for s in self.statements if isinstance(s, Rule))

    @property
    def sources(self) -> tuple[SourceDecl, ...]:
        return tuple(s for s in self.statements if isinstance(s, SourceDecl))

    @property
    def predicates(self) -> tuple[PredicateDecl, ...]:
        return tuple(s for s in self.statements if isinstance(s, PredicateDecl))

    @property
    def properties(self) -> tuple[PropertyDecl, ...]:
        return tuple(s for s in self.statements if isinstance(s, PropertyDecl))

    def __add__(self, other: Program) -> Program:
        return Program(self.statements + other.statements)


def body_atoms(body) -> Iterator[Atom]:
    """Every atom of a body, negated ones and those inside an aggregate's braces included."""
    for literal in body:
        if isinstance(literal, Atom):
            yield literal
        elif isinstance(literal, Negation):
            yield literal.atom
        elif isinstance(literal, Aggregate):
            yield from body_atoms(literal.body)


def substitute_atom(atom: Atom, binding) -> Atom:
    """`atom` with the variables bound in `binding` replaced."""
    return Atom(atom.predicate, tuple(substitute(t, binding) for t in atom.args), atom.span)


def substitute_literal(literal: Literal, binding) -> Literal:
    """`literal` with the variables bound in `binding` replaced."""
    if isinstance(literal, Atom):
        return substitute_atom(literal, binding)
    if isinstance(literal, Negation):
        return Negation(substitute_atom(literal.atom, binding), literal.span)
    if isinstance(literal, Aggregate):  # the group and the result: the body's own are local
        target = None if literal.target is None else substitute(literal.target, binding)
        return Aggregate(substitute(literal.result, binding), literal.function, target,
                         tuple(substitute_literal(lit, binding) for lit in literal.body), literal.span)
    return Comparison(literal.op, substitute(literal.left, binding),
                      substitute(literal.right, binding), literal.span)
