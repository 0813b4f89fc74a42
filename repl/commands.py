"""The command layer: one function from typed text to a `Result`, and the one command table.

`execute(session, text)` runs every statement of `text` (questions, `why`, facts, retractions)
and every dot command, in order, and returns what to show; the shell, the piped mode and the CLI
all go through it. Each dot command is declared once, with `@command(...)`: its name, aliases,
argument syntax, one-line help and an example; `.help`, `.help CMD` and command completion are
generated from the table (litecli's `special/main.py` pattern). Nothing here prints, and
nothing the user types is ever executed as code: text is only parsed.
"""

from __future__ import annotations

import difflib
import shlex
import time
from collections.abc import Callable

from attrs import frozen

from allegiance.eval.backend import Interrupted
from allegiance.lang.diagnostics import AllegianceError, render_all
from allegiance.lang.values import Date, printable

from . import listing
from .replies import expanded, reply
from .result import QUIT, Result, combine, failure, no, ok, shown
from .session import FORMATS, Session
from .statements import Statement, split


@frozen
class Command:
    """One dot command: how it is called, what it does, an example, and its handler."""

    name: str
    args: str
    help: str
    example: str
    handler: Callable[[Session, str], Result]
    aliases: tuple[str, ...] = ()
    complete: str = ""  # what its argument is: path, predicate, command, goal, or a|b|c choices


COMMANDS: dict[str, Command] = {}  # name and every alias → command, in declaration order
STATEMENTS = (  # the statements, for `.help`: (syntax, help, example)
    ("GOAL?", "answer a goal: each answer on a line, then a count", "alliance(X, IS)?"),
    ("why GOAL?", "prove the goal, or show why it fails", "why alliance(JN, IS)?"),
    ("why not GOAL?", "the same: a refutation when the goal fails", "why not alliance(JN, IS)?"),
    ("FACT.", "assert a fact", 'refers_to(jabhat_al_nusra, islamic_state, "khawarij") @tamimi_2014.'),
    ("retract FACT.", "retract a fact (written bare: all its statements)",
     'retract refers_to(jabhat_al_nusra, islamic_state, "khawarij").'),
)


def command(name: str, args: str, help: str, example: str, aliases=(), complete: str = ""):
    """Declare a dot command (a decorator of its handler)."""
    def register(handler):
        entry = Command(name, args, help, example, handler, tuple(aliases), complete)
        for key in (name, *aliases):
            COMMANDS[key] = entry
        return handler
    return register


def commands() -> list[Command]:
    """Every command once, in the order declared."""
    return list(dict.fromkeys(COMMANDS.values()))


# -- the one entry point -----------------------------------------------------------------------
def execute(session: Session, text: str, file: str = "<input>") -> Result:
    """Run every statement and command of `text`, in order; the replies as one Result."""
    lines = text.split("\n")
    results = []
    for statement in split(text):
        results.append(run(session, statement, file, lines))
        if results[-1].status == QUIT:
            break
    return combine(results) if results else ok()


def run(session: Session, statement: Statement, file: str = "<input>", lines=None) -> Result:
    """Run one statement or dot command; adds the time taken when the timer is on."""
    started = time.perf_counter()
    session.sync_day()
    try:
        answer = (lambda: dispatch(session, statement.text)) if statement.kind == "command" else \
            (lambda: reply(session, statement, file, lines))
        result = whatif_commands.within_layer(session, statement, answer)  # in the what-if layer, if open
    except Interrupted:  # the engine stopped on Ctrl-C: the caller cancels the statement or stops
        raise KeyboardInterrupt from None
    except Exception as exc:  # a bug must not end the session: say so and carry on
        result = failure(f"internal error: {type(exc).__name__}: {exc} (a bug: please report it)")
    return result.timed(time.perf_counter() - started) if session.timer else result


def dispatch(session: Session, line: str) -> Result:
    """Run one dot command line such as `.load kb/`."""
    name, _, arg = line.strip()[1:].partition(" ")
    entry = COMMANDS.get(name.lower())
    if entry is None:
        return failure(_unknown(name))
    try:
        return entry.handler(session, arg.strip())
    except AllegianceError as exc:
        return failure(render_all(exc.diagnostics, session.color))


