"""`allegiance test`: check a knowledge base's declared properties against generated cases.

Prints one line per property as soon as it is checked, then, for each property that fails, the
shrunk counterexample as `.dl` text (and, with `--save DIR`, as files) and the `why` of the
conclusion that breaks it; last `all properties hold (N cases).` or how many fail. Exit codes:
0 every property holds, 1 one fails, 2 a usage error, 3 the knowledge base does not load.
"""

from __future__ import annotations

import argparse
import datetime
import os
from pathlib import Path

from allegiance.eval.kb import read_program
from allegiance.testing.checks import (ALONE, CI_EXAMPLES, DEFAULT_EXAMPLES, Outcome,
                                    check_properties, explain_violation, reproduction)
from allegiance.testing.properties import CHECKED
from allegiance.render.properties import (counterexample, failure_text, outcome_lines, scene_files,
                                      summary_line)

EXIT_CODES = """exit codes:
  0  every property holds
  1  a property fails: its counterexample and the why of it are printed
  2  a usage error
  3  the knowledge base failed to load
"""
EXAMPLES = """examples:
  allegiance test                                 the properties of kb/
  allegiance test --examples 200 --seed 1
  allegiance --kb kb/rules --kb mycase.dl test --save counterexamples/
"""


def add_test_parser(commands, formatter, common) -> argparse.ArgumentParser:
    """Register `test` among the `commands` of the command line (`common`: its options)."""
    parser = commands.add_parser(
        "test", help="check the declared properties against generated cases",
        description="Check every `property` the knowledge base declares against generated\n"
        "cases, on the rules alone and with the facts.\n\n" + EXAMPLES,
        formatter_class=formatter, epilog=EXIT_CODES)
    add_arguments(parser)
    common(parser, suppress=True)
    parser.set_defaults(handler=handle)
    return parser


def handle(args, streams) -> int:
    """The `test` command on the command line's parsed arguments and streams."""
    if getattr(args, "format", None) not in (None, "text"):
        from .subcommands import UsageError

        raise UsageError(f"allegiance test: error: --format {args.format}: the report is text")
    return run_test(args.kb or ["kb"], args, streams.stdout, streams.stderr, args.as_of)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `allegiance test`."""
    parser.add_argument("--examples", type=_positive, metavar="N", default=None,
                        help=f"cases per property, on the rules alone and with the facts "
                             f"(default: {DEFAULT_EXAMPLES}; {CI_EXAMPLES} when CI is set)")
    parser.add_argument("--seed", type=int, metavar="N", default=None,
                        help="draw the cases of this seed (when CI is set and no seed is "
                             "given, the draws are fixed)")
    parser.add_argument("--save", metavar="DIR", default=None,
                        help="also write each counterexample as a .dl file in DIR")


def run_test(paths, args, stdout, stderr, as_of: datetime.date | None = None) -> int:
    """Check every declared property of the knowledge base at `paths`; the exit code."""
    program = read_program(paths)
    if not any(d.kind in CHECKED for d in program.properties):
        print(f"no properties are declared in {' '.join(map(str, paths))}: state them with "
              "directives such as `property symmetric(alliance/2).`", file=stdout)
        return 0
    in_ci = bool(os.environ.get("CI"))
    examples = args.examples or (CI_EXAMPLES if in_ci else DEFAULT_EXAMPLES)

    def progress(decl, outcomes) -> None:
        print(outcome_lines(decl, outcomes), file=stdout, flush=True)

    report = check_properties(program, examples, args.seed, derandomize=in_ci and args.seed is None,
                              day=as_of, progress=progress)
    how = reproduction(paths, program)
    for outcome in report.failures:
        print("\n" + failure_text(outcome, explain_violation(outcome, program), how),
              file=stdout)
        if args.save:
            _save(Path(args.save), outcome, how)
    print("\n" + summary_line(report), file=stdout)
    return 0 if report.holds else 1


def _save(folder: Path, outcome: Outcome, how) -> None:
    """Write the files of a counterexample: `<kind>-<predicate>-<mode>[-n].dl`."""
    folder.mkdir(parents=True, exist_ok=True)
    violation = outcome.violation
    stem = "-".join([violation.decl.kind, *(r.name for r in violation.decl.predicates),
                     "alone" if outcome.mode == ALONE else "facts"])
    files = scene_files(violation.scenes)
    day = violation.case.as_of or outcome.day
    for number, (title, facts, goals) in enumerate(files, 1):
        path = folder / f"{stem}{f'-{number}' if len(files) > 1 else ''}.dl"
        lines = counterexample(violation.decl, title, facts, how, outcome.mode, day, goals,
                               str(path))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("at least one case is needed")
    return value
