"""The fast path of `parse` for plain fact lines. Sits inside `parse_program`, beside the parser.

Most of a large knowledge base is lines of plain facts: `name(arg, ...)`, then `from DATE`,
`to DATE` and `@source` in any order, then `.`, several to a line, maybe a comment after them.
A line of only such facts that starts a statement is read here by a few regular expressions,
which build the very nodes and spans the general parser would. Every other line is left to the
general parser, in runs of lines that end with a `.` (so that each run holds whole statements).

Guarantees: the result equals the general parser's, spans included, or is None, and then
`parse_program` reads the whole text with the general parser, so that diagnostics are always
its own. A line is fast only when the general parser would read it without error; anything
unusual (a variable, an escape the lexer rejects, an invalid or empty date interval, a repeated
`from` or `to`, a huge integer, a character the lexer rejects) makes it a slow line.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from typing import Callable, Iterator

from allegiance.lang.diagnostics import Span
from allegiance.lang.lexer import MAX_DIGITS, checked_string_value, scan
from allegiance.lang.syntax import Atom, Constant, Fact, Statement
from allegiance.lang.values import Date, Integer, String, Symbol, Value

_WS = r"[ \t\r\f\v]*+"  # the lexer's blanks; other spaces are errors there
_NAME = r"[a-z][A-Za-z0-9_]*+(?!\w)"  # a word that is not all ASCII is an error
_STRING = r'"[^"\\]*+(?:\\.[^"\\]*+)*+"'  # where the lexer ends it; escapes are checked later
_NUMBER = r"-?[0-9]++(?:-[0-9]++)*+(?!\w|[.-][0-9])"  # `1.5`, `12ab`, `1-2.3` are errors
_ARG = rf"{_WS}(?:(?P<name>{_NAME})|(?P<string>{_STRING})|(?P<number>{_NUMBER})){_WS}"
_NOTE = rf"{_WS}(?:(?P<keyword>from|to)(?!\w){_WS}(?P<date>{_NUMBER})|@{_WS}(?P<source>{_NAME}))"
_ANY_ARG, _ANY_NOTE = (re.sub(r"\(\?P<\w+>", "(?:", pattern) for pattern in (_ARG, _NOTE))
_FACT = re.compile(rf"{_WS}(?P<predicate>{_NAME}){_WS}"
                   rf"(?:\((?P<args>{_ANY_ARG}(?:,{_ANY_ARG})*+)\))?"
                   rf"(?P<notes>(?:{_ANY_NOTE})*+){_WS}\.")
_ARGS = re.compile(_ARG)
_NOTES = re.compile(_NOTE)
_REST = re.compile(rf"{_WS}(?:%.*)?\Z")
_BLANKS = " \t\r\f\v"

General = Callable[[str, int], "list[Statement] | None"]  # (lines, first line) → statements


def read_statements(text: str, file: str, general: General) -> list[Statement] | None:
    """The statements of `text`, fact lines read here and runs of other lines by `general`
    (which returns None on any error); None when the general parser must read all the text."""
    lines, statements, reader = text.split("\n"), [], FactReader(file)
    pending, closed = None, True  # the first line left to `general`; whether its run may end
    for number, line in enumerate(lines):
        facts = reader.facts(line, number) if closed else None
        if facts is not None:
            if pending is not None:
                read = general("\n".join(lines[pending:number]), pending)
                if read is None:
                    return None
                statements.extend(read)
                pending = None
            statements.extend(facts)
            continue
        pending = number if pending is None else pending
        closed = _ends_with_period(line, closed)
    if pending == 0:
        return None  # no fact line: the general parser reads it all, once
    if pending is not None:
        read = general("\n".join(lines[pending:]), pending)
        if read is None:
            return None
        statements.extend(read)
    return statements


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pauses the cyclic garbage collector, and restores it even on error: while a large text
    is read, it would scan the growing heap of nodes (which hold no cycles) again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def fact_line(line: str, number: int, file: str) -> list[Fact] | None:
    """The facts of line `number` (0-based) when it holds only plain facts (and blanks or a
    comment), each as the general parser reads it; None otherwise."""
    return FactReader(file).facts(line, number)


class FactReader:
    """Reads the fact lines of one file; equal constants are read once and shared (values are
    immutable), which saves time and memory when the same names recur in many facts."""

    def __init__(self, file: str):
        self.file = file
        self.values: dict[str, Value | None] = {}  # the text of an argument → its value
        self.dates: dict[str, Date | None] = {}  # the text after `from` or `to` → its date

    def facts(self, line: str, number: int) -> list[Fact] | None:
        """The facts of line `number` (0-based), or None when it is not a plain fact line."""
        shown = line[:-1] if line.endswith("\r") else line
        facts, at = [], 0
        while not _REST.match(line, at):
            match = _FACT.match(line, at)
            fact = match and self.fact(match, number + 1, shown)
            if fact is None:
                return None
            facts.append(fact)
            at = match.end()
        return facts

    def fact(self, match: re.Match, line: int, shown: str) -> Fact | None:
        """The fact `match` found, or None when the general parser would report an error."""
        first, end = match.span("predicate")
        args: tuple = ()
        if match.start("args") >= 0:
            args = self.arguments(match, line, shown)
            if args is None:
                return None
            end = match.end("args") + 1  # after the `)`
        atom = Atom(match.group("predicate"), args, Span(self.file, line, first + 1, end + 1,
                                                         shown))
        notes = match.span("notes")
        sources, dates = [], {}
        for note in _NOTES.finditer(match.string, *notes) if notes[1] > notes[0] else ():
            keyword = note.group("keyword")
            if keyword is None:
                sources.append(note.group("source"))
            elif keyword in dates or (date := self.date(note.group("date"))) is None:
                return None
            else:
                dates[keyword] = date
        start, stop = dates.get("from"), dates.get("to")
        if start and stop and start.first_day() > stop.last_day():
            return None
        return Fact(atom, tuple(sources), start, stop, Span(self.file, line, first + 1,
                                                            match.end() + 1, shown))

    def arguments(self, match: re.Match, line: int, shown: str) -> tuple[Constant, ...] | None:
        args, values, text = [], self.values, match.string
        for arg in _ARGS.finditer(text, *match.span("args")):
            kind = arg.lastgroup
            start, end = arg.span(kind)
            written = text[start:end]
            value = values.get(written)
            if value is None:
                value = values[written] = _value(kind, written)
                if value is None:
                    return None
            args.append(Constant(value, Span(self.file, line, start + 1, end + 1, shown)))
        return tuple(args)

    def date(self, text: str) -> Date | None:
        if text not in self.dates:
            self.dates[text] = _date(text)
        return self.dates[text]


def _value(kind: str, text: str) -> Value | None:
    """The constant of an argument as the lexer and the parser read it; None when they fail."""
    if kind == "name":
        return Symbol(text)
    if kind == "string":
        value = checked_string_value(text)
        return None if value is None else String(value)
    return _number(text)


def _number(text: str) -> Integer | Date | None:
    """An integer or a date as the lexer and the parser read them; None when they fail."""
    if "-" not in text[1:]:
        return Integer(int(text)) if len(text.lstrip("-")) <= MAX_DIGITS else None
    try:
        return Date.parse(text)
    except ValueError:
        return None


def _date(text: str) -> Date | None:
    """The date after `from` or `to` (a bare year is one); None when not a valid date."""
    if "-" not in text[1:] and not (len(text) == 4 and text.isdigit()):
        return None
    try:
        return Date.parse(text)
    except ValueError:
        return None


def _ends_with_period(line: str, closed: bool) -> bool:
    """Whether a run of lines ending with `line` may end a statement (`closed`: whether it did
    before this line): its last token is `.`. A guess for when to hand a run over, not a check."""
    if "%" in line or '"' in line:
        words = [t for t in scan(line)[0] if t.kind not in ("comment", "eof")]
        return words[-1].text == "." and words[-1].kind == "punct" if words else closed
    stripped = line.rstrip(_BLANKS)
    return stripped.endswith(".") if stripped else closed