def _unknown(name: str) -> str:
    close = difflib.get_close_matches(name.lower(), list(COMMANDS), 1)
    hint = f"; did you mean `.{COMMANDS[close[0]].name}`?" if close else ""
    return f"unknown command `.{printable(name)}`{hint} (`.help` lists the commands)"


# -- help ------------------------------------------------------------------------------------
@command("help", "[CMD]", "list the statements and commands, or explain one command", ".help load",
         aliases=("h",), complete="command")
def _help(session: Session, arg: str) -> Result:
    if arg:
        entry = COMMANDS.get(arg.lstrip(".").lower())
        return ok(help_of(entry)) if entry else failure(_unknown(arg.lstrip(".")))
    return ok(help_text())


def help_text() -> str:
    """The whole help, generated from the tables."""
    rows = [*STATEMENTS, *((f".{c.name} {c.args}".rstrip(), c.help, c.example) for c in commands())]
    width = max(len(r[0]) for r in rows)
    shown = [f"  {syntax:<{width}}  {text}" for syntax, text, _ in rows]
    return "\n".join(["Statements (a question ends with `?`, a fact with `.`; they may span lines):",
                      *shown[: len(STATEMENTS)], "Commands (one line each; `.help CMD` for an example):",
                      *shown[len(STATEMENTS):],
                      "Keys: Tab completes, Ctrl-R searches the history, Ctrl-C cancels, Ctrl-D leaves."])


def help_of(entry: Command) -> str:
    """The help of one command: syntax, what it does, aliases, example."""
    lines = [f".{entry.name} {entry.args}".rstrip(), f"  {entry.help}"]
    if entry.aliases:
        lines.append("  aliases: " + ", ".join(f".{a}" for a in entry.aliases))
    lines.append(f"  example: {entry.example}")
    return "\n".join(lines)


# -- loading ---------------------------------------------------------------------------------
@command("load", "PATH...", "load files or folders too (a broken file changes nothing)",
         ".load tests/kbs/crescent_case.dl", complete="path")
def _load(session: Session, arg: str) -> Result:
    paths = _words(arg)
    if not paths:
        return failure("`.load` needs a path: `.load FILE` or `.load FOLDER`")
    new = session.paths + [p for p in paths if p not in session.paths]
    return _loaded(session, new, shown(f"loaded {', '.join(paths)}"))


@command("reload", "", "read every loaded file again (unsaved changes are kept)", ".reload")
def _reload(session: Session, arg: str) -> Result:
    if not session.paths:
        return failure("nothing is loaded: `.load PATH` first")
    return _loaded(session, session.paths, f"reloaded {session.name}")


def _loaded(session: Session, paths, done: str) -> Result:
    lost = session.load(paths)  # LoadError: reported by dispatch, nothing changed
    facts, rules = session.counts()
    lines = [f"{done}: {facts} facts, {rules} rules."]
    warnings = session.kb.checked.warnings
    if warnings:
        lines.append(render_all(warnings, session.color))
    lines += [f"no longer applies: {item}" for item in lost]
    return ok("\n".join(lines))


# -- looking at the knowledge base ---------------------------------------------------------
@command("predicates", "[PREFIX]", "list predicates as name/arity with their glossary line",
         ".predicates rift", aliases=("preds",))
def _predicates(session: Session, arg: str) -> Result:
    return ok(listing.predicates_text(session, arg))


@command("facts", "PRED", "show the facts of a predicate, with file:line", ".facts alias/2",
         complete="predicate")
def _facts(session: Session, arg: str) -> Result:
    result = _about(session, "facts", arg, listing.facts_text)
    stated = result.failed or any(session.kb.facts(k) for k in listing.predicate_keys(session, arg))
    return result if stated else no(result.text)  # none stated: `allegiance facts` exits 1


@command("rules", "PRED", "show the rules of a predicate, with file:line", ".rules alliance/2",
         complete="predicate")
def _rules(session: Session, arg: str) -> Result:
    return _about(session, "rules", arg, listing.rules_text)


