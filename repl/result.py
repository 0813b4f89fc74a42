"""What running one line gives back: the text to show and how it went.

The command layer returns these values and never prints; the shell, the piped mode and the CLI
decide where the text goes (errors to stderr when piped) and turn statuses into exit codes.
"""

from __future__ import annotations

from attrs import evolve, frozen

from allegiance.lang.values import printable

OK, NO, ERROR, QUIT = "ok", "no", "error", "quit"


@frozen
class Result:
    """The text of a reply and its status: `ok`, `no` (a goal without answers), `error`, `quit`."""

    text: str = ""
    status: str = OK
    elapsed: float | None = None  # seconds, when the timer is on

    @property
    def failed(self) -> bool:
        return self.status == ERROR

    def timed(self, seconds: float) -> Result:
        """The same result, with its running time added to it and to its text."""
        line = f"time: {seconds * 1000:.1f} ms"
        return evolve(self, text=f"{self.text}\n{line}" if self.text else line, elapsed=seconds)


def ok(text: str = "") -> Result:
    return Result(text, OK)


def no(text: str) -> Result:
    return Result(text, NO)


def failure(text: str) -> Result:
    return Result(text, ERROR)


def combine(results: list[Result]) -> Result:
    """The replies to several statements typed at once, as one (the worst status wins)."""
    if len(results) == 1:
        return results[0]
    rank = {OK: 0, NO: 1, ERROR: 2, QUIT: 3}
    status = max((r.status for r in results), key=rank.__getitem__, default=OK)
    return Result("\n".join(r.text for r in results if r.text), status)


def shown(text: str) -> str:
    """`text` as it may be printed: line by line, control characters (terminal escapes among
    them) and bidirectional overrides written by code point, as in file names typed or saved."""
    return "\n".join(printable(line) for line in text.split("\n"))
