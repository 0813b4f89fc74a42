"""The one-shot subcommands of `allegiance`, run on the REPL's command layer.

Sits between `cli` (which parses the arguments) and `commands` (the REPL's one command layer):
`query` and `why` run the statement the REPL would run (`commands.run`), `facts` and `sources`
its dot commands (`commands.dispatch`), and `-f FILE` (or stdin) the piped mode, so the command
line prints exactly what the REPL prints. `check` loads a knowledge base as `.load` does;
`report` and `export` call `allegiance.render.report`. Every handler returns an `ExitCode`; data goes to
stdout, diagnostics to stderr, and nothing the user typed is ever executed: it is only parsed.
"""

from __future__ import annotations

import enum
from importlib import import_module
from contextlib import contextmanager
from pathlib import Path

from attrs import evolve, frozen

from allegiance.lang.diagnostics import render_all
from allegiance.render.answers import dumps, value_json

from .commands import dispatch, run
from .result import ERROR, NO, OK, QUIT, Result
from .session import Session
from .statements import Statement, split

QUESTION_FILE = "<query>"  # where the diagnostics about a goal given as an argument point


class ExitCode(enum.IntEnum):
    """The documented exit codes (README, `allegiance --help`)."""

    YES = 0  # the goal holds, answers or facts were found, the check passed, the file was written
    NO = 1  # the goal does not hold, no answers, no facts
    USAGE = 2  # a usage or syntax error in what was typed; a statement of `-f FILE` failed
    LOAD = 3  # the knowledge base failed to load
    INTERNAL = 4  # a bug: please report it


STATUS_CODES = {OK: ExitCode.YES, NO: ExitCode.NO, ERROR: ExitCode.USAGE, QUIT: ExitCode.YES}
SESSION_FORMATS = {"text": "tree", "tree": "tree", "prose": "prose", "json": "json", "dot": "dot"}
FORMATS_OF = {  # the output formats each subcommand can honour; the first is its default
    "query": ("text", "json"), "why": ("text", "tree", "prose", "json", "dot"),
    "facts": ("text",), "sources": ("text",), "check": ("text",), "report": ("text",),
    "export": ("dot", "json"), "backtest": ("text", "json"),
}


class UsageError(Exception):
    """The command line is not usable as written (exit code 2); the message says why."""


@frozen
class Streams:
    """Where the command line reads and writes, and whether diagnostics are coloured."""

    stdin: object
    stdout: object
    stderr: object
    color: bool = False


# -- the knowledge base ------------------------------------------------------------------------
def session_options(args, streams: Streams) -> dict:
    """The REPL settings of a one-shot run: every answer shown (or the first `--limit`), the
    format asked for."""
    return dict(as_of=args.as_of, color=streams.color, limit=getattr(args, "limit", None),
                format=SESSION_FORMATS[output_format(args)])


@contextmanager
def opened(args, streams: Streams, paths=None):
    """A session on the knowledge base of `--kb` (default kb/); LoadError if it does not load.
    Its warnings go to stderr."""
    session = Session.open(paths or args.kb or ["kb"], **session_options(args, streams))
    try:
        warn(session.kb.checked.warnings, streams)
        yield session
    finally:
        session.close()


def output_format(args) -> str:
    """The `--format` of the subcommand, checked against what it can print (UsageError)."""
    allowed = FORMATS_OF.get(args.command, tuple(SESSION_FORMATS))
    chosen = args.format or allowed[0]
    if chosen not in allowed:
        raise UsageError(f"allegiance {args.command}: error: --format {chosen}: "
                         f"`{args.command}` prints {' or '.join(allowed)}")
    return chosen


def warn(warnings, streams: Streams) -> None:
    if warnings:
        print(render_all(warnings, streams.color), file=streams.stderr)


def shown(result: Result, streams: Streams) -> ExitCode:
    """Print a reply of the command layer (errors to stderr); its exit code."""
    if result.text:
        print(result.text, file=streams.stderr if result.failed else streams.stdout)
    return STATUS_CODES[result.status]


# -- questions -----------------------------------------------------------------------------------
def query(args, streams: Streams) -> ExitCode:
    """`allegiance query GOAL`: the answers, as `GOAL?` in the REPL."""
    statement, lines = question(args.goal, "query")
    with opened(args, streams) as session:
        return shown(run(session, statement, QUESTION_FILE, lines), streams)


