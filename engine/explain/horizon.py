"""The evidence horizon: the latest day an answer's evidence speaks of, and whether a question is
asked after it.

Sits beside `why` (it walks an explanation's proofs and refutations). The latest evidence of an
answer is the latest day named by the facts it rests on: the start or end of their validity and
the dates of the sources they cite. A question asked after that day is answered on facts that
may have changed since, and the REPL and the CLI say so (a `%` line, a JSON field). Without an
explanation (a plain query), the horizon is the date of the case loaded (its `case.toml`).
"""

from __future__ import annotations

import datetime

from allegiance.explain.proof import Derived, Explanation, Given, Missing, Present, Refutation

__all__ = ["latest_evidence"]


def latest_evidence(expl: Explanation, sources: dict) -> datetime.date | None:
    """The latest day named by the facts `expl` rests on (None when they name none)."""
    days: list[datetime.date] = []
    for fact in _facts(expl):
        for date in (fact.valid_from, fact.valid_to):
            if date is not None:
                days.append(date.last_day() if hasattr(date, "last_day") else date.first_day())
        for source in fact.sources:
            decl = sources.get(source)
            day = _source_day(decl)
            if day is not None:
                days.append(day)
    return max(days, default=None)


def _source_day(decl) -> datetime.date | None:
    for name, value in getattr(decl, "fields", ()) or ():
        if name == "date" and hasattr(value, "first_day"):
            return value.first_day()
    return None


def _facts(expl: Explanation):
    stack = list(expl.proofs) + list(expl.see_also)
    if expl.refutation is not None:
        stack.append(expl.refutation)
    seen = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Given):
            yield from node.statements
        elif isinstance(node, Derived):
            stack.extend(node.premises)
        elif isinstance(node, Refutation):
            yield from node.stated_elsewhere
            for attempt in node.attempts:
                stack.extend(attempt.blocks)
        elif isinstance(node, Present):
            stack.extend(node.proofs)
        elif isinstance(node, Missing):
            stack.extend(r for r in node.refutations if isinstance(r, Refutation))
