"""Flip sets and critical premises: each one reverses the verdict, and none has a proper subset
that does, judged by the oracle on the edited program; the search leaves no trace."""

from __future__ import annotations

import datetime
import itertools
from pathlib import Path

import pytest
from hypothesis import assume as suppose
from hypothesis import given
from hypothesis import strategies as st

from allegiance.lang.diagnostics import QueryError
from allegiance.whatif.flips import critical_premises, flip_sets
from allegiance.eval.kb import KnowledgeBase
from allegiance.lang.parse import parse_query
from allegiance.lang.syntax import Atom, Constant, Fact, Program
from allegiance.whatif.layers import Change
from oracle import evaluate, predicate_keys
from strategies import DOMAIN, programs

ROOT = Path(__file__).resolve().parent.parent
DAY = datetime.date(2014, 11, 15)


def edited(program: Program, changes) -> Program:
    """`program` with each withdrawn atom's statements removed and each added atom stated."""
    gone = {c.atom for c in changes if not c.added}
    kept = tuple(s for s in program.statements if not (isinstance(s, Fact) and s.atom in gone))
    return Program(kept + tuple(Fact(c.atom) for c in changes if c.added))


def verdict(program: Program, goal: Atom) -> bool:
    return tuple(t.value for t in goal.args) in evaluate(program, DAY)[goal.key]


@st.composite
def goals(draw, program: Program, holding: bool | None = None):
    """A ground atom over a derived predicate (one that holds, when `holding`)."""
    key = draw(st.sampled_from(sorted({r.head.key for r in program.rules})))
    name, arity = key.rsplit("/", 1)
    if holding:
        rows = sorted(evaluate(program, DAY)[key], key=str)
        suppose(rows)
        return Atom(name, tuple(Constant(v) for v in draw(st.sampled_from(rows))))
    return Atom(name, tuple(Constant(draw(st.sampled_from(DOMAIN))) for _ in range(int(arity))))


def search_and_check(program: Program, goal: Atom, **bounds):
    """The flip sets of `goal`, each checked against the oracle; the KB must be unchanged."""
    with KnowledgeBase.from_program(program, as_of=DAY) as kb:
        keys = predicate_keys(program)
        before, statements = {k: kb.relation(k) for k in keys}, kb.store.all_statements()
        result = flip_sets(kb, goal, **bounds)
        assert {k: kb.relation(k) for k in keys} == before
        assert kb.store.all_statements() == statements
    holds = verdict(program, goal)
    assert result.holds == holds
    base = {k for k in predicate_keys(program) if k not in {r.head.key for r in program.rules}}
    for changes in result.sets:
        assert verdict(edited(program, changes), goal) != holds, changes
        for size in range(len(changes)):
            for subset in itertools.combinations(changes, size):
                assert verdict(edited(program, subset), goal) == holds, (changes, subset)
        assert all(c.atom.key in base for c in changes if c.added)
        if holds:
            assert all(not c.added for c in changes)
    return result


@given(st.data())
def test_every_flip_set_flips_the_verdict_and_is_minimal(data):
    program = data.draw(programs(dated=False))
    search_and_check(program, data.draw(goals(program)), max_size=2, max_checks=40)


@given(st.data())
def test_every_critical_premise_defeats_the_conclusion(data):
    program = data.draw(programs(dated=False))
    goal = data.draw(goals(program, holding=True))
    search_and_check(program, goal, max_size=2, max_checks=40)


@given(st.data())
def test_without_negation_every_single_critical_premise_is_found(data):
    program = data.draw(programs(dated=False, negation=False))
    goal = data.draw(goals(program, holding=True))
    result = search_and_check(program, goal, max_size=1, max_checks=200, max_candidates=200)
    stated = {f.atom for f in program.facts}
    critical = {a for a in stated if not verdict(edited(program, [_withdrawn(a)]), goal)}
    assert {s[0].atom for s in result.sets} == critical


def _withdrawn(atom):
    return Change(atom, False)


# -- examples ----------------------------------------------------------------------------------
def atom(text: str) -> Atom:
    return parse_query(text).body[0]


def shown(result) -> list[list[str]]:
    return [[("+" if c.added else "-") + str(_text(c.atom)) for c in s] for s in result.sets]


def _text(a: Atom) -> str:
    return f"{a.predicate}({', '.join(str(t) for t in a.args)})"


CASES = [
    ("two-missing", "p(X) :- a(X), b(X). a(c).", "p(d)", {}, [["+a(d)", "+b(d)"]], False),
    ("one-missing", "p(X) :- a(X), b(X). a(c).", "p(c)", {}, [["+b(c)"]], False),
    ("negation", "q(X) :- a(X), not r(X). a(c). r(c).", "q(c)", {}, [["-r(c)"]], False),
    ("negation-fixed", "q(X) :- a(X), not r(X). a(c). r(c).", "q(c)", {"fixed": ["r/1"]}, [], False),
    ("premises", "p(X) :- a(X), b(X). a(c). b(c).", "p(c)", {}, [["-a(c)"], ["-b(c)"]], False),
    ("two-ways", "p(X) :- a(X). p(X) :- b(X). a(c). b(c).", "p(c)", {}, [["-a(c)", "-b(c)"]], False),
    ("join", "p(X) :- e(X, Y), f(Y). e(c, d). e(c, g).", "p(c)", {}, [["+f(d)"], ["+f(g)"]], False),
    ("bounded", "p(X) :- a(X), b(X), e(X, X). a(c).", "p(d)", {"max_size": 2}, [], True),
    ("budget", "p(X) :- a(X), b(X). a(c).", "p(d)", {"max_checks": 2}, [], True),
]


@pytest.mark.parametrize("text, goal, bounds, expected, bounded", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_flip_sets_of_small_cases(text, goal, bounds, expected, bounded):
    with KnowledgeBase.from_text(text, as_of=DAY) as kb:
        result = flip_sets(kb, goal, **bounds)
    assert shown(result) == expected
    assert result.bound_reached is bounded
    assert bool(result.reason) is bounded


def test_a_goal_that_fails_has_no_premises():
    with KnowledgeBase.from_text("p(X) :- a(X). a(c).", as_of=DAY) as kb:
        with pytest.raises(QueryError):
            critical_premises(kb, "p(d)")
        with pytest.raises(QueryError):
            flip_sets(kb, "p(X)")


def test_the_articles_verdicts():
    with KnowledgeBase.from_paths([ROOT / "kb"], as_of=DAY) as kb:
        local = critical_premises(kb, "local_alliance(JN, IS, qalamoun)")
        alliance = flip_sets(kb, "alliance(JN, IS)", max_size=3, fixed=["group/1"])
    singles = {s[0].atom for s in local.sets if len(s) == 1}
    assert atom("isolated(jabhat_al_nusra, qalamoun)") in singles and not local.bound_reached
    charge = atom("charges(islamic_state, jabhat_al_nusra, defection)")
    assert alliance.sets and all(len(s) == 3 and any(c.atom == charge for c in s) for s in alliance.sets)
    assert alliance.bound_reached
