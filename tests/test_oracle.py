"""Tests of the oracle (`tests/oracle.py`) and of the program generators (`tests/strategies.py`).

The oracle is checked on hand-written programs whose answers are known (built as trees, and
written as text through the parser), then on generated programs: it accepts all of them, its
answers are closed under every rule, do not depend on the order of body literals, and only grow
when a fact is added to a program without negation. The generators are checked to reach every
feature the engine's properties need, and to build programs that pass the engine's checks and
print to text that parses back.
"""

from __future__ import annotations

import datetime

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from allegiance.lang.parse import parse_program
from allegiance.lang.printer import format_program
from allegiance.lang.syntax import Atom, Comparison, Constant, Fact, Negation, Program, Rule, Variable
from allegiance.lang.values import Date, Integer, String, Symbol, Value
from oracle import consequences, evaluate, predicate_keys, stratify
from strategies import RICH_DOMAIN, as_of_dates, facts_of, intervals, programs, shuffled_bodies

DAY = datetime.date(2015, 1, 1)
ANY = Variable("_")


# -- programs as trees, without the parser -----------------------------------------------------
def value(x) -> Value:
    """`"a"` a symbol, `7` an integer; values pass through."""
    if isinstance(x, int):
        return Integer(x)
    return Symbol(x) if isinstance(x, str) else x


def term(x):
    """Upper-case or `_` names are variables, anything else a constant."""
    if isinstance(x, str) and (x[0].isupper() or x[0] == "_"):
        return Variable(x)
    return Constant(value(x))


def atom(name: str, *args) -> Atom:
    return Atom(name, tuple(map(term, args)))


def fact(name: str, *args, start: str | None = None, end: str | None = None) -> Fact:
    return Fact(atom(name, *args), (), *(Date.parse(d) if d else None for d in (start, end)))


def rule(head: Atom, *body) -> Rule:
    return Rule(head, body)


def no(name: str, *args) -> Negation:
    return Negation(atom(name, *args))


def compare(left, op: str, right) -> Comparison:
    return Comparison(op, term(left), term(right))


def rows(*tuples) -> frozenset:
    """`rows("ab", (1, 2), ("jn",))`: the tuples (a, b), (1, 2) and (jn)."""
    return frozenset(tuple(map(value, t)) for t in tuples)


def edges(*pairs: str) -> list[Fact]:
    """`edges("ab", "bc")`: the facts `edge(a, b). edge(b, c).`"""
    return [fact("edge", p[0], p[1]) for p in pairs]


def nodes(names: str) -> list[Fact]:
    return [fact("node", n) for n in names]


def nums(*numbers: int) -> list[Fact]:
    return [fact("num", n) for n in numbers]


PATH = atom("path", "X", "Y")
EXIT = rule(PATH, atom("edge", "X", "Y"))
RIGHT_LINEAR = [EXIT, rule(PATH, atom("edge", "X", "Z"), atom("path", "Z", "Y"))]
LEFT_LINEAR = [EXIT, rule(PATH, atom("path", "X", "Z"), atom("edge", "Z", "Y"))]
NON_LINEAR = [EXIT, rule(PATH, atom("path", "X", "Z"), atom("path", "Z", "Y"))]
PARITY = [
    fact("start", "a"),
    rule(atom("even", "X"), atom("start", "X")),
    rule(atom("odd", "Y"), atom("even", "X"), atom("edge", "X", "Y")),
    rule(atom("even", "Y"), atom("odd", "X"), atom("edge", "X", "Y")),
]
REACH = nodes("abcd") + edges("ab", "bc", "ca", "cd") + [
    rule(atom("reach", "X"), atom("start", "X")),
    rule(atom("reach", "Y"), atom("reach", "X"), atom("edge", "X", "Y")),
    rule(atom("unreached", "X"), atom("node", "X"), no("reach", "X")),
    rule(atom("settled", "X"), atom("node", "X"), no("unreached", "X")),
]
VALUES = [fact("val", v) for v in (2013, Date(2014, 6), 2015, "a", String("a"))]
ABC = [(x, y) for x in "abc" for y in "abc"]
TO_D = [("a", "d"), ("b", "d"), ("c", "d")]

