"""Hypothesis strategies that build valid programs by construction, stratum by stratum.

Every property of the engine draws its programs here and compares the engine with `oracle`.
A generated program is valid without filtering, so it shrinks to a small counterexample:
- base predicates `b0/2`, `b1`, `b2` (arity 1 or 2) with one or more facts each over a small
  domain (`a b c d 1 2`, or `RICH_DOMAIN`), binary ones often closed into a cycle
  (`a→b, b→c, c→a`); now and then a fact carries a validity interval;
- derived predicates `d0`, `d1`, … (arity 1 to 3) in strata of one or two (a stratum of two is often mutually
  recursive). Each has an exit rule over earlier predicates and up to `max_rules - 1` step rules
  with an atom of its own stratum, often chain-shaped (`d0(X, Y) :- b0(X, Z), d0(Z, Y)`);
- a body has one to three positive atoms, and may add a negated atom over a base predicate or a
  predicate of an earlier stratum and comparisons over bound variables; literal order is random;
- every rule is safe: each variable of the head, of a negation and of a comparison occurs in a
  positive atom (or, with `equality_bindings`, is equated to a constant or a bound variable);
  `_` occurs in positive and negated atoms only; one constant is offered at every head position,
  so heads that repeat a constant (`k(Z, c, c)`) are common. Now and then a derived predicate has facts.
Spans are None. Size: 1-3 base predicates with 1-12 facts each, 1-4 derived predicates in 1-4
strata, 1-12 rules (on average about 11 facts and 4 rules).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from attrs import frozen
from hypothesis import strategies as st

from allegiance.lang.syntax import (
    COMPARISONS,
    Atom,
    Comparison,
    Constant,
    Fact,
    Negation,
    Program,
    Rule,
    Term,
    Variable,
)
from allegiance.lang.values import Date, Integer, String, Symbol, Value

SYMBOLS = tuple(Symbol(name) for name in "abcd")
DOMAIN: tuple[Value, ...] = (*SYMBOLS, Integer(1), Integer(2))
# Values whose order and equality are easy to get wrong: `2014` is not `2014-06`, `a` not `"a"`.
# No year-precision date: as a term `2014` reads back as the integer.
RICH_DOMAIN: tuple[Value, ...] = (
    *DOMAIN, Integer(2014), Date(2014, 6), Date(2014, 6, 1), String("a"),
)
VARIABLES = tuple(Variable(name) for name in ("X", "Y", "Z"))
FRESH = Variable("W")  # the variable an equality binds
ANONYMOUS = Variable("_")
YEARS = tuple(range(2012, 2017))
EARLIEST, LATEST = datetime.date(2011, 1, 1), datetime.date(2017, 12, 31)
_BOUNDARIES = tuple(
    datetime.date(year, month, day)
    for year in YEARS
    for month, day in ((1, 1), (6, 30), (7, 1), (12, 31))
)

Predicate = tuple[str, int]  # (name, arity)


def _rarely() -> st.SearchStrategy[bool]:
    """True one time in four; shrinks to False."""
    return st.sampled_from((False, False, False, True))


def dates() -> st.SearchStrategy[Date]:
    """Dates of year, month or day precision between 2012 and 2016."""
    def date(year: int, month: int | None, day: int | None) -> Date:
        return Date(year, month, day if month is not None else None)

    return st.builds(
        date, st.sampled_from(YEARS), st.none() | st.integers(1, 12), st.none() | st.integers(1, 28)
    )


@st.composite
def intervals(draw) -> tuple[Date | None, Date | None]:
    """A validity interval `(valid_from, valid_to)`, either end open, never empty."""
    start, end = draw(st.none() | dates()), draw(st.none() | dates())
    if start is not None and end is not None and start.first_day() > end.first_day():
        start, end = end, start
    return start, end


def as_of_dates() -> st.SearchStrategy[datetime.date]:
    """As-of days around the generated intervals, their first and last days often."""
    return st.sampled_from(_BOUNDARIES) | st.dates(EARLIEST, LATEST)


def rows(arity: int, domain: Sequence[Value] = DOMAIN) -> st.SearchStrategy[tuple[Value, ...]]:
    """Tuples of `arity` values of `domain`."""
    return st.tuples(*[st.sampled_from(domain)] * arity)


@st.composite
def facts(draw, predicate: Predicate, max_facts: int = 8, domain: Sequence[Value] = DOMAIN,
          dated: bool = True, rings: bool = True) -> list[Fact]:
    """One to `max_facts` facts of `predicate`; a binary one often gets a cycle of edges too."""
    name, arity = predicate
    found = draw(st.lists(rows(arity, domain), min_size=1, max_size=max_facts))
    if arity == 2 and rings:
        ring = draw(st.lists(st.sampled_from(domain), unique=True, max_size=4))
        found += list(zip(ring, ring[1:] + ring[:1]))
    result = []
    for row in found:
        start, end = draw(intervals()) if dated and draw(_rarely()) else (None, None)
        result.append(Fact(Atom(name, tuple(map(Constant, row))), (), start, end))
    return result


@st.composite
def facts_of(draw, program: Program, domain: Sequence[Value] = DOMAIN) -> Fact:
    """A fact (no interval) over one of the predicates `program` uses."""
    predicates = sorted({(a.predicate, len(a.args)) for a in _atoms(program)})
    name, arity = draw(st.sampled_from(predicates))
    return Fact(Atom(name, tuple(map(Constant, draw(rows(arity, domain))))))


@st.composite
def programs(
    draw,
    max_base: int = 3,
    max_predicates: int = 4,
    max_rules: int = 3,
    max_facts: int = 8,
    negation: bool = True,
    comparisons: bool = True,
    dated: bool = True,
    equality_bindings: bool = False,
    domain: Sequence[Value] = DOMAIN,
) -> Program:
    """A valid, stratifiable, safe program (see the module docstring for its shape)."""
    shape = _Shape(negation, comparisons, equality_bindings, tuple(domain))
    base = [("b0", 2)] + [(f"b{i}", draw(st.sampled_from((1, 2)))) for i in range(1, max_base)]
    base = base[: draw(st.integers(1, max_base))]
    statements: list = [f for p in base for f in draw(facts(p, max_facts, domain, dated))]
    earlier = list(base)
    for stratum in draw(_strata(max_predicates)):
        for head in stratum:
            if draw(_rarely()):
                statements += draw(facts(head, 2, domain, dated, rings=False))
            statements.append(draw(_rules(head, earlier, earlier, shape)))
            for _ in range(draw(st.integers(0, max_rules - 1))):
                statements.append(draw(_rules(head, earlier + stratum, earlier, shape, stratum)))
        earlier += stratum
    return Program(tuple(statements))


@st.composite
def shuffled_bodies(draw, program: Program) -> Program:
    """`program` with the literals of every rule body in a random order."""
    return Program(tuple(
        Rule(s.head, tuple(draw(st.permutations(s.body)))) if isinstance(s, Rule) else s
        for s in program.statements
    ))


# -- inside a program ------------------------------------------------------------------------
@frozen
class _Shape:
    """The options of `programs` that each rule needs."""

    negation: bool
    comparisons: bool
    equality_bindings: bool
    domain: tuple[Value, ...]


@st.composite
def _strata(draw, max_predicates: int) -> list[list[Predicate]]:
    """Derived predicates `d0, d1, …` grouped into strata of one or two."""
    strata: list[list[Predicate]] = []
    for i in range(draw(st.integers(1, max_predicates))):
        head = (f"d{i}", draw(st.sampled_from((2, 1, 2, 1, 3))))
        if strata and len(strata[-1]) == 1 and draw(st.booleans()):
            strata[-1].append(head)
        else:
            strata.append([head])
    return strata


@st.composite
def _rules(draw, head: Predicate, pool: list[Predicate], negatable: list[Predicate],
           shape: _Shape, recursive: Sequence[Predicate] = ()) -> Rule:
    """A safe rule for `head`; with `recursive`, one positive atom is over one of those."""
    constants = st.sampled_from(shape.domain).map(Constant)
    if draw(st.booleans()):
        positives, ends = draw(_chains(pool, recursive))
    else:
        positives, ends = draw(_random_atoms(pool, recursive, constants)), None
    bound = sorted({v for a in positives for v in a.variables() if not v.is_anonymous},
                   key=lambda v: v.name)
    body: list = list(positives)
    if shape.equality_bindings and bound and draw(_rarely()):
        body.append(Comparison("=", FRESH, draw(st.sampled_from(bound) | constants)))
        bound.append(FRESH)
    terms = st.sampled_from(bound) | constants if bound else constants
    # One constant offered at every head position, so heads that repeat a constant the body
    # does not mention (`k(Z, c, c)`, `d(b, b)`) are drawn often, not by luck.
    head_terms = terms | st.just(Constant(draw(st.sampled_from(shape.domain))))
    if ends is not None:
        args = ends[-head[1]:]  # `h(X, Y)` or `h(Y)` at the ends of the chain
        args += tuple(draw(head_terms) for _ in range(head[1] - len(args)))
    else:
        args = tuple(draw(head_terms) for _ in range(head[1]))
    if shape.negation and draw(_rarely()):
        name, arity = draw(st.sampled_from(negatable))
        negated = tuple(draw(terms | st.just(ANONYMOUS)) for _ in range(arity))
        body.append(Negation(Atom(name, negated)))
    if shape.comparisons and bound:
        for _ in range(draw(st.sampled_from((0, 0, 1, 2)))):
            op = draw(st.sampled_from(("!=", "<", "=", *COMPARISONS)))
            body.append(Comparison(op, draw(st.sampled_from(bound)), draw(terms)))
    return Rule(Atom(head[0], tuple(args)), tuple(draw(st.permutations(body))))


@st.composite
def _chains(draw, pool: list[Predicate], recursive: Sequence[Predicate]):
    """`p(X, Z), q(Z, Y)` (unary atoms keep `Z`), one of p, q in `recursive` when given."""
    first, second = draw(st.sampled_from(pool)), draw(st.sampled_from(pool))
    if recursive:
        own = draw(st.sampled_from(recursive))
        first, second = draw(st.sampled_from(((first, own), (own, second))))
    x, y, z = VARIABLES[0], VARIABLES[1], VARIABLES[2]
    # a ternary atom repeats its outer variable: `p(X, Z, X)`, `q(Z, Y, Y)`
    left = Atom(first[0], ((x, z) + (x,) * (first[1] - 2)) if first[1] >= 2 else (z,))
    right = Atom(second[0], ((z, y) + (y,) * (second[1] - 2)) if second[1] >= 2 else (z,))
    return [left, right], (left.args[0], right.args[-1])


@st.composite
def _random_atoms(draw, pool, recursive, constants) -> list[Atom]:
    """One to three atoms over `pool` (the first over `recursive` when given)."""
    terms = st.one_of(
        st.sampled_from(VARIABLES), st.sampled_from(VARIABLES), constants, st.just(ANONYMOUS)
    )
    chosen = [draw(st.sampled_from(recursive))] if recursive else []
    chosen += draw(st.lists(st.sampled_from(pool), min_size=1 - len(chosen), max_size=2))
    return [Atom(name, tuple(draw(terms) for _ in range(arity))) for name, arity in chosen]


def _atoms(program: Program):
    """Every atom of `program`: of its facts, rule heads and bodies."""
    for fact in program.facts:
        yield fact.atom
    for rule in program.rules:
        yield rule.head
        for lit in rule.body:
            if isinstance(lit, (Atom, Negation)):
                yield lit if isinstance(lit, Atom) else lit.atom
