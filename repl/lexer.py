"""A Pygments lexer for the allegiance language and the REPL's statements and dot commands.

Used by the shell (through prompt_toolkit's `PygmentsLexer`) and registered as the Pygments
plugin `allegiance` (`pygmentize -l allegiance kb/rules/rift.dl`). It does not re-implement the
language with regular expressions: it reads the engine's own lenient tokenizer, so what is
highlighted is exactly what the parser will see (`not`, `from`, `to`, `source` and `predicate`
are keywords only where they act as keywords), and a piece of text the parser would reject is
an `Error` token. It never raises, and its tokens always add up to the input.
"""

from __future__ import annotations

import re

from pygments.lexer import Lexer
from pygments.token import (Comment, Error, Keyword, Name, Number, Operator, Punctuation, String,
                            Text, Whitespace)

from allegiance.lang.lexer import Token, tokenize_lenient

_COMMAND = re.compile(r"^([ \t]*)(\.[A-Za-z_]*)(.*)$", re.MULTILINE)
_REPL_WORDS = ("why", "retract")
_OPERATORS = (":-", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%")


class AllegianceLexer(Lexer):
    """Knowledge-base files (`*.dl`) and what is typed at the `allegiance` prompt."""

    name = "Allegiance"
    aliases = ["allegiance"]
    filenames = ["*.dl"]
    mimetypes = ["text/x-allegiance"]
    url = "https://github.com/allegiance/allegiance"

    def __init__(self, **options):
        options.setdefault("stripnl", False)
        super().__init__(**options)

    def get_tokens_unprocessed(self, text):
        """(offset, token type, text) for the whole of `text`, in order."""
        at = 0
        for match in _commands(text):
            yield from _statements(text[at:match.start()], at)
            indent, name, rest = match.group(1), match.group(2), match.group(3)
            if indent:
                yield match.start(), Whitespace, indent
            yield match.start(2), Keyword.Pseudo, name
            if rest:
                yield match.start(3), Text, rest
            at = match.end()
        yield from _statements(text[at:], at)


def _commands(text: str):
    """The dot-command lines: those that start with `.` where a statement may start."""
    for match in _COMMAND.finditer(text):
        before = [t for t in tokenize_lenient(text[: match.start()]) if t.kind not in ("comment", "eof")]
        if not before or (before[-1].kind == "punct" and before[-1].text in (".", "?")):
            yield match


def _statements(text: str, base: int):
    if not text:
        return
    offsets = _line_offsets(text)
    tokens = [t for t in tokenize_lenient(text) if t.kind != "eof"]
    words = [t for t in tokens if t.kind != "comment"]
    kinds = {id(t): kind for t, kind in _kinds(words)}
    at = 0
    for token in tokens:
        start = offsets[token.span.line - 1] + token.span.col - 1
        if start > at:
            yield base + at, Whitespace, text[at:start]
        yield base + start, kinds.get(id(token), Comment.Single), token.text
        at = start + len(token.text)
    if at < len(text):
        yield base + at, Whitespace, text[at:]


def _kinds(words: list[Token]):
    """Each word with its Pygments token type, chosen from its neighbours."""
    for i, token in enumerate(words):
        before = words[i - 1] if i else None
        after = words[i + 1] if i + 1 < len(words) else None
        yield token, _kind(token, before, after)


def _kind(token: Token, before: Token | None, after: Token | None):
    kind, text = token.kind, token.text
    if kind == "ident":
        starts = before is None or (before.kind == "punct" and before.text in (".", "?"))
        if starts and text in _REPL_WORDS and after is not None and after.kind in ("ident", "keyword"):
            return Keyword
        if before is not None and before.text == "@":
            return Name.Label
        if after is not None and after.text == "(":
            return Name.Function
        if after is not None and after.text == ":" :
            return Name.Attribute
        return Name.Constant
    if kind == "keyword":
        return Keyword.Declaration if text in ("source", "predicate") else Keyword
    if kind == "punct":
        if text == "@":
            return Name.Label
        return Operator if text in _OPERATORS else Punctuation
    return {"variable": Name.Variable, "string": String.Double, "integer": Number.Integer,
            "date": Number.Other, "error": Error}.get(kind, Text)


def _line_offsets(text: str) -> list[int]:
    offsets, at = [], 0
    for line in text.split("\n"):
        offsets.append(at)
        at += len(line) + 1
    return offsets
