"""The REPL's what-if commands: a scratch layer of assumed facts (`.assume`, `.layer`, `.drop`),
what would flip a verdict (`.flip`, `.critical`), what hangs on a source (`.sensitivity`), and
competing hypotheses (`.ach`, `.indicators`).

Declared with `commands.command` (repl/commands.py imports this module, so they are in the one
command table and in `.help`); what they reply is `whatif_replies`, shared with the command line.
The layer is data on the session (`session.layer`), never the knowledge base's state: `commands.run`
hands every statement to `within_layer`, which runs those that read the knowledge base (questions,
`why`, `.facts`, `.sources`, the analyses below) inside `whatif.assume` of the layer, which puts
every statement and the day back when the statement ends, however it ends. Hence: files and the
session's own changes are never touched; `.drop` restores every answer by construction; `.save`
writes only the real changes and says that the assumed facts are not saved; and a fact typed
while a layer is open is refused rather than mixed with the hypothetical.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from attrs import evolve, frozen

from allegiance.lang.diagnostics import AllegianceError, QueryError, error, render_all
from allegiance.render.answers import dumps
from allegiance.render.whatif.text import layer_text
from allegiance.render.whatif.json import layer_document
from allegiance.explain.sentences import Vocabulary
from allegiance.lang.syntax import Fact
from allegiance.whatif.layers import as_fact, assume

from . import whatif_replies as replies
from .commands import COMMANDS, command
from .listing import predicate_keys
from .result import Result, failure, no, ok
from .session import Session
from .statements import Statement, body, split

INSIDE = {"facts", "rules", "predicates", "sources", "flip", "critical", "sensitivity", "ach",
          "indicators"}  # the commands that read the knowledge base: they run within the layer
QUESTIONS = {"query", "why", "why_not"}
OPTION = re.compile(r"(?<!\S)(fix|size|checks|carriers)=(\S*)")
REFUSED = ("a what-if layer is open: `.assume FACT.` (or `.assume not FACT.`) adds to it, and "
           "`.drop` drops it; facts are asserted and retracted only outside a layer, so the "
           "hypothetical never mixes with the real")


@frozen
class Assumptions:
    """The what-if layer of a session: facts assumed, and facts withdrawn, in the order typed."""

    added: tuple[Fact, ...] = ()
    withdrawn: tuple[Fact, ...] = ()

    def __len__(self) -> int:
        return len(self.added) + len(self.withdrawn)

    def extended(self, add: list[Fact], withdraw: list[Fact]) -> Assumptions:
        """The layer with more facts: a later assumption undoes an earlier contrary one."""
        added, withdrawn = list(self.added), list(self.withdrawn)
        for fact in withdraw:
            added = [f for f in added if f.atom != fact.atom]
            withdrawn += [fact] if fact not in withdrawn else []
        for fact in add:
            withdrawn = [f for f in withdrawn if f != fact]
            added += [fact] if fact not in added else []
        return Assumptions(tuple(added), tuple(withdrawn))

    def without(self, facts) -> Assumptions:
        """The layer without `facts` (those that changed nothing)."""
        return Assumptions(tuple(f for f in self.added if f not in facts),
                           tuple(f for f in self.withdrawn if f not in facts))


# -- the hook --------------------------------------------------------------------------------
def within_layer(session: Session, statement: Statement, answer: Callable[[], Result]) -> Result:
    """The reply to `statement` (`answer()`): within the what-if layer when one is open and the
    statement reads the knowledge base; a refusal for a fact; `.save` says what it leaves out."""
    layer: Assumptions | None = session.layer
    if not layer:
        return answer()
    name = _command_name(statement)
    if statement.kind in ("fact", "retract"):
        return failure(REFUSED)
    if statement.kind not in QUESTIONS and name not in INSIDE:
        result = answer()
        return evolve(result, text=f"{result.text}\n{_unsaved(layer)}") if name == "save" else result
    try:
        with assume(session.kb, layer.added, layer.withdrawn):
            result = answer()
    except AllegianceError as exc:  # the layer no longer applies (a file was reloaded)
        return failure(render_all(exc.diagnostics, session.color) + "\n`.drop` drops the layer.")
    if session.format in ("json", "dot") or not result.text:
        return result
    return evolve(result, text=f"% within the what-if layer ({_size(layer)}; `.layer` shows it)\n{result.text}")


def _command_name(statement: Statement) -> str | None:
    if statement.kind != "command":
        return None
    entry = COMMANDS.get(statement.text.strip()[1:].partition(" ")[0].lower())
    return entry.name if entry else None


def _unsaved(layer: Assumptions) -> str:
    return (f"the what-if layer ({_size(layer)}) is hypothetical and never saved; it stays open "
            "(`.drop` drops it).")


def _size(layer: Assumptions) -> str:
    return f"{len(layer.added)} assumed, {len(layer.withdrawn)} withdrawn"


# -- the layer -------------------------------------------------------------------------------
@command("assume", "FACT. [not FACT. ...]", "what if: assume facts (`not FACT.` withdraws one) in "
         "a scratch layer; the conclusions gained and lost", ".assume not isolated(JN, qalamoun).",
         complete="goal")
def _assume(session: Session, arg: str) -> Result:
    add, withdraw = assumed_facts(session, arg)
    if not add and not withdraw:
        return failure("`.assume` needs facts, each ending with `.`: `.assume p(a). not q(b).`")
    layer = (session.layer or Assumptions()).extended(add, withdraw)
    result, applied = replies.whatif_result(session, layer.added, layer.withdrawn, layer=True)
    session.layer = layer.without(applied.ignored) or None  # facts checked; no-ops not kept
    return result


def assumed_facts(session: Session, arg: str) -> tuple[list[Fact], list[Fact]]:
    """The facts of `.assume`'s argument: those to assume, and those to withdraw (`not FACT.`,
    or `retract FACT.`). A bare alias denotes its entity."""
    add, withdraw = [], []
    for statement in split(arg):
        text = body(statement).strip()
        negated = text.startswith("not ") or statement.kind == "retract"
        if statement.kind not in ("fact", "retract"):
            raise _usage(f"`.assume` takes facts ending with `.`, not `{statement.text.strip()}`")
        fact = as_fact(session.kb, text[4:] if text.startswith("not ") else text)
        (withdraw if negated else add).append(fact)
    return add, withdraw


@command("layer", "", "show the what-if layer: the facts assumed and withdrawn", ".layer")
def _layer(session: Session, arg: str) -> Result:
    if not session.layer:
        return no("no what-if layer is open: `.assume FACT.` opens one.")
    vocab = Vocabulary.of(session.kb)
    with assume(session.kb, session.layer.added, session.layer.withdrawn) as applied:
        day = session.kb.as_of
    if session.format == "json":
        return ok(dumps(layer_document(applied, vocab, day)))
    return ok(f"what-if layer ({_size(session.layer)}):\n{layer_text(applied, vocab)}\n"
              "`.drop` drops it; questions and `why` answer within it until then.")


@command("drop", "", "drop the what-if layer: every answer is as before it", ".drop")
def _drop(session: Session, arg: str) -> Result:
    if not session.layer:
        return no("no what-if layer is open.")
    dropped, session.layer = session.layer, None
    return ok(f"dropped the what-if layer ({_size(dropped)}): every answer is as before.")


# -- verdicts --------------------------------------------------------------------------------
@command("flip", "GOAL [OPTIONS]", "what would reverse a verdict: the smallest sets of changes "
         "(options: size=N checks=N fix=PRED,...)", ".flip local_alliance(JN, IS, qalamoun) size=2",
         complete="goal")
def _flip(session: Session, arg: str) -> Result:
    goal, options = parse_options(session, arg, "flip")
    return replies.flip_result(session, goal, **options)


@command("critical", "GOAL [OPTIONS]", "the critical premises of a goal that holds: facts whose "
         "withdrawal defeats it (options as .flip)", ".critical local_alliance(JN, IS, qalamoun)",
         complete="goal")
def _critical(session: Session, arg: str) -> Result:
    goal, options = parse_options(session, arg, "critical")
    return replies.flip_result(session, goal, critical=True, **options)


@command("sensitivity", "[SOURCE] [OPTIONS]", "which conclusions hang on a source; alone, every "
         "source briefly (option: carriers=SOURCE,...)", ".sensitivity daily_beast_2014")
def _sensitivity(session: Session, arg: str) -> Result:
    source, options = parse_options(session, arg, "sensitivity")
    return replies.sensitivity_result(session, source or None, **options)


# -- competing hypotheses --------------------------------------------------------------------
@command("ach", "GROUP OTHER", "competing hypotheses about two groups: matrix, scores, "
         "diagnosticity, the favoured one", ".ach JN IS")
def _ach(session: Session, arg: str) -> Result:
    group, other = _pair(arg, "ach")
    return replies.ach_result(session, group, other)


@command("indicators", "GROUP OTHER [OPTIONS]", "what to watch for: changes that would reverse "
         "each hypothesis (options as .flip)", ".indicators JN IS size=1")
def _indicators(session: Session, arg: str) -> Result:
    names, options = parse_options(session, arg, "indicators")
    return replies.indicators_result(session, *_pair(names, "indicators"), **options)


def _pair(arg: str, name: str) -> tuple[str, str]:
    try:
        words = shlex.split(arg)
    except ValueError:
        words = arg.split()
    if len(words) != 2:
        raise _usage(f"`.{name}` takes two groups (names or aliases): `.{name} JN IS`")
    return words[0], words[1]


# -- arguments -------------------------------------------------------------------------------
def parse_options(session: Session, arg: str, name: str) -> tuple[str, dict]:
    """The argument without its options (`fix=`, `size=`, `checks=`, `carriers=`), and the
    options as keyword arguments of `whatif_replies`."""
    options = {}
    for key, value in OPTION.findall(arg):
        if key in ("size", "checks"):
            if not value.isdigit() or int(value) < 1:
                raise _usage(f"`.{name}`: `{key}=` takes a positive number")
            options["max_size" if key == "size" else "max_checks"] = int(value)
        elif key == "fix":
            options["fixed"] = predicate_list(session, value)
        else:
            options["carriers"] = tuple(w.lstrip("@") for w in value.split(",") if w)
    rest = OPTION.sub("", arg).strip()
    if name != "sensitivity" and not rest:
        raise _usage(f"`.{name}` needs a goal: `.{name} alliance(JN, IS)`")
    return rest, options


def predicate_list(session: Session, text: str) -> tuple[str, ...]:
    """The keys of a comma-separated list of predicates (`name` or `name/arity`); `none`: none."""
    words = [w for w in text.split(",") if w and w != "none"]
    return tuple(k for w in words for k in predicate_keys(session, w))


def _usage(message: str) -> QueryError:
    return QueryError([error(message, None, "usage")])
