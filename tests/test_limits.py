"""Resource limits: time and size bounds give partial results, the session goes on, deep chains
neither overflow the stack nor hang, and two knowledge bases in two threads never interfere.

A bounded evaluation must *return*: each test that could hang if a bound failed runs the work in
a thread and gives it a generous `LIVENESS` window (minutes of work are cut to a fraction of a
second), so a regression fails the test instead of freezing the suite. No test asserts a speed.
"""

from __future__ import annotations

import contextvars
import json
import signal
import sys
import threading
from contextlib import contextmanager

import pytest

from allegiance.eval.backend import Backend, Interrupted
from allegiance.explain.checker import check_proof, check_refutation
from allegiance.explain.why import Limits, why
from allegiance.eval.fixpoint import Relation
from allegiance.eval.kb import KnowledgeBase
from allegiance.eval.limits import MAX_DEPTH, time_budget
from allegiance.lang.parse import parse_query
from allegiance.eval.plan import PlanAtom
from allegiance.explain.proof import Cut, Derived
from allegiance.render.answers import answer_json, answer_text, dumps
from allegiance.render.dot import explanation_dot
from allegiance.render.json import explanation_json
from allegiance.render.text import explanation_prose, explanation_tree
from allegiance.explain.sentences import Vocabulary
from allegiance.lang.values import Symbol

LIVENESS = 120  # seconds a bounded call may take before the test calls it a hang
NODES = 40
# 40⁴ ≈ 2.5 million rows: minutes of evaluation, far beyond any time limit used below.
HEAVY = "big(A, B, C, D) :- e(A, B), e(B, C), e(C, D), A != D.\n" + "".join(
    f"e(n{i}, n{j}).\n" for i in range(NODES) for j in range(NODES))
CHAIN = 10_000
REACH = "reach(n0).\nreach(Y) :- reach(X), edge(X, Y).\n" + "".join(
    f"edge(n{i}, n{i + 1}).\n" for i in range(CHAIN))


