"""What the introspection commands show: predicates, facts, rules and the sources of a proof.

Sits beside `replies`; reads the session's knowledge base and returns text, never prints.
Facts and rules are shown as source text (re-pasteable) followed by `% file:line`; long
listings are capped at the session's limit with an "N of M shown" line, never cut silently.
"""

from __future__ import annotations

import difflib

from allegiance.lang.diagnostics import QueryError, error
from allegiance.lang.printer import format_fact, format_rule
from allegiance.explain.proof import Derived, Given
from allegiance.lang.values import printable

from .result import Result, failure, no, ok
from .session import Session


def predicates_text(session: Session, prefix: str = "") -> str:
    """Every predicate as `name/arity`, base or derived, and its glossary line."""
    rows = []
    for key, (kind, doc) in sorted(_predicates(session).items()):
        if key.startswith(prefix):
            rows.append((key, kind, doc))
    if not rows:
        return f"no predicate starts with `{printable(prefix)}`." if prefix else "no predicates."
    width = max(len(k) for k, _, _ in rows)
    lines = [f"{k:<{width}}  {kind:<7}  {doc}".rstrip() for k, kind, doc in rows]
    return "\n".join(lines + [_count(len(rows), "predicate")])


def _predicates(session: Session) -> dict[str, tuple[str, str]]:
    """key → (base|derived, doc line), including predicates only asserted at the prompt."""
    table = {}
    for key, info in session.kb.checked.predicates.items():
        if info.is_defined:
            doc = info.decl.get("doc") if info.decl else None
            table[key] = ("derived" if info.is_derived else "base", doc.text if doc else "")
    for fact in session.kb.facts():
        table.setdefault(fact.atom.key, ("base", "(asserted at the prompt)"))
    return table


def predicate_keys(session: Session, name: str) -> list[str]:
    """The keys a user's `name` or `name/arity` denotes; QueryError with a suggestion if none."""
    known = _predicates(session)
    keys = [name] if name in known else [k for k in known if k.rsplit("/", 1)[0] == name]
    if keys:
        return sorted(keys)
    close = difflib.get_close_matches(name, sorted({k.rsplit("/", 1)[0] for k in known} | set(known)), 1)
    hint = f"did you mean `{close[0]}`?" if close else "`.predicates` lists them"
    raise QueryError([error(f"unknown predicate `{name}`", None, "undefined", hint=hint)])


def facts_text(session: Session, name: str) -> str:
    """The stated facts of a predicate, as source text with `% file:line`."""
    facts = [f for key in predicate_keys(session, name) for f in session.kb.facts(key)]
    lines = [f"{format_fact(f)}  % {_where(f.span)}" for f in facts]
    return _capped(lines, session.limit, "fact")


def rules_text(session: Session, name: str) -> str:
    """The rules of a predicate, as source text with `% file:line`."""
    keys = predicate_keys(session, name)
    rules = [r for key in keys if key in session.kb.checked.predicates
             for r in session.kb.checked.predicates[key].rules]
    if not rules:
        return f"`{', '.join(keys)}` has no rules: it is a base predicate (`.facts {name}`)."
    lines = [f"{format_rule(r)}  % {_where(r.span)}" for r in rules]
    return _capped(lines, session.limit, "rule")


def sources(session: Session, arg: str) -> Result:
    """`.sources GOAL`: the sources of the facts the goal's proof rests on, or why there are none."""
    from .replies import explain
    from .statements import Statement

    if not arg:
        return failure("`.sources` needs a goal: `.sources rift(JN, IS)`")
    goal = arg if arg.rstrip().endswith("?") else arg + "?"
    expl, _ = explain(session, Statement(goal, 0, 0, "why"))
    if not expl.holds:
        return no(f"no: {goal[:-1]} does not hold as of {expl.as_of}, so no proof rests on a source.")
    return ok(sources_text(session, goal[:-1].strip(), expl.proofs, expl.as_of))


def sources_text(session: Session, goal: str, proofs, day) -> str:
    """The sources cited by the facts the proofs rest on, each with those facts."""
    facts = _dedupe(f for proof in proofs for f in _leaf_facts(proof, day))
    by_source: dict[str, list] = {}
    for fact in facts:
        for source in fact.sources or ("",):
            by_source.setdefault(source, []).append(fact)
    from allegiance.explain.sentences import Vocabulary

    vocab = Vocabulary.of(session.kb)
    cited = len([s for s in by_source if s])
    lines = [f"{goal} rests on {_plural(len(facts), 'fact')} citing {_plural(cited, 'source')}:"]
    for source in sorted(by_source, key=lambda s: (s == "", s)):
        lines.append(f"@{source}  {vocab.citation(source)}" if source else "no source cited:")
        lines.extend(f"  {format_fact(f)}  % {_where(f.span)}" for f in by_source[source])
    return "\n".join(lines)


def _leaf_facts(proof, day):
    """The statements under the proof's leaves that hold on `day`."""
    if isinstance(proof, Given):
        holding = [f for f in proof.statements if f.holds_on(day)]
        yield from holding or proof.statements
    elif isinstance(proof, Derived):
        for premise in proof.premises:
            yield from _leaf_facts(premise, day)


def _dedupe(facts) -> list:
    seen, kept = set(), []
    for fact in facts:
        if fact not in seen:
            seen.add(fact)
            kept.append(fact)
    return kept


def _where(span) -> str:
    if span is None or span.file.startswith("<"):
        return "asserted at the prompt"
    return f"{span.file}:{span.line}"


def _capped(lines: list[str], limit: int | None, noun: str) -> str:
    if not lines:
        return f"no {noun}s."
    if limit is not None and len(lines) > limit:
        return "\n".join(lines[:limit] + [f"{limit} of {len(lines)} {noun}s shown (`.limit none` shows all)."])
    return "\n".join(lines + [_count(len(lines), noun)])


def _count(n: int, noun: str) -> str:
    return f"{_plural(n, noun)}."


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
