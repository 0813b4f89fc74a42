"""`allegiance backtest [CASE...]` and the REPL's `.backtest [CASE...]`: the golden questions of the
case library asked of the rules.

Sits on the command layer beside `subcommands`: both entry points call `run_backtest`, which
finds the knowledge base (the first `--kb` folder with a `kb.toml`, else `kb/`), its rules and
its cases (`lang.manifests`), runs them (`whatif.backtest`) and renders them (`render.backtest`).
The exit code is 0 when every answer matches (a known miss does not count), 1 otherwise, 3 when
a case does not load, 2 for an unknown case name.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from allegiance.lang.diagnostics import LoadError
from allegiance.lang.manifests import KB_MANIFEST, ManifestError, cases_under, read_kb
from allegiance.render.answers import dumps
from allegiance.render.backtest import backtest_json, backtest_text
from allegiance.whatif.backtest import backtest

from .commands import command
from .result import Result, failure, no, ok
from .session import Session

__all__ = ["BacktestError", "backtest_subcommand", "run_backtest"]


class BacktestError(Exception):
    """The backtest cannot run as asked (no case library, an unknown case); the message says why."""


def kb_folder(paths) -> Path:
    """The knowledge-base folder the backtest runs on: the first path with a kb.toml."""
    for raw in paths or ["kb"]:
        path = Path(raw)
        if path.is_dir() and (path / KB_MANIFEST).is_file():
            return path
    shown = " ".join(map(str, paths or ["kb"]))
    raise BacktestError(f"no `{KB_MANIFEST}` in {shown}: give the "
                     "knowledge base folder of the case library with --kb (such as --kb kb)")


def run_backtest(paths, names) -> tuple[list, Path]:
    """The results of the named cases (all when none is named) of the knowledge base."""
    folder = kb_folder(paths)
    try:
        manifest, cases = read_kb(folder), cases_under(folder)
    except ManifestError as exc:
        raise LoadError(exc.diagnostics) from None
    chosen = _chosen(cases, names)
    return backtest(chosen, manifest.rules), folder


def _chosen(cases, names) -> list:
    if not names:
        return cases
    by_name = {case.name: case for case in cases}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(by_name), n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        raise BacktestError(f"no case `{unknown[0]}`{hint}; the cases "
                         f"are: {', '.join(by_name)}")
    return [by_name[n] for n in dict.fromkeys(names)]


def backtest_subcommand(args, streams):
    """`allegiance backtest [CASE...]`: the table (or JSON) of every golden question."""
    from .subcommands import ExitCode, UsageError

    chosen = args.format or "text"
    if chosen not in ("text", "json"):
        raise UsageError(f"allegiance backtest: error: --format {chosen}: `backtest` prints text or json")
    try:
        results, _ = run_backtest(args.kb, args.cases)
    except BacktestError as exc:
        raise UsageError(f"allegiance backtest: error: {exc}") from None
    text = dumps(backtest_json(results)) if chosen == "json" else backtest_text(results)
    print(text, file=streams.stdout)
    return ExitCode.NO if any(r.fails for r in results) else ExitCode.YES


@command("backtest", "[CASE...]", "ask every golden question of the case library (or of the cases "
         "named) and show what the rules answer", ".backtest jnim_isgs_sahel")
def _backtest(session: Session, arg: str) -> Result:
    paths = [p for p in session.paths if (Path(p) / KB_MANIFEST).is_file()] or ["kb"]
    try:
        results, _ = run_backtest(paths, arg.split())
    except BacktestError as exc:
        return failure(f"error: {exc}")
    except LoadError as exc:
        from allegiance.lang.diagnostics import render_all

        return failure(render_all(exc.diagnostics, session.color))
    if session.format == "json":
        return ok(dumps(backtest_json(results)))
    text = backtest_text(results)
    return no(text) if any(r.fails for r in results) else ok(text)
