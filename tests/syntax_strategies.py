"""Hypothesis strategies that build syntactically valid syntax trees, for round trips and fuzzing.

Every tree built here is one the parser can produce: names are ASCII, facts are ground with
ordered validity dates, rules and queries have bodies, declarations have distinct fields and
parameters, property directives have at least one argument. Nothing is checked beyond syntax
(arities, safety and strata are left free). Names include the contextual keywords (`not`,
`source`, `predicate`, `property`, `from`, `to`) on purpose.
"""

from __future__ import annotations

import datetime

from hypothesis import strategies as st

from allegiance.lang.syntax import (COMPARISONS, Atom, Comparison, Constant, Fact, Negation, PredicateDecl,
                           PredicateRef, Program, PropertyDecl, Query, Rule, SourceDecl, Variable)
from allegiance.lang.values import Date, Integer, String, Symbol

KEYWORD_NAMES = ("not", "source", "predicate", "property", "from", "to")
TRICKY_TEXTS = ('"', "\\", '\\"', "\\u{41}", "%", ".", ":-", "\n", "\r\n", "\t", "\x00", "\x1b[31m",
                "\u2028", "\u202e", "\x85", "{0.__class__}", "__import__('os')", "ʾinshiqāq")


def names() -> st.SearchStrategy[str]:
    """Lower-case identifiers, the contextual keywords among them."""
    return st.one_of(st.from_regex(r"[a-z][A-Za-z0-9_]{0,6}", fullmatch=True),
                     st.sampled_from(KEYWORD_NAMES))


def variable_names() -> st.SearchStrategy[str]:
    """Variable names, `_` included."""
    return st.one_of(st.from_regex(r"[A-Z_][A-Za-z0-9_]{0,4}", fullmatch=True), st.just("_"))


def texts() -> st.SearchStrategy[str]:
    """Any Unicode text (no surrogates), with quotes, backslashes and control characters."""
    return st.one_of(st.text(max_size=12), st.lists(st.sampled_from(TRICKY_TEXTS), max_size=4)
                     .map("".join))


def integers() -> st.SearchStrategy[int]:
    """Integers, small, large and huge (up to the 4300 digits the lexer accepts)."""
    huge = st.builds(lambda digits, sign: sign * int("9" * digits), st.integers(1, 4300),
                     st.sampled_from((1, -1)))
    return st.one_of(st.integers(-100, 3000), st.integers(-10**40, 10**40), huge)


def dates(min_precision: int = 0) -> st.SearchStrategy[Date]:
    """Dates of year (0), month (1) or day (2) precision, at least `min_precision`."""
    return st.builds(
        lambda d, p: Date(d.year, d.month if p > 0 else None, d.day if p > 1 else None),
        st.dates(min_value=datetime.date(1, 1, 1)), st.integers(min_precision, 2))


def values() -> st.SearchStrategy:
    """Constants a term may be: a year alone would read back as an integer, so dates have months."""
    return st.one_of(names().map(Symbol), texts().map(String), integers().map(Integer),
                     dates(min_precision=1))


def constants() -> st.SearchStrategy[Constant]:
    return values().map(Constant)


def variables() -> st.SearchStrategy[Variable]:
    return variable_names().map(Variable)


def terms() -> st.SearchStrategy:
    """Variables and constants."""
    return st.one_of(variables(), constants())


def atoms(args: st.SearchStrategy | None = None) -> st.SearchStrategy[Atom]:
    """`name(arg, ...)` with zero to four arguments drawn from `args` (default: any term)."""
    args = terms() if args is None else args
    return st.builds(Atom, names(), st.lists(args, max_size=4).map(tuple))


def literals() -> st.SearchStrategy:
    """Atoms, negated atoms and comparisons."""
    comparisons = st.builds(Comparison, st.sampled_from(COMPARISONS), terms(), terms())
    return st.one_of(atoms(), atoms().map(Negation), comparisons)


def facts() -> st.SearchStrategy[Fact]:
    """Ground facts with sources and a validity interval that is not empty."""
    return st.builds(_fact, atoms(constants()), st.lists(names(), max_size=3),
                     st.none() | dates(), st.none() | dates())


def _fact(atom: Atom, sources: list[str], start: Date | None, end: Date | None) -> Fact:
    if start and end and start.first_day() > end.last_day():
        start, end = end, start
    return Fact(atom, tuple(sources), start, end)


def rules() -> st.SearchStrategy[Rule]:
    """A head and one to four literals (not necessarily safe)."""
    return st.builds(Rule, atoms(), st.lists(literals(), min_size=1, max_size=4).map(tuple))


def _fields() -> st.SearchStrategy:
    field_values = st.one_of(texts().map(String), dates())
    return st.dictionaries(names(), field_values, max_size=4).map(lambda d: tuple(d.items()))


def source_decls() -> st.SearchStrategy[SourceDecl]:
    """`source id {key: value, ...}.` with distinct keys, string or date values."""
    return st.builds(SourceDecl, names(), _fields())


def predicate_decls() -> st.SearchStrategy[PredicateDecl]:
    """`predicate name(P, ...) {key: value, ...}.` with distinct named parameters."""
    params = st.lists(variable_names().filter(lambda n: n != "_"), max_size=4, unique=True)
    return st.builds(PredicateDecl, names(), params.map(tuple), _fields())


def predicate_refs() -> st.SearchStrategy[PredicateRef]:
    """`name/arity` with arities of any size."""
    return st.builds(PredicateRef, names(), st.integers(0, 10**6))


def property_decls() -> st.SearchStrategy[PropertyDecl]:
    """`property kind(arg, ...) {key: value, ...}.` with one to four predicates or constants."""
    args = st.lists(st.one_of(predicate_refs(), constants()), min_size=1, max_size=4)
    return st.builds(PropertyDecl, names(), args.map(tuple), _fields())


def statements() -> st.SearchStrategy:
    return st.one_of(facts(), rules(), source_decls(), predicate_decls(), property_decls())


def programs(max_size: int = 6) -> st.SearchStrategy[Program]:
    """Programs of up to `max_size` statements of every kind."""
    return st.lists(statements(), max_size=max_size).map(lambda s: Program(tuple(s)))


def queries() -> st.SearchStrategy[Query]:
    """Conjunctions of one to four literals."""
    return st.lists(literals(), min_size=1, max_size=4).map(lambda b: Query(tuple(b)))
