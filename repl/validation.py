"""Live validation: the first problem of what is typed, found before Enter, at its column.

`diagnose(session, text)` returns that problem as a `Diagnostic` placed in the typed text, or
None; `AllegianceValidator` hands it to prompt_toolkit, which underlines nothing but moves the
cursor there on Enter and shows the message. A finished statement is checked exactly as it will
run (the engine's parser, alias resolution and `check_query` / `check_fact`, without
evaluating anything), so the validator never rejects what would run. A statement still being
typed is only faulted for what no continuation can mend: a syntax error before its end, an atom
closed with the wrong number of arguments, or an unknown predicate after `why`.
"""

from __future__ import annotations

from prompt_toolkit.validation import ValidationError, Validator

from allegiance.check.checks import check_fact, check_query
from allegiance.check.declarations import did_you_mean
from allegiance.lang.diagnostics import AllegianceError, Diagnostic, error
from allegiance.eval.kb import resolve_aliases
from allegiance.lang.parse import parse_fact, parse_query

from .commands import COMMANDS
from .session import Session
from .statements import Statement, body, parse, relocate, split, words

_STATEMENTS = ("query", "why", "why_not", "fact", "retract", "rule")


class AllegianceValidator(Validator):
    """prompt_toolkit's view of `diagnose`."""

    def __init__(self, session: Session):
        self.session = session

    def validate(self, document) -> None:
        found = diagnose(self.session, document.text)
        if found is not None:
            raise ValidationError(offset(document.text, found), message(found))


def diagnose(session: Session, text: str) -> Diagnostic | None:
    """The first problem of `text`, placed in it, or None."""
    lines = text.split("\n")
    for statement in split(text):
        found = _problems(session, statement)
        if found:
            return relocate(found[:1], statement, lines, "<input>")[0]
    return None


def offset(text: str, diagnostic: Diagnostic) -> int:
    """The cursor position of a diagnostic's span in `text`."""
    span = diagnostic.span
    if span is None:
        return len(text)
    lines = text.split("\n")
    before = sum(len(line) + 1 for line in lines[: span.line - 1])
    return min(len(text), before + span.col - 1)


def message(diagnostic: Diagnostic) -> str:
    """The diagnostic on one line, with its hint."""
    hint = f" ({diagnostic.hint})" if diagnostic.hint else ""
    return f"{diagnostic.severity}: {diagnostic.message}{hint}"


def _problems(session: Session, statement: Statement) -> list[Diagnostic]:
    if statement.kind == "command":
        return _command(statement.text)
    if statement.kind == "unfinished":
        return _unfinished(session, statement)
    if statement.kind == "rule":
        span = words(statement.text)[0].span
        return [error("rules are not added at the prompt", span, "syntax",
                      hint="write the rule in a `.dl` file and `.load` it")]
    if statement.kind not in _STATEMENTS:
        return []
    try:
        _check(session, statement)
    except AllegianceError as exc:
        return [d for d in exc.diagnostics if d.is_error]
    return []


def _check(session: Session, statement: Statement) -> None:
    parsed = parse(statement)
    kb = session.kb
    if statement.kind in ("fact", "retract"):
        check_fact(parsed, kb.checked)
        return
    query, _ = resolve_aliases(parsed, kb.aliases())
    check_query(query, kb.checked)
    if statement.kind != "query" and (len(query.body) != 1 or not hasattr(query.body[0], "args")):
        raise AllegianceError([error("`why` explains one atom, such as `alliance(JN, IS)`",
                                     query.span, "why")])


def _command(line: str) -> list[Diagnostic]:
    name = line[1:].split(" ", 1)[0].lower()
    if name in COMMANDS or any(key.startswith(name) for key in COMMANDS):
        return []
    from allegiance.lang.diagnostics import Span

    span = Span("<input>", 1, 1, len(name) + 2, line)
    hint = did_you_mean(name, sorted(COMMANDS), lambda c: "." + COMMANDS[c].name)
    return [error(f"unknown command `.{name}`", span, "command", hint=hint)]


def _unfinished(session: Session, statement: Statement) -> list[Diagnostic]:
    """Problems no continuation of the statement can mend."""
    text = body(statement)
    ways = {"why": [parse_query], "why_not": [parse_query], "retract": [parse_fact]}
    readers = ways.get(_lead(statement), [parse_query, parse_fact])
    failures = []
    for read in readers:
        try:
            read(text, "<input>")
            return _atoms(session, statement)
        except AllegianceError as exc:
            early = [d for d in exc.diagnostics if not _at_end(d, text)]
            if not early:
                return _atoms(session, statement)
            failures.append(early[0])
    return [max(failures, key=lambda d: (d.span.line, d.span.col) if d.span else (0, 0))]


def _lead(statement: Statement) -> str:
    first = words(statement.text)[:2]
    texts = [t.text for t in first]
    if texts[:1] == ["why"] and len(first) > 1 and first[1].kind in ("ident", "keyword"):
        return "why_not" if texts[1] == "not" else "why"
    return "retract" if texts[:1] == ["retract"] and len(first) > 1 and first[1].kind == "ident" else ""


def _at_end(diagnostic: Diagnostic, text: str) -> bool:
    """True when the problem is only that the text stops (more typing may mend it)."""
    if "found end of input" in diagnostic.message or "unterminated string" in diagnostic.message:
        return True
    span = diagnostic.span
    lines = text.rstrip().split("\n")
    return span is not None and span.line >= len(lines) and span.col > len(lines[-1])


def _atoms(session: Session, statement: Statement) -> list[Diagnostic]:
    """A wrong arity in any closed atom; an unknown predicate in the goal of a `why`."""
    arities: dict[str, set[int]] = {}
    for key, info in session.kb.checked.predicates.items():
        if info.is_defined:
            arities.setdefault(info.name, set()).add(info.arity)
    for name, count, span in _closed_atoms(body(statement)):
        known = arities.get(name)
        if known and count not in known:
            arity = min(known)
            return [error(f"`{name}/{arity}` takes {arity} argument{'s' * (arity != 1)}, found {count}",
                          span, "arity")]
        if known is None and _lead(statement) in ("why", "why_not"):
            hint = did_you_mean(name, sorted(arities), lambda n: f"{n}/{min(arities[n])}")
            return [error(f"unknown predicate `{name}/{count}`", span, "undefined", hint=hint)]
    return []


def _closed_atoms(text: str):
    """(name, argument count, span of the name) of every atom whose `)` is typed."""
    tokens = words(text)
    for i, token in enumerate(tokens[:-1]):
        if token.kind not in ("ident", "keyword") or tokens[i + 1].text != "(":
            continue
        count = 1
        for later in tokens[i + 2:]:
            if later.text == ")":
                yield token.text, count, token.span
                break
            if later.text == ",":
                count += 1
            elif later.kind == "punct" and later.text in ("(", ".", "?", ":-"):
                break
