"""Checks of `source` and `predicate` declarations, and the scanner of sentence templates.

Sits inside `checks`. For a program that passes, it guarantees: every source id is declared
once, its `date` is a date and its `title`, `author`, `outlet` and `url` are strings; every
predicate key is declared once, with distinct argument names, and its `doc`, `holds` and `fails`
templates are strings whose every `{Placeholder}` names an argument (`{{` and `}}` stand for a
literal brace). `scan_template` is the one reader of templates, for `explain` too: user text is
never handed to `str.format`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from attrs import frozen

from allegiance.lang.diagnostics import Diagnostic, Span, error, warning
from allegiance.lang.lexer import tokenize_lenient
from allegiance.lang.syntax import PredicateDecl, SourceDecl
from allegiance.lang.values import Date, String

SOURCE_FIELDS = {"title": String, "author": String, "outlet": String, "date": Date, "url": String}
PREDICATE_FIELDS = ("doc", "holds", "fails", "see")


@frozen
class Placeholder:
    """`{Name}` in a template: the value of the argument `Name`."""

    name: str


class TemplateError(ValueError):
    """A template whose braces do not pair up."""


def scan_template(text: str) -> tuple[str | Placeholder, ...]:
    """The literal pieces and placeholders of a template; TemplateError on unpaired braces."""
    parts: list[str | Placeholder] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in "{}" and text[i + 1 : i + 2] == char:
            literal.append(char)
            i += 2
        elif char == "}":
            raise TemplateError("a `}` closes no placeholder (write `}}` for a literal brace)")
        elif char == "{":
            end = _placeholder_end(text, i)
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(Placeholder(text[i + 1 : end]))
            i = end + 1
        else:
            literal.append(char)
            i += 1
    if literal:
        parts.append("".join(literal))
    return tuple(parts)


def _placeholder_end(text: str, start: int) -> int:
    """The index of the `}` closing the placeholder opened at `start`."""
    end = text.find("}", start + 1)
    if end < 0:
        raise TemplateError(
            "a `{` opens a placeholder that is never closed (write `{{` for a literal brace)"
        )
    if "{" in text[start + 1 : end]:
        raise TemplateError("a `{` inside a placeholder (write `{{` for a literal brace)")
    if end == start + 1:
        raise TemplateError("an empty placeholder `{}`")
    return end


def did_you_mean(word: str, candidates: Iterable[str], show=lambda c: c) -> str | None:
    """A hint naming the closest candidate to a misspelt `word`, or None."""
    candidates = list(dict.fromkeys(candidates))
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f"did you mean `{show(close[0])}`?" if close else None


def locate(span: Span | None, *texts: str) -> Span | None:
    """The span of the last run of tokens `texts` on `span`'s line and within it, else `span`.

    Source citations and declaration fields carry no span of their own; the statement's line is
    lexed again (a line always lexes alone: strings and comments end on their line).
    """
    if span is None or not span.text:
        return span
    tokens = [t for t in tokenize_lenient(span.text, span.file) if t.kind != "comment"]
    for i in range(len(tokens) - len(texts), -1, -1):
        run = tokens[i : i + len(texts)]
        first, last = run[0].span, run[-1].span
        inside = span.col <= first.col and last.end_col <= span.end_col
        if inside and [t.text for t in run] == list(texts):
            return Span(span.file, span.line, first.col, last.end_col, span.text)
    return span


# -- sources ---------------------------------------------------------------------------------
def check_sources(
    decls: Iterable[SourceDecl],
) -> tuple[dict[str, SourceDecl], tuple[Diagnostic, ...]]:
    """The sources by id (first declaration wins) and the problems of their declarations."""
    sources: dict[str, SourceDecl] = {}
    found: list[Diagnostic] = []
    for decl in decls:
        first = sources.setdefault(decl.id, decl)
        if first is not decl:
            found.append(_duplicate_source(decl, first))
        found.extend(_source_fields(decl))
    return sources, tuple(found)


def _duplicate_source(decl: SourceDecl, first: SourceDecl) -> Diagnostic:
    return error(
        f"source `{decl.id}` is declared twice",
        decl.span,
        "duplicate-source",
        notes=(f"`{decl.id}` is first declared at {position(first.span)}",),
    )


def _source_fields(decl: SourceDecl) -> Iterable[Diagnostic]:
    yield from _repeated_fields(decl.fields, f"source `{decl.id}`", decl.span, "source-field")
    for key, value in decl.fields:
        expected = SOURCE_FIELDS.get(key)
        if expected is None:
            yield warning(
                f"unknown field `{key}` in source `{decl.id}`",
                locate(decl.span, key, ":"),
                "source-field",
                notes=(f"the known fields are {', '.join(SOURCE_FIELDS)}",),
                hint=did_you_mean(key, SOURCE_FIELDS),
            )
        elif not isinstance(value, expected):
            kind = "a date" if expected is Date else "a string"
            yield error(
                f"field `{key}` of source `{decl.id}` must be {kind}, not `{value}`",
                locate(decl.span, key, ":"),
                "source-field",
            )


def _repeated_fields(fields, owner: str, span, code: str) -> Iterable[Diagnostic]:
    """An error for every field given a second time (only the first would ever be read)."""
    seen: set[str] = set()
    for key, _ in fields:
        if key in seen:
            yield error(f"field `{key}` is given twice in {owner}", locate(span, key, ":"), code)
        seen.add(key)


# -- predicate declarations -----------------------------------------------------------------
def check_predicate_decls(
    decls: Iterable[PredicateDecl],
) -> tuple[dict[str, PredicateDecl], tuple[Diagnostic, ...]]:
    """The declarations by key (first one wins) and the problems found in them."""
    declared: dict[str, PredicateDecl] = {}
    found: list[Diagnostic] = []
    for decl in decls:
        first = declared.setdefault(decl.key, decl)
        if first is not decl:
            found.append(
                error(
                    f"predicate `{decl.key}` is declared twice",
                    decl.span,
                    "predicate-decl",
                    notes=(f"`{decl.key}` is first declared at {position(first.span)}",),
                )
            )
        found.extend(_params(decl))
        found.extend(_predicate_fields(decl))
    return declared, tuple(found)


def _params(decl: PredicateDecl) -> Iterable[Diagnostic]:
    seen: set[str] = set()
    for name in decl.params:
        if name in seen:
            yield error(
                f"argument `{name}` is named twice in the declaration of `{decl.key}`",
                locate(decl.span, name),
                "predicate-decl",
            )
        seen.add(name)


def _predicate_fields(decl: PredicateDecl) -> Iterable[Diagnostic]:
    owner = f"the declaration of `{decl.key}`"
    yield from _repeated_fields(decl.fields, owner, decl.span, "predicate-decl")
    for key, value in decl.fields:
        if key not in PREDICATE_FIELDS:
            yield warning(
                f"unknown field `{key}` in the declaration of `{decl.key}`",
                locate(decl.span, key, ":"),
                "predicate-decl",
                notes=(f"the known fields are {', '.join(PREDICATE_FIELDS)}",),
                hint=did_you_mean(key, PREDICATE_FIELDS),
            )
        elif not isinstance(value, String):
            yield error(
                f"field `{key}` of `{decl.key}` must be a string, not `{value}`",
                locate(decl.span, key, ":"),
                "predicate-decl",
            )
        elif key == "see":
            yield from _see_also(decl, value.text)
        else:
            yield from _template(decl, key, value.text)


def _see_also(decl: PredicateDecl, text: str) -> Iterable[Diagnostic]:
    """`see: "local_alliance(Group, Other, Region)"`: one atom to show beside a refutation."""
    from allegiance.lang.diagnostics import AllegianceError
    from allegiance.lang.parse import parse_query
    from allegiance.lang.syntax import Atom

    where = locate(decl.span, "see", ":")
    try:
        query = parse_query(text, "<see>")
    except AllegianceError as exc:
        yield error(f"the `see` field of `{decl.key}` is not a goal: {exc.diagnostics[0].message}",
                    where, "template")
        return
    if len(query.body) != 1 or not isinstance(query.body[0], Atom):
        yield error(f"the `see` field of `{decl.key}` must be one atom", where, "template")


def _template(decl: PredicateDecl, key: str, text: str) -> Iterable[Diagnostic]:
    try:
        parts = scan_template(text)
    except TemplateError as exc:
        where = locate(decl.span, key, ":")
        yield error(f"the `{key}` template of `{decl.key}` is malformed: {exc}", where, "template")
        return
    for part in parts:
        if isinstance(part, Placeholder) and part.name not in decl.params:
            yield error(
                f"placeholder `{{{part.name}}}` in the `{key}` template of `{decl.key}` "
                "is not one of its arguments",
                locate(decl.span, key, ":"),
                "template",
                notes=(f"the arguments of `{decl.key}` are {_listing(decl.params)}",),
                hint=did_you_mean(part.name, decl.params, lambda c: "{" + c + "}"),
            )


def _listing(names) -> str:
    return ", ".join(f"`{n}`" for n in names) if names else "none"


def position(span: Span | None) -> str:
    """Where a statement was written, for a note (`file:line:col`)."""
    return str(span) if span is not None else "an earlier statement"
