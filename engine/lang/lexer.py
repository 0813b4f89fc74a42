"""The lexer: source text → tokens, each with its `Span`. The first stage, read only by `parse`.

Guarantees: the text is only scanned, never evaluated; every token lies on one line and carries
its position (1-based line, columns with the end excluded, the whole line); every problem is a
positioned `syntax` diagnostic. `tokenize_lenient` never raises: it keeps comments and turns each
bad piece of text into an `error` token, for highlighters. Only `\\n` ends a line.

Words are classified where they stand: `not` is a keyword before a predicate name, `source`,
`predicate` and `property` at the start of a statement before a name, `from` and `to` after a
fact's atom, `count`, `sum`, `min` and `max` where an aggregate starts (after `=`, before `:` or
a term and `:`). `/` is punctuation: the `name/arity` of a `property` directive, or division.
After an operand (a variable, a number or `)`), `-` is subtraction, never the sign of a number,
and `%` followed by an operand (a digit, a variable or `(`) is the remainder; `%` anywhere else
starts a comment.
"""

from __future__ import annotations

import re
import unicodedata

from attrs import frozen

from allegiance.lang.diagnostics import Diagnostic, ParseError, Span, error, sort_diagnostics
from allegiance.lang.values import Date

KINDS = ("ident", "keyword", "variable", "string", "integer", "date", "punct", "comment", "error",
         "eof")
MAX_DIGITS = 4300  # CPython's default limit for int <-> str conversions
MAX_ERRORS = 50
ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}
PUNCT = (":-", "!=", "<=", ">=", "(", ")", ",", ".", "?", ":", "{", "}", "@", "=", "<", ">", "/",
         "+", "-", "*", "%")
AGGREGATES = ("count", "sum", "min", "max")
_RULE = "a rule is written `head :- body.`"
_NOT = "negation is written `not`, as in `not p(X)`"
_NE = "inequality is written `!=`"
_OR = "there is no disjunction: write one rule for each alternative"
TYPOS = {  # operators of other languages, and how this one writes them
    ":=": _RULE, "<-": _RULE, "==": "equality is written `=`", "=<": "write `<=`",
    "=>": "write `>=`", "<>": _NE, "\\=": _NE, "\\+": _NOT, "~": _NOT, "!": f"{_NOT}; {_NE}",
    "&&": "literals are joined by `,`", "&": "literals are joined by `,`", "||": _OR, "|": _OR,
    ";": _OR, "//": "integer division is `/`; a comment starts with `%`",
    "**": "there is no power operator: multiply, as in `X * X`",
}
_SPACE = re.compile(r"[ \t\r\f\v]+")
_WORD = re.compile(r"\w+")
_IDENT = re.compile(r"[a-z][A-Za-z0-9_]*\Z")
_VARIABLE = re.compile(r"[A-Z_][A-Za-z0-9_]*\Z")
_NUMBER = re.compile(r"-?[0-9]+(?:-[0-9]+)*(?:\.[0-9]+)?\w*")
_BAD = re.compile(r"[^\w \t\r\n\f\v%\"'\-:!<>=(),.?{}@\\~&|;/+*]+")
_HEX = re.compile(r"\{([0-9A-Fa-f]{1,6})\}")
_PLAIN = re.compile(r'[^"\\]*')
_OPERAND = re.compile(r"[ \t]*[0-9A-Z_(-]")


@frozen
class Token:
    """One piece of the text: its kind (see `KINDS`), its text as written, and where it is."""

    kind: str
    text: str
    span: Span


def tokenize(text: str, file: str = "<text>") -> tuple[Token, ...]:
    """The tokens of `text` without comments, ending with `eof`; ParseError on lexical errors."""
    tokens, diagnostics = scan(text, file)
    if diagnostics:
        raise ParseError(capped(diagnostics))
    return tuple(t for t in tokens if t.kind != "comment")


def tokenize_lenient(text: str, file: str = "<text>") -> tuple[Token, ...]:
    """Every token of `text`, comments and `error` tokens included; never raises."""
    return tuple(scan(text, file)[0])


def scan(text: str, file: str = "<text>", first_line: int = 1) -> tuple[list[Token],
                                                                        list[Diagnostic]]:
    """The tokens of `text` (comments and errors included) and the lexical errors found;
    `first_line` is the number of the text's first line in its file."""
    lexer = _Lexer(text, file, first_line - 1)
    lexer.run()
    return _classify(lexer.tokens), lexer.diagnostics


def string_value(text: str) -> str:
    """The text a string literal denotes (invalid escapes are kept as written)."""
    return _read_string(text, 0)[1]


def checked_string_value(text: str) -> str | None:
    """The text a string literal denotes, or None when it has an invalid escape."""
    if "\\" not in text:
        return text[1:-1]
    end, value, problems = _read_string(text, 0)
    return None if problems or end != len(text) else value


