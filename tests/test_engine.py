"""The engine against the oracle, and the programs pyDatalog alone cannot evaluate."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allegiance.eval.kb import KnowledgeBase
from allegiance.lang.syntax import Program
from oracle import evaluate
from strategies import as_of_dates, facts_of, programs, shuffled_bodies

DAY = datetime.date(2014, 11, 15)


def answers(kb: KnowledgeBase, keys) -> dict:
    return {key: kb.relation(key) for key in keys}


def agree_with_oracle(program: Program, day: datetime.date) -> None:
    expected = evaluate(program, day)
    with KnowledgeBase.from_program(program, as_of=day) as kb:
        assert answers(kb, expected) == expected


@given(programs(), as_of_dates())
def test_engine_answers_equal_the_oracle(program, day):
    agree_with_oracle(program, day)


@given(st.data())
def test_answers_do_not_depend_on_the_order_of_body_literals(data):
    program = data.draw(programs())
    shuffled = data.draw(shuffled_bodies(program))
    with KnowledgeBase.from_program(program, as_of=DAY) as a, KnowledgeBase.from_program(shuffled, as_of=DAY) as b:
        keys = evaluate(program, DAY)
        assert answers(a, keys) == answers(b, keys)


@given(st.data())
def test_asserting_and_retracting_facts_keeps_answers_equal_to_the_oracle(data):
    program = data.draw(programs())
    extra = data.draw(st.lists(facts_of(program), min_size=1, max_size=3))
    with KnowledgeBase.from_program(program, as_of=DAY) as kb:
        keys = list(evaluate(program, DAY))
        answers(kb, keys)  # evaluate once, so the edits must invalidate what was computed
        added = [fact for fact in extra if kb.tell(fact)]
        bigger = Program(program.statements + tuple(extra))
        assert answers(kb, keys) == {k: v for k, v in evaluate(bigger, DAY).items() if k in keys}
        for fact in added:  # a fact that was stated already is not withdrawn
            assert kb.retract(fact)
        assert answers(kb, keys) == {k: v for k, v in evaluate(program, DAY).items() if k in keys}


CYCLE = "edge(a, b). edge(b, c). edge(c, a). edge(c, d).\n"
REACH_BODIES = [
    "reach(X, Y) :- edge(X, Z), reach(Z, Y).",
    "reach(X, Y) :- reach(Z, Y), edge(X, Z).",
    "reach(X, Y) :- reach(X, Z), edge(Z, Y).",
    "reach(X, Y) :- edge(Z, Y), reach(X, Z).",
    "reach(X, Y) :- reach(X, Z), reach(Z, Y).",
]
CLOSURE = {(x, y) for x in "abc" for y in "abcd"}


@pytest.mark.parametrize("recursive_rule", REACH_BODIES, ids=["right", "right-swapped", "left", "left-swapped", "doubly"])
@pytest.mark.parametrize("query, expected", [
    ("reach(a, Y)?", {("a", y) for y in "abcd"}),
    ("reach(X, a)?", {(x, "a") for x in "abc"}),
    ("reach(X, Y)?", CLOSURE),
])
def test_closure_of_a_cycle_terminates_in_every_body_order(recursive_rule, query, expected):
    text = CYCLE + "reach(X, Y) :- edge(X, Y).\n" + recursive_rule
    with KnowledgeBase.from_text(text) as kb:
        answer = kb.ask(query)
        found = set()
        for b in answer.bindings():
            x = str(b.get("X", "a"))
            y = str(b.get("Y", "a"))
            found.add((x, y))
        assert found == expected


def test_mutual_recursion_over_a_two_cycle():
    text = """edge(a, b). edge(b, a).
    odd(X, Y) :- edge(X, Y).
    odd(X, Y) :- edge(X, Z), even(Z, Y).
    even(X, Y) :- edge(X, Z), odd(Z, Y)."""
    with KnowledgeBase.from_text(text) as kb:
        assert kb.relation("even/2") == {(a, a) for (a,) in kb.ask("edge(X, _)?").rows}


def test_a_thousand_node_cycle():
    edges = "".join(f"edge(n{i}, n{(i + 1) % 1000}).\n" for i in range(1000))
    text = edges + "reach(Y) :- edge(n0, Y).\nreach(Y) :- edge(X, Y), reach(X).\n"
    with KnowledgeBase.from_text(text) as kb:
        assert len(kb.ask("reach(Y)?").rows) == 1000
        assert kb.holds("reach(n0)?") and kb.holds("reach(n999)?")


def test_win_move_game_is_rejected_as_not_stratified():
    from allegiance.lang.diagnostics import LoadError

    with pytest.raises(LoadError) as caught:
        KnowledgeBase.from_text("move(a, b). move(b, a).\nwin(X) :- move(X, Y), not win(Y).\n")
    assert any(d.code == "negation-cycle" for d in caught.value.diagnostics)


def test_one_integer_string_and_symbol_stay_distinct():
    with KnowledgeBase.from_text('v(1). v("1"). v(one). v(2014). v(2014-01).') as kb:
        assert len(kb.relation("v/1")) == 5
        assert kb.holds("v(1)?") and not kb.holds("v(2)?")


def test_validity_intervals_and_as_of_dates():
    text = "present(jn, hasakah) to 2013.\npresent(is, idlib) from 2013-04 to 2014-01.\n"
    with KnowledgeBase.from_text(text) as kb:
        assert kb.holds("present(jn, hasakah)?", as_of=datetime.date(2013, 12, 31))
        assert not kb.holds("present(jn, hasakah)?", as_of=datetime.date(2014, 1, 1))
        assert kb.holds("present(is, idlib)?", as_of=datetime.date(2014, 1, 31))
        assert not kb.holds("present(is, idlib)?", as_of=datetime.date(2013, 3, 31))


def test_two_knowledge_bases_in_one_process_do_not_see_each_other():
    with KnowledgeBase.from_text("p(a). q(X) :- p(X).") as one, KnowledgeBase.from_text("p(b). q(X) :- p(X).") as two:
        assert [str(v) for (v,) in one.ask("q(X)?").rows] == ["a"]
        assert [str(v) for (v,) in two.ask("q(X)?").rows] == ["b"]


def test_aliases_resolve_in_queries_case_insensitively():
    text = 'alias(jabhat_al_nusra, "JN"). alias(islamic_state, "IS"). rift(jabhat_al_nusra, islamic_state).'
    with KnowledgeBase.from_text(text) as kb:
        answer = kb.ask("rift(JN, is)?")
        assert answer.holds and dict(answer.resolutions).keys() == {"JN", "is"}
        assert kb.ask("rift(X, Y)?").variables == ("X", "Y")


@pytest.mark.parametrize("length", [10, 30])
def test_many_predicates_never_share_a_name_inside_pydatalog(length):
    """pyDatalog also looks predicate `n/1` up as resolver `n1/1`: with eleven or more
    predicates, a private name `…p1` met `…p11`, and `p1(a)` was answered from the wrong one."""
    chain = "p0(a). q0(b).\n" + "".join(f"p{i + 1}(X) :- p{i}(X).\nq{i + 1}(b).\n" for i in range(length))
    with KnowledgeBase.from_text(chain, as_of=DAY) as kb:
        for i in range(length + 1):
            assert kb.holds(f"p{i}(a)?") and not kb.holds(f"p{i}(b)?"), i
            assert kb.holds(f"q{i}(b)?") and not kb.holds(f"q{i}(a)?"), i
