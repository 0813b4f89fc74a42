"""Piped mode: statements read from a stream that is not a terminal, replies printed plainly.

prompt_toolkit is not started (its maintainers advise against it off a terminal). Statements are
read line by line and each runs as soon as it ends (a statement may span lines and ends with
`?` or `.`; a dot command is one line), through the same `commands.run` as the shell. Replies go
to stdout and errors to stderr, without prompts or banners; diagnostics point at the line of the
input (`<stdin>:12:5`). The exit code is 0 when every statement ran, 2 when any failed.
"""

from __future__ import annotations

from .commands import run
from .result import QUIT
from .session import Session
from .statements import Reader

EXIT_OK, EXIT_FAILED = 0, 2


def run_piped(session: Session, stream, out, err, file: str = "<stdin>") -> int:
    """Run every statement of `stream`; the exit code."""
    reader, failed = Reader(), False
    for raw in stream:
        for statement in reader.feed(raw.rstrip("\n").rstrip("\r")):
            result = run(session, statement, file, reader.lines)
            failed |= result.failed
            if result.text:
                print(result.text, file=err if result.failed else out, flush=True)
            if result.status == QUIT:
                return EXIT_FAILED if failed else EXIT_OK
    for statement in reader.finish():
        result = run(session, statement, file, reader.lines)
        failed |= result.failed
        print(result.text, file=err if result.failed else out, flush=True)
    return EXIT_FAILED if failed else EXIT_OK
