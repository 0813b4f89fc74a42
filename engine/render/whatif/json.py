"""Hypothetical reasoning as JSON: layers, diffs, flip sets, source sensitivity, the matrix of
competing hypotheses and indicators (schemas `allegiance/layer`, `allegiance/whatif`,
`allegiance/flip`, `allegiance/sensitivity`, `allegiance/sensitivities`, `allegiance/ach` and
`allegiance/indicators`, version 1; see docs/json.md and docs/schemas/whatif.schema.json).

Sits at the end of the pipeline beside `render_whatif` (the same values, as data). Atoms are the
objects of `allegiance/explanation` (`predicate`, `text`, `sentence`); every cell of a matrix
names the goal whose `why` explains it, and every weight the credibility it comes from, so a
program can trace each number back to rules and sources. Deterministic; non-finite numbers
(a score that no longer exists) are null.
"""

from __future__ import annotations

import math

from allegiance.whatif.ach import Indicators, Matrix
from allegiance.whatif.flips import FlipSets
from allegiance.lang.printer import format_fact
from allegiance.render.answers import SCHEMA_VERSION, value_json
from allegiance.whatif.sensitivity import SourceSensitivity
from allegiance.explain.sentences import Vocabulary
from allegiance.lang.syntax import Atom, Fact
from allegiance.whatif.layers import Change, Diff, Layer


def layer_json(layer: Layer, vocab: Vocabulary) -> dict:
    """The statements a layer added and withdrew, and the requests that changed nothing."""
    return {"added": [fact_json(f, vocab) for f in layer.added],
            "withdrawn": [fact_json(f, vocab) for f in layer.withdrawn],
            "ignored": [fact_json(f, vocab) for f in layer.ignored]}


def layer_document(layer: Layer, vocab: Vocabulary, as_of) -> dict:
    """What a what-if layer states and withdraws (schema `allegiance/layer`)."""
    return {**_head("allegiance/layer", as_of), **layer_json(layer, vocab)}


def diff_json(diff: Diff, vocab: Vocabulary) -> dict:
    """A diff (schema `allegiance/whatif`): the layer, then the conclusions gained and lost."""
    return {**_head("allegiance/whatif", diff.as_of), "layer": layer_json(diff.layer, vocab),
            "conclusions": list(diff.conclusions), "changed": diff.changed,
            "gained": [atom_json(a, vocab) for a in diff.gained],
            "lost": [atom_json(a, vocab, holds=False) for a in diff.lost],
            "unchanged": len(diff.unchanged)}


def flips_json(flips: FlipSets, vocab: Vocabulary) -> dict:
    """Flip sets (schema `allegiance/flip`): each a list of changes, and the bounds."""
    return {**_head("allegiance/flip", flips.as_of), "goal": atom_json(flips.goal, vocab, flips.holds),
            "holds": flips.holds, "sets": [[change_json(c, vocab) for c in s] for s in flips.sets],
            **_bounds(flips)}


def sensitivity_json(result: SourceSensitivity, vocab: Vocabulary) -> dict:
    """What withdrawing one source changes (schema `allegiance/sensitivity`)."""
    return {**_head("allegiance/sensitivity", result.diff.as_of), **_source(result, vocab)}


def sensitivities_json(results, vocab: Vocabulary) -> dict:
    """The sensitivity to each source, in one document (schema `allegiance/sensitivities`)."""
    day = results[0].diff.as_of if results else None
    return {**_head("allegiance/sensitivities", day), "sources": [_source(r, vocab) for r in results]}


def _source(result: SourceSensitivity, vocab: Vocabulary) -> dict:
    return {"source": result.source, "citation": vocab.citation(result.source),
            "carriers": list(result.carriers),
            "withdrawn": [fact_json(f, vocab) for f in result.withdrawn],
            "kept": [fact_json(f, vocab) for f in result.kept],
            "conclusions": list(result.diff.conclusions), "changed": result.diff.changed,
            "gained": [atom_json(a, vocab) for a in result.diff.gained],
            "lost": [atom_json(a, vocab, holds=False) for a in result.diff.lost]}


