"""Diagnostics: positioned errors and warnings as values, and their one rendering.

Every stage reports problems as `Diagnostic` values carrying a `Span`; the exceptions below only
carry those values. Only `render` makes text: `file:line:col: error: message`, the source line and
a caret under the offending columns, then notes and a hint.
"""

from __future__ import annotations

from attrs import field, frozen

ERROR = "error"
WARNING = "warning"


@frozen
class Span:
    """Where something was written: 1-based line and columns, end column exclusive."""

    file: str
    line: int
    col: int
    end_col: int
    text: str = field(default="", eq=False, repr=False)  # the whole source line, for the caret

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@frozen
class Diagnostic:
    """One problem found in the input, with where it is and how to fix it."""

    severity: str
    message: str
    span: Span | None = None
    code: str = ""
    notes: tuple[str, ...] = ()
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def error(message: str, span: Span | None, code: str = "", *, notes=(), hint=None) -> Diagnostic:
    """An error diagnostic."""
    return Diagnostic(ERROR, message, span, code, tuple(notes), hint)


def warning(message: str, span: Span | None, code: str = "", *, notes=(), hint=None) -> Diagnostic:
    """A warning diagnostic."""
    return Diagnostic(WARNING, message, span, code, tuple(notes), hint)


def sort_diagnostics(diagnostics) -> tuple[Diagnostic, ...]:
    """Diagnostics in reading order: by file, line and column, errors before warnings."""

    def key(d: Diagnostic):
        s = d.span
        where = (s.file, s.line, s.col) if s else ("", 0, 0)
        return (*where, d.severity != ERROR, d.message)

    return tuple(sorted(diagnostics, key=key))


class AllegianceError(Exception):
    """Base of the project's errors: carries one or more diagnostics."""

    def __init__(self, diagnostics):
        self.diagnostics = sort_diagnostics(diagnostics)
        first = self.diagnostics[0] if self.diagnostics else None
        super().__init__(first.message if first else self.__class__.__name__)


class ParseError(AllegianceError):
    """The text is not in the language."""


class CheckError(AllegianceError):
    """The program parses but breaks a static rule (arity, safety, stratification, ...)."""


class QueryError(AllegianceError):
    """A query or statement typed by the user cannot be answered as written."""


class LoadError(AllegianceError):
    """A knowledge base could not be loaded (a file is missing, unreadable or invalid)."""


def render(diagnostic: Diagnostic, color: bool = False) -> str:
    """The diagnostic as `file:line:col: severity: message`, the source line and a caret."""
    paint = _painter(color)
    span = diagnostic.span
    where = _shown(f"{span}: ") if span else ""
    sev = paint(diagnostic.severity, "31;1" if diagnostic.is_error else "35;1")
    lines = [f"{paint(where, '1')}{sev}: {_shown(diagnostic.message)}"]
    if span and span.text:
        lines.extend(_excerpt(span, paint))
    lines.extend(f"  = note: {_shown(note)}" for note in diagnostic.notes)
    if diagnostic.hint:
        lines.append(f"  = hint: {_shown(diagnostic.hint)}")
    return "\n".join(lines)


def render_all(diagnostics, color: bool = False) -> str:
    """All diagnostics rendered, then a count of errors and warnings."""
    diagnostics = sort_diagnostics(diagnostics)
    parts = [render(d, color) for d in diagnostics]
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    if diagnostics:
        parts.append(f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}.")
    return "\n".join(parts)


MAX_TEXT = 500  # characters of a message, note or hint shown (names in them can be long)
EXCERPT = 100  # characters of a long source line shown, around the place the caret points at


def _shown(text: str) -> str:
    """Text of a diagnostic as printed: hidden characters by code point, length bounded."""
    from allegiance.lang.values import printable

    if len(text) > MAX_TEXT:
        text = f"{text[:MAX_TEXT]}… ({len(text) - MAX_TEXT} more characters)"
    return printable(text)


def _excerpt(span: Span, paint) -> list[str]:
    """The source line (a window of it, when long) and the caret under the span."""
    from allegiance.lang.values import printable

    line = span.text.rstrip("\n")
    start, end = span.col - 1, max(span.end_col, span.col) - 1
    first, last = _window(len(line), start)
    lead, tail = "…" if first else "", "…" if last < len(line) else ""
    prefix = lead + printable(line[first:start])
    width = max(1, len(printable(line[start:min(end, last)])))
    gutter = f"{span.line} | "
    pad = " " * (len(gutter) - 2) + "| "
    caret = " " * len(prefix) + "^" + "~" * (width - 1)
    return [gutter + lead + printable(line[first:last]) + tail, pad + paint(caret, "32;1")]


def _window(length: int, start: int) -> tuple[int, int]:
    """The part of a line of `length` characters to show: all of it, or `EXCERPT` characters
    with the column `start` in their first third."""
    if length <= EXCERPT:
        return 0, length
    first = max(0, min(start - EXCERPT // 3, length - EXCERPT))
    return first, first + EXCERPT


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _painter(color: bool):
    if not color:
        return lambda text, code: text
    return lambda text, code: f"\x1b[{code}m{text}\x1b[0m" if text else text
