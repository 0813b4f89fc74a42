"""The one-shot command line: `allegiance [options] [COMMAND] ...`.

Without a command (or with `repl`) it starts the REPL: the shell on a terminal, the piped mode
when stdin is not one or with `-f FILE` (see `launch`). The other commands run once on the REPL's
command layer (`subcommands`), so they print exactly what the REPL prints. Common options go
before or after the command. Data goes to stdout, diagnostics to stderr; a reader that closes
the pipe (`| head`) ends the run quietly. The exit codes are `subcommands.ExitCode`, listed in
`EXIT_CODES` (shown by `--help`) and in the README.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys

from allegiance.lang.diagnostics import AllegianceError, LoadError, render_all
from allegiance.eval.limits import time_budget, time_limit
from allegiance.lang.values import Date, printable

from .subcommands import SUBCOMMANDS, ExitCode, Streams, UsageError, statements
from .whatif_cli import WHATIF_SUBCOMMANDS

EXAMPLES = """examples:
  allegiance                                      the REPL on kb/ (on a terminal)
  allegiance query 'alliance(JN, IS)?'            answers; exit 0 yes, 1 no
  allegiance why 'alliance(JN, IS)?' --format prose
  allegiance query 'rift(X, IS)?' --as-of 2013-02 --format json
  allegiance --kb kb/rules --kb tests/kbs/crescent_case.dl query 'alliance(X, Y)?'
  allegiance check kb/                            every diagnostic, with file:line:col
  allegiance facts pledged                        the stated facts, with file:line
  allegiance sources 'rift(JN, IS)'               the sources a proof rests on
  allegiance report --out report.html             also writes report.md
  allegiance export --format dot | dot -Tsvg > relations.svg
  allegiance -f statements.txt                    several statements, as piped to the REPL
  printf 'why alliance(JN, IS)?\\n' | allegiance
"""
EXIT_CODES = """exit codes:
  0  the goal holds, answers or facts were found, the check passed
  1  the goal does not hold, no answers, no facts
  2  a usage or syntax error in what was typed (with -f or stdin: a statement failed)
  3  the knowledge base failed to load
  4  an internal error (a bug: please report it)
  5  the time limit (--timeout) stopped an evaluation before it gave an answer
