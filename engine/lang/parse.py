"""The parser: text → `Program`, `Query`, `Fact` or `Rule`. After `lexer`, before `checks`.

A hand-written recursive-descent parser over the tokens of `lexer`; the text is read, never
evaluated, and only parentheses in expressions nest, at most `MAX_NESTING` deep, so no input
can exhaust the stack. Guarantees: the only
exception raised is `ParseError`, carrying every syntax error found (after an error the parser
skips to the `.` ending the statement and goes on, up to `MAX_ERRORS`), each a `syntax`
diagnostic with its span. What parses has spans on every node, ground facts with valid dates and
a non-empty interval, declarations without repeated fields or parameters. Upper-case names are
variables here: aliases are resolved later, by `kb`. Lines of plain facts, most of a large text,
are read by `parse_facts` (the same nodes and spans, faster); this parser reads the rest, and all
of a text with an error, so that diagnostics are always its own.
"""

from __future__ import annotations

from functools import partial
from typing import NoReturn

from allegiance.lang.diagnostics import ParseError, Span, error
from allegiance.lang.lexer import MAX_ERRORS, Token, capped, describe, scan, string_value
from allegiance.lang.lexer import tokenize, tokenize_lenient  # noqa: F401  (part of the parsing surface)
from allegiance.lang.declaration_grammar import DATE_HINT as _DATE_HINT
from allegiance.lang.declaration_grammar import DeclarationGrammar
from allegiance.lang.expression_grammar import MAX_NESTING, ExpressionGrammar  # noqa: F401
from allegiance.lang.declaration_grammar import join as _join
from allegiance.lang.fact_lines import paused_gc, read_statements
from allegiance.lang.syntax import (COMPARISONS, PRECEDENCE, Atom, Comparison, Constant, Fact, Literal,
                                    Negation, Program, Query, Rule, Statement, Term, Variable)
from allegiance.lang.values import Date, Integer, String, Symbol, Value

_DOT_HINT = "did you forget the `.` that ends the statement?"
_RULE_HINT = "a rule is written `head :- body.`"
_ASK_HINT = "`.` asserts a statement; `?` asks a question"
_LITERAL = " after a literal"
_TERMS = ("ident", "string", "integer", "date")
_CONSTANTS = {"ident": Symbol, "string": lambda text: String(string_value(text)),
              "integer": lambda text: Integer(int(text))}
_CLOSE = "close the arguments with `)`"
_HINTS = {  # (where, the token found or its kind) → the likely fix
    ("atom", "not"): "only rules and queries may use `not`; a fact states what holds",
    ("atom", "variable"): "an atom starts with a predicate name, which is lower-case",
    **{("fact", op): _RULE_HINT for op in ("<=", "<", ":", "=")},
    ("fact", "?"): "a knowledge base states facts and rules; queries are asked in the REPL",
    ("fact", ","): "state one fact per statement, each ending with `.`",
    ("an argument", "("): "arguments cannot be nested: an argument is a constant or a variable",
    **{("an argument", found): _CLOSE for found in (".", ":-", "?", "eof")},
    **{("an argument", op): 'a name with `-` is a string: `"ad-dawla"`; arithmetic is written in a '
       "comparison, as in `Y = X - 1`" for op in ("-", "+", "*", "/", "%")},
}


def parse_program(text: str, file: str = "<text>", *, fast: bool = True) -> Program:
    """The statements of `text`; ParseError with every syntax error found. Lines of plain facts
    are read by `parse_facts` unless `fast` is false; the result is the same either way."""
    with paused_gc():
        statements = read_statements(text, file, partial(_statements, file=file)) if fast else None
        if statements is not None:
            return Program(tuple(statements))
        parser = _Parser(text, file)
        return parser.done(parser.program())


def _statements(text: str, first_line: int, file: str) -> list[Statement] | None:
    """The statements of lines of `file` from `first_line` (0-based), or None on any error."""
    parser = _Parser(text, file, first_line=first_line + 1)
    program = parser.program()
    return None if parser.diagnostics else list(program.statements)


def parse_query(text: str, file: str = "<query>") -> Query:
    """The query `literal, ... ?` (the final `?` may be left out); ParseError otherwise."""
    return _parse_one(text, file, _Parser.query)


def parse_statement(text: str, file: str = "<input>") -> Statement:
    """One fact, rule, declaration or directive (the final `.` may be left out); ParseError
    otherwise."""
    return _parse_one(text, file, _Parser.statement)


def parse_fact(text: str, file: str = "<input>") -> Fact:
    """One fact with its annotations (the final `.` may be left out); ParseError otherwise."""
    return _parse_one(text, file, lambda p: p.fact(p.atom("a fact"), "`.`"))


def parse_rule(text: str, file: str = "<input>") -> Rule:
    """One rule `head :- body.` (the final `.` may be left out); ParseError otherwise."""
    return _parse_one(text, file, lambda p: p.rule(p.atom("a rule")))