CASES = [
    pytest.param(edges("ab", "bc", "ca") + RIGHT_LINEAR, "path/2", rows(*ABC),
                 id="closure-3-cycle"),
    pytest.param(edges("ab", "bc", "ca", "cd") + RIGHT_LINEAR, "path/2", rows(*ABC, *TO_D),
                 id="closure-cycle-and-tail"),
    pytest.param(edges("ab", "bc", "ca", "cd") + LEFT_LINEAR, "path/2", rows(*ABC, *TO_D),
                 id="closure-left-linear"),
    pytest.param(edges("ab", "bc", "ca", "cd") + NON_LINEAR, "path/2", rows(*ABC, *TO_D),
                 id="closure-non-linear"),
    pytest.param(edges("ab", "bc") + RIGHT_LINEAR, "path/2", rows("ab", "bc", "ac"),
                 id="closure-chain"),
    pytest.param(edges("ab", "ba") + PARITY, "even/1", rows("a"), id="mutual-2-cycle-even"),
    pytest.param(edges("ab", "ba") + PARITY, "odd/1", rows("b"), id="mutual-2-cycle-odd"),
    pytest.param(edges("ab", "bc", "ca") + PARITY, "odd/1", rows("a", "b", "c"),
                 id="mutual-3-cycle-odd"),
    pytest.param(REACH + [fact("start", "d")], "unreached/1", rows("a", "b", "c"),
                 id="negation"),
    pytest.param(REACH + [fact("start", "d")], "settled/1", rows("d"),
                 id="negation-of-negation"),
    pytest.param(REACH + [fact("start", "b")], "unreached/1", rows(), id="negation-all-reached"),
    pytest.param(nodes("abcd") + edges("ab", "bc")
                 + [rule(atom("sink", "X"), atom("node", "X"), no("edge", "X", "_"))],
                 "sink/1", rows("c", "d"), id="anonymous-in-negation-second"),
    pytest.param(nodes("abcd") + edges("ab", "bc")
                 + [rule(atom("root", "X"), atom("node", "X"), no("edge", "_", "X"))],
                 "root/1", rows("a", "d"), id="anonymous-in-negation-first"),
    pytest.param(edges("ab", "bc")
                 + [rule(atom("inner", "X"), atom("edge", "X", "_"), atom("edge", "_", "X"))],
                 "inner/1", rows("b"), id="anonymous-is-fresh-each-time"),
    pytest.param(edges("ab", "bb") + [rule(atom("loop", "X"), atom("edge", "X", "X"))],
                 "loop/1", rows("b"), id="repeated-variable"),
    pytest.param(nums(1, 2, 3) + [rule(atom("less", "X", "Y"), atom("num", "X"),
                                       atom("num", "Y"), compare("X", "<", "Y"))],
                 "less/2", rows((1, 2), (1, 3), (2, 3)), id="compare-less"),
    pytest.param(nums(1, 2, 3) + [rule(atom("big", "X"), atom("num", "X"), compare("X", ">=", 2))],
                 "big/1", rows((2,), (3,)), id="compare-with-constant"),
    pytest.param(nums(1, 2) + [rule(atom("pair", "X", "Y"), atom("num", "X"), atom("num", "Y"),
                                    compare("X", "!=", "Y"))],
                 "pair/2", rows((1, 2), (2, 1)), id="compare-not-equal"),
    pytest.param(VALUES + [rule(atom("first", "X"), atom("val", "X"), no("later", "X")),
                           rule(atom("later", "Y"), atom("val", "X"), atom("val", "Y"),
                                compare("X", "<", "Y"))],
                 "first/1", rows((2013,)), id="compare-least-of-all-kinds"),
    pytest.param(VALUES + [rule(atom("after", "X"), atom("val", "X"),
                                compare("X", ">", Date(2014, 6)))],
                 "after/1", rows((2015,), ("a",), (String("a"),)),
                 id="compare-integers-dates-symbols-strings"),
    pytest.param([fact("val", 2014), fact("val", Date(2014)), fact("val", Date(2014, 1))]
                 + [rule(atom("same", "X"), atom("val", "X"), compare("X", "=", 2014))],
                 "same/1", rows((2014,)), id="equal-is-exact"),
    pytest.param(nodes("ab") + [rule(atom("tag", "X", "W"), atom("node", "X"),
                                     compare("V", "=", 3), compare("W", "=", "V"))],
                 "tag/2", rows(("a", 3), ("b", 3)), id="equality-chain-binds"),
    pytest.param(edges("ab", "bc") + RIGHT_LINEAR + [fact("path", "c", "d")], "path/2",
                 rows("ab", "bc", "ac", "cd", "bd", "ad"), id="derived-with-facts"),
    pytest.param([rule(atom("p", "X"), atom("q", "X"))], "p/1", rows(),
                 id="undefined-body-is-empty"),
    pytest.param(nodes("ab") + [rule(atom("p", "c"), atom("node", "_"))], "p/1", rows("c"),
                 id="constant-head"),
]