def returns(fn, *args, **kwargs):
    """`fn(*args, **kwargs)` run in a thread (in the caller's context, so a `time_budget`
    applies): its value, or its exception re-raised; fails the test when it has not returned
    within `LIVENESS` seconds."""
    outcome: dict = {}
    context = contextvars.copy_context()

    def work():
        try:
            outcome["value"] = context.run(fn, *args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(LIVENESS)
    assert not thread.is_alive(), f"{fn.__name__} did not return: a bound was not honoured"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.fixture(scope="module")
def heavy():
    with KnowledgeBase.from_text(HEAVY) as kb:
        yield kb


@pytest.fixture(scope="module")
def reach():
    with KnowledgeBase.from_text(REACH) as kb:
        yield kb


def names(answer) -> list[str]:
    return [" ".join(str(v) for v in row) for row in answer.rows]


# -- time ------------------------------------------------------------------------------------
def test_a_time_limit_stops_a_heavy_query_and_the_kb_keeps_working(heavy):
    with pytest.raises(Interrupted, match=r"time limit of 0\.3 s reached"):
        returns(heavy.ask, "big(A, B, C, D)?", timeout=0.3)
    assert names(heavy.ask("e(n1, n2)?")) == [""]
    answer = heavy.ask("big(n1, n2, n3, D)?")  # the same rule, after the interruption
    assert len(answer.rows) == NODES - 1 and not answer.partial


def test_a_time_limit_stops_a_recursive_stratum_with_the_same_exception():
    edges = "".join(f"edge(n{i}, n{i + 1}).\n" for i in range(1000))  # 500,500 tuples
    text = "tc(X, Y) :- edge(X, Y).\ntc(X, Z) :- tc(X, Y), edge(Y, Z).\n" + edges
    with KnowledgeBase.from_text(text) as kb:
        with pytest.raises(Interrupted, match="time limit"):
            returns(kb.ask, "tc(n0, X)?", timeout=0.02)
        assert len(kb.ask("tc(n0, X)?").rows) == 1000  # nothing half-computed was kept


def test_a_block_time_budget_bounds_every_question_inside_it(heavy):
    with time_budget(0.2) as budget:
        with pytest.raises(Interrupted):
            returns(heavy.ask, "big(A, B, C, n1)?")
    assert budget.reached
    assert heavy.ask("e(n1, X)?").holds


def test_ctrl_c_stops_an_evaluation_and_the_kb_keeps_working(heavy):
    main = threading.main_thread().ident
    timer = threading.Timer(0.3, signal.pthread_kill, (main, signal.SIGINT))  # as a terminal does
    timer.start()
    try:
        with pytest.raises((Interrupted, KeyboardInterrupt)):
            heavy.ask("big(A, B, C, D)?")  # minutes of work: the interrupt arrives first
    finally:
        timer.cancel()
    assert heavy.ask("big(n2, n1, n3, n4)?").holds


@pytest.mark.parametrize("how", ["query", "piped", "file"])
def test_the_command_lines_timeout_ends_a_slow_question_with_exit_code_5(how, tmp_path):
    import io

    from allegiance.repl.cli import main

    kb, statements = tmp_path / "heavy.dl", tmp_path / "statements"
    kb.write_text(HEAVY, encoding="utf-8")
    statements.write_text(f"e(n1, n2)?\n{JOINED}\ne(n2, n3)?\n", encoding="utf-8")
    argv = {"query": ["query", JOINED], "piped": [], "file": ["-f", str(statements)]}[how]
    out, err = io.StringIO(), io.StringIO()
    stdin = io.StringIO(statements.read_text(encoding="utf-8"))
    code = returns(main, ["--kb", str(kb), "--timeout", "0.3", *argv], out, err, stdin)
    assert code == 5
    assert err.getvalue() == ("allegiance: time limit of 0.3 s reached before the evaluation "
                              "finished: no answer is known (a longer --timeout may give one)\n")
    assert out.getvalue() == ("" if how == "query" else "yes.\n")  # what came before is shown


def test_the_command_lines_limit_shows_the_first_answers_and_says_how_many(tmp_path):
    import io

    from allegiance.repl.cli import main

    kb = tmp_path / "items.dl"
    kb.write_text(ITEMS, encoding="utf-8")
    out = io.StringIO()
    assert main(["--kb", str(kb), "query", "item(X)?", "--limit", "2"], out, io.StringIO()) == 0
    assert out.getvalue() == "X = i0.\nX = i1.\n2 of 30 answers shown.\n"


def test_a_call_waiting_behind_a_busy_evaluator_is_cancelled_at_once():
    backend = Backend()
    try:
        rows = {((1, f"n{i}"), (1, f"n{j}")) for i in range(NODES) for j in range(NODES)}
        backend.serve_relation("e/2", 2, Relation(rows).lookup)
        body = tuple(PlanAtom("e/2", (f"X{i}", f"X{i + 1}")) for i in range(4))
        order: list[str] = []

        def busy():
            try:
                backend.ask(body, ("X0", "X4"), timeout=1.5)
            except Interrupted:
                order.append("busy stopped")

        worker = threading.Thread(target=busy)
        worker.start()
        while backend._running is None:  # the busy call has started
            threading.Event().wait(0.01)
        with pytest.raises(Interrupted):
            backend.ask(body, ("X0", "X4"), timeout=0.1)  # queued: cancelled, never run
        order.append("queued call returned")
        worker.join(LIVENESS)
        assert order == ["queued call returned", "busy stopped"]
        assert backend.ask((PlanAtom("e/2", ((1, "n1"), (1, "n2"))),), ()) == {()}
    finally:
        backend.close()


def test_an_explanation_out_of_time_is_partial_and_checked():
    chain = "p0(a).\np0(b).\n" + "".join(f"p{i + 1}(X) :- p{i}(X).\n" for i in range(300))
    with KnowledgeBase.from_text(chain) as kb:
        assert len(kb.ask("p300(X)?").rows) == 2  # the answers are known: choosing proofs is slow
        expl = returns(why, kb, "p300(X)", Limits(seconds=0.05))
        assert expl.holds and "time limit of 0.05 s reached" in expl.partial
        for proof in expl.proofs:
            check_proof(proof, kb)
        assert "partial: time limit" in explanation_tree(expl, Vocabulary.of(kb)).text
        kb.ask(parse_query("p300(c)?"))  # the same: only the refutation is to be bounded
        refuted = returns(why, kb, "p300(c)", Limits(seconds=0.05))
        assert not refuted.holds and refuted.partial
        check_refutation(refuted.refutation, kb)
        assert why(kb, "p3(a)").partial is None  # a new explanation has a budget of its own


# -- size ------------------------------------------------------------------------------------
ITEMS = "".join(f"item(i{n}).\n" for n in range(30)) + "pair(X) :- item(X).\n"


def test_an_explanation_whose_answers_cannot_be_found_in_time_is_interrupted(heavy):
    with pytest.raises(Interrupted, match=r"^time limit of 0\.2 s reached$"):
        returns(why, heavy, "big(A, B, C, D)", Limits(seconds=0.2))
    assert why(heavy, "big(n1, n2, n3, n4)").holds


def test_an_answer_limit_marks_the_answer_partial_and_leaves_the_cache_whole():
    with KnowledgeBase.from_text(ITEMS) as kb:
        cut = kb.ask("item(X)?", limit=5)
        assert len(cut.rows) == 5 and cut.partial == "answer limit reached: only the first 5 of 30 answers"
        assert answer_text(cut).endswith("partial: answer limit reached: only the first 5 of 30 answers.")
        assert answer_json(cut)["partial"] == cut.partial
        whole = kb.ask("item(X)?")
        assert len(whole.rows) == 30 and whole.partial is None and "partial" not in answer_json(whole)
        assert kb.ask("item(X)?", limit=30).partial is None
        shown = answer_json(whole, limit=5)  # a renderer's limit says the same
        assert len(shown["answers"]) == 5 and shown["partial"] == cut.partial


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_an_answer_limit_must_be_a_whole_number(bad):
    with KnowledgeBase.from_text(ITEMS) as kb, pytest.raises(ValueError):
        kb.ask("item(X)?", limit=bad)


def test_explaining_many_answers_is_bounded_and_says_so():
    with KnowledgeBase.from_text(ITEMS) as kb:
        expl = why(kb, "pair(X)", Limits(answers=4))
        assert len(expl.proofs) == 4
        assert expl.partial == "only the first 4 of 30 answers are explained"
        assert explanation_json(expl, Vocabulary.of(kb))["partial"] == expl.partial
        assert "(Partial: only the first 4" in explanation_prose(expl, Vocabulary.of(kb))
        assert why(kb, "pair(i3)").partial is None


def cuts(proof) -> list[Cut]:
    found, todo = [], [proof]
    while todo:
        node = todo.pop()
        if isinstance(node, Cut):
            found.append(node)
        elif isinstance(node, Derived):
            todo.extend(node.premises)
    return found


def test_depth_and_node_budgets_cut_the_proof_and_mark_it_partial(reach):
    goal = "reach(n100)"
    deep = why(reach, goal, Limits(depth=5))
    assert [c.reason for c in cuts(deep.proofs[0])] == ["depth limit 5 reached"]
    assert deep.partial == "depth limit 5 reached"
    small = why(reach, goal, Limits(nodes=12))
    assert small.partial == "node limit 12 reached"
    assert cuts(small.proofs[0]) and small.proofs[0].nodes <= 2 * 12 + 1
    for expl in (deep, small):
        check_proof(expl.proofs[0], reach)
        tree = explanation_tree(expl, Vocabulary.of(reach)).text
        assert f"partial: {expl.partial}." in tree and "…" in tree


def test_a_complete_explanation_is_not_partial(reach):
    expl = why(reach, "reach(n3)")
    assert expl.partial is None and not cuts(expl.proofs[0])
    assert "partial" not in explanation_tree(expl, Vocabulary.of(reach)).text
    assert "partial" not in explanation_json(expl, Vocabulary.of(reach))


# -- depth -----------------------------------------------------------------------------------
def test_a_ten_thousand_step_chain_answers_and_explains(reach):
    assert reach.holds(f"reach(n{CHAIN})?")
    assert len(reach.ask("reach(X)?").rows) == CHAIN + 1
    expl = why(reach, f"reach(n{CHAIN})")
    assert expl.holds and expl.partial == "depth limit 40 reached"
    check_proof(expl.proofs[0], reach)


def test_no_depth_asked_for_can_overflow_the_stack(reach):
    expl = why(reach, f"reach(n{CHAIN})", Limits(depth=10**6))
    assert expl.partial == f"depth limit {MAX_DEPTH} reached"
    assert expl.proofs[0].height == MAX_DEPTH
    vocab = Vocabulary.of(reach)
    assert explanation_tree(expl, vocab).text.count("✓") > MAX_DEPTH
    assert explanation_json(expl, vocab)["partial"]
    assert explanation_prose(expl, vocab) and explanation_dot(expl, vocab)
    check_proof(expl.proofs[0], reach)


def test_a_refutation_down_a_long_chain_is_bounded(reach):
    expl = why(reach, "reach(nowhere)")
    assert not expl.holds
    check_refutation(expl.refutation, reach)
    assert explanation_tree(expl, Vocabulary.of(reach)).text


@contextmanager
def recursion_limit(limit: int):
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def test_choosing_a_proof_down_a_long_rule_chain_uses_no_python_recursion():
    """200 rules `p{i+1}(X) :- p{i}(X).`: choosing the best proof looks all the way down, which
    on the Python stack would take three frames a step; the explainer's own stack takes none."""
    chain = "p0(a).\n" + "".join(f"p{i + 1}(X) :- p{i}(X).\n" for i in range(200))
    with KnowledgeBase.from_text(chain) as kb:
        with recursion_limit(350):  # the main thread waits in `join`, well below this
            expl = returns(why, kb, "p200(a)")
        assert expl.holds and expl.partial == "depth limit 40 reached"
        check_proof(expl.proofs[0], kb)


# -- threads -----------------------------------------------------------------------------------
def test_two_knowledge_bases_in_two_threads_do_not_interfere():
    rule = "reach(X, Y) :- edge(X, Y).\nreach(X, Z) :- reach(X, Y), edge(Y, Z).\n"
    errors: list[str] = []

    def work(name: str) -> None:
        with KnowledgeBase.from_text(rule + f"edge({name}0, {name}1).\n") as kb:
            for i in range(1, 40):
                kb.tell(f"edge({name}{i}, {name}{i + 1}).")
                got = {str(v) for (v,) in kb.ask(f"reach({name}0, Y)?").rows}
                if got != {f"{name}{j}" for j in range(1, i + 2)}:
                    errors.append(f"{name} after {i}: {sorted(got)}")
                if i % 10 == 0:
                    kb.retract(f"edge({name}{i}, {name}{i + 1}).")
                    kb.tell(f"edge({name}{i}, {name}{i + 1}).")

    threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b", "c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(LIVENESS)
    assert errors == [] and not any(t.is_alive() for t in threads)


JOINED = "e(A, B), e(B, C), e(C, D), A != D?"  # a conjunction: evaluated in the pyDatalog thread


def test_stopping_or_closing_one_knowledge_base_leaves_another_evaluating_beside_it(heavy):
    """Same predicate names, evaluated at the same time: a time limit that stops one knowledge
    base's evaluation (an exception thrown into its pyDatalog thread) and a knowledge base
    closed meanwhile leave the other one's answers whole."""
    small = "big(A, B, C, D) :- e(A, B), e(B, C), e(C, D), A != D.\ne(m0, m1).\ne(m1, m2).\ne(m2, m3).\n"
    errors: list[str] = []
    done = threading.Event()

    def steady() -> None:
        with KnowledgeBase.from_text(small) as kb:
            for i in range(10_000):
                kb.tell(f"mark(k{i}).")  # a new generation: evaluated again, not cached
                rows = names(kb.ask(JOINED))
                if rows != ["m0 m1 m2 m3"]:
                    errors.append(f"after {i}: {rows}")
                if done.is_set():
                    return

    worker = threading.Thread(target=steady)
    worker.start()
    try:
        for _ in range(3):
            with pytest.raises(Interrupted):
                returns(heavy.ask, JOINED, timeout=0.2)
            KnowledgeBase.from_text(small).close()
    finally:
        done.set()
        worker.join(LIVENESS)
    assert errors == [] and not worker.is_alive()
    assert heavy.ask("big(n1, n2, n3, n4)?").holds


def test_one_knowledge_base_shared_by_threads_stays_consistent():
    errors: list[str] = []
    with KnowledgeBase.from_text("group(g0).\nnamed(X) :- group(X).\n") as kb:
        def work(k: int) -> None:
            for i in range(30):
                kb.tell(f"group(t{k}_{i}).")
                if not kb.holds(f"named(t{k}_{i})?"):
                    errors.append(f"t{k}_{i}")

        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(LIVENESS)
        assert errors == [] and len(kb.ask("named(X)?").rows) == 1 + 4 * 30
        assert Symbol("t3_29") in {v for (v,) in kb.ask("named(X)?").rows}


def test_partial_answers_and_explanations_follow_the_json_schemas(reach):
    from pathlib import Path

    from jsonschema import Draft202012Validator

    schemas = Path(__file__).resolve().parent.parent / "docs" / "schemas"

    def valid(document: dict, name: str) -> None:
        schema = json.loads((schemas / f"{name}.schema.json").read_text(encoding="utf-8"))
        Draft202012Validator(schema).validate(document)

    with KnowledgeBase.from_text(ITEMS + "odd(X) :- item(X), X != X.\n") as kb:
        valid(json.loads(dumps(answer_json(kb.ask("item(X)?", limit=3)))), "answer")
        refuted = why(kb, "odd(X)", Limits(candidates=5))
        assert refuted.partial == "candidate limit 5 reached"
        proved = why(reach, "reach(n50)", Limits(depth=4))
        for expl, vocab in ((refuted, Vocabulary.of(kb)), (proved, Vocabulary.of(reach))):
            document = json.loads(dumps(explanation_json(expl, vocab)))
            assert document["partial"] == expl.partial
            valid(document, "explanation")


def test_the_evaluator_is_pydatalogs_interruptible_python_engine():
    """The compiled engine runs a whole evaluation in C without releasing the GIL or looking at
    pending exceptions: no time limit, no Ctrl-C, not even another thread could run meanwhile."""
    from allegiance.eval import backend

    assert backend.pyEngine.__file__.endswith(".py")


def test_an_interrupt_that_lands_where_python_ignores_it_is_not_shown():
    from types import SimpleNamespace

    from allegiance.eval import backend

    shown: list = []
    backend._unraisable(SimpleNamespace(exc_value=backend._Stop()), shown.append)
    assert shown == []
    report = SimpleNamespace(exc_value=ValueError("a real problem"))
    backend._unraisable(report, shown.append)
    assert shown == [report]
