"""Typed text → statements: where each one ends, what kind it is, and its parsed form.

The first stage of the REPL, shared by the shell (is the buffer complete?), the validator, the
piped mode and the command layer, so that all four agree on what a statement is. A statement
ends with `?` (a question) or `.` (a fact); a dot command is one line. Words are found with the
engine's lenient tokenizer, so a `.` or `?` inside a string or a comment ends nothing.

Parsing reuses the engine's parser; the REPL's own keywords (`why`, `why not`, `retract`) are
blanked out first so every diagnostic keeps the column the user typed, and diagnostics are then
moved to where the statement stands in the whole input (`relocate`).
"""

from __future__ import annotations

import re

from attrs import evolve, frozen

from allegiance.lang.diagnostics import Diagnostic, ParseError, Span, error
from allegiance.lang.lexer import Token, tokenize_lenient
from allegiance.lang.parse import parse_fact, parse_query

KINDS = ("empty", "command", "query", "why", "why_not", "fact", "retract", "rule", "unfinished")
_LEAD = re.compile(r"\s*(why\s+not|why|retract)\b(?=\s*[a-z])")
_TERMINATORS = (".", "?")


@frozen
class Statement:
    """One statement of the input: its text, where it starts (0-based line and column), its kind."""

    text: str
    line: int = 0
    col: int = 0
    kind: str = "unfinished"


def split(text: str) -> list[Statement]:
    """The statements of `text`, in order; a last one without its `?` or `.` is `unfinished`."""
    found: list[Statement] = []
    pending, start = "", None
    for number, line in enumerate(text.split("\n")):
        if start is None and line.lstrip().startswith("."):
            found.append(Statement(line.strip(), number, len(line) - len(line.lstrip()), "command"))
            continue
        if start is None:
            if _blank(line):
                continue
            start = (number, len(line) - len(line.lstrip()))
            line = line.lstrip()
        pending = f"{pending}\n{line}" if pending else line
        pending, start = _cut(pending, start, found)
    if start is not None and not _blank(pending):
        found.append(Statement(pending, *start, "unfinished"))
    return found


def _cut(pending: str, start: tuple[int, int], found: list[Statement]):
    """Moves every finished statement of `pending` to `found`; returns what is left and its start."""
    while True:
        end = _first_end(pending)
        if end is None:
            return pending, start
        text, rest = pending[:end], pending[end:]
        found.append(Statement(text, *start, kind_of(text)))
        lines = text.split("\n")
        line = start[0] + len(lines) - 1
        col = (start[1] if len(lines) == 1 else 0) + len(lines[-1]) + len(rest) - len(rest.lstrip(" \t"))
        rest = rest.lstrip(" \t")
        if _blank(rest):
            return "", None
        pending, start = rest, (line, col)


def _first_end(text: str) -> int | None:
    """The offset just after the first `.` or `?` that ends a statement, if any."""
    offsets = _line_offsets(text)
    for token in tokenize_lenient(text):
        if token.kind == "punct" and token.text in _TERMINATORS:
            return offsets[token.span.line - 1] + token.span.end_col - 1
    return None


def is_complete(text: str) -> bool:
    """True when Enter should run `text`: blank, a dot command, or its last statement ended."""
    statements = split(text)
    return not statements or statements[-1].kind != "unfinished"


def kind_of(text: str) -> str:
    """The kind of one statement (see `KINDS`)."""
    words = [t for t in tokenize_lenient(text) if t.kind not in ("comment", "eof")]
    if not words:
        return "empty"
    if text.lstrip().startswith("."):
        return "command"
    last = words[-1]
    if not (last.kind == "punct" and last.text in _TERMINATORS):
        return "unfinished"
    lead = _LEAD.match(text)
    keyword = lead.group(1).split()[-1] if lead else ""  # `why`, `not` (of `why not`), `retract`
    if last.text == "?":
        return {"why": "why", "not": "why_not"}.get(keyword, "query")
    if keyword == "retract":
        return "retract"
    return "rule" if any(t.text == ":-" for t in words) else "fact"


def body(statement: Statement) -> str:
    """The statement's text with the REPL keyword (`why`, `why not`, `retract`) blanked out."""
    lead = _LEAD.match(statement.text)
    if not lead or statement.kind not in ("why", "why_not", "retract", "unfinished"):
        return statement.text
    return " " * lead.end() + statement.text[lead.end():]


def parse(statement: Statement, file: str = "<input>"):
    """The Query (questions) or Fact (facts, retractions) of a statement, spans relative to
    the statement's own text (see `relocate`); ParseError otherwise."""
    if statement.kind in ("query", "why", "why_not"):
        return parse_query(body(statement), file)
    return parse_fact(body(statement), file)


def relocate(diagnostics, statement: Statement, lines: list[str] | None = None,
             file: str | None = None) -> list[Diagnostic]:
    """Diagnostics about a statement's own text (those in `file`, when given), moved to where
    it stands in the input (`lines`), with that input's line under the caret."""
    own = statement.text.split("\n")
    moved = []
    for d in diagnostics:
        span = d.span
        if span is None or (file is not None and span.file != file):
            moved.append(d)
            continue
        line = span.line + statement.line
        shift = statement.col if span.line == 1 else 0
        source = lines[line - 1] if lines and line - 1 < len(lines) else _own_line(own, span.line, shift)
        moved.append(evolve(d, span=evolve(span, line=line, col=span.col + shift,
                                           end_col=span.end_col + shift, text=source)))
    return moved


def problem(message: str, statement: Statement, file: str, *, hint=None, start: int = 0,
            end: int | None = None) -> ParseError:
    """A syntax error about a statement (0-based columns `start`..`end` of its first line)."""
    first = statement.text.split("\n")[0]
    end = max(len(first) if end is None else end, start + 1)
    span = Span(file, 1, start + 1, end + 1, first)
    return ParseError([error(message, span, "syntax", hint=hint)])


def _own_line(own: list[str], number: int, shift: int) -> str:
    text = own[number - 1] if number - 1 < len(own) else ""
    return " " * shift + text


def _blank(text: str) -> bool:
    return all(t.kind in ("comment", "eof") for t in tokenize_lenient(text))


def _line_offsets(text: str) -> list[int]:
    offsets, at = [], 0
    for line in text.split("\n"):
        offsets.append(at)
        at += len(line) + 1
    return offsets


def words(text: str) -> list[Token]:
    """The tokens of `text` without comments and the end marker."""
    return [t for t in tokenize_lenient(text) if t.kind not in ("comment", "eof")]


class Reader:
    """Statements of an input read line by line (piped mode): each as soon as it ends."""

    def __init__(self):
        self.lines: list[str] = []
        self._pending, self._at = "", (0, 0)

    def feed(self, line: str) -> list[Statement]:
        """The statements that end on this line, placed in the whole input."""
        self.lines.append(line)
        text = f"{self._pending}\n{line}" if self._pending else line
        at = self._at if self._pending else (len(self.lines) - 1, 0)
        found = [self._placed(s, at) for s in split(text)]
        if found and found[-1].kind == "unfinished":
            last = found.pop()
            self._pending, self._at = last.text, (last.line, last.col)
        else:
            self._pending = ""
        return found

    def finish(self) -> list[Statement]:
        """The statement left without its `?` or `.` at the end of the input, if any."""
        if not self._pending:
            return []
        left, self._pending = Statement(self._pending, *self._at, "unfinished"), ""
        return [left]

    @staticmethod
    def _placed(statement: Statement, at: tuple[int, int]) -> Statement:
        col = statement.col + (at[1] if statement.line == 0 else 0)
        return evolve(statement, line=statement.line + at[0], col=col)
