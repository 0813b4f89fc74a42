"""What the what-if commands reply: a diff, flip sets, source sensitivity, competing hypotheses
and indicators, as text or JSON, for the REPL (`whatif_commands`) and the command line
(`whatif_cli`) alike.

Sits beside `replies`; each function takes a session and parsed arguments, asks the engine
(`whatif`, `flip`, `sensitivity`, `ach`) and returns a `Result` rendered by `render_whatif` (text)
or `render_whatif_json` (when the session's format is json). Nothing here prints. The status is
`ok` when something was found (a conclusion changed, a flip set, a matrix) and `no` otherwise,
which the command line turns into exit codes 0 and 1.
"""

from __future__ import annotations

from collections.abc import Iterable

from allegiance.whatif.ach import competing_hypotheses, indicators, questions
from allegiance.whatif.flips import critical_premises, flip_sets
from allegiance.check.kinds import Schema
from allegiance.render.answers import dumps
from allegiance.render.whatif.text import (diff_text, flips_text, indicators_text, matrix_text, ranked_items,
                                  sensitivities_text, sensitivity_text)
from allegiance.render.whatif.json import (diff_json, flips_json, indicators_json, matrix_json,
                                       sensitivities_json, sensitivity_json)
from allegiance.whatif.sensitivity import carriers_of, source_sensitivities, source_sensitivity
from allegiance.explain.sentences import Vocabulary
from allegiance.whatif.layers import diff

from .result import Result, no, ok
from .session import Session

MAX_SIZE, MAX_CHECKS = 3, 400  # the bounds of `.flip` and `.critical` (as `flip.flip_sets`)
INDICATOR_SIZE, INDICATOR_CHECKS = 2, 150  # those of `.indicators` (as `ach.indicators`)
NAMING = ("alias/2",)  # predicates that only name entities: fixed by default, as type predicates


def _json(session: Session) -> bool:
    return session.format == "json"


def _found(text: str, found: bool) -> Result:
    return ok(text) if found else no(text)


# -- what if -------------------------------------------------------------------------------------
def whatif_result(session: Session, add: Iterable = (), withdraw: Iterable = (), *,
                  conclusions: Iterable[str] | None = None, explain: bool = False, layer: bool = False):
    """The conclusions gained and lost when `add` is assumed and `withdraw` withdrawn (with
    `layer`, also the `whatif.Layer` applied: which requests changed nothing)."""
    kb = session.kb
    result = diff(kb, add, withdraw, conclusions=conclusions, explain_changes=explain)
    vocab = Vocabulary.of(kb)
    text = dumps(diff_json(result, vocab)) if _json(session) else diff_text(result, vocab)
    return (_found(text, result.changed), result.layer) if layer else _found(text, result.changed)


# -- flips ---------------------------------------------------------------------------------------
def type_predicates(session: Session) -> tuple[str, ...]:
    """The predicates that only classify or name entities, never changed by a flip unless asked:
    each base predicate of one argument named after the kind of entity it holds (`group/1`,
    `report/1`: see `kinds.Schema`), and `alias/2`."""
    kinds = Schema.of(session.kb.checked).kinds
    unary = [k for k, args in kinds.items() if k.endswith("/1") and args == (k.rsplit("/", 1)[0],)]
    named = [k for k in NAMING if k in session.kb.checked.predicates]
    return tuple(sorted(unary)) + tuple(named)


def flip_result(session: Session, goal: str, *, fixed: Iterable[str] | None = None,
                max_size: int = MAX_SIZE, max_checks: int = MAX_CHECKS,
                critical: bool = False) -> Result:
    """The smallest sets of changes that would reverse the verdict on `goal` (with `critical`,
    only for a goal that holds: its critical premises)."""
    kb = session.kb
    fixed = type_predicates(session) if fixed is None else tuple(fixed)
    search = critical_premises if critical else flip_sets
    flips = search(kb, goal, max_size=max_size, max_checks=max_checks, fixed=fixed)
    vocab = Vocabulary.of(kb)
    if _json(session):
        return _found(dumps({**flips_json(flips, vocab), "fixed": list(fixed)}), bool(flips.sets))
    never = ", ".join(fixed) if fixed else "none"
    note = f"fixed (never changed): {never}; `fix=PRED/N,...` chooses others, `fix=` none."
    return _found(f"{flips_text(flips, vocab)}\n{note}", bool(flips.sets))


