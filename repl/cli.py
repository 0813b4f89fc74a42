"""The one-shot command line: `allegiance [options] COMMAND ...`.

Without a command (or with `repl`) it starts the REPL: the shell on a terminal, the piped mode
when stdin is not one (see `launch`).

Exit codes: 0 the goal holds or has answers (or the check found no error); 1 it does not hold or
has no answers; 2 a usage or syntax error in what was typed; 3 the knowledge base failed to load;
4 an internal error (a bug: please report it). Data goes to stdout, diagnostics to stderr.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys

from engine.diagnostics import AllegianceError, LoadError, render_all
from engine.kb import KnowledgeBase, read_program
from engine.checks import check
from engine.render import answer_json, answer_text, dumps
from engine.values import Date

EXAMPLES = """examples:
  allegiance                              (on a terminal: the REPL on kb/)
  printf 'why alliance(JN, IS)?\\n' | allegiance
  allegiance query 'alliance(JN, IS)?'
  allegiance --kb kb/rules --kb mycase.dl query 'rift(X, Y)?' --format json
  allegiance query 'rift(JN, IS)?' --as-of 2013-02
  allegiance check kb/
"""

EXIT_YES, EXIT_NO, EXIT_USAGE, EXIT_LOAD, EXIT_INTERNAL = 0, 1, 2, 3, 4


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit with 2, as documented, without a traceback
        self.print_usage(sys.stderr)
        raise _Usage(f"{self.prog}: error: {message}")


class _Usage(Exception):
    pass


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--kb", action="append", metavar="PATH", default=default,
                        help="a knowledge-base file or folder (repeatable; default: kb/)")
    parser.add_argument("--as-of", metavar="DATE", default=default,
                        help="evaluate as of this date (YYYY, YYYY-MM or YYYY-MM-DD; default: today)")
    parser.add_argument("--format", choices=("text", "json"), default=argparse.SUPPRESS if suppress else "text",
                        help="output format (default: text)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; common options are accepted before or after the subcommand."""
    parser = _Parser(prog="allegiance", description="An explainable rule-based expert system "
                     "for judging claimed alliances between armed groups.", epilog=EXAMPLES,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version="allegiance 0.1.0")
    _common(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    query = commands.add_parser("query", help="answer a goal", epilog=EXAMPLES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    query.add_argument("goal", help="a goal such as 'alliance(JN, IS)?'")
    _common(query, suppress=True)
    repl = commands.add_parser("repl", help="ask questions interactively (the default on a "
                               "terminal; statements are read from stdin when it is not one)")
    _common(repl, suppress=True)
    checker = commands.add_parser("check", help="load a knowledge base and print every diagnostic")
    checker.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: --kb)")
    _common(checker, suppress=True)
    return parser


def main(argv=None, stdout=None, stderr=None, stdin=None) -> int:
    """Run the command line; returns the exit code."""
    stdout, stderr, stdin = stdout or sys.stdout, stderr or sys.stderr, stdin or sys.stdin
    try:
        return _main(argv, stdout, stderr, stdin)
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        _silence_stdout()
        return EXIT_YES
    except KeyboardInterrupt:
        print("interrupted", file=stderr)
        return 130


def _main(argv, stdout, stderr, stdin) -> int:
    try:
        args = build_parser().parse_args(argv)
    except _Usage as exc:
        print(exc, file=stderr)
        return EXIT_USAGE
    color = _color(stderr)
    try:
        as_of = _as_of(args.as_of)
        if args.command in (None, "repl"):
            from .launch import repl

            return repl(args.kb, as_of, args.format, stdin, stdout, stderr)
        if args.command == "check":
            return _check(args.paths or args.kb or ["kb"], stdout, stderr, color)
        with KnowledgeBase.from_paths(args.kb or ["kb"], as_of=as_of) as kb:
            _warn(kb.checked.warnings, stderr, color)
            answer = kb.ask(args.goal)
        print(dumps(answer_json(answer)) if args.format == "json" else answer_text(answer), file=stdout)
        return EXIT_YES if answer.holds else EXIT_NO
    except _Usage as exc:
        print(exc, file=stderr)
        return EXIT_USAGE
    except LoadError as exc:
        print(render_all(exc.diagnostics, color), file=stderr)
        return EXIT_LOAD
    except AllegianceError as exc:
        print(render_all(exc.diagnostics, color), file=stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        raise  # handled by `main`
    except Exception as exc:  # a bug: say so plainly, never dump a traceback on the user
        print(f"allegiance: internal error: {type(exc).__name__}: {exc}", file=stderr)
        return EXIT_INTERNAL


def _check(paths, stdout, stderr, color) -> int:
    try:
        checked = check(read_program(paths))
    except AllegianceError as exc:
        print(render_all(exc.diagnostics, color), file=stderr)
        return EXIT_LOAD
    _warn(checked.warnings, stderr, color)
    facts, rules = len(checked.program.facts), len(checked.program.rules)
    print(f"ok: {facts} facts, {rules} rules, {len(checked.predicates)} predicates.", file=stdout)
    return EXIT_YES


def _warn(warnings, stderr, color) -> None:
    if warnings:
        print(render_all(warnings, color), file=stderr)


def _as_of(text: str | None) -> datetime.date | None:
    if text is None:
        return None
    try:
        return Date.parse(text).first_day()
    except ValueError as exc:
        raise _Usage(f"allegiance: error: --as-of: {exc}") from None


def _color(stream) -> bool:
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
