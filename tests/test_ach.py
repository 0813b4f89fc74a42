"""Competing hypotheses: scores, ranking, diagnosticity and sensitivity as pure functions; the
matrix of the article and of an invented case, every cell explained by a checked proof; the
indicators, each verified by assuming it."""

from __future__ import annotations

import datetime
import math
from pathlib import Path

import pytest

from allegiance.whatif.ach import (Item, Matrix, competing_hypotheses, indicators, perturbations, ranking,
                        score)
from allegiance.explain.checker import check_proof, check_refutation
from allegiance.lang.diagnostics import QueryError
from allegiance.explain.why import why
from allegiance.eval.kb import KnowledgeBase, read_program
from allegiance.lang.parse import parse_program
from allegiance.lang.syntax import Atom, Constant
from allegiance.lang.values import Symbol
from allegiance.whatif.layers import assume_changes, holds

ROOT = Path(__file__).resolve().parent.parent
DAY = datetime.date(2014, 11, 15)
H = tuple(Symbol(h) for h in ("h1", "h2", "h3"))


def item(name: str, ratings: str, credibility: str = "medium") -> Item:
    return Item(Symbol(name), ("e/3",), credibility, tuple(ratings))


def matrix(*items: Item) -> Matrix:
    scores = score(items, len(H))
    plain = Matrix(Symbol("a"), Symbol("b"), DAY, H, items, scores, ranking(H, scores))
    return Matrix(plain.group, plain.other, DAY, H, items, scores, plain.ranking, perturbations(plain))


# -- scoring -----------------------------------------------------------------------------------
SCORES = [
    ("consistency-scores-nothing", [item("e", "CCC")], (0, 0, 0)),
    ("one-inconsistent", [item("e", "IC-")], (1, 0, 0)),
    ("low-weighs-less", [item("e", "I--", "low")], (1 / math.sqrt(2), 0, 0)),
    ("high-weighs-more", [item("e", "--I", "high"), item("f", "-II")], (0, 1, 1 + math.sqrt(2))),
]


@pytest.mark.parametrize("items, expected", [c[1:] for c in SCORES], ids=[c[0] for c in SCORES])
def test_scores_are_weighted_inconsistency(items, expected):
    assert score(items, len(H)) == pytest.approx(expected)


def test_the_ranking_puts_equal_scores_in_one_tier_least_inconsistent_first():
    assert ranking(H, (2.0, 0.5, 0.5)) == ((H[1], H[2]), (H[0],))


@pytest.mark.parametrize("ratings, credibility, diagnosticity", [
    ("CCC", "medium", 0), ("III", "medium", 0), ("C--", "medium", 0), ("IC-", "medium", 1),
    ("I-I", "low", 1 / math.sqrt(2)), ("ICC", "high", math.sqrt(2)),
], ids=["consistent-with-all", "inconsistent-with-all", "not-applicable", "one-against",
        "low", "high"])
def test_diagnosticity_is_the_spread_of_weighted_inconsistency(ratings, credibility, diagnosticity):
    assert item("e", ratings, credibility).diagnosticity == pytest.approx(diagnosticity)
    assert item("e", ratings, credibility).diagnostic is (diagnosticity > 0)


def test_an_item_that_decides_the_favourite_is_critical_and_a_redundant_one_is_not():
    decisive = matrix(item("e", "II-"), item("f", "I--"), item("g", "--C"))
    assert decisive.favoured == (H[2],)
    assert names(decisive.critical) == ["e", "g"]
    assert {str(p.item) for p in decisive.sensitivity} == {"e", "f", "g"}
    assert all(p.ranking != decisive.ranking for p in decisive.sensitivity)
    robust = matrix(item("e", "ICC"), item("f", "ICC"), item("g", "IIC"), item("k", "IIC"))
    assert robust.favoured == (H[2],) and robust.sensitivity == () and robust.critical == ()


