"""Explanations as JSON (schema `allegiance/explanation`, version 1; see docs/json.md).

Sits at the end of the pipeline. Every node is an object with a `kind`; atoms carry both their
source syntax and their sentence; rules carry their id (`name/arity`), text, `file` and `line`;
given facts carry their sources (id, title, author, outlet, date, url) and validity dates.
"""

from __future__ import annotations

from allegiance.lang.printer import format_literal, format_rule
from allegiance.explain.proof import (Aggregated, Absent, Attempt, Circular, Cut, Derived, Explanation, FailedTest, Given,
                    Missing, Present, Refutation, Test)
from allegiance.render.answers import SCHEMA_VERSION, value_json
from allegiance.explain.sentences import Vocabulary


def explanation_json(expl: Explanation, vocab: Vocabulary) -> dict:
    """The explanation as a JSON-ready dict."""
    from allegiance.render.text import summary

    doc = {
        "schema": "allegiance/explanation",
        "version": SCHEMA_VERSION,
        "goal": _atom(expl.goal, vocab, expl.holds),
        "as_of": expl.as_of.isoformat(),
        "holds": expl.holds,
    }
    if expl.holds:
        doc["proofs"] = [node_json(p, vocab) for p in expl.proofs]
    else:
        doc["refutation"] = node_json(expl.refutation, vocab)
        doc["reasons"] = summary(expl, vocab)
        doc["see_also"] = [node_json(p, vocab) for p in expl.see_also]
    if expl.partial:
        doc["partial"] = expl.partial
    return doc


def node_json(node, vocab: Vocabulary) -> dict:
    """One proof or refutation node, with its children."""
    if isinstance(node, Given):
        return {"kind": "given", "atom": _atom(node.atom, vocab),
                "statements": [_statement(f, vocab) for f in node.statements]}
    if isinstance(node, Derived):
        return {"kind": "derived", "atom": _atom(node.atom, vocab), "rule": _rule(node.rule),
                "bindings": _bindings(node.bindings), "height": node.height,
                "premises": [node_json(p, vocab) for p in node.premises]}
    if isinstance(node, Absent):
        return {"kind": "absent", "atom": _atom(node.atom, vocab, holds=False)}
    if isinstance(node, Test):
        return {"kind": "test", "comparison": format_literal(node.comparison), "holds": node.holds,
                "sentence": vocab.comparison(node.comparison)}
    if isinstance(node, Aggregated):
        return {"kind": "aggregate", "aggregate": format_literal(node.aggregate),
                "value": None if node.value is None else value_json(node.value), "more": node.more,
                "members": [{"bindings": _bindings(m.bindings),
                             "premises": [node_json(p, vocab) for p in m.premises]} for m in node.members]}
    if isinstance(node, Cut):
        return {"kind": "cut", "atom": _atom(node.atom, vocab), "reason": node.reason}
    if isinstance(node, Refutation):
        return {"kind": "refutation", "goal": _atom(node.goal, vocab, holds=False),
                "stated_elsewhere": [_statement(f, vocab) for f in node.stated_elsewhere],
                "attempts": [_attempt(a, vocab) for a in node.attempts]}
    if isinstance(node, Circular):
        return {"kind": "circular", "cycle": [vocab.atom(a) for a in node.cycle]}
    if isinstance(node, Missing):
        return {"kind": "missing", "atoms": [_atom(a, vocab, holds=False) for a in node.atoms],
                "refutations": [node_json(r, vocab) for r in node.refutations]}
    if isinstance(node, FailedTest):
        return {"kind": "failed_test", "bindings": _bindings(node.bindings),
                "comparison": format_literal(node.comparison),
                "sentence": vocab.comparison(node.comparison, holds=False)}
    if isinstance(node, Present):
        return {"kind": "present", "bindings": _bindings(node.bindings), "atom": _atom(node.atom, vocab),
                "proofs": [node_json(p, vocab) for p in node.proofs]}
    raise TypeError(node)


def _attempt(attempt: Attempt, vocab: Vocabulary) -> dict:
    return {"rule": _rule(attempt.rule), "bindings": _bindings(attempt.bindings),
            "candidates": attempt.candidates, "shown": attempt.shown,
            "blocks": [node_json(b, vocab) for b in attempt.blocks]}


def _atom(atom, vocab: Vocabulary, holds: bool = True) -> dict:
    return {"predicate": atom.key, "text": vocab.atom(atom), "sentence": vocab.sentence(atom, holds)}


def _rule(rule) -> dict:
    span = rule.span
    return {"id": rule.head.key, "text": format_rule(rule),
            "file": span.file if span else None, "line": span.line if span else None}


def _bindings(bindings) -> dict:
    return {name: value_json(value) for name, value in bindings}


def _statement(fact, vocab: Vocabulary) -> dict:
    return {
        "valid_from": str(fact.valid_from) if fact.valid_from else None,
        "valid_to": str(fact.valid_to) if fact.valid_to else None,
        "file": fact.span.file if fact.span else None,
        "line": fact.span.line if fact.span else None,
        "sources": [_source(s, vocab) for s in fact.sources],
    }


def _source(source_id: str, vocab: Vocabulary) -> dict:
    decl = vocab.sources.get(source_id)
    doc = {"id": source_id}
    for key in ("title", "author", "outlet", "date", "url"):
        value = decl.get(key) if decl else None
        doc[key] = None if value is None else str(value) if key == "date" else value.text
    return doc
