"""The bottom-up evaluator of recursive strata: answers, ranks, termination on cycles."""

import pytest

from engine.fixpoint import Relation, evaluate_component, match_body
from engine.plan import PlanAtom, PlanCompare, PlanRule
from engine.syntax import Atom, Rule


def k(name):
    return (1, name)


def rule(head, *body):
    return PlanRule(head, tuple(body), Rule(Atom("h"), ()))


def edges(*pairs):
    return {(k(a), k(b)) for a, b in pairs}


def closure(pairs):
    nodes = {x for p in pairs for x in p}
    reach = set(pairs)
    for _ in nodes:
        reach |= {(a, d) for a, b in reach for c, d in reach if b == c}
    return reach


REACH = {
    "right-linear": [rule(PlanAtom("reach/2", ("X", "Y")), PlanAtom("edge/2", ("X", "Y"))),
                     rule(PlanAtom("reach/2", ("X", "Y")), PlanAtom("edge/2", ("X", "Z")), PlanAtom("reach/2", ("Z", "Y")))],
    "left-linear": [rule(PlanAtom("reach/2", ("X", "Y")), PlanAtom("edge/2", ("X", "Y"))),
                    rule(PlanAtom("reach/2", ("X", "Y")), PlanAtom("reach/2", ("X", "Z")), PlanAtom("edge/2", ("Z", "Y")))],
    "non-linear": [rule(PlanAtom("reach/2", ("X", "Y")), PlanAtom("edge/2", ("X", "Y"))),
                   rule(PlanAtom("reach/2", ("X", "Y")), PlanAtom("reach/2", ("X", "Z")), PlanAtom("reach/2", ("Z", "Y")))],
}


@pytest.mark.parametrize("shape", sorted(REACH))
def test_closure_of_a_cycle_with_a_tail_terminates_and_is_complete(shape):
    data = edges(("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"))
    ranks = evaluate_component(REACH[shape], {}, lambda key, pat: Relation(data).lookup(pat))
    assert set(ranks["reach/2"]) == closure(data)


def test_ranks_are_shortest_derivation_rounds_and_premises_rank_lower():
    data = edges(*[(str(i), str(i + 1)) for i in range(5)])
    ranks = evaluate_component(REACH["right-linear"], {}, lambda key, pat: Relation(data).lookup(pat))["reach/2"]
    assert ranks[(k("0"), k("1"))] == 1
    assert ranks[(k("0"), k("5"))] == 5
    for (x, y), r in ranks.items():
        if r > 1:  # some premise reach(Z, Y) of lower rank exists
            assert any(ranks.get((z, y), 99) < r for (a, z) in data if a == x)


def test_mutual_recursion_over_a_two_cycle():
    data = edges(("a", "b"), ("b", "a"))
    rules = [rule(PlanAtom("odd/2", ("X", "Y")), PlanAtom("edge/2", ("X", "Y"))),
             rule(PlanAtom("odd/2", ("X", "Y")), PlanAtom("edge/2", ("X", "Z")), PlanAtom("even/2", ("Z", "Y"))),
             rule(PlanAtom("even/2", ("X", "Y")), PlanAtom("edge/2", ("X", "Z")), PlanAtom("odd/2", ("Z", "Y")))]
    ranks = evaluate_component(rules, {}, lambda key, pat: Relation(data).lookup(pat))
    assert set(ranks["odd/2"]) == {(k("a"), k("b")), (k("b"), k("a"))}
    assert set(ranks["even/2"]) == {(k("a"), k("a")), (k("b"), k("b"))}


def test_stated_facts_have_rank_zero():
    ranks = evaluate_component(REACH["right-linear"], {"reach/2": {(k("x"), k("y"))}},
                               lambda key, pat: Relation().lookup(pat))
    assert ranks["reach/2"] == {(k("x"), k("y")): 0}


def test_a_thousand_node_cycle():
    data = edges(*[(str(i), str((i + 1) % 1000)) for i in range(1000)])
    rules = [rule(PlanAtom("reach/1", ("Y",)), PlanAtom("edge/2", ((1, "0"), "Y"))),
             rule(PlanAtom("reach/1", ("Y",)), PlanAtom("reach/1", ("X",)), PlanAtom("edge/2", ("X", "Y")))]
    ranks = evaluate_component(rules, {}, lambda key, pat: Relation(data).lookup(pat))
    assert len(ranks["reach/1"]) == 1000


def test_match_body_tests_negation_and_comparisons_once_bound():
    rel = {"p/1": Relation({(k("a"),), (k("b"),), (k("c"),)}), "q/1": Relation({(k("b"),)})}
    body = (PlanAtom("p/1", ("X",)), PlanCompare("!=", "X", k("c")), PlanAtom("q/1", ("X",), True))
    found = list(match_body(body, lambda i, lit, pat: rel[lit.key].lookup(pat), {}))
    assert found == [{"X": k("a")}]


def test_anonymous_negation_is_existential():
    rel = {"p/1": Relation({(k("a"),), (k("b"),)}), "e/2": Relation({(k("a"), k("z"))})}
    body = (PlanAtom("p/1", ("X",)), PlanAtom("e/2", ("X", None), True))
    found = list(match_body(body, lambda i, lit, pat: rel[lit.key].lookup(pat), {}))
    assert found == [{"X": k("b")}]
