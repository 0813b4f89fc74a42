"""The what-if subcommands of `allegiance`: `whatif`, `flip`, `sensitivity` and `ach`.

Sits beside `subcommands` (whose `Subcommand` table, `opened` session and `shown` reply it
reuses; `cli` adds `WHATIF_SUBCOMMANDS` to the parser) and runs the REPL's what-if replies
(`whatif_replies`), so the command line prints exactly what `.assume`, `.flip`, `.sensitivity`
and `.ach` print. The layer of `whatif` lives only for the run: the files are never touched.
Exit codes as for the other subcommands: 0 something was found (a conclusion changed, a flip
set, a conclusion that hangs on the source, a matrix), 1 nothing was, 2 a usage or syntax error,
3 the knowledge base failed to load.
"""

from __future__ import annotations

from .subcommands import ExitCode, Streams, Subcommand, UsageError, opened, shown
from .whatif_commands import predicate_list
from .whatif_replies import (INDICATOR_CHECKS, INDICATOR_SIZE, MAX_CHECKS, MAX_SIZE, ach_result,
                             flip_result, sensitivity_result, whatif_result)

FORMATS = ("text", "json")


def _format(args) -> None:
    """`--format text|json` only (UsageError otherwise)."""
    if args.format not in (None, *FORMATS):
        raise UsageError(f"allegiance {args.command}: error: --format {args.format}: "
                         f"`{args.command}` prints text or json")


def _keys(session, values) -> tuple[str, ...] | None:
    """The predicate keys of repeated, comma-separated `--fix`/`--conclusions` values (None: none given)."""
    return None if values is None else tuple(k for v in values for k in predicate_list(session, v))


def whatif(args, streams: Streams) -> ExitCode:
    """`allegiance whatif --assume FACT --withdraw FACT`: the conclusions gained and lost."""
    _format(args)
    if not args.assume and not args.withdraw:
        raise UsageError("allegiance whatif: error: give a fact to --assume or to --withdraw")
    with opened(args, streams) as session:
        conclusions = _keys(session, args.conclusions)
        return shown(whatif_result(session, args.assume, args.withdraw, conclusions=conclusions,
                                   explain=args.explain), streams)


def flip(args, streams: Streams) -> ExitCode:
    """`allegiance flip GOAL`: the smallest sets of changes that would reverse the verdict."""
    _format(args)
    with opened(args, streams) as session:
        return shown(flip_result(session, args.goal.rstrip().removesuffix("?"),
                                 fixed=_keys(session, args.fix), max_size=args.max_size,
                                 max_checks=args.max_checks), streams)


def sensitivity(args, streams: Streams) -> ExitCode:
    """`allegiance sensitivity [SOURCE]`: the conclusions that hang on a source (or on each)."""
    _format(args)
    carriers = None if args.carriers is None else tuple(
        s.lstrip("@") for v in args.carriers for s in v.split(",") if s)
    with opened(args, streams) as session:
        return shown(sensitivity_result(session, args.source, carriers=carriers,
                                        conclusions=_keys(session, args.conclusions)), streams)


def ach(args, streams: Streams) -> ExitCode:
    """`allegiance ach GROUP OTHER`: the matrix of competing hypotheses (and its indicators)."""
    _format(args)
    with opened(args, streams) as session:
        bounds = dict(fixed=_keys(session, args.fix), max_size=args.max_size, max_checks=args.max_checks)
        return shown(ach_result(session, args.group, args.other, bounds if args.indicators else None),
                     streams)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        import argparse

        raise argparse.ArgumentTypeError(f"expected a positive number, not `{text}`")
    return int(text)


def _fix(default_size: int, default_checks: int) -> tuple:
    return (
        (("--fix",), dict(action="append", metavar="PREDS", default=None,
                          help="predicates never changed, comma-separated (default: the type "
                               "predicates such as group/1, and alias/2; '' for none)")),
        (("--max-size",), dict(type=_positive, default=default_size, metavar="N",
                               help=f"the largest set of changes searched (default: {default_size})")),
        (("--max-checks",), dict(type=_positive, default=default_checks, metavar="N",
                                 help=f"the most sets assumed (default: {default_checks})")))


_CONCLUSIONS = (("--conclusions",), dict(action="append", metavar="PREDS", default=None,
                                         help="the derived predicates compared, comma-separated "
                                              "(default: every derived predicate)"))
WHATIF_SUBCOMMANDS = (
    Subcommand("whatif", "what if: the conclusions gained and lost when facts are assumed or withdrawn",
               ("allegiance whatif --withdraw 'isolated(JN, qalamoun)'",
                "allegiance whatif --assume 'pledged(JN, IS)' --conclusions alliance/2,rift/2 --format json"),
               ((("--assume",), dict(action="append", metavar="FACT", default=[],
                                     help="a fact to assume (repeatable)")),
                (("--withdraw",), dict(action="append", metavar="FACT", default=[],
                                       help="a stated fact to withdraw (repeatable)")),
                _CONCLUSIONS,
                (("--explain",), dict(action="store_true", help="explain each changed verdict"))),
               whatif),
    Subcommand("flip", "what would reverse a verdict: the smallest sets of changes (exit 1: none found)",
               ("allegiance flip 'local_alliance(JN, IS, qalamoun)'",
                "allegiance flip 'alliance(JN, IS)' --max-size 2 --fix group/1"),
               ((("goal",), dict(metavar="GOAL", help="a ground goal such as 'alliance(JN, IS)'")),
                *_fix(MAX_SIZE, MAX_CHECKS)), flip),
    Subcommand("sensitivity", "which conclusions hang on a source (without SOURCE: every source)",
               ("allegiance sensitivity daily_beast_2014", "allegiance sensitivity --conclusions borne_out/3"),
               ((("source",), dict(metavar="SOURCE", nargs="?", default=None, help="a declared source")),
                (("--carriers",), dict(action="append", metavar="SOURCES", default=None,
                                       help="sources that only relay others, not counted as another "
                                            "source (default: those cited wherever another is)")),
                _CONCLUSIONS), sensitivity),
    Subcommand("ach", "competing hypotheses about two groups: matrix, scores, the favoured one",
               ("allegiance ach JN IS", "allegiance ach JN IS --indicators --max-size 1 --format json"),
               ((("group",), dict(metavar="GROUP", help="a group: name or alias")),
                (("other",), dict(metavar="OTHER", help="the other group")),
                (("--indicators",), dict(action="store_true",
                                         help="also the changes that would reverse each hypothesis")),
                *_fix(INDICATOR_SIZE, INDICATOR_CHECKS)), ach),
)
