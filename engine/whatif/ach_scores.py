"""Scoring a matrix of competing hypotheses: rows, weights, diagnosticity, scores, ranking and
sensitivity, as pure functions of the ratings (no knowledge base here).

Sits under `ach`, which builds the rows from what the rules derive. Guarantees:
- a rating is consistent (C), inconsistent (I) or not applicable (-); a not-applicable cell never
  counts, for or against;
- a row is one origin: the items of one origin are one row (its `members`), rated inconsistent
  with a hypothesis when any member is, else consistent when any member is, and weighed as its
  most credible member, so an origin is counted once however many outlets repeat it;
- an item weighs √2 when of high credibility (Admiralty 1–2), 1/√2 when of low (4–5), 1 otherwise
  (PARC ACH's scale);
- a hypothesis' score is the share of the weight of the rows rated for it that counts against it
  (its weighted inconsistency over its applicable weight, 0 to 1), so a hypothesis is never
  favoured for being about fewer items; one rated on no row is untested and ranked last;
- diagnosticity (Heuer) is how far an item narrows the hypotheses it bears on: with n hypotheses
  rated for it and k of them inconsistent, weight × log2(n / (n − k)) bits; an item consistent with
  all of them, or inconsistent with all, or rated for fewer than two, is not diagnostic
  (docs/ach.md works an example);
- sensitivity: each row withdrawn, and each rated cell flipped, one at a time; the perturbations
  that alter the ranking are listed, and a row is critical when one changes the favoured tier.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from attrs import frozen

from allegiance.lang.values import Value

CONSISTENT, INCONSISTENT, NOT_APPLICABLE = "C", "I", "-"
WEIGHTS = {"high": math.sqrt(2), "medium": 1.0, "low": 1 / math.sqrt(2)}
UNTESTED = math.inf  # the score of a hypothesis rated on no row


@frozen
class Item:
    """One row of the matrix: one origin, its members, its grade and its rating per hypothesis."""

    id: Value  # the first member, which names the row
    kinds: tuple[str, ...]  # the evidence predicates that make it an item (`sign_of_rift/3`)
    credibility: str  # high, medium or low
    ratings: tuple[str, ...]  # C, I or - for each hypothesis, in the matrix's order
    members: tuple[Value, ...] = ()  # the items of one origin; () for an item alone
    grade: str = ""  # Admiralty code: reliability letter and credibility digit (`F3`)

    @property
    def weight(self) -> float:
        return WEIGHTS[self.credibility]

    @property
    def all_members(self) -> tuple[Value, ...]:
        return self.members or (self.id,)

    @property
    def diagnosticity(self) -> float:
        rated = [r for r in self.ratings if r != NOT_APPLICABLE]
        against = rated.count(INCONSISTENT)
        if len(rated) < 2 or against in (0, len(rated)):
            return 0.0
        return round(self.weight * math.log2(len(rated) / (len(rated) - against)), 9)

    @property
    def diagnostic(self) -> bool:
        return self.diagnosticity > 0


@frozen
class Perturbation:
    """A change to one row that alters the ranking: the row withdrawn, or one cell flipped."""

    item: Value
    hypothesis: Value | None  # the flipped cell's hypothesis; None: the row withdrawn
    ranking: tuple[tuple[Value, ...], ...]  # the ranking after the change
    favoured_changes: bool


def merged(rows: Iterable[Item]) -> Item:
    """One row for the items of one origin (see the module's guarantees)."""
    rows = list(rows)
    if len(rows) == 1:
        return rows[0]
    best = max(rows, key=lambda r: r.weight)
    ratings = tuple(INCONSISTENT if INCONSISTENT in column else CONSISTENT if CONSISTENT in column
                    else NOT_APPLICABLE for column in zip(*(r.ratings for r in rows)))
    kinds = tuple(dict.fromkeys(k for r in rows for k in r.kinds))
    return Item(rows[0].id, kinds, best.credibility, ratings, tuple(r.id for r in rows), best.grade)


def inconsistency(items: Iterable[Item], count: int) -> tuple[float, ...]:
    """The weighted inconsistency of each of `count` hypotheses (PARC ACH, C not counted)."""
    return _totals(items, count, (INCONSISTENT,))


def applicable(items: Iterable[Item], count: int) -> tuple[float, ...]:
    """The weight of the rows rated (C or I) for each of `count` hypotheses."""
    return _totals(items, count, (INCONSISTENT, CONSISTENT))


def score(items: Iterable[Item], count: int) -> tuple[float, ...]:
    """The share of each hypothesis' applicable weight that counts against it (`UNTESTED` when
    no row is rated for it)."""
    items = tuple(items)
    return tuple(round(i / a, 9) if a else UNTESTED
                 for i, a in zip(inconsistency(items, count), applicable(items, count)))


def _totals(items, count: int, counted: tuple[str, ...]) -> tuple[float, ...]:
    totals = [0.0] * count
    for item in items:
        for i, rating in enumerate(item.ratings):
            if rating in counted:
                totals[i] += item.weight
    return tuple(round(t, 9) for t in totals)


def ranking(hypotheses, scores) -> tuple[tuple[Value, ...], ...]:
    """Tiers of hypotheses of equal score, least inconsistent first."""
    tiers: dict[float, list[Value]] = {}
    for hypothesis, value in sorted(zip(hypotheses, scores), key=lambda p: p[1]):
        tiers.setdefault(value, []).append(hypothesis)
    return tuple(tuple(t) for t in tiers.values())


def perturbations(hypotheses, items: tuple[Item, ...], now) -> tuple[Perturbation, ...]:
    """Every withdrawal of a row or flip of a rated cell that alters the ranking `now`."""
    found = []
    for index, item in enumerate(items):
        variants = [(None, items[:index] + items[index + 1:])]
        for h, rating in zip(hypotheses, item.ratings):
            if rating != NOT_APPLICABLE:
                flipped = _flipped(item, hypotheses.index(h))
                variants.append((h, items[:index] + (flipped,) + items[index + 1:]))
        for hypothesis, changed in variants:
            after = ranking(hypotheses, score(changed, len(hypotheses)))
            if after != now:
                found.append(Perturbation(item.id, hypothesis, after, after[0] != now[0]))
    return tuple(found)


def _flipped(item: Item, index: int) -> Item:
    ratings = list(item.ratings)
    ratings[index] = CONSISTENT if ratings[index] == INCONSISTENT else INCONSISTENT
    return Item(item.id, item.kinds, item.credibility, tuple(ratings), item.members, item.grade)
