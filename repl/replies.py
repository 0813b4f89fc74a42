"""Statements → replies: answers to `goal?`, explanations for `why goal?`, echoes of changes.

Sits between `statements` (parsing) and the engine; `commands.run` calls `reply` for every
statement that is not a dot command. Nothing here prints: each function returns a `Result`.
Every error comes back as the engine's diagnostics, placed where the user typed the statement.
"""

from __future__ import annotations

import datetime

from allegiance.explain.horizon import latest_evidence
from allegiance.lang.diagnostics import AllegianceError, QueryError, error, render_all
from allegiance.explain.why import why
from allegiance.eval.kb import resolve_aliases
from allegiance.lang.printer import format_fact
from allegiance.explain.proof import Explanation
from allegiance.render.answers import answer_json, answer_text, dumps, value_json
from allegiance.render.dot import explanation_dot
from allegiance.render.json import explanation_json
from allegiance.render.text import explanation_prose, explanation_tree
from allegiance.explain.sentences import Vocabulary
from allegiance.lang.syntax import Atom

from .result import Result, failure, no, ok
from .session import Session
from .statements import Statement, parse, problem, relocate

_COMMAND_WORDS = ("help", "quit", "exit", "load", "reload", "undo", "redo", "save")


def reply(session: Session, statement: Statement, file: str = "<input>", lines=None) -> Result:
    """The reply to one statement (not a dot command)."""
    try:
        return _REPLIES[statement.kind](session, statement, file)
    except AllegianceError as exc:
        found = relocate(exc.diagnostics, statement, lines, file)
        return failure(render_all(found, session.color))


def _empty(session, statement, file) -> Result:
    return ok()


def _unfinished(session, statement, file) -> Result:
    word = statement.text.strip().rstrip("!;")
    hint = f"commands start with a dot: `.{word}`" if word in _COMMAND_WORDS else \
        "end a question with `?` and a fact with `.`"
    raise problem("unfinished statement: expected `?` or `.` at its end", statement, file,
                  hint=hint, start=len(statement.text.split("\n")[0]))


def _rule(session, statement, file) -> Result:
    raise problem("rules are not added at the prompt", statement, file,
                  hint="write the rule in a `.dl` file and `.load` it")


def _query(session: Session, statement, file) -> Result:
    answer = session.kb.ask(parse(statement, file))
    latest = after_evidence(session, None)
    if session.format == "json":
        doc = answer_json(answer)
        if latest is not None:
            doc["latest_evidence"] = latest.isoformat()
        text = dumps(doc)
    else:
        text = "\n".join([*horizon_note(session, latest), answer_text(answer, session.limit)])
    return Result(text, "ok" if answer.holds else "no")


def after_evidence(session: Session, expl) -> datetime.date | None:
    """The latest day of the evidence, when the question is asked after it (a case is loaded):
    that of the facts the explanation rests on, or the case's date; None otherwise."""
    if session.horizon is None:
        return None
    latest = session.horizon
    if expl is not None:
        found = latest_evidence(expl, session.kb.checked.sources)
        latest = max(latest, found) if found else latest
    return latest if session.kb.as_of > latest else None


def horizon_note(session: Session, latest) -> list[str]:
    """The `%` line saying a question is asked after the latest evidence."""
    if latest is None:
        return []
    return [f"% asked as of {session.kb.as_of.isoformat()}, after the latest evidence it rests on "
            f"({latest.isoformat()}): what held then is assumed to hold still"]


def _why(session: Session, statement: Statement, file) -> Result:
    expl, resolutions = explain(session, statement, file)
    text = explanation_text(session, expl, resolutions, statement.kind == "why_not")
    return Result(text, "ok" if expl.holds else "no")


def explain(session: Session, statement: Statement, file: str = "<input>"):
    """The explanation of a `why` statement and the aliases its goal resolved."""
    query = parse(statement, file)
    query, resolutions = resolve_aliases(query, session.kb.aliases())
    goal = query.body[0]
    if len(query.body) != 1 or not isinstance(goal, Atom):
        raise QueryError([error("`why` explains one atom, such as `alliance(JN, IS)`", query.span, "why")])
    return why(session.kb, goal), resolutions


def explanation_text(session: Session, expl: Explanation, resolutions=(), why_not=False) -> str:
    """An explanation in the session's format, after the aliases it resolved (once)."""
    vocab = Vocabulary.of(session.kb)
    latest = after_evidence(session, expl)
    if session.format == "json":
        doc = explanation_json(expl, vocab)
        doc["resolutions"] = {name: value_json(v) for name, v in resolutions}
        if latest is not None:
            doc["latest_evidence"] = latest.isoformat()
        return dumps(doc)
    if session.format == "dot":
        notes = [f"// {name} is {value}" for name, value in resolutions]
        return "\n".join(notes + [explanation_dot(expl, vocab).rstrip("\n")])
    notes = [f"% {name} is {value}" for name, value in resolutions] + horizon_note(session, latest)
    if why_not and expl.holds:
        notes.append("% it holds, so there is nothing to refute: here is why it holds")
    if session.format == "prose":
        return "\n".join(notes + [explanation_prose(expl, vocab)])
    tree = explanation_tree(expl, vocab, session.depth)
    session.collapsed = dict(tree.collapsed)
    return "\n".join(notes + [tree.text])


def expanded(session: Session, arg: str) -> Result:
    """Collapsed sub-proof `arg` of the last `why` tree, in full (the table stays as it was)."""
    if not session.collapsed:
        return failure("nothing to expand: the last `why` tree collapsed no sub-proof")
    if not arg.isdigit() or int(arg) not in session.collapsed:
        numbers = ", ".join(map(str, sorted(session.collapsed)))
        return failure(f"`.expand` takes the number of a collapsed sub-proof: {numbers}")
    proof = session.collapsed[int(arg)]
    expl = Explanation(proof.atom, session.kb.as_of, (proof,))
    depth, collapsed = session.depth, session.collapsed
    try:
        session.depth = None
        return ok(f"[{arg}] in full:\n{explanation_text(session, expl)}")
    finally:
        session.depth, session.collapsed = depth, collapsed


def _assert(session: Session, statement, file) -> Result:
    fact = parse(statement, file)
    if session.assert_fact(fact):
        return ok(f"asserted {format_fact(fact)}")
    return ok(f"already stated: {format_fact(fact)}")


def _retract(session: Session, statement, file) -> Result:
    fact = parse(statement, file)
    removed = session.retract_fact(fact)
    if not removed:
        return no(f"no such fact: {format_fact(fact)}")
    return ok("\n".join(f"retracted {format_fact(f)}" for f in removed))


_REPLIES = {"empty": _empty, "unfinished": _unfinished, "rule": _rule, "query": _query,
            "why": _why, "why_not": _why, "fact": _assert, "retract": _retract}