def matrix_json(matrix: Matrix, vocab: Vocabulary) -> dict:
    """The matrix of competing hypotheses (schema `allegiance/ach`)."""
    hypotheses = [{"id": value_json(h), "name": vocab.name(h),
                   "score": None if math.isinf(s) else _number(s), "against": _number(i), "rated": _number(a)}
                  for h, s, i, a in zip(matrix.hypotheses, matrix.scores, matrix.inconsistency, matrix.applicable)]
    items = [{"id": value_json(i.id), "name": vocab.name(i.id), "kinds": list(i.kinds),
              "members": [{"id": value_json(m), "name": vocab.name(m)} for m in i.all_members],
              "grade": i.grade or None,
              "credibility": i.credibility, "weight": _number(i.weight),
              "diagnosticity": _number(i.diagnosticity),
              "weight_why": f"{i.credibility}_credibility({i.id})" if i.credibility != "medium" else None,
              "cells": [{"hypothesis": value_json(h), "rating": r,
                         "why": vocab.atom(matrix.cell(i.id, h))} for h, r in zip(matrix.hypotheses, i.ratings)]}
             for i in sorted(matrix.items, key=lambda i: -i.diagnosticity)]
    return {**_head("allegiance/ach", matrix.as_of), "question": matrix.question,
            "group": value_json(matrix.group),
            "other": value_json(matrix.other), "hypotheses": hypotheses, "items": items,
            "ranking": [[value_json(h) for h in tier] for tier in matrix.ranking],
            "favoured": [value_json(h) for h in matrix.favoured],
            "critical": [value_json(i) for i in matrix.critical],
            "perturbations": [{"item": value_json(p.item),
                               "hypothesis": value_json(p.hypothesis) if p.hypothesis is not None else None,
                               "ranking": [[value_json(h) for h in tier] for tier in p.ranking],
                               "favoured_changes": p.favoured_changes} for p in matrix.sensitivity]}


def indicators_json(found: tuple[Indicators, ...], vocab: Vocabulary, matrix: Matrix | None = None) -> dict:
    """The indicators of each hypothesis (schema `allegiance/indicators`)."""
    entries = [{"hypothesis": value_json(e.hypothesis), "name": vocab.name(e.hypothesis),
                "borne_out": e.borne_out, "score": _number(e.score), "rank": e.rank + 1,
                "indicators": [{"changes": [change_json(c, vocab) for c in i.changes],
                                "score": _number(i.score), "rank": i.rank + 1} for i in e.indicators],
                **_bounds(e.search)} for e in found]
    day = matrix.as_of if matrix is not None else found[0].search.as_of if found else None
    return {**_head("allegiance/indicators", day), "hypotheses": entries}


# -- parts ---------------------------------------------------------------------------------------
def atom_json(atom: Atom, vocab: Vocabulary, holds: bool = True) -> dict:
    """An atom as in `allegiance/explanation`: `predicate`, `text`, `sentence`."""
    return {"predicate": atom.key, "text": vocab.atom(atom), "sentence": vocab.sentence(atom, holds)}


def fact_json(fact: Fact, vocab: Vocabulary) -> dict:
    """A statement: its atom, its source text, its sources and validity dates."""
    return {"atom": atom_json(fact.atom, vocab), "fact": format_fact(fact), "sources": list(fact.sources),
            "valid_from": str(fact.valid_from) if fact.valid_from else None,
            "valid_to": str(fact.valid_to) if fact.valid_to else None}


def change_json(change: Change, vocab: Vocabulary) -> dict:
    """One change: `add` (state the atom) or `withdraw` (every statement of it)."""
    return {"change": "add" if change.added else "withdraw", "atom": atom_json(change.atom, vocab)}


def _bounds(flips: FlipSets) -> dict:
    return {"max_size": flips.max_size, "checks": flips.checks, "bound_reached": flips.bound_reached,
            "reason": flips.reason or None}


def _head(schema: str, day) -> dict:
    return {"schema": schema, "version": SCHEMA_VERSION, "as_of": day.isoformat() if day else None}


def _number(value: float) -> float | None:
    return None if math.isnan(value) or math.isinf(value) else round(value, 6)