def _about(session: Session, name: str, arg: str, show) -> Result:
    if not arg:
        return failure(f"`.{name}` needs a predicate: `.{name} NAME` or `.{name} NAME/ARITY`")
    return ok(show(session, arg))


command("sources", "GOAL", "the sources of the facts the goal's proof rests on",
        ".sources rift(JN, IS)", complete="goal")(listing.sources)
from . import backtest_command, whatif_commands  # noqa: E402  (need `command`): .backtest .assume .flip …


# -- settings ----------------------------------------------------------------------------------
@command("asof", "[DATE|today]", "evaluate as of a date (YYYY, YYYY-MM or YYYY-MM-DD)",
         ".asof 2014-11", complete="today")
def _asof(session: Session, arg: str) -> Result:
    if arg:
        try:
            session.as_of = None if arg == "today" else Date.parse(arg).first_day()
        except ValueError as exc:
            return failure(f"`.asof`: {printable(str(exc))}")
        session.collapsed = {}
        session.sync_day()
    return ok(f"as of {session.day_text()}.")


@command("format", "[tree|prose|json|dot]", "how `why` shows an explanation (json: answers too)",
         ".format prose", complete="|".join(FORMATS))
def _format(session: Session, arg: str) -> Result:
    if arg:
        if arg not in FORMATS:
            return failure(f"unknown format `{printable(arg)}`: choose {', '.join(FORMATS)}")
        session.format = arg
    return ok(f"format {session.format}.")


command("expand", "N", "show collapsed sub-proof [N] of the last `why` in full", ".expand 2",
        complete="collapsed")(expanded)


@command("depth", "[N|none]", "collapse `why` trees below depth N (`none`: never)", ".depth 6")
def _depth(session: Session, arg: str) -> Result:
    return _number(session, "depth", arg, "depth {} (deeper sub-proofs are collapsed).")


@command("limit", "[N|none]", "show at most N answers or facts (then `N of M shown`)", ".limit 100")
def _limit(session: Session, arg: str) -> Result:
    return _number(session, "limit", arg, "limit {}.")


def _number(session: Session, name: str, arg: str, done: str) -> Result:
    if arg:
        if arg != "none" and not (arg.isdigit() and int(arg) > 0):
            return failure(f"`.{name}` takes a positive number or `none`")
        setattr(session, name, None if arg == "none" else int(arg))
    return ok(done.format(getattr(session, name) or "none"))


@command("timer", "[on|off]", "show how long each statement takes", ".timer on", complete="on|off")
def _timer(session: Session, arg: str) -> Result:
    if arg not in ("", "on", "off"):
        return failure("`.timer` takes `on` or `off`")
    if arg:
        session.timer = arg == "on"
    return ok(f"timer {'on' if session.timer else 'off'}.")


# -- changes ---------------------------------------------------------------------------------
@command("undo", "", "take back the last assert or retract", ".undo")
def _undo(session: Session, arg: str) -> Result:
    change = session.undo()
    return ok(f"undone: {change.text()}") if change else no("nothing to undo.")


@command("redo", "", "make again the last change undone", ".redo")
def _redo(session: Session, arg: str) -> Result:
    change = session.redo()
    return ok(f"redone: {change.text()}") if change else no("nothing to redo.")


@command("save", "[FILE]", "write the session's changes to the files, atomically",
         ".save mycase.dl", complete="path")
def _save(session: Session, arg: str) -> Result:
    from .saving import SaveError, save

    words = _words(arg)
    try:
        return ok(shown(save(session, words[0] if words else None)))
    except SaveError as exc:
        return failure(shown(f"not saved: {exc}"))


@command("quit", "", "leave (asks first when there are unsaved changes)", ".quit",
         aliases=("exit", "q"))
def _quit(session: Session, arg: str) -> Result:
    pending = session.pending()
    if not session.unsaved or session.warned_at == pending or not session.interactive:
        return Result("", QUIT)
    session.warned_at = pending
    return no(f"{session.unsaved} unsaved change(s): `.save` them, or `.quit` again to leave without.")


def _words(arg: str) -> list[str]:
    try:
        return shlex.split(arg)
    except ValueError:
        return arg.split()
