"""Competing hypotheses: scores, ranking, diagnosticity, origins and sensitivity as pure functions;
the two questions about the article and an invented case, every cell explained by a checked
proof; exclusivity of the hypotheses, silence, origins counted once; the indicators, each
verified by assuming it."""

from __future__ import annotations

import datetime
import math
from pathlib import Path

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from allegiance.testing.pytest_plugin import assert_properties
from allegiance.whatif.ach import (REPORTING, UNTESTED, WEIGHTS, Item, Matrix, cell_atom, competing_hypotheses,
                                   indicators, merged, perturbations, questions, ranking, score)
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
    order = ranking(H, scores)
    return Matrix(Symbol("a"), Symbol("b"), DAY, H, items, scores, order, perturbations(H, items, order))


# -- scoring -----------------------------------------------------------------------------------
SCORES = [
    ("consistency-scores-nothing", [item("e", "CCC")], (0, 0, 0)),
    ("not-applicable-never-counts", [item("e", "IC-"), item("f", "CC-")], (0.5, 0, UNTESTED)),
    ("low-weighs-less", [item("e", "I-C", "low"), item("f", "C-C")],
     (1 / math.sqrt(2) / (1 + 1 / math.sqrt(2)), UNTESTED, 0)),
    ("high-weighs-more", [item("e", "C-I", "high"), item("f", "CII")],
     (0, 1, 1)),
]


@pytest.mark.parametrize("items, expected", [c[1:] for c in SCORES], ids=[c[0] for c in SCORES])
def test_scores_are_the_share_of_rated_weight_against(items, expected):
    assert score(items, len(H)) == pytest.approx(expected)


def test_a_hypothesis_about_fewer_items_does_not_win_by_being_about_less():
    # h3 says nothing about three items and is against the fourth; h1 is against one item of four:
    # counting inconsistency alone ties them, the share does not
    rows = [item("e", "IC-"), item("f", "CCI"), item("g", "CI-"), item("k", "CI-")]
    m = matrix(*rows)
    assert m.inconsistency == (1, 2, 1) and m.applicable == (4, 4, 1)
    assert names(m.favoured) == ["h1"] and m.ranking[-1] == (H[2],)


def test_the_ranking_puts_equal_scores_in_one_tier_least_inconsistent_first():
    assert ranking(H, (2.0, 0.5, 0.5)) == ((H[1], H[2]), (H[0],))


@pytest.mark.parametrize("ratings, credibility, diagnosticity", [
    ("CCC", "medium", 0), ("III", "medium", 0), ("C--", "medium", 0), ("I--", "medium", 0),
    ("IC-", "medium", 1), ("ICC", "medium", math.log2(3 / 2)), ("IIC", "medium", math.log2(3)),
    ("I-C", "low", 1 / math.sqrt(2)), ("IIC", "high", math.sqrt(2) * math.log2(3)),
], ids=["consistent-with-all", "inconsistent-with-all", "one-rated", "one-rated-against",
        "one-of-two-against", "one-of-three-against", "two-of-three-against", "low", "high"])
def test_diagnosticity_is_how_far_an_item_narrows_the_hypotheses(ratings, credibility, diagnosticity):
    assert item("e", ratings, credibility).diagnosticity == pytest.approx(diagnosticity)
    assert item("e", ratings, credibility).diagnostic is (diagnosticity > 0)


def test_an_item_against_more_hypotheses_is_more_diagnostic():
    assert item("e", "ICCC").diagnosticity < item("e", "IICC").diagnosticity < item("e", "IIIC").diagnosticity


def test_one_origin_is_one_row_rated_against_where_any_member_is_and_weighed_as_its_best():
    row = merged([item("e", "IC-", "low"), item("f", "CC-", "high"), item("g", "-C-")])
    assert row.members == tuple(Symbol(n) for n in "efg") and row.credibility == "high"
    assert row.ratings == ("I", "C", "-")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text("CI-", min_size=3, max_size=3), st.sampled_from(sorted(WEIGHTS))),
                min_size=1, max_size=5),
       st.integers(1, 4))
def test_repeating_an_origin_never_counts_it_twice(rows, copies):
    """However many outlets repeat an origin, its row, and so every score, is the same."""
    items = [item(f"e{i}", r, c) for i, (r, c) in enumerate(rows)]
    once = merged([items[0]])
    repeated = merged([items[0]] + [item(f"copy{k}", items[0].ratings, items[0].credibility)
                                     for k in range(copies)])
    assert score([repeated, *items[1:]], len(H)) == score([once, *items[1:]], len(H))


def test_an_item_that_decides_the_favourite_is_critical_and_a_redundant_one_is_not():
    decisive = matrix(item("e", "IIC"), item("f", "ICC"), item("g", "CCC"))
    assert decisive.favoured == (H[2],)
    assert "e" in names(decisive.critical)
    assert all(p.ranking != decisive.ranking for p in decisive.sensitivity)
    robust = matrix(item("e", "ICC"), item("f", "ICC"), item("g", "IIC"), item("k", "IIC"), item("m", "IIC"))
    assert robust.favoured == (H[2],) and robust.critical == ()


# -- the article ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def article():
    with KnowledgeBase.from_paths([ROOT / "kb"], as_of=DAY) as kb:
        yield kb, competing_hypotheses(kb, "JN", "IS")


def names(values) -> list[str]:
    return [str(v) for v in values]