def why(args, streams: Streams) -> ExitCode:
    """`allegiance why GOAL`: the proof or the refutation, as `why GOAL?` in the REPL. The tree
    is shown whole: there is no `.expand` after a one-shot run."""
    statement, lines = question(args.goal, "why")
    with opened(args, streams) as session:
        session.depth = None
        return shown(run(session, statement, QUESTION_FILE, lines), streams)


def question(goal: str, command: str) -> tuple[Statement, list[str]]:
    """The one question of a GOAL argument (its `?` may be left out) and the lines it stands
    on; UsageError when the argument is not one question."""
    text = goal.rstrip()
    if not text.strip():
        raise UsageError(f"allegiance {command}: error: give a goal, such as `alliance(JN, IS)?`")
    if not text.endswith(("?", ".")):
        text += "?"
    found = split(text)
    kinds = ("query", "why", "why_not", "unfinished")
    if len(found) != 1 or found[0].kind not in kinds:
        what = "several statements" if len(found) > 1 else f"a {found[0].kind}" if found else "nothing"
        raise UsageError(f"allegiance {command}: error: expected one question such as "
                         f"`alliance(JN, IS)?`, found {what} (`-f FILE` runs several statements)")
    statement = found[0]
    if command == "why" and statement.kind == "query":
        statement = evolve(statement, kind="why")
    return statement, goal.split("\n")  # the excerpts under the carets show what was typed


# -- the REPL's dot commands ---------------------------------------------------------------------
def facts(args, streams: Streams) -> ExitCode:
    """`allegiance facts PRED`: the stated facts with `file:line`, as `.facts PRED`."""
    output_format(args)
    with opened(args, streams) as session:
        return shown(dispatch(session, f".facts {args.predicate}"), streams)


def sources(args, streams: Streams) -> ExitCode:
    """`allegiance sources GOAL`: the sources the goal's proof rests on, as `.sources GOAL`."""
    output_format(args)
    goal = " ".join(args.goal.split())
    if not goal:
        raise UsageError("allegiance sources: error: give a goal, such as `rift(JN, IS)`")
    with opened(args, streams) as session:
        return shown(dispatch(session, f".sources {goal}"), streams)


def check(args, streams: Streams) -> ExitCode:
    """`allegiance check [PATH...]`: load and check, as `.load` does; every diagnostic, placed."""
    output_format(args)
    with opened(args, streams, args.paths) as session:
        facts_count, rules = session.counts()
        predicates = len(session.kb.checked.predicates)
    print(f"ok: {facts_count} facts, {rules} rules, {predicates} predicates.", file=streams.stdout)
    return ExitCode.YES


def statements(args, streams: Streams) -> ExitCode:
    """`allegiance -f FILE` (`-` for stdin): every statement of FILE in the piped mode, errors
    placed at `FILE:line:col`. Exit 0 when every statement ran, 2 when one failed, 3 when the
    knowledge base does not load."""
    from .launch import repl

    if args.file == "-":
        return repl(args.kb, args.as_of, args.format, streams.stdin, streams.stdout, streams.stderr,
                    color=streams.color, file="<stdin>")
    try:
        handle = open(args.file, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"allegiance: error: -f {args.file}: {exc.strerror or exc}") from None
    with handle:
        return repl(args.kb, args.as_of, args.format, handle, streams.stdout, streams.stderr,
                    color=streams.color, file=args.file)


# -- the assessment ------------------------------------------------------------------------------
def report(args, streams: Streams) -> ExitCode:
    """`allegiance report`: the assessment as a self-contained HTML page and as Markdown."""
    from allegiance.render.report import write_report

    output_format(args)
    html = Path(args.out)
    markdown = Path(args.markdown) if args.markdown else html.with_suffix(".md")
    if markdown.resolve() == html.resolve():
        raise UsageError(f"allegiance report: error: --out and --markdown are both `{html}`")
    with opened(args, streams) as session:
        try:
            late = session.horizon if session.horizon and session.kb.as_of > session.horizon else None
            write_report(session.kb, html, markdown, latest_evidence=late)
        except OSError as exc:
            where = Path(exc.filename).parent if exc.filename else html.parent  # not the temporary file
            print(f"allegiance report: error: cannot write in `{where}`: {exc.strerror or exc}",
                  file=streams.stderr)
            return ExitCode.USAGE
        day = session.kb.as_of.isoformat()
    print(f"wrote {html} and {markdown} (as of {day}).", file=streams.stdout)
    return ExitCode.YES