@pytest.mark.parametrize(("statements", "key", "expected"), CASES)
def test_known_answers(statements, key, expected):
    assert evaluate(Program(tuple(statements)), DAY)[key] == expected


TIMED = [
    fact("member", "x", "g", start="2013-04", end="2014"),
    fact("member", "y", "g", start="2014-02-10"),
    fact("member", "z", "g", end="2013"),
    rule(atom("in_g", "X"), atom("member", "X", "g")),
]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param("2013-03-31", rows("z"), id="before-from"),
        pytest.param("2013-04-01", rows("x", "z"), id="first-day-of-from-month"),
        pytest.param("2013-12-31", rows("x", "z"), id="last-day-of-to-year"),
        pytest.param("2014-02-09", rows("x"), id="day-before-day-precision-from"),
        pytest.param("2014-02-10", rows("x", "y"), id="day-precision-from"),
        pytest.param("2014-12-31", rows("x", "y"), id="last-day-of-to"),
        pytest.param("2015-01-01", rows("y"), id="after-to"),
    ],
)
def test_validity_intervals(day, expected):
    model = evaluate(Program(tuple(TIMED)), datetime.date.fromisoformat(day))
    assert model["in_g/1"] == expected
    assert {row[:1] for row in model["member/2"]} == expected


# -- programs as text, through the parser ----------------------------------------------------
TEXT_CASES = [
    pytest.param(
        """
        edge(a, b). edge(b, c). edge(c, a). edge(c, d).
        path(X, Y) :- edge(X, Y).
        path(X, Y) :- edge(X, Z), path(Z, Y).
        """,
        "2015", "path/2", rows(*ABC, *TO_D), id="closure",
    ),
    pytest.param(
        """
        start(a). edge(a, b). edge(b, a).
        even(X) :- start(X).
        odd(Y) :- edge(X, Y), even(X).
        even(Y) :- odd(X), edge(X, Y).
        """,
        "2015", "odd/1", rows("b"), id="mutual-recursion",
    ),
    pytest.param(
        """
        group(jn). group(isi). group(ahrar).
        pledged(jn, aq) from 2013-04. pledged(isi, aq) to 2014-02.
        rift(isi, aq) from 2014-02.
        % a group that pledged and is not in a rift is loyal
        loyal(G) :- group(G), pledged(G, L), not rift(G, _), L != G.
        """,
        "2014-01", "loyal/1", rows(("jn",), ("isi",)), id="negation-and-intervals-early",
    ),
    pytest.param(
        """
        group(jn). group(isi). group(ahrar).
        pledged(jn, aq) from 2013-04. pledged(isi, aq) to 2014-02.
        rift(isi, aq) from 2014-02.
        loyal(G) :- group(G), pledged(G, L), not rift(G, _), L != G.
        """,
        "2014-03-01", "loyal/1", rows(("jn",)), id="negation-and-intervals-late",
    ),
    pytest.param(
        """
        event(founded, 2011-08). event(pledge, 2013-04-10). event(split, 2014).
        before_2013(E) :- event(E, D), D < 2013.
        """,
        "2015", "before_2013/1", rows(("founded",)), id="dates-compare-with-years",
    ),
    pytest.param(
        """
        edge(a, b). edge(b, c).
        path(X, Y) :- edge(X, Y).
        path(X, Y) :- edge(X, Z), path(Z, Y).
        path(c, d).
        """,
        "2015", "path/2", rows("ab", "bc", "ac", "cd", "bd", "ad"), id="derived-with-facts",
    ),
]


