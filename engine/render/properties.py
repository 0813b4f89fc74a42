"""The text of a property check: one line per property, and a failure's counterexample.

Sits at the end of the pipeline, after `property_checks`. A counterexample is printed as `.dl`
text that loads as it stands beside the knowledge base it was found with (the comment at its
top gives the command that loads it and asks the conclusion); its facts are in the order the
case states them, added facts last. Output is deterministic for a given report.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from allegiance.lang.printer import format_atom, format_fact, format_program, format_term
from allegiance.testing.checks import ALONE, Explained, Outcome, Report, Reproduction
from allegiance.render.text import explanation_tree
from allegiance.lang.syntax import PredicateRef, PropertyDecl
from allegiance.lang.values import String


def outcome_lines(decl: PropertyDecl, outcomes: Sequence[Outcome]) -> str:
    """`✓ symmetric(alliance/2)  25 cases on the rules alone, 25 with the facts` (or `✗`)."""
    failed = any(o.violation is not None for o in outcomes)
    parts = [_mode_words(o) for o in outcomes]
    reached = sum(o.reached for o in outcomes)
    mark = "✗" if failed else "✓"
    verdict = "fails" if failed else "holds"
    return (f"{mark} {property_label(decl)} {verdict}: {', '.join(parts)} "
            f"({reached} reaching a conclusion)")


def summary_line(report: Report) -> str:
    """`all properties hold (N cases).` or `K of M properties fail (N cases).`"""
    decls = {id(o.decl): o.decl for o in report.outcomes}
    failed = {id(o.decl) for o in report.failures}
    cases = f"{report.cases} case{'' if report.cases == 1 else 's'}"
    if not failed:
        return f"all properties hold ({cases})."
    verb = "fails" if len(failed) == 1 else "fail"
    noun = "property" if len(decls) == 1 else "properties"
    return f"{len(failed)} of {len(decls)} {noun} {verb} ({cases})."


def failure_text(outcome: Outcome, explained: Sequence[Explained], how: Reproduction) -> str:
    """The property, what breaks, the counterexample as `.dl` text, and the `why` of it."""
    violation = outcome.violation
    decl, case = violation.decl, violation.case
    day = case.as_of or outcome.day
    lines = [f"✗ {property_label(decl)} fails on {outcome.mode}, "
             f"found in case {outcome.cases} and shrunk:", f"  {violation.summary}."]
    doc = decl.get("doc")
    if isinstance(doc, String):
        lines.append(f"  expected: {doc.text}")
    files = scene_files(violation.scenes)
    for number, (title, facts, goals) in enumerate(files, 1):
        name = f"counterexample-{number}.dl" if len(files) > 1 else "counterexample.dl"
        lines += ["", *counterexample(decl, title, facts, how, outcome.mode, day, goals, name)]
    for item in explained:
        where = f" in {item.scene.title}" if len(files) > 1 else ""
        state = "holds" if item.scene.holds else "does not hold"
        lines += ["", f"why {format_atom(item.scene.goal)}?{where} ({state})",
                  explanation_tree(item.explanation, item.vocabulary).text]
    return "\n".join(lines)


def counterexample(decl: PropertyDecl, title: str, facts, how: Reproduction, mode: str,
                   day: datetime.date, goals=(), name: str = "counterexample.dl") -> list[str]:
    """The lines of one counterexample file `name`: a comment saying what it is and how to
    load it and ask each of `goals` ((atom, holds) pairs), then its facts."""
    alone = mode == ALONE
    paths = how.rule_paths if alone else how.kb_paths
    kb = " ".join(f"--kb {p}" for p in (*paths, name))
    when = "" if alone else f" --as-of {day.isoformat()}"
    lines = [f"% {name}: {title}, a counterexample to {property_label(decl)} on {mode}"]
    for goal, holds in goals:
        lines.append(f"%   allegiance {kb}{when} query '{format_atom(goal)}?'   "
                     f"→ {'yes' if holds else 'no'}")
    if alone and how.inline.statements:
        files = sorted({s.span.file for s in how.inline.statements})
        lines.append(f"% the rules of {', '.join(files)}, without their facts:")
        lines += format_program(how.inline).splitlines()
        lines.append("% the case:")
    if not facts:
        lines.append("% (no facts: the knowledge base alone breaks the property)")
    return lines + [format_fact(f) for f in facts]


def scene_files(scenes) -> list[tuple[str, tuple, list]]:
    """The distinct knowledge bases of a violation's scenes, in order: (title, facts, goals)."""
    found: dict[tuple, tuple[str, tuple, list]] = {}
    for scene in scenes:
        entry = found.setdefault(scene.facts, (scene.title, scene.facts, []))
        entry[2].append((scene.goal, scene.holds))
    return list(found.values())


def property_label(decl: PropertyDecl) -> str:
    """`symmetric(alliance/2)`: the directive without its keyword and fields."""
    args = ", ".join(str(a) if isinstance(a, PredicateRef) else format_term(a) for a in decl.args)
    return f"{decl.kind}({args})"


def _mode_words(outcome: Outcome) -> str:
    if outcome.mode != ALONE:
        return f"{outcome.cases} with the facts"
    return f"{outcome.cases} case{'' if outcome.cases == 1 else 's'} on the rules alone"
