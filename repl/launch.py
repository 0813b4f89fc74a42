"""Starting the REPL from the command line: the session, then the shell or the piped mode.

Called by `cli` for `allegiance` without a command and for `allegiance repl`. On a terminal it
opens the interactive shell (a knowledge base that fails to load is reported and the shell
starts on an empty one, so `.reload` can try again after a fix); off a terminal it runs the
piped mode, where a knowledge base that fails to load ends the run with exit code 3.
"""

from __future__ import annotations

import os
from pathlib import Path

from allegiance.lang.diagnostics import LoadError, render_all
from allegiance.eval.kb import KnowledgeBase

from .session import Session

EXIT_LOAD = 3
_FORMATS = {"json": "json", "prose": "prose", "dot": "dot"}  # `--format` → `.format` (else tree)


def repl(kb_paths, as_of, output_format, stdin, stdout, stderr, *, color=None, file=None) -> int:
    """Run the REPL (interactive or piped) on the knowledge base of `kb_paths` (default kb/).
    `color` None: only on a terminal without `NO_COLOR`; `file` names the statements read from
    `stdin` (`-f FILE`), which then always runs the piped mode."""
    interactive = file is None and _is_terminal(stdin) and _is_terminal(stdout)
    color = _color(stdout if interactive else stderr) if color is None else color
    options = dict(as_of=as_of, color=color, limit=50 if interactive else None,
                   format=_FORMATS.get(output_format, "tree"))
    try:
        session = _session(kb_paths, options)
    except LoadError as exc:
        print(render_all(exc.diagnostics, color), file=stderr)
        if not interactive:
            return EXIT_LOAD
        session = Session(KnowledgeBase.from_text(""), kb_paths or ["kb"], **options)
    try:
        if session.kb.checked.warnings:
            print(render_all(session.kb.checked.warnings, color), file=stderr)
        if interactive:
            return _interactive(session, stdout)
        from .piped import run_piped

        return run_piped(session, stdin, stdout, stderr, file or "<stdin>")
    finally:
        session.close()


def _session(kb_paths, options) -> Session:
    if kb_paths is None and not Path("kb").exists():
        return Session.empty(**options)  # no kb/ here: start empty, `.load` works
    return Session.open(kb_paths or ["kb"], **options)


def _interactive(session: Session, stdout) -> int:
    from .shell import Shell, banner, file_history

    print(banner(session), file=stdout)
    return Shell(session, stdout, file_history()).run()


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _color(stream) -> bool:
    return not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb" and _is_terminal(stream)