@pytest.mark.parametrize(("text", "day", "key", "expected"), TEXT_CASES)
def test_known_answers_of_text(text, day, key, expected):
    program = parse_program(text, "kb/t.dl")
    assert evaluate(program, Date.parse(day).first_day())[key] == expected


# -- what the oracle refuses -------------------------------------------------------------------
@pytest.mark.parametrize(
    "statements",
    [
        pytest.param([rule(atom("p", "X"), atom("q", "X"), no("p", "X"))], id="self-negation"),
        pytest.param([rule(atom("p", "X"), atom("node", "X"), no("q", "X")),
                      rule(atom("q", "X"), atom("node", "X"), no("p", "X"))],
                     id="mutual-negation"),
        pytest.param([rule(atom("p", "X"), atom("node", "X"), no("r", "X")),
                      rule(atom("r", "X"), atom("p", "X"))],
                     id="negation-through-a-positive-cycle"),
    ],
)
def test_not_stratifiable(statements):
    with pytest.raises(ValueError, match="through `not`"):
        evaluate(Program(tuple(nodes("a") + statements)), DAY)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param((atom("node", "X"), compare("Y", "<", "X")), id="comparison"),
        pytest.param((atom("node", "X"), no("edge", "X", "Y")), id="negation"),
        pytest.param((atom("node", "_"),), id="head"),
    ],
)
def test_unsafe_rules_are_refused(body):
    with pytest.raises(ValueError, match="unbound"):
        evaluate(Program(tuple(nodes("a") + [Rule(atom("p", "X"), body)])), DAY)


def test_two_arities_are_refused():
    with pytest.raises(ValueError, match="two arities"):
        predicate_keys(Program((fact("p", "a"), fact("p", "a", "b"))))


def test_every_predicate_used_is_a_key():
    statements = nodes("a") + [rule(atom("p", "X"), atom("node", "X"), no("q", "X", "_"))]
    model = evaluate(Program(tuple(statements)), DAY)
    assert model == {"node/1": rows("a"), "p/1": rows("a"), "q/2": rows()}


# -- generated programs ------------------------------------------------------------------------
def negation_free(program: Program) -> set[str]:
    """The predicates whose tuples no negation can affect."""
    tainted: set[str] = set()
    changed = True
    while changed:
        changed = False
        for r in program.rules:
            uses = {lit.key for lit in r.body if isinstance(lit, Atom)}
            negated = any(isinstance(lit, Negation) for lit in r.body)
            if r.head.key not in tainted and (negated or uses & tainted):
                tainted.add(r.head.key)
                changed = True
    return set(predicate_keys(program)) - tainted


@given(programs(), as_of_dates())
def test_generated_programs_are_accepted_and_closed(program, day):
    model = evaluate(program, day)
    assert set(model) == set(predicate_keys(program))
    for f in program.facts:
        if f.holds_on(day):
            assert tuple(t.value for t in f.atom.args) in model[f.atom.key]
    db = {key: set(tuples) for key, tuples in model.items()}
    for r in program.rules:
        assert set(consequences(r, db)) <= model[r.head.key], r


@given(programs(equality_bindings=True, domain=RICH_DOMAIN), as_of_dates())
def test_generated_programs_with_equalities_and_rich_values_are_accepted(program, day):
    evaluate(program, day)