def describe(token: Token) -> str:
    """The token as a message names it: `text` in backticks, `a string`, `end of input`."""
    if token.kind in ("eof", "string"):
        return "end of input" if token.kind == "eof" else "a string"
    return _shown(token.text)


def capped(diagnostics: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    """The first `MAX_ERRORS` diagnostics in reading order, then one saying more were left out."""
    ordered = sort_diagnostics(diagnostics)
    if len(ordered) <= MAX_ERRORS:
        return ordered
    note = f"too many syntax errors: only the first {MAX_ERRORS} are reported"
    return ordered[:MAX_ERRORS] + (error(note, ordered[MAX_ERRORS].span, "syntax"),)


class _Lexer:
    """One pass over the text, line by line."""

    def __init__(self, text: str, file: str, offset: int = 0):
        self.file, self.lines, self.offset = file, text.split("\n"), offset
        self.shown = [line[:-1] if line.endswith("\r") else line for line in self.lines]
        self.tokens: list[Token] = []
        self.diagnostics: list[Diagnostic] = []

    def span(self, line: int, start: int, end: int) -> Span:
        return Span(self.file, line + 1 + self.offset, start + 1, end + 1, self.shown[line])

    def add(self, kind: str, line: int, start: int, end: int) -> int:
        self.tokens.append(Token(kind, self.lines[line][start:end], self.span(line, start, end)))
        return end

    def fail(self, line: int, start: int, end: int, message: str, hint: str | None = None) -> int:
        self.diagnostics.append(error(message, self.span(line, start, end), "syntax", hint=hint))
        return self.add("error", line, start, end)

    def after_operand(self) -> bool:
        """True when the last token ends an operand, so `-` and `%` are operators."""
        last = next((t for t in reversed(self.tokens) if t.kind != "comment"), None)
        return last is not None and (last.kind in ("variable", "integer") or
                                     last.kind == "punct" and last.text == ")")

    def run(self) -> None:
        for number, line in enumerate(self.lines):
            at = 0
            while at < len(line):
                at = self.token(number, line, at)
        last = self.tokens[-1].span if self.tokens else self.span(0, 0, 0)
        self.tokens.append(Token("eof", "", Span(self.file, last.line, last.end_col,
                                                 last.end_col, last.text)))

    def token(self, n: int, line: str, at: int) -> int:
        """Reads the token at `at` of line `n`; returns where the next one may start."""
        char = line[at]
        if space := _SPACE.match(line, at):
            return space.end()
        if char == "%" and not (self.after_operand() and _OPERAND.match(line, at + 1)):
            return self.add("comment", n, at, len(self.shown[n]))
        if char == '"':
            return self.string(n, line, at)
        if char == "'":
            return self.single_quoted(n, line, at)
        if char in "0123456789" or (char == "-" and _is_digit(line, at + 1)
                                    and not self.after_operand()):
            return self.number(n, line, at)
        if word := _WORD.match(line, at):
            return self.word(n, word.group(), at)
        return self.operator(n, line, at)

    def string(self, n: int, line: str, at: int) -> int:
        end, _, problems = _read_string(line, at)
        if end < 0:
            return self.fail(n, at, len(self.shown[n]), "unterminated string: a string ends on its "
                             "line", 'close it with `"` before the end of the line')
        for start, stop, message in problems:
            self.diagnostics.append(error(message, self.span(n, start, stop), "syntax",
                                          hint=_ESCAPE_HINT))
        return self.add("string", n, at, end)

    def single_quoted(self, n: int, line: str, at: int) -> int:
        close = line.find("'", at + 1)
        end = len(line) if close < 0 else close + 1
        return self.fail(n, at, end, "strings are written in double quotes, not `'`",
                         'write `"` around the text, as in `"jamaat ad-dawla"`')

    def number(self, n: int, line: str, at: int) -> int:
        end = _NUMBER.match(line, at).end()
        text = line[at:end]
        if not re.fullmatch(r"-?[0-9]+(?:-[0-9]+)*", text):
            hint = 'write it as a string, as in `"3.5"`' if "." in text else \
                "a name starts with a letter"
            return self.fail(n, at, end, f"{_shown(text)} is not a number, a date or a name", hint)
        if "-" not in text[1:]:
            digits = len(text.lstrip("-"))
            if digits > MAX_DIGITS:
                return self.fail(n, at, end, f"integer of {digits} digits is too long (at most "
                                 f"{MAX_DIGITS} digits)")
            return self.add("integer", n, at, end)
        try:
            Date.parse(text)
        except ValueError as exc:
            return self.fail(n, at, end, str(exc) if len(text) < 40 else
                             f"{_shown(text)} is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
        return self.add("date", n, at, end)

    def word(self, n: int, word: str, at: int) -> int:
        end = at + len(word)
        if _IDENT.match(word):
            return self.add("ident", n, at, end)
        if _VARIABLE.match(word):
            return self.add("variable", n, at, end)
        return self.fail(n, at, end, f"{_shown(word)} is not a name: names are written in "
                         "ASCII letters, digits and `_`", _QUOTE_HINT)

    def operator(self, n: int, line: str, at: int) -> int:
        two = line[at : at + 2]
        if two == "<-" and _is_digit(line, at + 2):
            return self.add("punct", n, at, at + 1)
        for text in (two, line[at]):
            if text in PUNCT:
                return self.add("punct", n, at, at + len(text))
            if text in TYPOS:
                return self.fail(n, at, at + len(text), f"`{text}` is not an operator", TYPOS[text])
        bad = _BAD.match(line, at)
        end = bad.end() if bad else at + 1
        hint = _DASH_HINT if line[at] == "-" else None
        return self.fail(n, at, end, f"unexpected character {_character(line[at])}", hint)


_ESCAPE_HINT = "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r` and `\\u{HEX}`"


def _read_string(line: str, at: int) -> tuple[int, str, list[tuple[int, int, str]]]:
    """Where the string opening at `at` ends (-1: unterminated), its value and its bad escapes."""
    chars: list[str] = []
    problems: list[tuple[int, int, str]] = []
    i = at + 1
    while i < len(line):
        plain = _PLAIN.match(line, i).end()
        chars.append(line[i:plain])
        if plain >= len(line):
            break
        if line[plain] == '"':
            return plain + 1, "".join(chars), problems
        i = _escape(line, plain, chars, problems)
    return -1, "".join(chars), problems


def _escape(line: str, at: int, chars: list[str], problems: list) -> int:
    """Reads the escape at `at` (a backslash) into `chars`; returns the index after it."""
    code = line[at + 1 : at + 2]
    if code in ESCAPES:
        chars.append(ESCAPES[code])
        return at + 2
    if code != "u":
        shown = _character(code) if code else "the end of the line"
        problems.append((at, at + 1 + len(code), f"unknown escape: `\\` followed by {shown}"))
        chars.append(line[at : at + 2])
        return at + 1 + len(code)
    digits = _HEX.match(line, at + 2)
    if not digits:
        problems.append((at, at + 2, "a `\\u` escape is written `\\u{HEX}`"))
        chars.append("\\u")
        return at + 2
    point = int(digits.group(1), 16)
    if point > 0x10FFFF or 0xD800 <= point <= 0xDFFF:
        kind = "a surrogate" if point <= 0x10FFFF else "beyond U+10FFFF"
        shown = f"`\\u{{{digits.group(1)}}}`"
        problems.append((at, digits.end(), f"{shown} is {kind}, not a character"))
        chars.append(line[at : digits.end()])
    else:
        chars.append(chr(point))
    return digits.end()


_DASH_HINT = 'a negative integer is written `-12`; a name with `-` is a string: `"ad-dawla"`'
_QUOTE_HINT = 'quote other text as a string, as in `"café"`'


def _is_digit(line: str, at: int) -> bool:
    return at < len(line) and line[at] in "0123456789"


def _character(char: str) -> str:
    """A character as a message shows it: in backticks, or by code point when invisible."""
    if char.isprintable() and not char.isspace():
        return f"`{char}`"
    name = unicodedata.name(char, "").lower()
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def _shown(text: str) -> str:
    return f"`{text}`" if len(text) <= 30 else f"`{text[:30]}…`"


# -- keywords in context ---------------------------------------------------------------------
def _classify(tokens: list[Token]) -> list[Token]:
    """The tokens with each word that acts as a keyword where it stands marked `keyword`."""
    words = [t for t in tokens if t.kind != "comment"]
    marked: set[int] = set()
    for i, token in enumerate(words):
        if token.kind == "ident" and _is_keyword(words, i, marked):
            marked.add(i)
    keywords = {id(words[i]) for i in marked}
    return [Token("keyword", t.text, t.span) if id(t) in keywords else t for t in tokens]


def _is_keyword(words: list[Token], i: int, marked: set[int]) -> bool:
    text, prev = words[i].text, words[i - 1] if i else None
    after = words[i + 1 : i + 3]
    if text == "not":
        return _names(after)
    if text in ("source", "predicate", "property"):
        return (prev is None or prev.text in (".", "?") and prev.kind == "punct") and _names(after)
    if text in AGGREGATES and prev is not None and prev.text == "=" and prev.kind == "punct":
        return any(t.text == ":" and t.kind == "punct" for t in after[: 1 if text == "count" else 2])
    if text in ("from", "to") and prev is not None and i - 1 not in marked:
        follows = prev.kind in ("ident", "date", "integer") or prev.text == ")"
        return follows and after[0].text != "("
    return False


def _names(after: list[Token]) -> bool:
    """True when the next word is a name, not the `from`/`to` of a fact (`not from 2014.`)."""
    if after[0].kind not in ("ident", "variable"):
        return False
    annotation = after[0].text in ("from", "to") and len(after) > 1
    return not (annotation and after[1].kind in ("date", "integer"))
