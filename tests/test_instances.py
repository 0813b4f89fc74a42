"""`instances`: the subgoals of an explanation, answered in Python, agree with the model."""

import datetime
import re

from hypothesis import given
from hypothesis import strategies as st

from allegiance.explain.checker import check_proof
from allegiance.explain.why import Explainer, Limits
from allegiance.eval.instances import DEPTH, Subgoals
from allegiance.eval.kb import KnowledgeBase
from allegiance.eval.limits import Budget
from allegiance.lang.syntax import Atom, Constant, Query, Variable, substitute_literal
from allegiance.lang.values import Symbol, sort_key
from oracle import evaluate
from strategies import RICH_DOMAIN, programs

DAY = datetime.date(2014, 11, 15)
LIMITS = [Limits(), Limits(nodes=6), Limits(alternatives=1, candidates=2), Limits(refutation_depth=2, depth=2),
          Limits(answers=2)]


def subgoals(kb, depth=DEPTH) -> Subgoals:
    return Subgoals(kb.model, kb.checked, Budget(None, 1), depth)


@st.composite
def atoms(draw, program, ground=False):
    """An atom over a predicate of `program`: each argument a value, a variable or `_`."""
    key = draw(st.sampled_from(sorted({r.head.key for r in program.rules})))
    name, arity = key.rsplit("/", 1)
    terms = [Constant(v) for v in RICH_DOMAIN]
    if not ground:
        terms += [Variable("X"), Variable("Y"), Variable("_")]
    return Atom(name, tuple(draw(st.sampled_from(terms)) for _ in range(int(arity))))


def without_fresh_names(explanation) -> str:
    """The explanation with the names minted for `_` (a global counter) made equal."""
    return re.sub(r"name='_\d+'", "name='_'", repr(explanation))


@given(st.data())
def test_the_tuples_matching_a_pattern_are_the_oracles(data):
    program = data.draw(programs(equality_bindings=True, domain=RICH_DOMAIN))
    atom = data.draw(atoms(program))
    pattern = tuple(sort_key(t.value) if isinstance(t, Constant) else None for t in atom.args)
    expected = {tuple(sort_key(v) for v in row) for row in evaluate(program, DAY)[atom.key]}
    expected = {row for row in expected if all(p is None or p == v for p, v in zip(pattern, row))}
    with KnowledgeBase.from_program(program, as_of=DAY) as kb:
        assert set(subgoals(kb).matches(atom.key, pattern)) == expected
        assert set(subgoals(kb, depth=0).matches(atom.key, pattern)) == expected


@given(st.data())
def test_answers_are_the_rows_of_the_query_in_its_order(data):
    program = data.draw(programs(equality_bindings=True, domain=RICH_DOMAIN))
    atom = data.draw(atoms(program))
    with KnowledgeBase.from_program(program, as_of=DAY) as kb:
        answer = kb.ask(Query((atom,)))
        expected = [substitute_literal(atom, binding) for binding in answer.bindings()]
        assert subgoals(kb).answers(atom) == expected
        assert subgoals(kb, depth=0).answers(atom) == expected


@given(st.data())
def test_explanations_do_not_depend_on_where_subgoals_are_answered(data):
    """In Python, memoised (the default) or every derived subgoal asked of the model (depth 0):
    the same proofs, alternatives, refutations and partial marks, under every bound."""
    program = data.draw(programs(equality_bindings=True))
    goal = data.draw(atoms(program))
    limits = data.draw(st.sampled_from(LIMITS))
    with KnowledgeBase.from_program(program, as_of=DAY) as kb:
        python, model = Explainer(kb, limits), Explainer(kb, limits)
        model.subgoals = Subgoals(kb.model, kb.checked, model.budget, depth=0)
        one, two = python.why(goal), model.why(goal)
        assert without_fresh_names(one) == without_fresh_names(two)
        for proof in one.proofs if goal.is_ground else ():
            assert without_fresh_names(python.alternatives(proof.atom)) == \
                   without_fresh_names(model.alternatives(proof.atom))


def test_a_long_chain_of_derived_predicates_is_handed_to_the_model_below_the_depth():
    chain = "p0(a).\np0(b).\n" + "".join(f"p{i + 1}(X) :- p{i}(X).\n" for i in range(3 * DEPTH))
    goal = Atom(f"p{3 * DEPTH}", (Constant(Symbol("a")),))
    with KnowledgeBase.from_text(chain, as_of=DAY) as kb:
        python, model = Explainer(kb, Limits(depth=100)), Explainer(kb, Limits(depth=100))
        model.subgoals = Subgoals(kb.model, kb.checked, model.budget, depth=0)
        one = python.why(goal)
        assert one == model.why(goal) and one.partial is None
        check_proof(one.proofs[0], kb)
        assert one.proofs[0].height == 3 * DEPTH


def test_answers_are_forgotten_when_a_fact_changes():
    with KnowledgeBase.from_text("p(a).\nq(X) :- p(X).\n", as_of=DAY) as kb:
        asked = subgoals(kb)
        goal = Atom("q", (Variable("X"),))
        assert [g.args[0].value for g in asked.answers(goal)] == [Symbol("a")]
        kb.tell("p(b).")
        assert [g.args[0].value for g in asked.answers(goal)] == [Symbol("a"), Symbol("b")]

