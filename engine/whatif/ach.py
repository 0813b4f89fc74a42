"""Competing hypotheses: the matrix of hypotheses against items of evidence, scored as in ACH.

Sits on `kb`, `whatif` and `flip`, and reads the interface of `kb/rules/hypotheses.dl`:
`hypothesis(H, A, B)`, `evidence(E, A, B)` (one rule per kind of evidence), `consistent(E, H)`,
`inconsistent(E, H)`, `low_credibility(E)`, `high_credibility(E)` and `borne_out(H)`. Every
cell is derived by a rule, so `why inconsistent(E, H)?` explains it. Guarantees:
- a cell is inconsistent when the rules derive `inconsistent`, else consistent when they derive
  `consistent`, else not applicable;
- an item weighs √2 when of high credibility, 1/√2 when of low credibility and 1 otherwise (PARC
  ACH's scale); a hypothesis' score is its weighted inconsistency, the sum of the weights of the
  items inconsistent with it (PARC ACH, with consistency not counted); the ranking lists tiers of
  equal scores, least inconsistent first;
- an item's diagnosticity is the spread of its weighted inconsistency over the hypotheses: an
  item that counts against every hypothesis or against none (one rated alike for all, in
  particular) is not diagnostic;
- sensitivity: each item is withdrawn, and each of its consistent or inconsistent cells flipped,
  one at a time; the perturbations that alter the ranking are listed, and an item is critical
  when one of them changes the favoured tier;
- indicators: for each hypothesis, the minimal sets of changes that would reverse its key
  conclusion `borne_out(H)` (see `flip`), each with the score and rank the hypothesis would then
  have, those that move it most first.
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

CONSISTENT, INCONSISTENT, NOT_APPLICABLE = "C", "I", "-"
WEIGHTS = {"high": math.sqrt(2), "medium": 1.0, "low": 1 / math.sqrt(2)}
INTERFACE = ("hypothesis/3", "evidence/3", "consistent/2", "inconsistent/2", "borne_out/1")


@frozen
class Item:
    """One row of the matrix: an item of evidence, its weight and its rating per hypothesis."""

    id: Value
    kinds: tuple[str, ...]  # the evidence predicates that make it an item (`sign_of_rift/3`)
    credibility: str  # high, medium or low
    ratings: tuple[str, ...]  # C, I or - for each hypothesis, in the matrix's order

    @property
    def weight(self) -> float:
        return WEIGHTS[self.credibility]

    @property
    def diagnosticity(self) -> float:
        counts = [self.weight if r == INCONSISTENT else 0.0 for r in self.ratings]
        return max(counts) - min(counts) if counts else 0.0

    @property
    def diagnostic(self) -> bool:
        return self.diagnosticity > 0


@frozen
class Perturbation:
    """A change to one item that alters the ranking: the item withdrawn, or one cell flipped."""

    item: Value
    hypothesis: Value | None  # the flipped cell's hypothesis; None: the item withdrawn
    ranking: tuple[tuple[Value, ...], ...]  # the ranking after the change
    favoured_changes: bool


@frozen
class Matrix:
    """The hypotheses about `group` and `other` against the items of evidence, scored."""

    group: Value
    other: Value
    as_of: datetime.date
    hypotheses: tuple[Value, ...]
    items: tuple[Item, ...]
    scores: tuple[float, ...]  # weighted inconsistency, one per hypothesis
    ranking: tuple[tuple[Value, ...], ...]  # tiers of equal score, least inconsistent first
    sensitivity: tuple[Perturbation, ...] = ()

    @property
    def favoured(self) -> tuple[Value, ...]:
        return self.ranking[0] if self.ranking else ()

    @property
    def critical(self) -> tuple[Value, ...]:
        """The items one change to which would change the favoured hypotheses."""
        return tuple(dict.fromkeys(p.item for p in self.sensitivity if p.favoured_changes))

    def cell(self, item: Value, hypothesis: Value) -> Atom:
        """The atom `why` explains for a cell (`inconsistent`, else `consistent`, as rated)."""
        row = next(i for i in self.items if i.id == item)
        rating = row.ratings[self.hypotheses.index(hypothesis)]
        name = "inconsistent" if rating == INCONSISTENT else "consistent"
        return Atom(name, (Constant(item), Constant(hypothesis)))


@frozen
class Indicator:
    """Changes to watch for: observed, they would reverse `borne_out(hypothesis)`."""

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
                         sensitivity: bool = True) -> Matrix:
    """The matrix of the hypotheses about `group` and `other` (names, aliases or values)."""
    _require_interface(kb)
    a, b = entity(kb, group), entity(kb, other)
    with kb._lock:
        hypotheses = tuple(r[0] for r in _rows(kb, "hypothesis", a, b))
        if not hypotheses:
            raise QueryError([error(f"no hypothesis about `{a}` and `{b}` is stated", None, "ach",
                                    hint="state one with a `posits_…` fact, such as "
                                         f"`posits_truce(truce_only, {a}, {b}).`")])
        items = _items(kb, a, b, hypotheses)
    scores = score(items, len(hypotheses))
    matrix = Matrix(a, b, kb.as_of, hypotheses, items, scores, ranking(hypotheses, scores))
    if not sensitivity:
        return matrix
    return Matrix(a, b, kb.as_of, hypotheses, items, scores, matrix.ranking, perturbations(matrix))


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


def _items(kb, a: Value, b: Value, hypotheses) -> tuple[Item, ...]:
    consistent, inconsistent = kb.relation("consistent/2"), kb.relation("inconsistent/2")
    low, high = _unary(kb, "low_credibility/1"), _unary(kb, "high_credibility/1")
    kinds: dict[Value, list[str]] = {}
    for key in _evidence_kinds(kb):
        for (item,) in _rows(kb, key.rsplit("/", 1)[0], a, b):
            kinds.setdefault(item, []).append(key)
    items = []
    for item in sorted(kinds, key=sort_key):
        ratings = tuple(INCONSISTENT if (item, h) in inconsistent else
                        CONSISTENT if (item, h) in consistent else NOT_APPLICABLE for h in hypotheses)
        credibility = "high" if item in high else "low" if item in low else "medium"
        items.append(Item(item, tuple(kinds[item]), credibility, ratings))
    return tuple(items)


def _evidence_kinds(kb) -> list[str]:
    """The predicates `evidence/3` is made of, in the order of its rules."""
    rules = kb.checked.predicates["evidence/3"].rules
    return list(dict.fromkeys(lit.key for r in rules for lit in r.body if isinstance(lit, Atom)))


def _rows(kb, name: str, a: Value, b: Value) -> list[tuple]:
    """The first arguments of `name(X, a, b)`, in the order of values."""
    answer = kb.ask(Query((Atom(name, (Variable("X"), Constant(a), Constant(b))),)))
    return sorted(answer.rows, key=lambda r: tuple(map(sort_key, r)))


def _unary(kb, key: str) -> set:
    return {row[0] for row in kb.relation(key)} if key in kb.checked.predicates else set()


# -- scores, ranking and sensitivity -----------------------------------------------------------
def score(items: Iterable[Item], count: int) -> tuple[float, ...]:
    """The weighted inconsistency of each of `count` hypotheses."""
    totals = [0.0] * count
    for item in items:
        for i, rating in enumerate(item.ratings):
            if rating == INCONSISTENT:
                totals[i] += item.weight
    return tuple(round(t, 9) for t in totals)


def ranking(hypotheses, scores) -> tuple[tuple[Value, ...], ...]:
    """Tiers of hypotheses of equal score, least inconsistent first."""
    tiers: dict[float, list[Value]] = {}
    for hypothesis, value in sorted(zip(hypotheses, scores), key=lambda p: p[1]):
        tiers.setdefault(value, []).append(hypothesis)
    return tuple(tuple(t) for t in tiers.values())


def perturbations(matrix: Matrix) -> tuple[Perturbation, ...]:
    """Every withdrawal of an item or flip of a cell that alters the ranking."""
    found = []
    for index, item in enumerate(matrix.items):
        variants = [(None, matrix.items[:index] + matrix.items[index + 1:])]
        for h, rating in zip(matrix.hypotheses, item.ratings):
            if rating != NOT_APPLICABLE:
                flipped = _flipped(item, matrix.hypotheses.index(h))
                variants.append((h, matrix.items[:index] + (flipped,) + matrix.items[index + 1:]))
        for hypothesis, items in variants:
            after = ranking(matrix.hypotheses, score(items, len(matrix.hypotheses)))
            if after != matrix.ranking:
                found.append(Perturbation(item.id, hypothesis, after, after[0] != matrix.favoured))
    return tuple(found)


def _flipped(item: Item, index: int) -> Item:
    ratings = list(item.ratings)
    ratings[index] = CONSISTENT if ratings[index] == INCONSISTENT else INCONSISTENT
    return Item(item.id, item.kinds, item.credibility, tuple(ratings))


def rank_of(matrix: Matrix, hypothesis: Value) -> int:
    """The index of the tier holding `hypothesis` (0: favoured)."""
    return next(i for i, tier in enumerate(matrix.ranking) if hypothesis in tier)


# -- indicators --------------------------------------------------------------------------------
def indicators(kb: KnowledgeBase, matrix: Matrix, *, max_size: int = 2, max_checks: int = 150,
               fixed: Iterable[str] = (), limit: int = 5) -> tuple[Indicators, ...]:
    """For each hypothesis, the changes that would reverse its key conclusion, most telling first;
    the `posits_…` facts that define the hypotheses, and `fixed` predicates, never change."""
    frozen_keys = set(fixed) | _defining_predicates(kb)
    found = []
    for index, hypothesis in enumerate(matrix.hypotheses):
        goal = Atom("borne_out", (Constant(hypothesis),))
        search = flip_sets(kb, goal, max_size=max_size, max_checks=max_checks, fixed=frozen_keys)
        telling = sorted((_indicator(kb, matrix, hypothesis, s) for s in search.sets),
                         key=lambda i: _telling(matrix, index, i))
        found.append(Indicators(hypothesis, search.holds, matrix.scores[index],
                                rank_of(matrix, hypothesis), tuple(telling[:limit]), search))
    return tuple(found)


def _indicator(kb, matrix: Matrix, hypothesis: Value, changes) -> Indicator:
    with assume_changes(kb, changes):
        after = competing_hypotheses(kb, matrix.group, matrix.other, sensitivity=False)
    index = after.hypotheses.index(hypothesis) if hypothesis in after.hypotheses else None
    value = after.scores[index] if index is not None else math.nan
    rank = rank_of(after, hypothesis) if index is not None else len(after.ranking)
    return Indicator(tuple(changes), value, rank)


def _telling(matrix: Matrix, index: int, indicator: Indicator) -> tuple:
    """Largest move in rank, then in score, then fewest changes."""
    moved = abs(indicator.rank - rank_of(matrix, matrix.hypotheses[index]))
    shift = abs(indicator.score - matrix.scores[index]) if not math.isnan(indicator.score) else 0
    return (-moved, -shift, len(indicator.changes))


def _defining_predicates(kb) -> set[str]:
    """The base predicates `hypothesis/3` is made of (the `posits_…` facts of a case)."""
    rules = kb.checked.predicates["hypothesis/3"].rules
    return {lit.key for r in rules for lit in r.body if isinstance(lit, Atom)}