def test_the_article_favours_local_cooperation_and_disinformation(article):
    kb, m = article
    assert names(m.hypotheses) == ["general_alliance", "local_cooperation_only", "tacit_deconfliction",
                                   "truce", "rivalry", "absorption"]
    assert names(m.favoured) == ["local_cooperation_only"] and names(m.ranking[-1]) == ["general_alliance"]
    (reporting,) = [q for q in questions(kb, "JN", "IS") if q.question == REPORTING]
    assert names(reporting.favoured) == ["reports_disinformation"]
    assert names(reporting.ranking[-1]) == ["reports_accurate"]


def test_the_article_counts_each_origin_once(article):
    _, m = article
    (beast,) = [i for i in m.items if Symbol("ap_agreement") in i.all_members]
    assert set(names(beast.members)) == {"ap_agreement", "daily_beast_agreement",
                                         "daily_beast_merger_talks", "daily_beast_idlib_assistance"}
    members = [x for i in m.items for x in i.all_members]
    assert len(members) == len(set(members))
    assert all(i.grade for i in m.items) and {i.grade for i in m.items} == {"F3", "F5"}
    low = {str(x) for i in m.items if i.credibility == "low" for x in i.all_members}
    assert low == {"guardian_war_planning", "guardian_defections", "daily_beast_merger_talks",
                   "daily_beast_agreement", "daily_beast_idlib_assistance", "sohr_idlib_assistance",
                   "ap_agreement"}


def test_every_relationship_hypothesis_is_borne_out_for_at_most_one_kind(article):
    kb, _ = article
    seen = {}
    for h, a, b in kb.relation("borne_out/3"):
        kind = "report" if str(h).startswith("reports_") else "relation"
        seen.setdefault((kind, a, b), []).append(h)
    assert seen and all(len(found) == 1 for found in seen.values())


def test_the_relationship_hypotheses_exclude_each_other_on_generated_cases():
    exclusive = lambda d: d.kind == "exclusive" and str(d.args[0]).startswith(("relation_", "reports_"))
    assert assert_properties([str(ROOT / "kb" / "rules")], examples=8, select=exclusive) > 0


def test_silence_is_not_evidence_an_unrecorded_informant_changes_nothing(article):
    kb, m = article
    program = read_program([ROOT / "kb"]) + parse_program(
        "informant(unknown_informant). attributed_to(guardian_war_planning, unknown_informant).")
    with KnowledgeBase.from_program(program, as_of=DAY) as other:
        for before in questions(kb, "JN", "IS"):
            after = competing_hypotheses(other, "JN", "IS", question=before.question)
            assert after.scores == before.scores and after.ranking == before.ranking


def test_every_cell_of_the_article_is_explained_by_the_rules(article):
    kb, _ = article
    for m in questions(kb, "JN", "IS", sensitivity=False):
        for row in m.items:
            for member in row.all_members:
                for hypothesis, rating in zip(m.hypotheses, row.ratings):
                    _check_cell(kb, m, member, hypothesis, rating if len(row.all_members) == 1 else None)


def _check_cell(kb, m, member, hypothesis, rating):
    found = {}
    for name in ("consistent", "inconsistent"):
        expl = why(kb, cell_atom(name, member, hypothesis, m.group, m.other))
        found[name] = expl.holds
        if expl.holds:
            for proof in expl.proofs:
                check_proof(proof, kb)
        else:
            check_refutation(expl.refutation, kb)
    if rating is not None:
        assert rating == ("I" if found["inconsistent"] else "C" if found["consistent"] else "-")


def test_each_indicator_really_reverses_its_hypothesis(article):
    kb, m = article
    found = indicators(kb, m, max_size=1, max_checks=40, fixed=["group/1"])
    assert [str(i.hypothesis) for i in found] == names(m.hypotheses)
    for entry in found:
        goal = Atom("borne_out", tuple(Constant(v) for v in (entry.hypothesis, m.group, m.other)))
        assert holds(kb, goal) is entry.borne_out
        for indicator in entry.indicators:
            with assume_changes(kb, indicator.changes):
                assert holds(kb, goal) is not entry.borne_out
    by_name = {str(i.hypothesis): i for i in found}
    assert by_name["local_cooperation_only"].borne_out and by_name["local_cooperation_only"].indicators


# -- another case, and errors --------------------------------------------------------------------
def test_credible_reports_weigh_more_and_decide_an_invented_case():
    program = read_program([ROOT / "kb" / "rules", ROOT / "tests" / "kbs" / "crescent_case.dl"])
    with KnowledgeBase.from_program(program, as_of=datetime.date(2020, 8, 1)) as kb:
        m = competing_hypotheses(kb, "banner_front", "green_brigade")
    weights = {str(x): i.credibility for i in m.items for x in i.all_members}
    assert weights["monitor_cooperation"] == "high" and weights["watch_cooperation"] == "high"
    assert names(m.favoured) == ["general_alliance"]


def test_a_knowledge_base_without_hypotheses_rules_is_refused():
    with KnowledgeBase.from_text("p(a).") as kb:
        with pytest.raises(QueryError):
            competing_hypotheses(kb, "a", "b")


def test_a_pair_without_evidence_is_refused(article):
    kb, _ = article
    with pytest.raises(QueryError, match="no evidence"):
        competing_hypotheses(kb, "AQAP", "Hezbollah")
