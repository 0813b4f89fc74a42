"""The lexer and the parser: every construct, every error at its place, recovery, hostile text."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allegiance.lang.diagnostics import ParseError
from allegiance.lang.lexer import KINDS, tokenize, tokenize_lenient
from allegiance.lang.parse import (MAX_ERRORS, parse_fact, parse_program, parse_query, parse_rule,
                          parse_statement)
from allegiance.lang.syntax import (Atom, Comparison, Constant, Fact, Negation, PredicateDecl, Query, Rule,
                           SourceDecl, Variable)
from allegiance.lang.values import Date, Integer, String, Symbol


def case(id: str, text: str, *expected):
    """A table row: its id first, so that the text and what is expected line up below it."""
    return pytest.param(text, *expected, id=id)


def term(x):
    """A term from shorthand: upper-case or `_` names are variables, other names symbols."""
    if isinstance(x, str):
        return Variable(x) if x[0].isupper() or x[0] == "_" else Constant(Symbol(x))
    return Constant(Integer(x)) if isinstance(x, int) else Constant(x)


def atom(name, *args):
    return Atom(name, tuple(term(a) for a in args))


def fact(name, *args, sources=(), start=None, end=None):
    return Fact(atom(name, *args), tuple(sources), start, end)


def rule(head, *body):
    return Rule(head, body)


def compare(left, op, right):
    return Comparison(op, term(left), term(right))


def errors_of(text: str, parse=parse_program) -> list[tuple[str, str, str | None]]:
    """Each diagnostic as (`line:col`, message, hint)."""
    with pytest.raises(ParseError) as caught:
        parse(text)
    return [(f"{d.span.line}:{d.span.col}", d.message, d.hint) for d in caught.value.diagnostics]


# -- valid programs ------------------------------------------------------------------------------
VALID = [
    case("fact", "pledged(jabhat_al_nusra, al_qaida).",
         [fact("pledged", "jabhat_al_nusra", "al_qaida")]),
    case("fact-without-arguments", "raining.", [fact("raining")]),
    case("fact-from-source", "p(x) from 2013-04 @tamimi_2014.",
         [fact("p", "x", sources=["tamimi_2014"], start=Date(2013, 4))]),
    case("fact-to-year", "p(x) to 2013.", [fact("p", "x", end=Date(2013))]),
    case("annotations-in-any-order", "p(x) @b to 2014-06-29 @a from 2013.",
         [fact("p", "x", sources=["b", "a"], start=Date(2013), end=Date(2014, 6, 29))]),
    case("interval-of-one-month", "p(x) from 2014 to 2014-01.",
         [fact("p", "x", start=Date(2014), end=Date(2014, 1))]),
    case("integers-and-dates-in-terms", "p(2014, 2014-06, 2014-06-29, -12, 007).",
         [fact("p", 2014, Date(2014, 6), Date(2014, 6, 29), -12, 7)]),
    case("strings", 'p("a\\"b\\\\c\\n\\t\\r\\u{1F600}\\u{0}", "ʾinshiqāq", "%").',
         [fact("p", String('a"b\\c\n\t\r😀\x00'), String("ʾinshiqāq"), String("%"))]),
    case("comments", "p(x, % a comment\n  y). % another\n", [fact("p", "x", "y")]),
    case("crlf", "p(x).\r\nq(y).\r\n", [fact("p", "x"), fact("q", "y")]),
    case("rule", "rift(A, B) :- charges(A, B, defection).",
         [rule(atom("rift", "A", "B"), atom("charges", "A", "B", "defection"))]),
    case("rule-negation", "c(A, B) :- g(A), A != B, not r(A, _).",
         [rule(atom("c", "A", "B"), atom("g", "A"), compare("A", "!=", "B"),
               Negation(atom("r", "A", "_")))]),
    case("comparisons", 'p(X) :- X = a, X != 1, X < 2014-06, X <= "s", X > -1, X >= Y, X<-1.',
         [rule(atom("p", "X"), compare("X", "=", "a"), compare("X", "!=", 1),
               compare("X", "<", Date(2014, 6)), compare("X", "<=", String("s")),
               compare("X", ">", -1), compare("X", ">=", "Y"), compare("X", "<", -1))]),
    case("symbol-on-the-left", "p :- a = X, q(X).",
         [rule(atom("p"), compare("a", "=", "X"), atom("q", "X"))]),
    case("source", 'source tamimi_2014 {title: "The IS", date: 2014-11, url: "u"}.',
         [SourceDecl("tamimi_2014", (("title", String("The IS")), ("date", Date(2014, 11)),
                                     ("url", String("u"))))]),
    case("source-year-and-no-fields", "source s {date: 2014}.\nsource t.\nsource u {}.",
         [SourceDecl("s", (("date", Date(2014)),)), SourceDecl("t"), SourceDecl("u")]),
    case("predicate", 'predicate refers_to(A, B, T) {doc: "A calls B", holds: "{A} “{T}”"}.',
         [PredicateDecl("refers_to", ("A", "B", "T"),
                        (("doc", String("A calls B")), ("holds", String("{A} “{T}”"))))]),
    case("predicate-arity-0", 'predicate raining {doc: "it rains"}.',
         [PredicateDecl("raining", (), (("doc", String("it rains")),))]),
    case("keywords-are-names-elsewhere", "source(x, y).\npredicate(x).\nsource.\nnot.\nfrom(x).",
         [fact("source", "x", "y"), fact("predicate", "x"), fact("source"), fact("not"),
          fact("from", "x")]),
    case("keyword-names-annotated", "source from 2014.\nnot to 2015 @to.\np(not, from, to).",
         [fact("source", start=Date(2014)), fact("not", sources=["to"], end=Date(2015)),
          fact("p", "not", "from", "to")]),
    case("not-as-a-name", "q :- not not, not = X, from(X).",
         [rule(atom("q"), Negation(atom("not")), compare("not", "=", "X"), atom("from", "X"))]),
    case("huge-integer", "p(" + "9" * 4300 + ").", [fact("p", int("9" * 4300))]),
    case("empty", "", []),
    case("only-a-comment", "% only a comment", []),
]


@pytest.mark.parametrize("text, expected", VALID)
def test_valid_programs_parse(text, expected):
    assert list(parse_program(text).statements) == expected


def test_nodes_carry_spans():
    text = '  p(X) :- q(X, "é"), not r(X), X != 2014-06.'
    (statement,) = parse_program("\n" + text, "kb/a.dl").statements
    span = statement.span
    assert (span.file, span.line, span.col, span.end_col, span.text) == ("kb/a.dl", 2, 3, 45, text)
    q, negation, comparison = statement.body
    assert (q.span.col, q.span.end_col) == (11, 20)
    assert (q.args[1].span.col, q.args[1].span.end_col) == (16, 19)
    assert (negation.span.col, negation.span.end_col) == (22, 30)
    assert (comparison.span.col, comparison.span.end_col) == (32, 44)


def test_spans_of_crlf_files_hold_the_line_without_its_carriage_return():
    (statement,) = parse_program("\r\np(x).\r\n").statements
    assert statement.span.text == "p(x)." and statement.span.line == 2


# -- errors --------------------------------------------------------------------------------------
DOT = "did you forget the `.` that ends the statement?"
RULE = "a rule is written `head :- body.`"
NOT = "negation is written `not`, as in `not p(X)`"
ESCAPES = "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r` and `\\u{HEX}`"
DATE = "a date is written YYYY, YYYY-MM or YYYY-MM-DD"
GROUND = "to state a rule use `:-`, as in `p(X) :- q(X).`"
LOWER = "upper-case names are variables; write `{}`"
NAME = "`{}` is not a name: names start with a lower-case letter"
COMPARE = "expected a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`) after `X`, found `.`"
ATOM = "an atom starts with a predicate name, which is lower-case"


ERRORS = [
    # where statements end
    case("missing-final-period", "p(x)",
         "1:5", "expected `.` or `:-` after the atom, found end of input", DOT),
    case("missing-period-before-next-line", "p(x)\nq(y).",
         "1:5", "expected `.` or `:-` after the atom, found `q`", DOT),
    case("missing-period-after-rule", "p(x) :- q(x)",
         "1:13", "expected `,` or `.` after a literal, found end of input", DOT),
    case("query-in-a-program", "p(x)?", "1:5", "expected `.` or `:-` after the atom, found `?`",
         "a knowledge base states facts and rules; queries are asked in the REPL"),
    case("two-facts-in-one", "p(x), q(x).", "1:5", "expected `.` or `:-` after the atom, found `,`",
         "state one fact per statement, each ending with `.`"),
    # arguments
    case("unclosed-arguments", "p(x.", "1:4", "expected `)` or `,` after an argument, found `.`",
         "close the arguments with `)`"),
    case("missing-argument", "p(x,)", "1:5", "expected an argument after `,`, found `)`",
         "remove the `,` before `)`"),
    case("empty-parentheses", "p().", "1:3", "expected an argument after `(`, found `)`",
         "write a predicate without arguments without parentheses, as in `raining`"),
    case("nested-term", "p(f(x)).", "1:4", "expected `)` or `,` after an argument, found `(`",
         "arguments cannot be nested: an argument is a constant or a variable"),
    # rules and literals
    case("empty-body", "p(x) :- .", "1:9", "expected a literal after `:-`, found `.`", None),
    case("trailing-comma", "p(x) :- q(x),.", "1:14", "expected a literal after `,`, found `.`",
         None),
    case("missing-comma", "p(x) :- q(x) r(x).",
         "1:14", "expected `,` or `.` after a literal, found `r`", None),
    case("colon-equals", "p(X) := q(X).", "1:6", "`:=` is not an operator", RULE),
    case("left-arrow", "p(X) <- q(X).", "1:6", "`<-` is not an operator", RULE),
    case("less-or-equal-for-neck", "p(X) <= q(X).",
         "1:6", "expected `.` or `:-` after the atom, found `<=`", RULE),
    case("prolog-negation", "p(X) :- \\+ q(X).", "1:9", "`\\+` is not an operator", NOT),
    case("tilde-negation", "p(X) :- ~q(X).", "1:9", "`~` is not an operator", NOT),
    case("double-equals", "p(X) :- q(X), X == 1.",
         "1:17", "`==` is not an operator", "equality is written `=`"),
    case("prolog-less-or-equal", "p(X) :- q(X), X =< 1.",
         "1:17", "`=<` is not an operator", "write `<=`"),
    case("angle-inequality", "p(X) :- q(X), X <> 1.",
         "1:17", "`<>` is not an operator", "inequality is written `!=`"),
    case("bare-variable-literal", "p(X) :- q(X), X.", "1:16", COMPARE, None),
    case("negated-variable", "p(X) :- q(X), not X.",
         "1:19", "expected an atom after `not`, found `X`", ATOM),
    case("annotated-rule", "p(x) :- q(x) from 2014.",
         "1:14", "expected `,` or `.` after a literal, found `from`",
         "validity dates and sources annotate facts, not rules"),
    case("ampersand", "p(x) & q(x).",
         "1:6", "`&` is not an operator", "literals are joined by `,`"),
    # names
    case("upper-case-predicate", "Foo(x).", "1:1", NAME.format("Foo"), LOWER.format("foo")),
    case("upper-case-in-body", "p(X) :- q(X), Q(X).", "1:15", NAME.format("Q"), LOWER.format("q")),
    case("statement-variable", "X = 1.",
         "1:1", "expected a fact, a rule or a declaration, found `X`", ATOM),
    case("negated-fact", "not p(x).",
         "1:1", "expected a fact, a rule or a declaration, found `not`",
         "only rules and queries may use `not`; a fact states what holds"),
    case("upper-case-source", "p(x) @Tamimi.", "1:7", NAME.format("Tamimi"),
         LOWER.format("tamimi")),
    case("bare-at", "p(x) @.", "1:7", "expected a source id after `@`, found `.`", None),
    # facts and their dates
    case("non-ground-fact", "p(X, y).", "1:3", "a fact must be ground: `X` is a variable", GROUND),
    case("anonymous-in-fact", "p(_) @s.",
         "1:3", "a fact must be ground: `_` is a variable", GROUND),
    case("from-not-a-date", "p(x) from 14.", "1:11", "expected a date after `from`, found `14`",
         DATE),
    case("to-variable", "p(x) to X.", "1:9", "expected a date after `to`, found `X`", DATE),
    case("invalid-month", "p(x) from 2014-13.",
         "1:11", "month 13 of `2014-13` is not between 01 and 12", None),
    case("invalid-day", "p(2014-02-30).",
         "1:3", "day 30 of `2014-02-30` does not exist in 2014-02", None),
    case("year-zero", "p(x) from 0000.", "1:11", "year of `0000` must be at least 0001", None),
    case("short-month", "p(2014-6).",
         "1:3", "`2014-6` is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)", None),
    case("from-twice", "p(x) from 2014 from 2015.", "1:16", "`from` is given twice", None),
    case("empty-interval", "p(x) to 2014 from 2015.",
         "1:9", "the fact never holds: `from 2015` is later than `to 2014`", "swap the two dates"),
    # characters, strings and numbers
    case("single-quotes", "p('os').", "1:3", "strings are written in double quotes, not `'`",
         'write `"` around the text, as in `"jamaat ad-dawla"`'),
    case("non-ascii-name", "p(café).",
         "1:3", "`café` is not a name: names are written in ASCII letters, digits and `_`",
         'quote other text as a string, as in `"café"`'),
    case("unterminated-string", 'p("abc).\n',
         "1:3", "unterminated string: a string ends on its line",
         'close it with `"` before the end of the line'),
    case("unknown-escape", 'p("a\\qb").', "1:5", "unknown escape: `\\` followed by `q`", ESCAPES),
    case("escape-without-braces", 'p("\\u41").', "1:4", "a `\\u` escape is written `\\u{HEX}`",
         ESCAPES),
    case("surrogate-escape", 'p("\\u{D800}").',
         "1:4", "`\\u{D800}` is a surrogate, not a character", ESCAPES),
    case("escape-beyond-unicode", 'p("\\u{110000}").',
         "1:4", "`\\u{110000}` is beyond U+10FFFF, not a character", ESCAPES),
    case("decimal", "p(1.5).", "1:3", "`1.5` is not a number, a date or a name",
         'write it as a string, as in `"3.5"`'),
    case("digits-then-letters", "p(12ab).", "1:3", "`12ab` is not a number, a date or a name",
         "a name starts with a letter"),
    case("dash-in-name", "p(ad-dawla).", "1:5", "expected `)` or `,` after an argument, found `-`",
         'a name with `-` is a string: `"ad-dawla"`; arithmetic is written in a comparison, as in '
         '`Y = X - 1`'),
    case("bad-character", "p(x) # c.", "1:6", "unexpected character `#`", None),
    case("no-break-space", "p(x)\u00a0.", "1:5", "unexpected character U+00A0 (no-break space)",
         None),
    case("too-huge-integer", "p(" + "9" * 4301 + ").",
         "1:3", "integer of 4301 digits is too long (at most 4300 digits)", None),
    # declarations
    case("duplicate-field", 'source s {title: "a", title: "b"}.',
         "1:23", "field `title` is given twice", None),
    case("field-not-a-string", "source s {title: a}.",
         "1:18", "expected a string or a date as the value of `title`, found `a`",
         'text is written in double quotes, as in `"GLORIA Center"`'),
    case("field-trailing-comma", 'source s {title: "a",}.',
         "1:22", "expected a field after `,`, found `}`", "remove the `,` before `}`"),
    case("field-without-colon", 'source s {title "a"}.',
         "1:17", "expected `:` after field name `title`, found a string", None),
    case("field-invalid-date", "source s {date: 2014-13}.",
         "1:17", "month 13 of `2014-13` is not between 01 and 12", None),
    case("upper-case-source-id", "source S {}.", "1:8", NAME.format("S"), LOWER.format("s")),
    case("source-junk-after-fields", 'source s {title: "a"} x.',
         "1:23", "expected `.` after source `s`, found `x`", None),
    case("duplicate-parameter", "predicate p(A, A) {}.",
         "1:16", "parameter `A` is named twice", None),
    case("lower-case-parameter", "predicate p(a) {}.",
         "1:13", "parameter `a` must be named like a variable", "write `A`"),
    case("anonymous-parameter", "predicate p(_) {}.",
         "1:13", "a parameter needs a name: `_` is anonymous", None),
    case("empty-parameters", "predicate p() {}.",
         "1:13", "expected a parameter after `(`, found `)`",
         "write a predicate without arguments as `predicate raining {…}.`"),
    case("parameters-without-comma", "predicate p(A B).",
         "1:15", "expected `)` or `,` after a parameter, found `B`", None),
]


@pytest.mark.parametrize("text, where, message, hint", ERRORS)
def test_errors_are_positioned_with_messages_and_hints(text, where, message, hint):
    assert errors_of(text) == [(where, message, hint)]


def test_error_spans_cover_the_offending_text():
    with pytest.raises(ParseError) as caught:
        parse_program("ok(x).\np(x) :- q(x), X == 1.", "kb/e.dl")
    (d,) = caught.value.diagnostics
    assert (d.span.file, d.span.line, d.span.col, d.span.end_col) == ("kb/e.dl", 2, 17, 19)
    assert d.span.text == "p(x) :- q(x), X == 1." and d.code == "syntax"


# -- recovery ------------------------------------------------------------------------------------
def test_every_error_of_a_file_is_reported():
    text = 'p(x) :- q(x) r(x).\nok(a).\ns(X).\nt("unterminated).\nu(x) from 2015 to 2014.\n'
    assert [where for where, _, _ in errors_of(text)] == ["1:14", "3:3", "4:3", "5:19"]


def test_a_string_left_open_spoils_only_its_line():
    found = errors_of('p("abc\ndef").\nq(x).')
    assert found == [(where, "unterminated string: a string ends on its line",
                      'close it with `"` before the end of the line') for where in ("1:3", "2:4")]


def test_recovery_resumes_at_a_statement_on_the_next_line():
    assert [where for where, _, _ in errors_of("p(x)\nq(Y).\nr(x)\n")] == ["1:5", "2:3", "3:5"]


def test_recovery_after_an_indented_line_skips_to_the_period():
    assert errors_of("p(X) :- q(X),\n  r(X)\n  s(X).\nt(Y).") == [
        ("2:7", "expected `,` or `.` after a literal, found `s`", DOT),
        ("4:3", "a fact must be ground: `Y` is a variable", GROUND)]


def test_the_number_of_errors_is_capped():
    found = errors_of("p(X).\n" * 200)
    assert len(found) == MAX_ERRORS + 1
    assert found[-1][:2] == (f"{MAX_ERRORS + 1}:3",
                             f"too many syntax errors: only the first {MAX_ERRORS} are reported")


# -- queries, facts and rules alone --------------------------------------------------------------
def test_queries_parse_with_or_without_question_mark():
    expected = Query((atom("rift", "X", "jn"), Negation(atom("p", "X")), compare("X", "!=", 1)))
    assert parse_query("rift(X, jn), not p(X), X != 1?") == expected
    assert parse_query("rift(X, jn), not p(X), X != 1  % why\n") == expected
    assert parse_query("JN = X?").variables() == (Variable("JN"), Variable("X"))


@pytest.mark.parametrize("text, where, message, hint", [
    case("period", "rift(X, Y).", "1:11", "expected `,` or `?` after a literal, found `.`",
         "`.` asserts a statement; `?` asks a question"),
    case("two-queries", "rift(X, Y)? p?", "1:13", "expected end of input after `?`, found `p`",
         None),
    case("empty", "?", "1:1", "expected a literal, found `?`", None),
    case("rule", "p(X) :- q(X)?", "1:6", "expected `,` or `?` after a literal, found `:-`", None),
    case("upper-case-predicate", "Rift(X)?", "1:1", NAME.format("Rift"), LOWER.format("rift")),
])
def test_query_errors(text, where, message, hint):
    assert errors_of(text, parse_query) == [(where, message, hint)]


def test_a_fact_parses_alone_with_or_without_period():
    expected = fact("p", "x", sources=["s"], start=Date(2014))
    assert parse_fact("p(x) from 2014 @s.") == expected
    assert parse_fact("p(x) from 2014 @s") == expected
    assert errors_of("p(X)", parse_fact) == [
        ("1:3", "a fact must be ground: `X` is a variable", GROUND)]
    assert errors_of("p(x) :- q(x)", parse_fact)[0][:2] == (
        "1:6", "expected `.` after the atom, found `:-`")
    assert errors_of("p(x). q(x).", parse_fact)[0][:2] == (
        "1:7", "expected end of input, found `q`")


def test_a_rule_and_a_statement_parse_alone():
    assert parse_rule("p(X) :- q(X)") == rule(atom("p", "X"), atom("q", "X"))
    assert errors_of("p(x).", parse_rule)[0][:2] == (
        "1:5", "expected `:-` after the head, found `.`")
    assert parse_statement("source s") == SourceDecl("s")
    assert parse_statement("predicate p(A).") == PredicateDecl("p", ("A",))
    assert parse_statement("p(x) :- q(x).") == rule(atom("p", "x"), atom("q", "x"))


# -- tokens --------------------------------------------------------------------------------------
def test_tokens_have_kinds_and_spans():
    assert [(t.kind, t.text) for t in tokenize('p(X, "s", 12, -3, 2014-06) :- not q.')] == [
        ("ident", "p"), ("punct", "("), ("variable", "X"), ("punct", ","), ("string", '"s"'),
        ("punct", ","), ("integer", "12"), ("punct", ","), ("integer", "-3"), ("punct", ","),
        ("date", "2014-06"), ("punct", ")"), ("punct", ":-"), ("keyword", "not"), ("ident", "q"),
        ("punct", "."), ("eof", "")]
    last = tokenize("a.\n  b(x).")[-2]
    assert (last.span.line, last.span.col, last.span.end_col, last.span.text) == (
        2, 7, 8, "  b(x).")


@pytest.mark.parametrize("text, keywords", [
    case("declarations", "source s {}. predicate p(A).", ["source", "predicate"]),
    case("source-as-a-name", "source(x). source. source @s. source from 2014.", ["from"]),
    case("source-not-at-start", "p :- source s.", []),
    case("annotations", "p(x) from 2014 to 2015.", ["from", "to"]),
    case("from-to-as-names", "p :- from(X), to = X, q(from, to).", []),
    case("not", "p :- not q, not not, not = X, not(X).", ["not", "not"]),
    case("not-as-annotated-fact", "not from 2014.", ["from"]),
    case("source-named-to", "source to {}.", ["source"]),
])
def test_keywords_depend_on_where_they_stand(text, keywords):
    assert [t.text for t in tokenize(text) if t.kind == "keyword"] == keywords


def test_lenient_tokens_keep_comments_and_errors():
    tokens = tokenize_lenient("p('x', \x00) % c\nq(\"open")
    assert [(t.kind, t.text) for t in tokens] == [
        ("ident", "p"), ("punct", "("), ("error", "'x'"), ("punct", ","), ("error", "\x00"),
        ("punct", ")"), ("comment", "% c"), ("ident", "q"), ("punct", "("), ("error", '"open'),
        ("eof", "")]
    with pytest.raises(ParseError):
        tokenize("p('x')")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80) | st.text(alphabet="pX(),.:-?\"'\\%@{}=<>!~ \n2014-", max_size=80))
def test_lenient_tokens_never_fail_and_lie_where_their_text_is(text):
    lines = text.split("\n")
    tokens = tokenize_lenient(text, "in.dl")
    assert tokens[-1].kind == "eof" and {t.kind for t in tokens} <= set(KINDS)
    for token in tokens[:-1]:
        span = token.span
        assert lines[span.line - 1][span.col - 1 : span.end_col - 1] == token.text != ""


# -- hostile text --------------------------------------------------------------------------------
HOSTILE = [
    case("python-call", "__import__('os').system('touch {canary}')."),
    case("python-open", "open('{canary}', 'w')."),
    case("python-in-rule", 'p(x) :- __import__("os").system("touch {canary}").'),
    case("exec-in-string", "exec(\"open('{canary}','w')\")."),
    case("format-strings", 'p("{{0.__class__}}", "{canary}", "%s", "${{x}}").'),
    case("dunder-names", "__class__(__globals__). p(__builtins__)."),
    case("eval-in-rule", "p(x) :- eval(\"__import__('os').system('touch {canary}')\")."),
    case("shell", "`touch {canary}`. $(touch {canary})."),
]


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_text_is_only_read(template, tmp_path):
    canary = tmp_path / "pwned"
    try:
        program = parse_program(template.format(canary=canary))
    except ParseError as exc:
        assert all(d.span is not None for d in exc.diagnostics)
    else:
        constants = [a for f in program.facts for a in f.atom.args]
        assert all(isinstance(c.value, (String, Symbol)) for c in constants)
    assert not os.path.exists(canary)


def test_format_strings_stay_inert():
    (statement,) = parse_program('p("{0.__class__}", "%s%n", "\\u{7b}x\\u{7d}").').statements
    assert [a.value for a in statement.atom.args] == [
        String("{0.__class__}"), String("%s%n"), String("{x}")]


@pytest.mark.parametrize("text", [
    case("long-string", 'p("' + "a" * 100_000 + '").'),
    case("long-junk", "(" * 100_000),
    case("deep-nesting", "p(" * 50_000 + ")" * 50_000 + "."),
    case("nul-bytes", "\x00" * 100_000),
    case("periods", "." * 100_000),
    case("huge-integer", "p(" + "9" * 100_000 + ")."),
    case("unicode-sweep", "".join(chr(c) for c in range(0x20, 0x3000, 7))),
    case("bidi-and-bom", "p(x) :- q(x) \u202e, r(x).\ufeff"),
])
def test_long_and_strange_text_fails_only_with_positioned_errors(text):
    try:
        parse_program(text)
    except ParseError as exc:
        assert 0 < len(exc.diagnostics) <= MAX_ERRORS + 1
        assert all(d.span is not None and d.span.line >= 1 for d in exc.diagnostics)


def test_long_valid_lines_parse():
    (statement,) = parse_program("p(" + "x, " * 40000 + "x).").statements
    assert len(statement.atom.args) == 40001
