"""Competing hypotheses: the matrices of hypotheses against items of evidence, scored as in ACH.

Sits on `kb`, `whatif`, `flip` and `ach_scores`, and reads the interface of
`kb/rules/hypotheses.dl`: two questions about a pair of groups, each a set of mutually exclusive
hypotheses: the relationship (`hypothesis(H, A, B)`, items `evidence(E, A, B)`) and the reports
(`report_hypothesis(H, A, B)`, items `report_evidence(E, A, B)`); the cells `consistent(E, H, A,
B)` and `inconsistent(E, H, A, B)`; the key conclusions `borne_out(H, A, B)`; and, where the
knowledge base defines them, `common_origin/2` (items of one origin), `credibility_grade/2`,
`item_reliability/2` (Admiralty grades), `low_credibility/1` and `high_credibility/1` (weights).
Every cell and weight is derived by a rule, so `why inconsistent(E, H, A, B)?` explains it.
Guarantees (scoring in `ach_scores`):
- a cell is inconsistent when the rules derive `inconsistent`, else consistent when they derive
  `consistent`, else not applicable, which never counts;
- items of one origin (connected by `common_origin`) are one row listing its members;
- indicators: for each hypothesis, the minimal sets of changes that would reverse its key
  conclusion `borne_out(H, A, B)` (see `flip`), each with the score and rank the hypothesis would
  then have, those that move it most first.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable

from attrs import frozen

from allegiance.lang.diagnostics import QueryError, error
from allegiance.whatif.flips import FlipSets, flip_sets
from allegiance.eval.kb import KnowledgeBase
from allegiance.lang.syntax import Atom, Constant, Query, Variable
from allegiance.lang.values import Symbol, Value, sort_key
from allegiance.whatif.layers import Change, assume_changes
from allegiance.whatif.ach_scores import (CONSISTENT, INCONSISTENT, NOT_APPLICABLE, UNTESTED, WEIGHTS,  # noqa: F401
                                          Item, Perturbation, applicable, inconsistency, merged,
                                          perturbations, ranking, score)

RELATIONSHIP, REPORTING = "relationship", "reporting"
QUESTIONS = {RELATIONSHIP: ("hypothesis", "evidence"), REPORTING: ("report_hypothesis", "report_evidence")}
INTERFACE = ("hypothesis/3", "evidence/3", "consistent/4", "inconsistent/4", "borne_out/3")


@frozen
class Matrix:
    """The hypotheses of one question about `group` and `other` against the rows of evidence."""

    group: Value
    other: Value
    as_of: datetime.date
    hypotheses: tuple[Value, ...]
    items: tuple[Item, ...]
    scores: tuple[float, ...]  # share of applicable weight against, one per hypothesis
    ranking: tuple[tuple[Value, ...], ...]  # tiers of equal score, least inconsistent first
    sensitivity: tuple[Perturbation, ...] = ()
    question: str = RELATIONSHIP

    @property
    def favoured(self) -> tuple[Value, ...]:
        return self.ranking[0] if self.ranking else ()

    @property
    def inconsistency(self) -> tuple[float, ...]:
        return inconsistency(self.items, len(self.hypotheses))

    @property
    def applicable(self) -> tuple[float, ...]:
        return applicable(self.items, len(self.hypotheses))

    @property
    def critical(self) -> tuple[Value, ...]:
        """The rows one change to which would change the favoured hypotheses."""
        return tuple(dict.fromkeys(p.item for p in self.sensitivity if p.favoured_changes))

    def row(self, item: Value) -> Item:
        return next(i for i in self.items if item in i.all_members)

    def cell(self, item: Value, hypothesis: Value) -> Atom:
        """The atom `why` explains for a cell (`inconsistent`, else `consistent`, as rated)."""
        rating = self.row(item).ratings[self.hypotheses.index(hypothesis)]
        name = "inconsistent" if rating == INCONSISTENT else "consistent"
        return cell_atom(name, item, hypothesis, self.group, self.other)


def cell_atom(name: str, item: Value, hypothesis: Value, group: Value, other: Value) -> Atom:
    return Atom(name, tuple(Constant(v) for v in (item, hypothesis, group, other)))


@frozen
class Indicator:
    """Changes to watch for: observed, they would reverse `borne_out(hypothesis, A, B)`."""

    changes: tuple[Change, ...]
    score: float  # the hypothesis' score with the changes
    rank: int  # the index of its tier with the changes (0: favoured)


@frozen
class Indicators:
    """The indicators of one hypothesis, the most telling first, and the search behind them."""

    hypothesis: Value
    borne_out: bool
    score: float
    rank: int
    indicators: tuple[Indicator, ...]
    search: FlipSets


# -- the matrix --------------------------------------------------------------------------------
def competing_hypotheses(kb: KnowledgeBase, group: str | Value, other: str | Value,
                         sensitivity: bool = True, question: str = RELATIONSHIP) -> Matrix:
    """The matrix of one question (`RELATIONSHIP` or `REPORTING`) about `group` and `other`
    (names, aliases or values)."""
    _require_interface(kb)
    a, b = entity(kb, group), entity(kb, other)
    hypothesis_name, evidence_name = QUESTIONS[question]
    with kb._lock:
        hypotheses = _hypotheses(kb, hypothesis_name, a, b)
        if not hypotheses:
            what = "no evidence bears on" if question == RELATIONSHIP else "no report claims cooperation of"
            raise QueryError([error(f"{what} `{a}` and `{b}`", None, "ach",
                                    hint="the hypotheses are those of kb/rules/hypotheses.dl, for "
                                         "every pair some item of evidence bears on")])
        items = _items(kb, evidence_name, a, b, hypotheses)
    scores = score(items, len(hypotheses))
    order = ranking(hypotheses, scores)
    found = perturbations(hypotheses, items, order) if sensitivity else ()
    return Matrix(a, b, kb.as_of, hypotheses, items, scores, order, found, question)


def questions(kb: KnowledgeBase, group: str | Value, other: str | Value,
              sensitivity: bool = True) -> tuple[Matrix, ...]:
    """The matrices of both questions about the pair; the reporting one only when a report
    claims the two cooperate."""
    found = [competing_hypotheses(kb, group, other, sensitivity)]
    if "report_hypothesis/3" in kb.checked.predicates:
        try:
            found.append(competing_hypotheses(kb, group, other, sensitivity, REPORTING))
        except QueryError:
            pass
    return tuple(found)


def entity(kb: KnowledgeBase, name: str | Value) -> Value:
    """The entity a name denotes: an alias (any case), or a symbol as written."""
    if not isinstance(name, str):
        return name
    entities = kb.aliases().get(name.lower(), ())
    if len(entities) == 1:
        return entities[0]
    if len(entities) > 1:
        raise QueryError([error(f"`{name}` is an alias of several entities", None, "alias")])
    return Symbol(name)


def _require_interface(kb: KnowledgeBase) -> None:
    missing = [k for k in INTERFACE if k not in kb.checked.predicates]
    if missing:
        raise QueryError([error(f"the knowledge base defines no `{missing[0]}`", None, "ach",
                                hint="load the rules of kb/rules/hypotheses.dl")])


def _hypotheses(kb, name: str, a: Value, b: Value) -> tuple[Value, ...]:
    """The hypotheses in the order of the rules that state them."""
    if f"{name}/3" not in kb.checked.predicates:
        return ()
    found = {row[0] for row in _rows(kb, name, a, b)}
    heads = [r.head for r in kb.checked.predicates[f"{name}/3"].rules]
    order = [t.value for h in heads for t in h.args[:1] if isinstance(t, Constant)]
    return tuple(dict.fromkeys([h for h in order if h in found] + sorted(found, key=sort_key)))


def _items(kb, evidence: str, a: Value, b: Value, hypotheses) -> tuple[Item, ...]:
    cells = {name: {(e, h) for e, h, x, y in kb.relation(f"{name}/4") if (x, y) == (a, b)}
             for name in ("consistent", "inconsistent")}
    low, high = _unary(kb, "low_credibility/1"), _unary(kb, "high_credibility/1")
    grades = _grades(kb)
    kinds: dict[Value, list[str]] = {}
    for key in _evidence_kinds(kb, evidence):
        for (item,) in _rows(kb, key.rsplit("/", 1)[0], a, b):
            kinds.setdefault(item, []).append(key)
    single = {}
    for item in sorted(kinds, key=sort_key):
        ratings = tuple(INCONSISTENT if (item, h) in cells["inconsistent"] else
                        CONSISTENT if (item, h) in cells["consistent"] else NOT_APPLICABLE
                        for h in hypotheses)
        credibility = "high" if item in high else "low" if item in low else "medium"
        single[item] = Item(item, tuple(kinds[item]), credibility, ratings, (), grades.get(item, ""))
    return tuple(merged(single[m] for m in group) for group in _origins(kb, list(single)))


def _origins(kb, items: list[Value]) -> list[list[Value]]:
    """The items grouped by origin (connected by `common_origin/2`), each group in value order."""
    parent = {i: i for i in items}

    def root(x):
        while parent[x] != x:
            x = parent[x]
        return x
    if "common_origin/2" in kb.checked.predicates:
        for x, y in kb.relation("common_origin/2"):
            if x in parent and y in parent and root(x) != root(y):
                parent[max(root(x), root(y), key=sort_key)] = min(root(x), root(y), key=sort_key)
    groups: dict[Value, list[Value]] = {}
    for item in items:
        groups.setdefault(root(item), []).append(item)
    return list(groups.values())


def _grades(kb) -> dict[Value, str]:
    """Each item's Admiralty code (`F3`), where the rules grade it."""
    if "credibility_grade/2" not in kb.checked.predicates:
        return {}
    letters = dict(kb.relation("item_reliability/2")) if "item_reliability/2" in kb.checked.predicates else {}
    return {item: f"{str(letters.get(item, '')).upper()}{digit}"
            for item, digit in kb.relation("credibility_grade/2")}


