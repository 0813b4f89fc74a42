"""Rendering answers: the text a person reads and the JSON a program reads.

Sits at the end of the pipeline; nothing before it makes text for users. Text output is
re-pasteable (values in source syntax); JSON follows the versioned schema in `docs/json.md`.
"""

from __future__ import annotations

import json
import re

from attrs import evolve

from allegiance.eval.kb import Answer
from allegiance.eval.limits import answer_limit
from allegiance.lang.printer import format_query
from allegiance.lang.values import Date, Integer, String, Symbol, Value

SCHEMA_VERSION = 1


def answer_text(answer: Answer, limit: int | None = None) -> str:
    """Bindings one per line (`X = a, Y = b.`), then `N answers.`, `yes.` or `no.`; when a
    limit cut the answer, `partial: ...` says so instead of the count."""
    lines = [f"% {name} is {value}" for name, value in answer.resolutions]
    if not answer.variables:
        return "\n".join(lines + ["yes." if answer.holds else "no."])
    shown = answer.rows if limit is None else answer.rows[:limit]
    for row in shown:
        lines.append(", ".join(f"{n} = {v}" for n, v in zip(answer.variables, row)) + ".")
    total = len(answer.rows)
    if not total:
        lines.append("no.")
    elif answer.partial:
        lines.append(f"partial: {answer.partial}.")
    elif len(shown) < total:
        lines.append(f"{len(shown)} of {total} answers shown.")
    else:
        lines.append(f"{total} answer{'s' if total != 1 else ''}.")
    return "\n".join(lines)


def value_json(value: Value) -> dict:
    """A value as `{"type": ..., "value": ...}`."""
    if isinstance(value, Symbol):
        return {"type": "symbol", "value": value.name}
    if isinstance(value, String):
        return {"type": "string", "value": value.text}
    if isinstance(value, Integer):
        return {"type": "integer", "value": value.value}
    if isinstance(value, Date):
        return {"type": "date", "value": str(value)}
    raise TypeError(value)


def answer_json(answer: Answer, limit: int | None = None) -> dict:
    """The answer as a JSON-ready dict (schema `allegiance/answer`, version 1), its first `limit`
    answers only if given; `partial` only when a limit cut it."""
    if limit is not None and len(answer.rows) > limit:
        answer = evolve(answer, rows=answer.rows[:limit],
                        partial=answer_limit(limit, len(answer.rows)))
    document = {
        "schema": "allegiance/answer",
        "version": SCHEMA_VERSION,
        "query": format_query(answer.query),
        "as_of": answer.as_of.isoformat(),
        "holds": answer.holds,
        "variables": list(answer.variables),
        "answers": [
            {n: value_json(v) for n, v in zip(answer.variables, row)} for row in answer.rows
        ],
        "resolutions": {name: value_json(v) for name, v in answer.resolutions},
    }
    if answer.partial:
        document["partial"] = answer.partial
    return document


_HIDDEN_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def dumps(document: dict) -> str:
    """JSON text, stable key order, Unicode kept readable, but every character that a terminal
    would act on or that reorders text escaped as `\\uXXXX` (JSON escapes the rest of them)."""
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)
    return _HIDDEN_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
