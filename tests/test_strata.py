"""Tests of `allegiance.check.strata`: components, dependency order, recursion and negative cycles."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allegiance.lang.diagnostics import CheckError
from allegiance.lang.parse import parse_program
from allegiance.check.strata import components_of, dependency_graph, negative_cycles, stratify
from allegiance.lang.syntax import Atom, Negation, Rule, Variable

X = Variable("X")


def rules_in(text: str) -> tuple[Rule, ...]:
    return parse_program(text, "kb/t.dl").rules


def strata_of_text(text: str):
    return stratify(rules_in(text))


def shape(strata) -> list[tuple[tuple[str, ...], bool]]:
    return [(s.predicates, s.recursive) for s in strata]


# -- stratification of small programs ----------------------------------------------------------
STRATA_CASES = [
    pytest.param("p(X) :- q(X).\n", [(("p/1",), False)], id="one-rule-base-body"),
    pytest.param(
        "a(X) :- b(X).\nb(X) :- c(X).\n",
        [(("b/1",), False), (("a/1",), False)],
        id="chain-dependencies-first",
    ),
    pytest.param(
        "path(X, Y) :- edge(X, Y).\npath(X, Z) :- path(X, Y), edge(Y, Z).\n",
        [(("path/2",), True)],
        id="self-recursion",
    ),
    pytest.param(
        "even(X) :- zero(X).\neven(X) :- succ(Y, X), odd(Y).\nodd(X) :- succ(Y, X), even(Y).\n",
        [(("even/1", "odd/1"), True)],
        id="mutual-recursion-one-stratum",
    ),
    pytest.param(
        "reach(X) :- start(X).\nreach(Y) :- reach(X), edge(X, Y).\n"
        "unreached(X) :- node(X), not reach(X).\n",
        [(("reach/1",), True), (("unreached/1",), False)],
        id="negation-of-lower-stratum",
    ),
    pytest.param(
        "b(X) :- c(X).\na(X) :- n(X), not b(X), X != z.\nc(X) :- n(X).\n",
        [(("c/1",), False), (("b/1",), False), (("a/1",), False)],
        id="head-later-in-program-still-first",
    ),
    pytest.param(
        "x(X) :- n(X).\ny(X) :- n(X).\n",
        [(("x/1",), False), (("y/1",), False)],
        id="independent-in-program-order",
    ),
    pytest.param(
        "p(a).\np(X) :- q(X).\nq(b).\n",
        [(("p/1",), False)],
        id="facts-and-rules-base-no-stratum",
    ),
]


@pytest.mark.parametrize("text, expected", STRATA_CASES)
def test_strata_of_small_programs(text, expected):
    strata = strata_of_text(text)
    assert shape(strata) == expected
    assert [s.index for s in strata] == list(range(len(strata)))


def test_stratum_rules_in_program_order():
    text = "even(X) :- zero(X).\nodd(X) :- succ(Y, X), even(Y).\neven(X) :- succ(Y, X), odd(Y).\n"
    (stratum,) = strata_of_text(text)
    assert [r.head.key for r in stratum.rules] == ["even/1", "odd/1", "even/1"]
    assert [r.span.line for r in stratum.rules] == [1, 2, 3]


def test_stratify_is_deterministic():
    text = "a(X) :- b(X), c(X).\nb(X) :- d(X).\nc(X) :- d(X).\nd(X) :- e(X).\n"
    assert strata_of_text(text) == strata_of_text(text)
    assert [s.predicates for s in strata_of_text(text)] == [("d/1",), ("b/1",), ("c/1",), ("a/1",)]


# -- negative cycles ---------------------------------------------------------------------------
CYCLE_CASES = [
    pytest.param(
        "win(X) :- move(X, Y), not win(Y).\n",
        ["kb/t.dl:1:23: `win/1` depends on itself through negation: win/1 → not win/1"],
        id="win-move",
    ),
    pytest.param(
        "p(X) :- q(X).\nq(X) :- r(X), not p(X).\n",
        ["kb/t.dl:2:15: `p/1` depends on itself through negation: p/1 → q/1 → not p/1"],
        id="two-step",
    ),
    pytest.param(
        "p(X) :- q(X).\nq(X) :- r(X), s(X).\ns(X) :- r(X), not p(X).\nq(X) :- r(X), p(X).\n",
        ["kb/t.dl:3:15: `p/1` depends on itself through negation: p/1 → q/1 → s/1 → not p/1"],
        id="shortest-path-names-every-step",
    ),
    pytest.param(
        "a(X) :- n(X), not b(X).\nb(X) :- n(X), not a(X).\n",
        [
            "kb/t.dl:1:15: `b/1` depends on itself through negation: b/1 → not a/1 → not b/1",
            "kb/t.dl:2:15: `a/1` depends on itself through negation: a/1 → not b/1 → not a/1",
        ],
        id="every-negative-edge-reported",
    ),
]


@pytest.mark.parametrize("text, expected", CYCLE_CASES)
def test_negative_cycles_are_rejected_naming_the_cycle(text, expected):
    with pytest.raises(CheckError) as caught:
        strata_of_text(text)
    found = [f"{d.span}: {d.message}" for d in caught.value.diagnostics]
    assert found == expected
    assert {d.code for d in caught.value.diagnostics} == {"negation-cycle"}


def test_negation_cycle_points_at_the_negated_literal():
    (diagnostic,) = negative_cycles(dependency_graph(rules_in(CYCLE_CASES[0].values[0])))
    assert (diagnostic.span.col, diagnostic.span.end_col) == (23, 33)  # `not win(Y)`
    assert diagnostic.notes


def test_negation_outside_a_cycle_is_fine():
    assert negative_cycles(dependency_graph(rules_in("p(X) :- q(X), not r(X).\n"))) == ()


# -- large programs ----------------------------------------------------------------------------
def chain(n: int, negative_back_edge: bool = False) -> list[Rule]:
    rules = [Rule(Atom(f"p{i}", (X,)), (Atom(f"p{i + 1}", (X,)),)) for i in range(n)]
    if negative_back_edge:
        rules.append(Rule(Atom(f"p{n}", (X,)), (Atom("n", (X,)), Negation(Atom("p0", (X,))))))
    return rules


def test_a_chain_of_ten_thousand_predicates_stratifies():
    strata = stratify(chain(10_000))
    assert len(strata) == 10_000
    assert strata[0].predicates == ("p9999/1",) and strata[-1].predicates == ("p0/1",)
    assert not any(s.recursive for s in strata)


def test_a_ten_thousand_predicate_negative_cycle_is_found():
    with pytest.raises(CheckError) as caught:
        stratify(chain(10_000, negative_back_edge=True))
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message.startswith("`p0/1` depends on itself through negation: p0/1 → p1/1")
    assert diagnostic.message.endswith("p10000/1 → not p0/1")


def test_components_of_a_long_cycle_is_one_component():
    n = 10_000
    (component,) = components_of(range(n), lambda i: ((i + 1) % n,))
    assert len(component) == n


# -- property: random dependency graphs ------------------------------------------------------
EDGES = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 6), st.booleans()), min_size=0, max_size=14
)


def rules_of(edges) -> list[Rule]:
    """One rule `pH(X) :- n(X), [not] pB(X).` per edge."""
    def atom(i):
        return Atom(f"p{i}", (X,))

    return [
        Rule(atom(h), (Atom("n", (X,)), Negation(atom(b)) if negative else atom(b)))
        for h, b, negative in edges
    ]


def reachability(edges) -> set[tuple[int, int]]:
    """Pairs (a, b) with a path of at least one edge from a to b (naive closure)."""
    reach = {(h, b) for h, b, _ in edges}
    while True:
        more = {(a, d) for a, b in reach for c, d in reach if b == c} - reach
        if not more:
            return reach
        reach |= more


@settings(max_examples=300, deadline=None)
@given(EDGES)
def test_stratify_respects_every_dependency(edges):
    reach = reachability(edges)
    unstratifiable = any(neg and (b, h) in reach | {(h, h)} for h, b, neg in edges)
    rules = rules_of(edges)
    if unstratifiable:
        with pytest.raises(CheckError):
            stratify(rules)
        return
    strata = stratify(rules)
    where = {key: s.index for s in strata for key in s.predicates}
    assert sorted(where) == sorted({f"p{h}/1" for h, _, _ in edges})
    assert sum(len(s.predicates) for s in strata) == len(where)
    for h, b, negative in edges:
        head, body = f"p{h}/1", f"p{b}/1"
        if body in where:
            assert where[body] <= where[head]
            assert (where[body] == where[head]) == ((h, b) in reach and (b, h) in reach or h == b)
            assert not (negative and where[body] == where[head])
    for s in strata:
        members = [int(k[1:-2]) for k in s.predicates]
        assert s.recursive == (len(members) > 1 or (members[0], members[0]) in reach)
        assert list(s.rules) == [r for r in rules if r.head.key in s.predicates]