# -- sources -------------------------------------------------------------------------------------
def sensitivity_result(session: Session, source: str | None = None, *,
                       carriers: Iterable[str] | None = None,
                       conclusions: Iterable[str] | None = None) -> Result:
    """What withdrawing one source changes, in full; or, without `source`, every source briefly.
    By default a source that relays every other (`sensitivity.carriers_of`) is not counted as
    another source."""
    kb = session.kb
    vocab = Vocabulary.of(kb)
    if source is None:
        results = source_sensitivities(kb, carriers=carriers, conclusions=conclusions)
        text = dumps(sensitivities_json(results, vocab)) if _json(session) else sensitivities_text(results, vocab)
        return ok(text)
    source = source.lstrip("@")
    carriers = carriers_of(kb) if carriers is None else tuple(carriers)
    result = source_sensitivity(kb, source, carriers=carriers, conclusions=conclusions)
    text = dumps(sensitivity_json(result, vocab)) if _json(session) else sensitivity_text(result, vocab)
    return _found(text, result.diff.changed)


# -- competing hypotheses ------------------------------------------------------------------------
def ach_result(session: Session, group: str, other: str, indicators: dict | None = None) -> Result:
    """The matrix of the competing hypotheses about two groups (names or aliases), scored; with
    `indicators` (the options of `indicators_result`), their indicators too, in one reply."""
    kb = session.kb
    matrices = questions(kb, group, other)
    matrix = matrices[0]
    vocab = Vocabulary.of(kb)
    found = None if indicators is None else _indicators(session, matrix, **indicators)
    if _json(session):
        doc = matrix_json(matrix, vocab)
        if len(matrices) > 1:
            doc["reporting"] = matrix_json(matrices[1], vocab)
        if found is not None:
            doc["indicators"] = indicators_json(found, vocab, matrix)["hypotheses"]
        return ok(dumps(doc))
    lines = []
    for m in matrices:
        lines += [matrix_text(m, vocab), ""]
    lines += _traces(matrix, vocab)
    if found is None:
        lines.append(f"what would change the verdict: `.indicators {group} {other}`")
    else:
        lines += ["", "indicators: what to watch for", indicators_text(found, vocab)]
    return ok("\n".join(lines))


def _traces(matrix, vocab: Vocabulary) -> list[str]:
    """How to follow a cell and a weight to the rules and sources, with examples from `matrix`."""
    rows = ranked_items(matrix)
    cells = [(i, j) for i, item in enumerate(rows, 1) for j, r in enumerate(item.ratings, 1) if r == "I"]
    lines = ["every rating and every weight is derived by a rule; `why` explains each:"]
    if cells:
        i, j = cells[0]
        atom = vocab.atom(matrix.cell(rows[i - 1].id, matrix.hypotheses[j - 1]))
        lines.append(f"  E{i} against H{j}: `why {atom}?` (a C cell: `why consistent(E, H, A, B)?`)")
    weighed = [(i, item) for i, item in enumerate(rows, 1) if item.credibility != "medium"]
    if weighed:
        i, item = weighed[0]
        lines.append(f"  the weight of E{i}: `why {item.credibility}_credibility({item.id})?` "
                     f"(its grade: `why credibility_grade({item.id}, G)?`)")
    return lines


def indicators_result(session: Session, group: str, other: str, *,
                      fixed: Iterable[str] | None = None, max_size: int = INDICATOR_SIZE,
                      max_checks: int = INDICATOR_CHECKS) -> Result:
    """For each hypothesis about two groups, the changes that would reverse its key conclusion."""
    matrix = competing_hypotheses(session.kb, group, other, sensitivity=False)
    found = _indicators(session, matrix, fixed=fixed, max_size=max_size, max_checks=max_checks)
    vocab = Vocabulary.of(session.kb)
    if _json(session):
        return ok(dumps(indicators_json(found, vocab, matrix)))
    return ok(indicators_text(found, vocab))


def _indicators(session: Session, matrix, *, fixed=None, max_size: int = INDICATOR_SIZE,
                max_checks: int = INDICATOR_CHECKS):
    fixed = type_predicates(session) if fixed is None else tuple(fixed)
    return indicators(session.kb, matrix, max_size=max_size, max_checks=max_checks, fixed=fixed)