# -- the article ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def article():
    with KnowledgeBase.from_paths([ROOT / "kb"], as_of=DAY) as kb:
        yield kb, competing_hypotheses(kb, "JN", "IS")


def names(values) -> list[str]:
    return [str(v) for v in values]


def test_the_article_favours_disinformation_then_local_cooperation(article):
    _, m = article
    assert [names(t) for t in m.ranking] == [["interested_disinformation"], ["local_cooperation_only"],
                                            ["truce_only"], ["grand_alliance"]]
    assert not m.critical
    assert names(i.id for i in m.items if not i.diagnostic) == ["qalamoun"]
    low = {str(i.id) for i in m.items if i.credibility == "low"}
    assert low == {"guardian_war_planning", "guardian_defections", "daily_beast_merger_talks",
                   "daily_beast_agreement", "daily_beast_idlib_assistance", "sohr_idlib_assistance",
                   "ap_agreement"}


def test_every_cell_of_the_article_is_explained_by_the_rules(article):
    kb, m = article
    for row in m.items:
        for hypothesis, rating in zip(m.hypotheses, row.ratings):
            if rating == "-":
                for name in ("consistent", "inconsistent"):
                    expl = why(kb, Atom(name, (Constant(row.id), Constant(hypothesis))))
                    assert not expl.holds
                    check_refutation(expl.refutation, kb)
                continue
            expl = why(kb, m.cell(row.id, hypothesis))
            assert expl.holds and expl.goal.predicate == ("inconsistent" if rating == "I" else "consistent")
            for proof in expl.proofs:
                check_proof(proof, kb)


def test_each_indicator_really_reverses_its_hypothesis(article):
    kb, m = article
    found = indicators(kb, m, max_size=1, max_checks=40, fixed=["group/1"])
    assert [str(i.hypothesis) for i in found] == names(m.hypotheses)
    for entry in found:
        goal = Atom("borne_out", (Constant(entry.hypothesis),))
        assert holds(kb, goal) is entry.borne_out
        for indicator in entry.indicators:
            assert not any(c.atom.predicate.startswith("posits_") for c in indicator.changes)
            with assume_changes(kb, indicator.changes):
                assert holds(kb, goal) is not entry.borne_out
    by_name = {str(i.hypothesis): i for i in found}
    assert by_name["local_cooperation_only"].borne_out and by_name["local_cooperation_only"].indicators
    (truce,) = by_name["truce_only"].indicators
    assert [str(c.atom.predicate) for c in truce.changes] == ["subjugated"]


# -- another case, and errors --------------------------------------------------------------------
HYPOTHESES = """
posits_alliance(h_alliance, banner_front, green_brigade).
posits_local_cooperation(h_local, banner_front, green_brigade).
posits_truce(h_truce, banner_front, green_brigade).
posits_disinformation(h_disinformation, green_brigade, banner_front).
"""


def test_credible_reports_weigh_more_and_decide_an_invented_case():
    program = read_program([ROOT / "kb" / "rules", ROOT / "tests" / "kbs" / "crescent_case.dl"])
    with KnowledgeBase.from_program(program + parse_program(HYPOTHESES),
                                    as_of=datetime.date(2020, 8, 1)) as kb:
        m = competing_hypotheses(kb, "banner_front", "green_brigade")
    weights = {str(i.id): i.credibility for i in m.items}
    assert weights == {"monitor_cooperation": "high", "watch_cooperation": "high", "river_plain": "medium"}
    assert names(m.favoured) == ["h_alliance"]
    assert set(names(m.critical)) == {"monitor_cooperation", "watch_cooperation"}


def test_a_knowledge_base_without_hypotheses_rules_is_refused():
    with KnowledgeBase.from_text("p(a).") as kb:
        with pytest.raises(QueryError):
            competing_hypotheses(kb, "a", "b")


def test_a_pair_without_hypotheses_is_refused(article):
    kb, _ = article
    with pytest.raises(QueryError, match="no hypothesis"):
        competing_hypotheses(kb, "AQAP", "AQIM")
