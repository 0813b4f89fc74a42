"""The backtest as text and as JSON (schema `allegiance/backtest`, version 1).

Sits at the end of the pipeline: `whatif.backtest` asks the questions; this module only writes.
The text is a table (case, question, as of, expected, got, ✓/✗), a count, and for every miss the
`why` tree of what the rules concluded; a known miss is marked as such with its reason. The JSON
is the table as data (docs/json.md, docs/schemas/backtest.schema.json).
"""

from __future__ import annotations

from allegiance.render.text import explanation_tree

__all__ = ["backtest_json", "backtest_text", "mark"]

HEADERS = ("case", "question", "as of", "expected", "got", "")


def mark(asked) -> str:
    """✓ for a match, ✗ for a miss, `✗ known miss` for a miss the case expects."""
    if asked.matches:
        return "✓"
    return "✗ known miss" if asked.known_miss else "✗"


def backtest_text(results) -> str:
    """The table, a count, and the explanation of every miss."""
    rows = [(r.case.name, a.question.goal, a.question.as_of.isoformat(), a.question.expected,
             a.got, mark(a)) for r in results for a in r.asked]
    lines = _table([HEADERS, *rows])
    lines += ["", _count(results)]
    for result in results:
        for asked in result.asked:
            if not asked.matches:
                lines += ["", *_miss(result, asked)]
    return "\n".join(lines)


def _table(rows) -> list[str]:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(HEADERS))]
    return ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def _count(results) -> str:
    asked = [a for r in results for a in r.asked]
    matched = sum(a.matches for a in asked)
    known = sum(a.known_miss for a in asked)
    failing = sum(a.fails for a in asked)
    cases = len(results)
    text = (f"{len(asked)} questions in {cases} case{'s' if cases != 1 else ''}: {matched} match"
            f"{'es' if matched != 1 else ''}")
    if known:
        text += f", {known} known miss{'es' if known != 1 else ''}"
    return text + (f", {failing} miss{'es' if failing != 1 else ''}." if failing else ".")


def _miss(result, asked) -> list[str]:
    q = asked.question
    head = (f"✗ {result.case.name}: {q.goal} as of {q.as_of.isoformat()}: expected {q.expected} "
            f"({q.source}), got {asked.got}")
    lines = [head + (" (known miss)" if asked.known_miss else "")]
    if asked.known_miss:
        lines.append(f"  known miss: {q.known_miss}")
    if asked.problem:
        lines.append(f"  {asked.problem}")
    if asked.explanation is not None:
        tree = explanation_tree(asked.explanation, result.vocabulary, None)
        lines += ["  " + line for line in tree.text.split("\n")]
    return lines


def backtest_json(results) -> dict:
    """The backtest as a JSON-ready dict."""
    return {
        "schema": "allegiance/backtest",
        "version": 1,
        "passed": not any(r.fails for r in results),
        "cases": [_case_json(r) for r in results],
    }


def _case_json(result) -> dict:
    case = result.case
    return {
        "case": case.name,
        "title": case.title,
        "theatre": case.theatre,
        "date": case.date.isoformat(),
        "cooperation_held": case.cooperation_held,
        "questions": [_question_json(a) for a in result.asked],
    }


def _question_json(asked) -> dict:
    q = asked.question
    entry = {"goal": q.goal, "as_of": q.as_of.isoformat(), "expected": q.expected,
             "got": asked.got, "source": q.source, "matches": asked.matches}
    if q.known_miss:
        entry["known_miss"] = q.known_miss
    return entry
