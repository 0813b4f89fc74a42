"""The what-if part of the assessment: the competing hypotheses about each pair of alleged allies,
every cell and every weight explained, with indicators; and what hangs on each source.

Sits on `ach`, `sensitivity` and `explain`, under `assessment` (which calls `assess_whatif` for
the pairs it judges); `render_whatif_html` and `render_whatif_markdown` turn it into text.
Guarantees:
- every cell of every matrix carries the explanation of its rating: the proof of
  `inconsistent(E, H, A, B)` (I) or of `consistent(E, H, A, B)` (C), or, for a cell rated neither, the
  refutations of both; every item of low or high credibility carries the proof of
  `low_credibility(E)` or `high_credibility(E)`, so every weight, score and ranking can be followed
  down to rules and sources;
- a pair about which no hypothesis is stated (or a knowledge base without the rules of
  `kb/rules/hypotheses.dl`) gets no matrix and a note saying why, never an error;
- indicators are searched within the bounds given, and each says whether a bound stopped it;
- source sensitivity is computed for every declared source over the key conclusions (the
  `KEY_PREDICATES` the knowledge base derives): a source that relays every other (the article)
  alone, every other source together with it (see `sensitivity.source_sensitivities`); the
  knowledge base is left exactly as it was (see `whatif.assume`).
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen

from allegiance.whatif.ach import (CONSISTENT, INCONSISTENT, Indicators, Matrix, cell_atom, competing_hypotheses,
                                   indicators)
from allegiance.lang.diagnostics import QueryError
from allegiance.explain.why import why
from allegiance.eval.kb import KnowledgeBase
from allegiance.explain.proof import Explanation
from allegiance.whatif.sensitivity import SourceSensitivity, source_sensitivities
from allegiance.lang.syntax import Atom, Constant
from allegiance.lang.values import Value

KEY_PREDICATES = ("credible/1", "alliance/2", "rift/2", "local_alliance/3", "joint_front_feasible/3",
                  "borne_out/3", "consistent/4", "inconsistent/4")
INDICATOR_SIZE, INDICATOR_CHECKS = 1, 40  # the report's bounds on the search for indicators


@frozen
class Cell:
    """One cell of a matrix: its rating and the explanations of it (two for a cell rated neither)."""

    item: Value
    hypothesis: Value
    rating: str
    explanations: tuple[Explanation, ...]


@frozen
class PairHypotheses:
    """The matrix of the hypotheses about two groups, explained; `note` says why there is none."""

    group: Value
    other: Value
    matrix: Matrix | None
    cells: tuple[Cell, ...] = ()  # item by item, hypothesis by hypothesis
    credibility: tuple[Explanation | None, ...] = ()  # per item: why its weight is not 1
    indicators: tuple[Indicators, ...] = ()
    note: str = ""

    def cell(self, item: Value, hypothesis: Value) -> Cell:
        return next(c for c in self.cells if c.item == item and c.hypothesis == hypothesis)


@frozen
class WhatIf:
    """The competing hypotheses about each pair, and the sensitivity to each source."""

    pairs: tuple[PairHypotheses, ...]
    sources: tuple[SourceSensitivity, ...]
    conclusions: tuple[str, ...]  # the predicate keys the source sensitivity watches


def assess_whatif(kb: KnowledgeBase, pairs: Iterable[tuple[Value, Value]], *,
                  indicator_size: int = INDICATOR_SIZE,
                  indicator_checks: int = INDICATOR_CHECKS) -> WhatIf:
    """The what-if part of the assessment of `pairs`, as of the knowledge base's day."""
    judged = tuple(pair_hypotheses(kb, a, b, indicator_size, indicator_checks) for a, b in pairs)
    keys = key_conclusions(kb)
    sources = source_sensitivities(kb, conclusions=keys) if keys else ()
    return WhatIf(judged, sources, keys)


def key_conclusions(kb: KnowledgeBase) -> tuple[str, ...]:
    """The `KEY_PREDICATES` the knowledge base derives, in that order."""
    predicates = kb.checked.predicates
    return tuple(k for k in KEY_PREDICATES if k in predicates and predicates[k].is_derived)


def pair_hypotheses(kb: KnowledgeBase, group: Value, other: Value, size: int = INDICATOR_SIZE,
                    checks: int = INDICATOR_CHECKS) -> PairHypotheses:
    """The matrix about `group` and `other`, every cell explained, with its indicators."""
    try:
        matrix = competing_hypotheses(kb, group, other)
    except QueryError as exc:
        return PairHypotheses(group, other, None, note=exc.diagnostics[0].message)
    cells = tuple(Cell(item.id, h, rating, _cell_explanations(kb, matrix, item.id, h, rating))
                  for item in matrix.items for h, rating in zip(matrix.hypotheses, item.ratings))
    credibility = tuple(_credibility(kb, item) for item in matrix.items)
    found = indicators(kb, matrix, max_size=size, max_checks=checks) if size > 0 else ()
    return PairHypotheses(group, other, matrix, cells, credibility, found)


def _cell_explanations(kb, matrix: Matrix, item: Value, hypothesis: Value,
                       rating: str) -> tuple[Explanation, ...]:
    names = {INCONSISTENT: ("inconsistent",), CONSISTENT: ("consistent",)}.get(
        rating, ("inconsistent", "consistent"))
    return tuple(why(kb, cell_atom(n, item, hypothesis, matrix.group, matrix.other)) for n in names)


def _credibility(kb, item) -> Explanation | None:
    if item.credibility == "medium":
        return None
    return why(kb, Atom(f"{item.credibility}_credibility", (Constant(item.id),)))