def export(args, streams: Streams) -> ExitCode:
    """`allegiance export`: the relations between the groups as Graphviz DOT or JSON."""
    from allegiance.render.report import relations_dot

    chosen = output_format(args)
    with opened(args, streams) as session:
        text = relations_dot(session.kb) if chosen == "dot" else dumps(relations_json(session.kb)) + "\n"
    streams.stdout.write(text)
    return ExitCode.YES


def relations_json(kb) -> dict:
    """The relations graph as a JSON-ready dict (schema `allegiance/relations`, version 1).

    The same graph as `relations_dot` (engine/render_graph_dot.py), as data."""
    from allegiance.whatif.assessment import alleged_pairs
    from allegiance.whatif.relations import relations_graph
    from allegiance.explain.sentences import Vocabulary

    graph = relations_graph(kb, [v for pair in alleged_pairs(kb) for v in pair])
    vocab = Vocabulary.of(kb)
    return {
        "schema": "allegiance/relations",
        "version": 1,
        "as_of": graph.as_of.isoformat(),
        "nodes": [{"id": value_json(n.id), "name": n.name, "focus": n.focus} for n in graph.nodes],
        "edges": [{"kind": e.kind, "source": value_json(e.source), "target": value_json(e.target),
                   "directed": e.directed, "regions": [value_json(r) for r in e.regions],
                   "atoms": [{"predicate": a.key, "text": vocab.atom(a), "sentence": vocab.sentence(a)}
                             for a in e.atoms]}
                  for e in graph.edges],
    }


# -- the table the parser is built from ----------------------------------------------------------
@frozen
class Subcommand:
    """One subcommand: what it does, examples for its `--help`, its own arguments, its handler."""

    name: str
    help: str
    examples: tuple[str, ...]
    arguments: tuple[tuple[tuple[str, ...], dict], ...]
    handler: object


_GOAL = (("goal",), dict(metavar="GOAL", help="a goal such as 'alliance(JN, IS)?' (the `?` may be left out)"))
SUBCOMMANDS = (
    Subcommand("query", "answer a goal: each answer on a line, then a count (exit 1: no answers)",
               ("allegiance query 'rift(X, IS)?'", "allegiance query 'alliance(JN, IS)?' --format json"),
               (_GOAL,), query),
    Subcommand("why", "prove a goal, or show why it fails (text tree, prose, json or dot)",
               ("allegiance why 'rift(JN, IS)?'", "allegiance why 'alliance(JN, IS)?' --format prose",
                "allegiance why 'rift(JN, IS)?' --format dot | dot -Tsvg > why.svg"),
               (_GOAL,), why),
    Subcommand("check", "load and check a knowledge base: every diagnostic, with its position",
               ("allegiance check", "allegiance check kb/rules tests/kbs/crescent_case.dl"),
               ((("paths",), dict(nargs="*", metavar="PATH", help="files or folders (default: --kb)")),),
               check),
    Subcommand("facts", "the stated facts of a predicate, with file:line (exit 1: none)",
               ("allegiance facts pledged", "allegiance facts alias/2"),
               ((("predicate",), dict(metavar="PRED", help="a predicate: NAME or NAME/ARITY")),), facts),
    Subcommand("sources", "the sources of the facts a goal's proof rests on",
               ("allegiance sources 'rift(JN, IS)'",), (_GOAL,), sources),
    Subcommand("report", "write the assessment as a self-contained HTML page and as Markdown",
               ("allegiance report", "allegiance report --out out/report.html --as-of 2014-11"),
               ((("--out",), dict(metavar="FILE", default="report.html",
                                  help="the HTML page (default: report.html)")),
                (("--markdown",), dict(metavar="FILE", default=None,
                                       help="the Markdown document (default: --out with .md)"))),
               report),
    Subcommand("export", "the relations between the groups as Graphviz DOT (default) or JSON",
               ("allegiance export > relations.dot", "allegiance export --format json"), (), export),
    Subcommand("backtest", "ask every golden question of the case library and compare the "
               "answers with the analysts' verdicts (exit 1: a miss)",
               ("allegiance backtest", "allegiance backtest jnim_isgs_sahel marawi_2017",
                "allegiance backtest --format json"),
               ((("cases",), dict(nargs="*", metavar="CASE", help="cases to run (default: all)")),),
               lambda args, streams: import_module(".backtest_command", __package__)
               .backtest_subcommand(args, streams)),
)


def subcommand(name: str) -> Subcommand | None:
    """The entry of a subcommand of this module, by name."""
    return next((s for s in SUBCOMMANDS if s.name == name), None)
