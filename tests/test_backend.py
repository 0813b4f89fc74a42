"""The door to pyDatalog: isolation, translation of literals, interruption."""

import datetime
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allegiance.eval.backend import Backend, Interrupted, atom_text
from allegiance.eval.fixpoint import Relation
from allegiance.eval.plan import PlanAtom, PlanCompare
from allegiance.lang.values import Date, Integer, String, Symbol, sort_key


def k(name):
    return (1, name)


@pytest.fixture
def backend():
    b = Backend()
    yield b
    b.close()


def serve(backend, key, rows):
    relation = Relation(rows)
    backend.serve_relation(key, len(next(iter(rows))) if rows else 1, relation.lookup)


def test_rules_negation_and_comparisons_over_served_relations(backend):
    serve(backend, "p/1", {(k("a"),), (k("b"),), (k("c"),)})
    serve(backend, "q/1", {(k("b"),)})
    backend.add_rules([(PlanAtom("r/1", ("X",)),
                        (PlanAtom("p/1", ("X",)), PlanCompare("<", k("a"), "X"), PlanAtom("q/1", ("X",), True)))])
    assert backend.ask((PlanAtom("r/1", ("X",)),), ("X",)) == {(k("c"),)}
    assert backend.ask((PlanAtom("r/1", (k("c"),)),), ()) == {()}
    assert backend.ask((PlanAtom("r/1", (k("b"),)),), ()) == set()


def test_conjunctive_query_with_repeated_and_anonymous_variables(backend):
    serve(backend, "e/2", {(k("a"), k("a")), (k("a"), k("b")), (k("b"), k("c"))})
    assert backend.ask((PlanAtom("e/2", ("X", "X")),), ("X",)) == {(k("a"),)}
    assert backend.ask((PlanAtom("e/2", ("X", None)),), ("X",)) == {(k("a"),), (k("b"),)}
    body = (PlanAtom("e/2", ("X", "Y")), PlanAtom("e/2", ("Y", "Z")), PlanCompare("!=", "X", "Y"))
    assert backend.ask(body, ("X", "Z")) == {(k("a"), k("c"))}


def test_two_backends_never_see_each_other(backend):
    other = Backend()
    try:
        serve(backend, "p/1", {(k("mine"),)})
        serve(other, "p/1", {(k("theirs"),)})
        backend.add_rules([(PlanAtom("q/1", ("X",)), (PlanAtom("p/1", ("X",)),))])
        other.add_rules([(PlanAtom("q/1", ("X",)), (PlanAtom("p/1", ("X",)),))])
        assert backend.ask((PlanAtom("q/1", ("X",)),), ("X",)) == {(k("mine"),)}
        assert other.ask((PlanAtom("q/1", ("X",)),), ("X",)) == {(k("theirs"),)}
    finally:
        other.close()


def test_backends_used_from_several_threads_stay_correct():
    backends = [Backend() for _ in range(3)]
    for i, b in enumerate(backends):
        serve(b, "p/1", {(k(f"v{i}"),)})
    errors = []

    def work(i):
        for _ in range(50):
            got = backends[i % 3].ask((PlanAtom("p/1", ("X",)),), ("X",))
            if got != {(k(f"v{i % 3}"),)}:
                errors.append(got)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for b in backends:
        b.close()
    assert errors == []


def test_a_time_limit_interrupts_and_the_backend_still_works(backend):
    n = 60
    serve(backend, "e/2", {(k(str(i)), k(str(j))) for i in range(n) for j in range(n)})
    body = tuple(PlanAtom("e/2", (f"X{i}", f"X{i + 1}")) for i in range(4))
    with pytest.raises(Interrupted):
        backend.ask(body, ("X0", "X4"), timeout=0.05)
    assert backend.ask((PlanAtom("e/2", (k("1"), k("2"))),), ()) == {()}


@pytest.mark.parametrize("arity", [1, 2])
def test_a_predicate_is_never_answered_by_another_whose_name_extends_it(backend, arity):
    """pyDatalog looks predicate `n/a` up among the resolvers also as `n<a>/a`: private names
    must not allow `…p1` to meet `…p11` (or `…p12` for arity 2)."""
    keys = [f"k{i}/{arity}" for i in range(13)]
    for key in keys:  # the order in which private names are given out
        backend.name(key)
    serve(backend, keys[0], {(k("a"),) * arity})
    variables = tuple("XY"[:arity])
    backend.add_rules([(PlanAtom(keys[1], variables), (PlanAtom(keys[0], variables),))])
    serve(backend, keys[10 + arity], {(k("z"),) * arity})
    assert backend.ask((PlanAtom(keys[1], variables),), variables) == {(k("a"),) * arity}


VALUES = st.one_of(
    st.builds(Symbol, st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True)),
    st.builds(String, st.text(max_size=8)),
    st.builds(Integer, st.integers() | st.integers(-10**60, 10**60)),
    st.builds(lambda d, p: Date(d.year, d.month if p > 0 else None, d.day if p > 1 else None),
              st.dates(min_value=datetime.date(1, 1, 1)), st.integers(0, 2)),
)


@given(VALUES, VALUES)
def test_the_text_of_a_value_inside_pydatalog_is_one_to_one_and_keeps_the_order(a, b):
    ka, kb = sort_key(a), sort_key(b)
    ta, tb = atom_text(ka), atom_text(kb)
    assert (ta == tb) == (ka == kb)
    assert (ta < tb) == (ka < kb)


def test_comparisons_inside_pydatalog_follow_the_order_of_values(backend):
    values = [Integer(-12), Integer(-3), Integer(0), Integer(7), Integer(2014), Date(2014),
              Date(2014, 6), Date(2014, 6, 29), Integer(10**30), Symbol("a"), Symbol("ab"),
              String(""), String("a")]
    serve(backend, "v/1", {(sort_key(v),) for v in values})
    for pivot in values:
        body = (PlanAtom("v/1", ("X",)), PlanCompare("<", "X", sort_key(pivot)))
        assert backend.ask(body, ("X",)) == {(sort_key(v),) for v in values if v < pivot}, pivot
