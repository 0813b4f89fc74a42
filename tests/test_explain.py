"""`why`: proofs exactly for goals that hold, refutations for the rest, all accepted by the checker."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from allegiance.explain.checker import check_proof, check_refutation
from allegiance.explain.why import why
from allegiance.eval.kb import KnowledgeBase
from allegiance.explain.proof import Derived, Given
from allegiance.render.dot import explanation_dot
from allegiance.render.json import explanation_json
from allegiance.render.text import explanation_prose, explanation_tree, summary
from allegiance.explain.sentences import Vocabulary
from allegiance.lang.syntax import Atom, Constant, Variable
from oracle import evaluate
from strategies import DOMAIN, programs, shuffled_bodies

DAY = datetime.date(2014, 11, 15)


@st.composite
def goals(draw, program):
    """A ground atom over a derived predicate of `program` (holding or not)."""
    derived = sorted({r.head.key for r in program.rules})
    key = draw(st.sampled_from(derived))
    name, arity = key.rsplit("/", 1)
    args = tuple(Constant(draw(st.sampled_from(DOMAIN))) for _ in range(int(arity)))
    return Atom(name, args)


def explain_and_check(kb, goal):
    expl = why(kb, goal)
    expected = evaluate(kb.checked.program, DAY)[goal.key]
    holds = tuple(a.value for a in goal.args) in expected
    assert expl.holds == holds
    if holds:
        for proof in expl.proofs:
            check_proof(proof, kb)
            assert proof.atom == goal
    else:
        assert expl.refutation is not None
        check_refutation(expl.refutation, kb)
    return expl


@given(st.data())
def test_why_proves_exactly_what_holds_and_the_checker_accepts_it(data):
    program = data.draw(programs(dated=False))
    goal = data.draw(goals(program))
    with KnowledgeBase.from_program(program, as_of=DAY) as kb:
        before = {k: kb.relation(k) for k in evaluate(program, DAY)}
        expl = explain_and_check(kb, goal)
        vocab = Vocabulary.of(kb)
        assert explanation_tree(expl, vocab).text
        assert explanation_prose(expl, vocab)
        assert explanation_json(expl, vocab)["holds"] == expl.holds
        assert explanation_dot(expl, vocab).startswith("digraph")
        assert {k: kb.relation(k) for k in before} == before  # explaining changes no answer


@given(st.data())
def test_goals_with_variables_and_anonymous_arguments_are_explained_by_ground_proofs(data):
    """`why p(a, _)` and `why p(X, b)`: one proof per answer, each of a ground instance that
    matches the goal, accepted by the checker; a refutation when no instance holds."""
    program = data.draw(programs(dated=False))
    ground = data.draw(goals(program))
    args = tuple(data.draw(st.sampled_from([t, Variable("_"), Variable(f"V{i}")]))
                 for i, t in enumerate(ground.args))
    goal = Atom(ground.predicate, args)
    expected = evaluate(program, DAY)[goal.key]
    fixed = {i: t.value for i, t in enumerate(args) if isinstance(t, Constant)}
    holds = any(all(row[i] == v for i, v in fixed.items()) for row in expected)
    with KnowledgeBase.from_program(program, as_of=DAY) as kb:
        expl = why(kb, goal)
        assert expl.holds == holds
        for proof in expl.proofs:
            check_proof(proof, kb)
            assert proof.atom.is_ground
            assert all(proof.atom.args[i].value == v for i, v in fixed.items())
        if not holds:
            check_refutation(expl.refutation, kb)


@given(st.data())
def test_refutation_reasons_do_not_depend_on_body_order(data):
    program = data.draw(programs(dated=False))
    shuffled = data.draw(shuffled_bodies(program))
    goal = data.draw(goals(program))
    with KnowledgeBase.from_program(program, as_of=DAY) as a, KnowledgeBase.from_program(shuffled, as_of=DAY) as b:
        one, two = why(a, goal), why(b, goal)
        assert one.holds == two.holds
        if not one.holds:
            assert set(summary(one, Vocabulary.of(a))) == set(summary(two, Vocabulary.of(b)))


def test_proofs_on_a_cycle_are_well_founded_and_shortest():
    text = "edge(a, b). edge(b, c). edge(c, a). edge(c, d).\n" \
           "reach(X, Y) :- edge(X, Y).\nreach(X, Y) :- edge(X, Z), reach(Z, Y).\n"
    with KnowledgeBase.from_text(text, as_of=DAY) as kb:
        expl = explain_and_check(kb, Atom("reach", (Constant(_sym("a")), Constant(_sym("a")))))
        proof = expl.proofs[0]
        assert isinstance(proof, Derived) and proof.height == 3  # a→b→c→a, not a detour


def test_refutation_of_a_recursive_goal_reports_the_circular_support():
    text = "edge(a, b). edge(b, a). edge(c, a).\n" \
           "reach(X, Y) :- edge(X, Y).\nreach(X, Y) :- edge(X, Z), reach(Z, Y).\n"
    with KnowledgeBase.from_text(text, as_of=DAY) as kb:
        expl = explain_and_check(kb, Atom("reach", (Constant(_sym("a")), Constant(_sym("c")))))
        reasons = summary(expl, Vocabulary.of(kb))
        assert any("circular" in r for r in reasons)


def test_a_refutation_lists_every_independent_reason():
    text = """
    predicate ok(A) {holds: "{A} is fine", fails: "{A} is not fine"}.
    predicate bad(A) {holds: "{A} is bad", fails: "{A} is not bad"}.
    thing(x). flaw1(x). flaw2(x). flaw3(x).
    bad(A) :- flaw1(A).
    bad(A) :- flaw2(A).
    bad(A) :- flaw3(A).
    ok(A) :- thing(A), not bad(A).
    """
    with KnowledgeBase.from_text(text, as_of=DAY) as kb:
        expl = explain_and_check(kb, Atom("ok", (Constant(_sym("x")),)))
        reasons = summary(expl, Vocabulary.of(kb))
        assert len(reasons) == 3 and all(r.startswith("x is bad") for r in reasons)
        assert "x is not fine" in explanation_tree(expl, Vocabulary.of(kb)).text


def test_every_given_leaf_cites_its_sources():
    text = """source s {title: "T", outlet: "O", date: 2014-11, url: "http://e.org/t"}.
    p(a) @s from 2014. q(X) :- p(X)."""
    with KnowledgeBase.from_text(text, as_of=DAY) as kb:
        expl = explain_and_check(kb, Atom("q", (Constant(_sym("a")),)))
        leaf = expl.proofs[0].premises[0]
        assert isinstance(leaf, Given) and leaf.statements[0].sources == ("s",)
        text = explanation_tree(expl, Vocabulary.of(kb)).text
        assert "“T”, O, 2014-11, http://e.org/t" in text and "valid from 2014" in text


def _sym(name):
    from allegiance.lang.values import Symbol

    return Symbol(name)


def test_an_anonymous_premise_inside_a_recursive_stratum_gets_a_lower_rank():
    text = "b0(a, a). b0(a, b). b0(b, a).\nd0(c, X) :- b0(X, _), b0(X, _).\nd0(X, X) :- d0(_, X).\n"
    with KnowledgeBase.from_text(text, as_of=DAY) as kb:
        explain_and_check(kb, Atom("d0", (Constant(_sym("b")), Constant(_sym("b")))))
