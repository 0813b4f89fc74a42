"""Join plans: the order of steps a body compiles to, and running them."""

import pytest

from allegiance.eval.fixpoint import Relation
from allegiance.eval.joins import CHUNK, Check, Probe, compile_join, run_join
from allegiance.eval.plan import PlanAtom, PlanCompare


def k(name):
    return (1, name)


EDGE_XZ, PATH_ZY = PlanAtom("edge/2", ("X", "Z")), PlanAtom("path/2", ("Z", "Y"))


def test_the_delta_atom_comes_first_and_the_next_is_probed_on_its_bound_column():
    plan = compile_join((EDGE_XZ, PATH_ZY), ("X", "Y"), first=1)
    assert [s.source for s in plan.scans] == [1, 0]
    assert plan.scans[1].columns == (1,)  # edge's Z, bound by path
    assert plan.head == (2, 1)  # X from edge's row (appended after path's), Y from path's


def test_atoms_with_constants_go_first_and_constants_are_bound_from_the_start():
    plan = compile_join((EDGE_XZ, PlanAtom("edge/2", ("Z", k("a")))), ("X",))
    assert plan.constants == (k("a"),)
    assert [s.source for s in plan.scans] == [1, 0]
    assert plan.scans[0].columns == (1,) and plan.scans[0].keys == (0,)


def test_an_atom_binding_nothing_used_later_is_a_membership_test():
    body = (PlanAtom("e/2", ("X", None)), PlanAtom("f/2", ("X", "W")))
    plan = compile_join(body, ("X",))
    assert len(plan.scans) == 1
    assert plan.scans[0].tests == (Probe(1, (0,), (0,), False, 2),)


def test_tests_follow_the_atom_binding_their_last_variable():
    body = (PlanCompare("<", "X", "Y"), PlanAtom("v/1", ("X",)), PlanAtom("w/1", ("Y",)),
            PlanAtom("n/1", ("Y",), True))
    plan = compile_join(body, ("X", "Y"))
    assert plan.scans[0].tests == ()
    assert plan.scans[1].tests == (Check("<", 0, 1), Probe(3, (0,), (1,), True, 1))


def test_a_repeated_variable_is_checked_within_the_row():
    plan = compile_join((PlanAtom("e/2", ("X", "X")),), ("X",))
    assert plan.scans[0].same == ((0, 1),)
    found = set()
    run_join(plan, [Relation({(k("a"), k("a")), (k("a"), k("b"))})], found)
    assert found == {(k("a"),)}


@pytest.mark.parametrize("body, head", [
    ((PlanAtom("v/1", ("X",)), PlanCompare("<", "X", "Y")), ("X",)),
    ((PlanAtom("v/1", ("X",)), PlanAtom("n/1", ("Y",), True)), ("X",)),
    ((PlanAtom("v/1", ("X",)),), ("Y",)),
], ids=["comparison", "negation", "head"])
def test_unsafe_bodies_are_refused(body, head):
    with pytest.raises(ValueError):
        compile_join(body, head)


def test_the_tick_comes_before_every_chunk_of_the_first_atom():
    rows = Relation({(i,) for i in range(2 * CHUNK + 1)})
    ticks, found = [], set()
    run_join(compile_join((PlanAtom("v/1", ("X",)),), ("X",)), [rows], found, tick=lambda: ticks.append(1))
    assert len(ticks) == 3 and len(found) == 2 * CHUNK + 1


def test_inner_scans_reached_from_few_outer_rows_also_tick():
    """A join whose first atom has few rows but whose inner atoms multiply them must still watch
    the clock: a time limit or Ctrl-C would otherwise wait for the whole product."""
    nodes = Relation({(k(f"n{i}"), k(f"n{j}")) for i in range(40) for j in range(40)})
    body = (PlanAtom("e/2", ("A", "B")), PlanAtom("e/2", ("B", "C")), PlanAtom("e/2", ("C", "D")))
    ticks, found = [], set()
    run_join(compile_join(body, ("A", "D")), [nodes, nodes, nodes], found, tick=lambda: ticks.append(1))
    assert len(found) == 40 * 40
    assert len(ticks) >= (40 * 40 * 40) // CHUNK  # one per chunk of calls of each inner scan