def _evidence_kinds(kb, evidence: str) -> list[str]:
    """The predicates `evidence/3` (or `report_evidence/3`) is made of, in the order of its rules."""
    rules = kb.checked.predicates[f"{evidence}/3"].rules
    return list(dict.fromkeys(lit.key for r in rules for lit in r.body if isinstance(lit, Atom)))


def _rows(kb, name: str, a: Value, b: Value) -> list[tuple]:
    """The first arguments of `name(X, a, b)`, in the order of values."""
    answer = kb.ask(Query((Atom(name, (Variable("X"), Constant(a), Constant(b))),)))
    return sorted(answer.rows, key=lambda r: tuple(map(sort_key, r)))


def _unary(kb, key: str) -> set:
    return {row[0] for row in kb.relation(key)} if key in kb.checked.predicates else set()


def rank_of(matrix: Matrix, hypothesis: Value) -> int:
    """The index of the tier holding `hypothesis` (0: favoured)."""
    return next(i for i, tier in enumerate(matrix.ranking) if hypothesis in tier)


# -- indicators --------------------------------------------------------------------------------
def indicators(kb: KnowledgeBase, matrix: Matrix, *, max_size: int = 2, max_checks: int = 150,
               fixed: Iterable[str] = (), limit: int = 5) -> tuple[Indicators, ...]:
    """For each hypothesis, the changes that would reverse its key conclusion, most telling first;
    `fixed` predicates never change."""
    found = []
    for index, hypothesis in enumerate(matrix.hypotheses):
        goal = Atom("borne_out", tuple(Constant(v) for v in (hypothesis, matrix.group, matrix.other)))
        search = flip_sets(kb, goal, max_size=max_size, max_checks=max_checks, fixed=set(fixed))
        telling = sorted((_indicator(kb, matrix, hypothesis, s) for s in search.sets),
                         key=lambda i: _telling(matrix, index, i))
        found.append(Indicators(hypothesis, search.holds, matrix.scores[index],
                                rank_of(matrix, hypothesis), tuple(telling[:limit]), search))
    return tuple(found)


def _indicator(kb, matrix: Matrix, hypothesis: Value, changes) -> Indicator:
    with assume_changes(kb, changes):
        try:
            after = competing_hypotheses(kb, matrix.group, matrix.other, False, matrix.question)
        except QueryError:
            return Indicator(tuple(changes), math.nan, len(matrix.ranking))
    index = after.hypotheses.index(hypothesis) if hypothesis in after.hypotheses else None
    value = after.scores[index] if index is not None else math.nan
    rank = rank_of(after, hypothesis) if index is not None else len(after.ranking)
    return Indicator(tuple(changes), value, rank)


def _telling(matrix: Matrix, index: int, indicator: Indicator) -> tuple:
    """Largest move in rank, then in score, then fewest changes."""
    moved = abs(indicator.rank - rank_of(matrix, matrix.hypotheses[index]))
    finite = not (math.isnan(indicator.score) or math.isinf(indicator.score)
                  or math.isinf(matrix.scores[index]))
    shift = abs(indicator.score - matrix.scores[index]) if finite else 0
    return (-moved, -shift, len(indicator.changes))