"""
EXIT_TIMEOUT = 5
FORMATS = ("text", "tree", "prose", "json", "dot")
EXIT_YES, EXIT_NO, EXIT_USAGE, EXIT_LOAD, EXIT_INTERNAL = (int(code) for code in ExitCode)
_Usage = UsageError  # the name used before `subcommands` existed


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit with 2, as documented, without a traceback
        raise UsageError(f"{self.format_usage().rstrip()}\n{self.prog}: error: {message}")


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """The options every command takes; after the command they override those before it."""
    def default(value):
        return argparse.SUPPRESS if suppress else value

    parser.add_argument("--kb", action="append", metavar="PATH", default=default(None),
                        help="a knowledge-base file or folder (repeatable; default: kb/)")
    parser.add_argument("--as-of", metavar="DATE", default=default(None),
                        help="evaluate as of this date (YYYY, YYYY-MM or YYYY-MM-DD; default: today)")
    parser.add_argument("--format", choices=FORMATS, default=default(None),
                        help="output: text (a tree for `why`), prose, json or dot; "
                        "the default is text (dot for `export`)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default=default("auto"),
                        help="colour diagnostics: auto (on a terminal, without NO_COLOR), always, never")
    parser.add_argument("-f", "--file", metavar="FILE", default=default(None),
                        help="run the statements of FILE (`-` for stdin), as piped to the REPL")
    parser.add_argument("--timeout", type=_seconds, metavar="SECONDS", default=default(None),
                        help="stop evaluating a question after SECONDS (exit code 5); an "
                        "explanation stops there and is shown marked partial")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; common options are accepted before or after the subcommand."""
    raw = argparse.RawDescriptionHelpFormatter
    parser = _Parser(prog="allegiance", formatter_class=raw, epilog=EXIT_CODES,
                     description="An explainable rule-based expert system for judging claimed "
                     "alliances between armed groups.\n\n" + EXAMPLES)
    parser.add_argument("--version", action="version", version=f"allegiance {_version()}")
    _common(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    repl = commands.add_parser("repl", help="ask questions interactively (the default on a "
                               "terminal; statements are read from stdin when it is not one)",
                               formatter_class=raw, description="examples:\n  allegiance repl\n"
                               "  allegiance repl --as-of 2014-11 -f statements.txt\n")
    _common(repl, suppress=True)
    for sub in (*SUBCOMMANDS, *WHATIF_SUBCOMMANDS):
        examples = "examples:\n" + "".join(f"  {line}\n" for line in sub.examples)
        entry = commands.add_parser(sub.name, help=sub.help, description=f"{sub.help}\n\n{examples}",
                                    formatter_class=raw, epilog=EXIT_CODES)
        for flags, options in sub.arguments:
            entry.add_argument(*flags, **options)
        if sub.name == "query":
            entry.add_argument("--limit", type=_count, metavar="N", default=None,
                               help="show the first N answers only, then `N of M answers shown.`")
        _common(entry, suppress=True)
        entry.set_defaults(handler=sub.handler)
    from .properties_command import add_test_parser  # `allegiance test`: the declared properties

    add_test_parser(commands, raw, _common)
    return parser


def main(argv=None, stdout=None, stderr=None, stdin=None) -> int:
    """Run the command line; returns the exit code."""
    stdout, stderr, stdin = stdout or sys.stdout, stderr or sys.stderr, stdin or sys.stdin
    try:
        code = _main(argv, stdout, stderr, stdin)
        stdout.flush()  # a closed pipe shows here, not at exit where Python would complain
        return code
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        if stdout is sys.stdout:
            _silence_stdout()
        return EXIT_YES
    except KeyboardInterrupt:
        print("interrupted", file=stderr)
        return 130


def _main(argv, stdout, stderr, stdin) -> int:
    try:
        with contextlib.redirect_stdout(stdout):  # `--help` and `--version` print to our stdout
            args = build_parser().parse_args(argv)
        args.as_of = _as_of(args.as_of)
    except UsageError as exc:
        print(_shown(exc), file=stderr)
        return EXIT_USAGE
    except SystemExit as exc:  # `--help`, `--version`
        return exc.code if isinstance(exc.code, int) else EXIT_YES
    streams = Streams(stdin, stdout, stderr, color_wanted(args.color, stderr))
    try:
        if args.command in (None, "repl"):
            if args.file is not None:
                return _within(args.timeout, lambda: statements(args, streams), stderr)
            from .launch import repl

            color = None if args.color == "auto" else args.color == "always"
            return _within(args.timeout, lambda: repl(args.kb, args.as_of, args.format, stdin,
                                                      stdout, stderr, color=color), stderr)
        if args.file is not None:
            raise UsageError(f"allegiance {args.command}: error: -f runs statements as the REPL "
                             "does: `allegiance -f FILE` (without a command)")
        return _within(args.timeout, lambda: args.handler(args, streams), stderr)
    except UsageError as exc:
        print(_shown(exc), file=stderr)
        return EXIT_USAGE
    except LoadError as exc:
        print(render_all(exc.diagnostics, streams.color), file=stderr)
        return EXIT_LOAD
    except AllegianceError as exc:
        print(render_all(exc.diagnostics, streams.color), file=stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        raise  # handled by `main`
    except Exception as exc:  # a bug: say so plainly, never dump a traceback on the user
        print(f"allegiance: internal error: {type(exc).__name__}: {exc}", file=stderr)
        return EXIT_INTERNAL


def _shown(exc: Exception) -> str:
    """A usage error as printed: what was typed in it shows no raw control character."""
    return "\n".join(printable(line) for line in str(exc).split("\n"))


def _within(seconds: float | None, run, stderr) -> int:
    """`run()`'s exit code, each evaluation bounded by `seconds`; `EXIT_TIMEOUT` when one ran
    out before giving an answer (a Ctrl-C still ends the run as an interruption)."""
    with time_budget(seconds) as budget:
        try:
            return int(run())
        except KeyboardInterrupt:  # the command layer turns a stopped evaluation into this
            if budget is None or not budget.reached:
                raise
    print(f"allegiance: {time_limit(seconds)} before the evaluation finished: no answer is "
          "known (a longer --timeout may give one)", file=stderr)
    return EXIT_TIMEOUT


def _seconds(text: str) -> float:
    """The value of `--timeout`: a number of seconds above 0."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, not {text!r}") from None
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, not {text!r}")
    return seconds


def _count(text: str) -> int:
    """The value of `--limit`: a whole number of at least 1."""
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text[:40]!r}")
    return count


def _as_of(text: str | None):
    if text is None:
        return None
    try:
        return Date.parse(text).first_day()
    except ValueError as exc:
        raise UsageError(f"allegiance: error: --as-of: {exc}") from None


def color_wanted(choice: str, stream) -> bool:
    """Whether to colour diagnostics: `--color always|never`, else only on a terminal, without
    `NO_COLOR` (https://no-color.org: set and not empty) and with a `TERM` other than dumb."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("allegiance")
    except PackageNotFoundError:
        return "0.1.0"


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