@given(st.data(), as_of_dates())
def test_answers_do_not_depend_on_literal_order(data, day):
    program = data.draw(programs(), "program")
    assert evaluate(data.draw(shuffled_bodies(program), "shuffled"), day) == evaluate(program, day)


@given(st.data(), as_of_dates())
def test_a_new_fact_removes_nothing_without_negation(data, day):
    program = data.draw(programs(), "program")
    added = data.draw(facts_of(program), "added")
    before, after = evaluate(program, day), evaluate(program + Program((added,)), day)
    for key in negation_free(program):
        assert before[key] <= after[key], key
    assert tuple(t.value for t in added.atom.args) in after[added.atom.key]


@given(programs(equality_bindings=True, domain=RICH_DOMAIN))
def test_generated_programs_print_and_parse_back(program):
    assert parse_program(format_program(program)) == program


def test_generated_programs_pass_the_engine_checks():
    checks = pytest.importorskip("allegiance.check.checks")

    @given(programs(equality_bindings=True, domain=RICH_DOMAIN))
    def passes(program):
        assert checks.check(program).warnings == ()  # and no CheckError

    passes()


@given(intervals())
def test_intervals_are_never_empty(interval):
    start, end = interval
    assert start is None or end is None or start.first_day() <= end.last_day()


# -- what the generators reach -----------------------------------------------------------------
def _literals(program: Program, kind: type) -> list:
    return [lit for r in program.rules for lit in r.body if isinstance(lit, kind)]


def _recursive(program: Program, mutual: bool) -> bool:
    """True when a rule uses its own predicate (or, `mutual`, another of its stratum)."""
    levels, heads = stratify(program), {r.head.key for r in program.rules}
    return any(
        isinstance(lit, Atom) and lit.key in heads and levels[lit.key] == levels[r.head.key]
        and (lit.key != r.head.key) == mutual
        for r in program.rules for lit in r.body
    )


def _right_linear(program: Program) -> bool:
    """True when a rule reads `h(X, Y) :- …, h(Z, Y)`: recursion through the last argument."""
    return any(
        len(r.head.args) == 2 and isinstance(lit, Atom) and lit.key == r.head.key
        and lit.args[1] == r.head.args[1] and lit.args[0] != r.head.args[0]
        for r in program.rules for lit in r.body
    )


def _cyclic(program: Program) -> bool:
    """True when the facts of `b0/2` close a cycle (a loop `b0(a, a)` included)."""
    b0 = [Fact(Atom("edge", f.atom.args)) for f in program.facts if f.atom.key == "b0/2"]
    closure = evaluate(Program((*b0, *RIGHT_LINEAR)), DAY)["path/2"]
    return any(x == y for x, y in closure)


def _derived_facts(program: Program) -> bool:
    return bool({f.atom.key for f in program.facts} & {r.head.key for r in program.rules})


FEATURES = {
    "cyclic-data": _cyclic,
    "right-linear-recursion": _right_linear,
    "self-recursion": lambda p: _recursive(p, mutual=False),
    "mutual-recursion": lambda p: _recursive(p, mutual=True),
    "negation": lambda p: bool(_literals(p, Negation)),
    "anonymous-in-negation": lambda p: any(ANY in n.atom.args for n in _literals(p, Negation)),
    "anonymous-in-atom": lambda p: any(ANY in a.args for a in _literals(p, Atom)),
    "comparison": lambda p: bool(_literals(p, Comparison)),
    "interval": lambda p: any(f.valid_from or f.valid_to for f in p.facts),
    "derived-facts": _derived_facts,
    "three-levels": lambda p: len(set(stratify(p).values())) >= 3,
}


@pytest.mark.parametrize("feature", FEATURES)
def test_generators_reach(feature):
    no_shrinking = settings(max_examples=2000, database=None, phases=[Phase.generate])
    find(programs(), FEATURES[feature], settings=no_shrinking)
