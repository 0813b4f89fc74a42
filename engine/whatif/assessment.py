"""The assessment behind `allegiance report`: what to judge, judged, with every explanation, as data.

Sits on `kb`, `explain` and `relations`; `render_html` and `render_markdown` turn it into text.
What is judged is read from the knowledge base, never named here, so the same code assesses any
case loaded beside `kb/rules`:
- every report (`report(R)`) for its credibility (`credible(R)`), with the claims it makes;
- every pair of groups some claim presents as allies (`alleged_allies(C, A, B)` of
  `kb/rules/claims.dl`): whether a general alliance is consistent (`alliance`), whether a rift
  divides them (`rift`), whether the local exception holds (`local_alliance`) in each region where
  they cooperate, are both present or are claimed to act, and whether a joint front is feasible
  (`joint_front_feasible`) in each region a claim sends them to (where the enemy of a claimed joint
  campaign is present, or where a claim places them);
- the sources: every declared source, and any cited one that is not declared;
- the relations between the groups (`relations.relations_graph`), the pairs' groups in focus;
- what if (`assessment_whatif`): the competing hypotheses about each pair, every cell explained,
  and the key conclusions that hang on each source.
Goals whose predicate the knowledge base does not define are left out. Everything is evaluated as
of the knowledge base's current day; orders are stable (values in their total order).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from attrs import frozen

from allegiance.whatif.assessment_whatif import WhatIf, assess_whatif
from allegiance.explain.why import why
from allegiance.eval.kb import KnowledgeBase
from allegiance.explain.proof import (Aggregated, Absent, Circular, Cut, Derived, Explanation, FailedTest, Given, Missing,
                    Present, Refutation, Test)
from allegiance.whatif.relations import Relations, matches, relations_graph
from allegiance.lang.syntax import Atom, Constant, SourceDecl
from allegiance.lang.values import Value, sort_key

CREDIBILITY, ALLIANCE, RIFT = "credibility", "alliance", "rift"
LOCAL, FEASIBILITY = "local_alliance", "feasibility"


@frozen
class Conclusion:
    """One judged goal (`kind` says which question it answers) and its explanation."""

    kind: str
    goal: Atom
    explanation: Explanation

    @property
    def holds(self) -> bool:
        return self.explanation.holds


@frozen
class ReportAssessment:
    """A report, the claims it makes, and whether it is credible."""

    report: Value
    claims: tuple[Value, ...]
    credibility: Conclusion | None  # None when the knowledge base has no `credible/1`


@frozen
class PairAssessment:
    """The key conclusions about two groups that some claim presents as allies."""

    group: Value
    other: Value
    claims: tuple[Value, ...]  # the claims that present them as allies
    general: tuple[Conclusion, ...]  # alliance, rift
    local: tuple[Conclusion, ...]  # local_alliance, one per region
    fronts: tuple[Conclusion, ...]  # joint_front_feasible, one per region

    @property
    def conclusions(self) -> tuple[Conclusion, ...]:
        return self.general + self.local + self.fronts


@frozen
class Assessment:
    """Everything the report shows, as of one day."""

    as_of: datetime.date
    reports: tuple[ReportAssessment, ...]
    pairs: tuple[PairAssessment, ...]
    sources: tuple[SourceDecl, ...]
    relations: Relations
    whatif: WhatIf | None = None  # competing hypotheses and source sensitivity (`assessment_whatif`)
    latest_evidence: datetime.date | None = None  # set when asked after the case's latest evidence

    @property
    def conclusions(self) -> tuple[Conclusion, ...]:
        """Every judged goal: the reports' credibility, then each pair's conclusions."""
        reports = tuple(r.credibility for r in self.reports if r.credibility is not None)
        return reports + tuple(c for p in self.pairs for c in p.conclusions)


def assess(kb: KnowledgeBase, whatif: bool = True) -> Assessment:
    """The assessment of every report and of every pair of alleged allies, as of the KB's day;
    with `whatif`, also the competing hypotheses about each pair and the sensitivity to each source."""
    reports = tuple(_report(kb, r) for (r,) in matches(kb, "report", "R"))
    pairs = tuple(_assess_pair(kb, a, b, claims) for (a, b), claims in alleged_pairs(kb).items())
    focus = [v for p in pairs for v in (p.group, p.other)]
    judged = [r.credibility for r in reports if r.credibility] + [c for p in pairs for c in p.conclusions]
    sources = _sources(kb, [c.explanation for c in judged])
    hypothetical = assess_whatif(kb, [(p.group, p.other) for p in pairs]) if whatif else None
    return Assessment(kb.as_of, reports, pairs, sources, relations_graph(kb, focus), hypothetical)


def alleged_pairs(kb: KnowledgeBase) -> dict[tuple[Value, Value], tuple[Value, ...]]:
    """Each unordered pair of parties some claim presents as allies → those claims, in order."""
    found: dict[tuple[Value, Value], list[Value]] = {}
    for claim, a, b in matches(kb, "alleged_allies", "C", "A", "B"):
        if sort_key(a) < sort_key(b):
            found.setdefault((a, b), []).append(claim)
    ordered = sorted(found, key=lambda p: (sort_key(p[0]), sort_key(p[1])))
    return {pair: tuple(dict.fromkeys(found[pair])) for pair in ordered}


def _goal(kind: str, predicate: str, *values: Value) -> tuple[str, Atom]:
    return (kind, Atom(predicate, tuple(Constant(v) for v in values)))


def _judge(kb: KnowledgeBase, goals) -> tuple[Conclusion, ...]:
    """Each (kind, goal) whose predicate the knowledge base defines, explained."""
    judged = []
    for kind, goal in goals:
        info = kb.checked.predicates.get(goal.key)
        if info is not None and info.is_defined:
            judged.append(Conclusion(kind, goal, why(kb, goal)))
    return tuple(judged)


def _report(kb: KnowledgeBase, report: Value) -> ReportAssessment:
    claims = tuple(c for (c,) in matches(kb, "reports", report, "C"))
    judged = _judge(kb, [_goal(CREDIBILITY, "credible", report)])
    return ReportAssessment(report, claims, judged[0] if judged else None)


def _assess_pair(kb: KnowledgeBase, a: Value, b: Value, claims: tuple[Value, ...]) -> PairAssessment:
    general = _judge(kb, [_goal(ALLIANCE, "alliance", a, b), _goal(RIFT, "rift", a, b)])
    local = _judge(kb, [_goal(LOCAL, "local_alliance", a, b, r) for r in local_regions(kb, a, b, claims)])
    fronts = _judge(kb, [_goal(FEASIBILITY, "joint_front_feasible", a, b, r)
                         for r in front_regions(kb, a, b, claims)])
    return PairAssessment(a, b, claims, general, local, fronts)


def local_regions(kb: KnowledgeBase, a: Value, b: Value, claims) -> tuple[Value, ...]:
    """Where the local exception is worth asking about: where the two cooperate, where it holds,
    where both are present, and where a claim about them places either."""
    found = {r for (r,) in matches(kb, "cooperates", a, b, "R") + matches(kb, "cooperates", b, a, "R")}
    found |= {r for (r,) in matches(kb, "local_alliance", a, b, "R")}
    found |= {r for (r,) in matches(kb, "present", a, "R")} & {r for (r,) in matches(kb, "present", b, "R")}
    found |= set(_claimed_activity(kb, a, b, claims))
    return tuple(sorted(found, key=sort_key))


def front_regions(kb: KnowledgeBase, a: Value, b: Value, claims) -> tuple[Value, ...]:
    """Where the claims send the two: where the enemy of a claimed joint campaign is present, and
    where a claim places either of them."""
    found = set(_claimed_activity(kb, a, b, claims))
    for claim in claims:
        for x, y, enemy in matches(kb, "alleges_joint_campaign", claim, "X", "Y", "E"):
            if {x, y} == {a, b}:
                found |= {r for (r,) in matches(kb, "present", enemy, "R")}
    return tuple(sorted(found, key=sort_key))


def _claimed_activity(kb: KnowledgeBase, a: Value, b: Value, claims) -> Iterator[Value]:
    for claim in claims:
        for group in (a, b):
            yield from (r for (r,) in matches(kb, "alleges_activity", claim, group, "R"))


def _sources(kb: KnowledgeBase, explanations) -> tuple[SourceDecl, ...]:
    """Every declared source in the order declared, then any cited one that is not declared."""
    declared = dict(kb.checked.sources)
    cited = dict.fromkeys(s for e in explanations for leaf in given_leaves(e)
                          for f in leaf.statements for s in f.sources)
    extra = [SourceDecl(s) for s in cited if s not in declared]
    return tuple(declared.values()) + tuple(extra)


def given_leaves(node) -> Iterator[Given]:
    """Every `Given` leaf of an explanation, proof or refutation, in the order shown."""
    if isinstance(node, Explanation):
        for child in node.proofs + ((node.refutation,) if node.refutation else ()) + node.see_also:
            yield from given_leaves(child)
    elif isinstance(node, Given):
        yield node
    elif isinstance(node, Derived):
        for premise in node.premises:
            yield from given_leaves(premise)
    elif isinstance(node, Refutation):
        for block in (b for attempt in node.attempts for b in attempt.blocks):
            yield from given_leaves(block)
    elif isinstance(node, Missing):
        for refutation in node.refutations:
            yield from given_leaves(refutation)
    elif isinstance(node, Present):
        for proof in node.proofs:
            yield from given_leaves(proof)
    elif isinstance(node, Aggregated):
        for premise in (p for m in node.members for p in m.premises):
            yield from given_leaves(premise)
    elif not isinstance(node, (Absent, Test, Cut, Circular, FailedTest)):
        raise TypeError(node)