def _parse_one(text: str, file: str, read):
    parser = _Parser(text, file, final_optional=True)
    try:
        result = read(parser)
        if parser.token.kind != "eof":
            parser.fail("end of input", hint="one statement at a time")
    except _Stop:
        result = None
    return parser.done(result)


class _Stop(Exception):
    """Abandons the statement being read; `args[0]`: skip to its `.` (else resume at once)."""


class _Parser(ExpressionGrammar, DeclarationGrammar):
    """The tokens of one text, a position among them and the diagnostics found so far."""

    def __init__(self, text: str, file: str, final_optional: bool = False, first_line: int = 1):
        tokens, self.diagnostics = scan(text, file, first_line)
        self.tokens = [t for t in tokens if t.kind != "comment"]
        self.pos, self.start, self.column, self.final_optional = 0, 0, 1, final_optional

    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def peek(self) -> Token:
        return self.tokens[min(self.pos + 1, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        self.pos = min(self.pos + 1, len(self.tokens) - 1)
        return token

    def at(self, text: str, kind: str = "punct") -> bool:
        return self.token.kind == kind and self.token.text == text

    def take(self, text: str) -> Token | None:
        return self.advance() if self.at(text) else None

    def previous(self) -> Span:
        return self.tokens[self.pos - 1].span if self.pos else self.token.span

    def report(self, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(error(message, span, "syntax", hint=hint))

    def fail(self, expected: str, after: str = "", hint: str | None = None) -> NoReturn:
        """Reports `expected … found …` (unless the lexer did) and abandons the statement."""
        token, before = self.token, self.previous()
        detached = self.pos > 0 and (token.kind == "eof" or token.span.line > before.line)
        if "`.`" in expected and detached:
            hint = hint or _DOT_HINT
        if token.kind != "error":
            where = Span(before.file, before.line, before.end_col, before.end_col + 1, before.text)
            self.report(f"expected {expected}{after}, found {describe(token)}",
                        where if detached else token.span, hint)
        raise _Stop(not (self.pos > self.start and self.starts_statement()))

    def abandon(self) -> NoReturn:
        """Abandons the statement after an error already reported, skipping to its `.`."""
        raise _Stop(True)

    def starts_statement(self) -> bool:
        """True when the token is on a later line, no more indented than the statement's start."""
        return self.token.span.line > self.previous().line and self.token.span.col <= self.column

    def recover(self) -> None:
        """Skips past the `.` ending the statement, or to the next line after an open string."""
        while not (self.token.kind == "eof" or self.at(".") or self.at("?")):
            token = self.advance()
            if token.kind == "error" and token.text.startswith('"') and self.starts_statement():
                return
        self.advance()

    def done(self, result):
        if self.diagnostics:
            raise ParseError(capped(self.diagnostics))
        return result

    def program(self) -> Program:
        statements = []
        while self.token.kind != "eof" and len(self.diagnostics) <= MAX_ERRORS:
            try:
                statements.append(self.statement())
            except _Stop as stop:
                if stop.args[0]:
                    self.recover()
        return Program(tuple(statements))

    def statement(self) -> Statement:
        self.start, self.column = self.pos, self.token.span.col
        if any(self.at(word, "keyword") for word in ("source", "predicate", "property")):
            return self.declaration()
        head = self.atom("a fact, a rule or a declaration")
        return self.rule(head) if self.at(":-") else self.fact(head, "`.` or `:-`")

    def fact(self, atom: Atom, expected: str) -> Fact:
        dates: dict[str, tuple[Date | None, Span]] = {}
        sources, after = [], " after the atom"
        while self.at("from", "keyword") or self.at("to", "keyword") or self.at("@"):
            expected, after, keyword = "`.`", " after the fact", self.advance()
            if keyword.text == "@":
                sources.append(self.name("a source id after `@`"))
                continue
            if keyword.text in dates:
                self.report(f"`{keyword.text}` is given twice", keyword.span)
            dates[keyword.text] = (self.value(("date",), True, "a date", f" after `{keyword.text}`",
                                              _DATE_HINT), self.previous())
        end = self.end(expected, after, _hint("fact", self.token))
        (start, _), (stop, where) = (dates.get(k, (None, None)) for k in ("from", "to"))
        for variable in atom.variables()[:1]:
            self.report(f"a fact must be ground: `{variable.name}` is a variable", variable.span,
                        "to state a rule use `:-`, as in `p(X) :- q(X).`")
        if start and stop and start.first_day() > stop.last_day():
            self.report(f"the fact never holds: `from {start}` is later than `to {stop}`", where,
                        "swap the two dates")
        return Fact(atom, tuple(sources), start, stop, _join(atom.span, end))

    def rule(self, head: Atom) -> Rule:
        if not self.take(":-"):
            self.fail("`:-`", " after the head", _RULE_HINT)
        body = self.literals(" after `:-`")
        annotated = self.at("from", "keyword") or self.at("to", "keyword") or self.at("@")
        hint = "validity dates and sources annotate facts, not rules" if annotated else None
        return Rule(head, body, _join(head.span, self.end("`,` or `.`", " after a literal", hint)))

    def end(self, expected: str, after: str, hint: str | None = None) -> Span:
        """The span of the `.` ending the statement (of its last token if it may be left out)."""
        if self.at("."):
            return self.advance().span
        if not (self.final_optional and self.token.kind == "eof"):
            self.fail(expected, after, hint)
        return self.previous()

    def query(self) -> Query:
        self.column = self.token.span.col
        body = self.literals("")
        if self.at("."):
            self.fail("`,` or `?`", " after a literal", _ASK_HINT)
        asked = self.take("?")
        if self.token.kind != "eof":
            self.fail(*(("end of input", " after `?`") if asked else ("`,` or `?`", _LITERAL)))
        return Query(body, _join(body[0].span, asked.span if asked else self.previous()))

    def name(self, expected: str) -> str:
        token = self.token
        if token.kind == "variable":
            lower = f"write `{token.text[0].lower()}{token.text[1:]}`" if token.text[0].isalpha() \
                else "start it with a lower-case letter"
            self.report(f"`{token.text}` is not a name: names start with a lower-case letter",
                        token.span, f"upper-case names are variables; {lower}")
        elif token.kind != "ident":
            self.fail(expected, hint=_hint("atom", token))
        return self.advance().text

    def atom(self, expected: str) -> Atom:
        if self.token.kind == "variable" and self.peek().text != "(":
            self.fail(expected, hint=_hint("atom", self.token))
        name, first = self.name(expected), self.previous()
        args = self.arguments() if self.at("(") else ()
        return Atom(name, args, _join(first, self.previous()))

    def listed(self, close: str, read, what: str, empty_hint: str | None = None) -> list:
        """What `read` reads, separated by `,`, between the current bracket and `close`."""
        after, items = f" after `{self.advance().text}`", []
        if empty_hint is None and self.take(close):
            return items
        while True:
            if self.at(close):
                self.fail(what, after, f"remove the `,` before `{close}`" if items else empty_hint)
            items.append(read(what, after))
            if self.take(close):
                return items
            if not self.take(","):
                self.fail(f"`{close}` or `,`", f" after {what}", _hint(what, self.token))
            after = " after `,`"

    def arguments(self) -> tuple[Term, ...]:
        return tuple(self.listed(")", self.term, "an argument", "write a predicate without "
                                 "arguments without parentheses, as in `raining`"))

    def term(self, expected: str, after: str) -> Term:
        token = self.token
        if token.kind == "variable":
            return Variable(self.advance().text, token.span)
        return Constant(self.value(_TERMS, False, expected, after), token.span)

    def value(self, kinds: tuple[str, ...], years: bool, expected: str, after: str,
              hint: str | None = None) -> Value | None:
        """The constant of the current token, of a kind in `kinds` (or a year for a date)."""
        token = self.token
        year = years and token.kind == "integer" and len(token.text) == 4 and token.text.isdigit()
        kind = "date" if year else token.kind
        if kind not in kinds:
            self.fail(expected, after, hint)
        self.advance()
        if kind != "date":
            return _CONSTANTS[kind](token.text)
        try:
            return Date.parse(token.text)
        except ValueError as exc:
            self.report(str(exc), token.span)
            return None

    def literals(self, after: str) -> tuple[Literal, ...]:
        body = [self.literal(after)]
        while self.take(","):
            body.append(self.literal(" after `,`"))
        return tuple(body)

    def literal(self, after: str, inside: bool = False) -> Literal:
        token, following = self.token, self.peek()
        if self.at("not", "keyword"):
            self.advance()
            atom = self.atom("an atom after `not`")
            return Negation(atom, _join(token.span, atom.span))
        operator = following.kind == "punct" and (following.text in COMPARISONS or
                                                   following.text in PRECEDENCE)
        if token.kind == "ident" and not operator or \
                token.kind == "variable" and following.text == "(":
            return self.atom("a literal" + after)
        left = self.expression("a literal", after)
        if not (self.token.kind == "punct" and self.token.text in COMPARISONS):
            self.fail("a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`)", f" after {describe(token)}")
        op = self.advance().text
        if self._at_aggregate():
            return self.aggregate(op, left, token, inside)
        right = self.expression("a term", f" after `{op}`")
        return Comparison(op, left, right, _join(token.span, self.previous()))

def _hint(where: str, token: Token) -> str | None:
    return _HINTS.get((where, token.text)) or _HINTS.get((where, token.kind))
