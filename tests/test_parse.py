"""The lexer and the parser: every construct, every error with its position, recovery, hostile text."""

from __future__ import annotations

import os

import pytest

from engine.diagnostics import ParseError
from engine.lexer import KINDS, tokenize, tokenize_lenient
from engine.parse import (MAX_ERRORS, parse_fact, parse_program, parse_query, parse_rule,
                          parse_statement)
from engine.syntax import (Atom, Comparison, Constant, Fact, Negation, PredicateDecl, Query, Rule,
                           SourceDecl, Variable)
from engine.values import Date, Integer, String, Symbol


def term(x):
    """A term from shorthand: upper-case or `_` names are variables, other names symbols."""
    if isinstance(x, str):
        return Variable(x) if x[0].isupper() or x[0] == "_" else Constant(Symbol(x))
    if isinstance(x, int):
        return Constant(Integer(x))
    return Constant(x)


def atom(name, *args):
    return Atom(name, tuple(term(a) for a in args))


def fact(name, *args, sources=(), start=None, end=None):
    return Fact(atom(name, *args), tuple(sources), start, end)


def errors_of(text: str, parse=parse_program) -> list[tuple[str, str, str | None]]:
    """Each diagnostic as (`line:col`, message, hint)."""
    with pytest.raises(ParseError) as caught:
        parse(text)
    return [(f"{d.span.line}:{d.span.col}", d.message, d.hint) for d in caught.value.diagnostics]


# -- valid programs ------------------------------------------------------------------------------
VALID = [
    pytest.param("pledged(jabhat_al_nusra, al_qaida).", [fact("pledged", "jabhat_al_nusra", "al_qaida")],
                 id="fact"),
    pytest.param("raining.", [fact("raining")], id="fact-without-arguments"),
    pytest.param("p(x) from 2013-04 @tamimi_2014.",
                 [fact("p", "x", sources=["tamimi_2014"], start=Date(2013, 4))], id="fact-from-source"),
    pytest.param("p(x) to 2013.", [fact("p", "x", end=Date(2013))], id="fact-to-year"),
    pytest.param("p(x) @b to 2014-06-29 @a from 2013.",
                 [fact("p", "x", sources=["b", "a"], start=Date(2013), end=Date(2014, 6, 29))],
                 id="annotations-in-any-order"),
    pytest.param("p(x) from 2014 to 2014-01.",
                 [fact("p", "x", start=Date(2014), end=Date(2014, 1))], id="interval-of-one-month"),
    pytest.param("p(2014, 2014-06, 2014-06-29, -12, 007).",
                 [fact("p", 2014, Date(2014, 6), Date(2014, 6, 29), -12, 7)],
                 id="integers-and-dates-in-terms"),
    pytest.param('p("a\\"b\\\\c\\n\\t\\r\\u{1F600}\\u{0}", "ʾinshiqāq").',
                 [fact("p", String('a"b\\c\n\t\r😀\x00'), String("ʾinshiqāq"))], id="strings"),
    pytest.param("p(x, % a comment\n  y). % another\n", [fact("p", "x", "y")], id="comments"),
    pytest.param("p(x).\r\nq(y).\r\n", [fact("p", "x"), fact("q", "y")], id="crlf"),
    pytest.param("rift(A, B) :- charges(A, B, defection).",
                 [Rule(atom("rift", "A", "B"), (atom("charges", "A", "B", "defection"),))], id="rule"),
    pytest.param("c(A, B) :- g(A), A != B, not r(A, _).",
                 [Rule(atom("c", "A", "B"), (atom("g", "A"), Comparison("!=", term("A"), term("B")),
                                             Negation(atom("r", "A", "_"))))], id="rule-negation"),
    pytest.param("p(X) :- q(X), X = a, X != 1, X < 2014-06, X <= \"s\", X > -1, X >= Y, X<-1.",
                 [Rule(atom("p", "X"), (atom("q", "X"), *(
                     Comparison(op, term("X"), term(right)) for op, right in [
                         ("=", "a"), ("!=", 1), ("<", Date(2014, 6)), ("<=", String("s")),
                         (">", -1), (">=", "Y"), ("<", -1)])))], id="comparisons"),
    pytest.param("p :- a = X, q(X).",
                 [Rule(atom("p"), (Comparison("=", term("a"), term("X")), atom("q", "X")))],
                 id="comparison-with-symbol-on-the-left"),
    pytest.param('source tamimi_2014 {title: "The IS", outlet: "GLORIA", date: 2014-11, url: "u"}.',
                 [SourceDecl("tamimi_2014", (("title", String("The IS")), ("outlet", String("GLORIA")),
                                             ("date", Date(2014, 11)), ("url", String("u"))))],
                 id="source"),
    pytest.param("source s {date: 2014}.\nsource t.\nsource u {}.",
                 [SourceDecl("s", (("date", Date(2014)),)), SourceDecl("t"), SourceDecl("u")],
                 id="source-year-date-and-no-fields"),
    pytest.param('predicate refers_to(A, B, T) {doc: "A calls B", holds: "{A} calls {B} “{T}”"}.',
                 [PredicateDecl("refers_to", ("A", "B", "T"), (
                     ("doc", String("A calls B")), ("holds", String("{A} calls {B} “{T}”"))))],
                 id="predicate"),
    pytest.param('predicate raining {doc: "it rains"}.',
                 [PredicateDecl("raining", (), (("doc", String("it rains")),))], id="predicate-arity-0"),
    pytest.param("source(x, y).\npredicate(x).\nsource.\nnot.\nfrom(x).\nto.",
                 [fact("source", "x", "y"), fact("predicate", "x"), fact("source"), fact("not"),
                  fact("from", "x"), fact("to")], id="keywords-are-names-elsewhere"),
    pytest.param("source from 2014.\nnot to 2015 @to.\np(not, from, to, source).",
                 [fact("source", start=Date(2014)), fact("not", sources=["to"], end=Date(2015)),
                  fact("p", "not", "from", "to", "source")], id="keyword-names-with-annotations"),
    pytest.param("q :- not not, not = X, from(X).",
                 [Rule(atom("q"), (Negation(atom("not")), Comparison("=", term("not"), term("X")),
                                   atom("from", "X")))], id="not-as-a-name"),
    pytest.param("p(" + "9" * 4300 + ").", [fact("p", int("9" * 4300))], id="huge-integer"),
    pytest.param("", [], id="empty"),
    pytest.param("% only a comment", [], id="only-a-comment"),
]


@pytest.mark.parametrize("text, expected", VALID)
def test_valid_programs_parse(text, expected):
    assert list(parse_program(text).statements) == expected


def test_nodes_carry_spans():
    (rule,) = parse_program("\n  p(X) :- q(X, \"é\"), not r(X), X != 2014-06.", "kb/a.dl").statements
    assert (rule.span.file, rule.span.line, rule.span.col, rule.span.end_col) == ("kb/a.dl", 2, 3, 45)
    assert rule.span.text == "  p(X) :- q(X, \"é\"), not r(X), X != 2014-06."
    q, negation, comparison = rule.body
    assert (q.span.col, q.span.end_col) == (11, 20)
    assert (q.args[1].span.col, q.args[1].span.end_col) == (16, 19)
    assert (negation.span.col, negation.span.end_col) == (22, 30)
    assert (comparison.span.col, comparison.span.end_col) == (32, 44)


# -- errors --------------------------------------------------------------------------------------
DOT = "did you forget the `.` that ends the statement?"
RULE = "a rule is written `head :- body.`"
NOT = "negation is written `not`, as in `not p(X)`"
ESCAPES = "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r` and `\\u{HEX}`"
DATE = "a date is written YYYY, YYYY-MM or YYYY-MM-DD"
ERRORS = [
    pytest.param("p(x)", "1:5", "expected `.` or `:-` after the atom, found end of input", DOT,
                 id="missing-final-period"),
    pytest.param("p(x)\nq(y).", "1:5", "expected `.` or `:-` after the atom, found `q`", DOT,
                 id="missing-period-before-next-line"),
    pytest.param("p(x) :- q(x)", "1:13", "expected `,` or `.` after a literal, found end of input",
                 DOT, id="missing-period-after-rule"),
    pytest.param("p(x.", "1:4", "expected `)` or `,` after an argument, found `.`",
                 "close the arguments with `)`", id="unclosed-arguments"),
    pytest.param("p(x,)", "1:5", "expected an argument after `,`, found `)`", None,
                 id="missing-argument"),
    pytest.param("p().", "1:3", "expected an argument after `(`, found `)`",
                 "write a predicate without arguments without parentheses, as in `raining`",
                 id="empty-parentheses"),
    pytest.param("p(f(x)).", "1:4", "expected `)` or `,` after an argument, found `(`",
                 "arguments cannot be nested: an argument is a constant or a variable", id="nested-term"),
    pytest.param("p(x) :- .", "1:9", "expected a literal after `:-`, found `.`", None, id="empty-body"),
    pytest.param("p(x) :- q(x),.", "1:14", "expected a literal after `,`, found `.`", None,
                 id="trailing-comma"),
    pytest.param("p(x) :- q(x) r(x).", "1:14", "expected `,` or `.` after a literal, found `r`", None,
                 id="missing-comma"),
    pytest.param("p(X) := q(X).", "1:6", "`:=` is not an operator", RULE, id="colon-equals"),
    pytest.param("p(X) <- q(X).", "1:6", "`<-` is not an operator", RULE, id="left-arrow"),
    pytest.param("p(X) <= q(X).", "1:6", "expected `.` or `:-` after the atom, found `<=`", RULE,
                 id="less-or-equal-for-neck"),
    pytest.param("p(X) :- \\+ q(X).", "1:9", "`\\+` is not an operator", NOT, id="prolog-negation"),
    pytest.param("p(X) :- ~q(X).", "1:9", "`~` is not an operator", NOT, id="tilde-negation"),
    pytest.param("p(X) :- q(X), X == 1.", "1:17", "`==` is not an operator",
                 "equality is written `=`", id="double-equals"),
    pytest.param("p(X) :- q(X), X =< 1.", "1:17", "`=<` is not an operator", "write `<=`",
                 id="prolog-less-or-equal"),
    pytest.param("p(X) :- q(X), X <> 1.", "1:17", "`<>` is not an operator",
                 "inequality is written `!=`", id="angle-inequality"),
    pytest.param("p(X) :- q(X), X.", "1:16",
                 "expected a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`) after `X`, found `.`", None,
                 id="bare-variable-literal"),
    pytest.param("p(X) :- q(X), not X.", "1:19", "expected an atom after `not`, found `X`",
                 "an atom starts with a predicate name, which is lower-case", id="negated-variable"),
    pytest.param("Foo(x).", "1:1", "`Foo` is not a name: names start with a lower-case letter",
                 "upper-case names are variables; write `foo`", id="upper-case-predicate"),
    pytest.param("p(X) :- q(X), Q(X).", "1:15", "`Q` is not a name: names start with a lower-case "
                 "letter", "upper-case names are variables; write `q`", id="upper-case-in-body"),
    pytest.param("X = 1.", "1:1", "expected a fact, a rule or a declaration, found `X`",
                 "an atom starts with a predicate name, which is lower-case", id="statement-variable"),
    pytest.param("not p(x).", "1:1", "expected a fact, a rule or a declaration, found `not`",
                 "only rules and queries may use `not`; a fact states what holds", id="negated-fact"),
    pytest.param("p(x)?", "1:5", "expected `.` or `:-` after the atom, found `?`",
                 "a knowledge base states facts and rules; queries are asked in the REPL",
                 id="query-in-a-program"),
    pytest.param("p(x), q(x).", "1:5", "expected `.` or `:-` after the atom, found `,`",
                 "state one fact per statement, each ending with `.`", id="two-facts-in-one"),
    pytest.param("p(x) :- q(x) from 2014.", "1:14", "expected `,` or `.` after a literal, found `from`",
                 "validity dates and sources annotate facts, not rules", id="annotated-rule"),
    pytest.param("p(X, y).", "1:3", "a fact must be ground: `X` is a variable",
                 "to state a rule use `:-`, as in `p(X) :- q(X).`", id="non-ground-fact"),
    pytest.param("p(_) @s.", "1:3", "a fact must be ground: `_` is a variable",
                 "to state a rule use `:-`, as in `p(X) :- q(X).`", id="anonymous-in-fact"),
    pytest.param("p(x) from 14.", "1:11", "expected a date after `from`, found `14`", DATE,
                 id="from-not-a-date"),
    pytest.param("p(x) to X.", "1:9", "expected a date after `to`, found `X`", DATE, id="to-variable"),
    pytest.param("p(x) from 2014-13.", "1:11", "month 13 of `2014-13` is not between 01 and 12", None,
                 id="invalid-month"),
    pytest.param("p(2014-02-30).", "1:3", "day 30 of `2014-02-30` does not exist in 2014-02", None,
                 id="invalid-day"),
    pytest.param("p(x) from 0000.", "1:11", "year of `0000` must be at least 0001", None,
                 id="year-zero"),
    pytest.param("p(2014-6).", "1:3", "`2014-6` is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)",
                 None, id="short-month"),
    pytest.param("p(x) from 2014 from 2015.", "1:16", "`from` is given twice", None, id="from-twice"),
    pytest.param("p(x) to 2014 from 2015.", "1:9",
                 "the fact never holds: `from 2015` is later than `to 2014`", "swap the two dates",
                 id="empty-interval"),
    pytest.param("p(x) @Tamimi.", "1:7", "`Tamimi` is not a name: names start with a lower-case letter",
                 "upper-case names are variables; write `tamimi`", id="upper-case-source"),
    pytest.param("p(x) @.", "1:7", "expected a source id after `@`, found `.`", None, id="bare-at"),
    pytest.param("p('os').", "1:3", "strings are written in double quotes, not `'`",
                 'write `"` around the text, as in `"jamaat ad-dawla"`', id="single-quotes"),
    pytest.param("p(café).", "1:3", "`café` is not a name: names are written in ASCII letters, "
                 "digits and `_`", 'quote other text as a string, as in `"café"`', id="non-ascii-name"),
    pytest.param('p("abc).\n', "1:3", "unterminated string: a string ends on its line",
                 'close it with `"` before the end of the line', id="unterminated-string"),
    pytest.param('p("a\\qb").', "1:5", "unknown escape: `\\` followed by `q`", ESCAPES,
                 id="unknown-escape"),
    pytest.param('p("\\u41").', "1:4", "a `\\u` escape is written `\\u{HEX}`", ESCAPES,
                 id="escape-without-braces"),
    pytest.param('p("\\u{D800}").', "1:4", "`\\u{D800}` is a surrogate, not a character", ESCAPES,
                 id="surrogate-escape"),
    pytest.param('p("\\u{110000}").', "1:4", "`\\u{110000}` is beyond U+10FFFF, not a character",
                 ESCAPES, id="escape-beyond-unicode"),
    pytest.param("p(1.5).", "1:3", "`1.5` is not a number, a date or a name",
                 'write it as a string, as in `"3.5"`', id="decimal"),
    pytest.param("p(12ab).", "1:3", "`12ab` is not a number, a date or a name",
                 "a name starts with a letter", id="digits-then-letters"),
    pytest.param("p(ad-dawla).", "1:5", "unexpected character `-`",
                 'a negative integer is written `-12`; a name with a `-` is a string, as in '
                 '`"ad-dawla"`', id="dash-in-name"),
    pytest.param("p(x) # c.", "1:6", "unexpected character `#`", None, id="bad-character"),
    pytest.param("p(x)\u00a0.", "1:5", "unexpected character U+00A0 (no-break space)", None,
                 id="no-break-space"),
    pytest.param("p(x) & q(x).", "1:6", "`&` is not an operator", "literals are joined by `,`",
                 id="ampersand"),
    pytest.param("p(" + "9" * 4301 + ").", "1:3", "integer of 4301 digits is too long (at most 4300 "
                 "digits)", None, id="too-huge-integer"),
    pytest.param('source s {title: "a", title: "b"}.', "1:23", "field `title` is given twice", None,
                 id="duplicate-field"),
    pytest.param("source s {title: a}.", "1:18", "expected a string or a date as the value of "
                 "`title`, found `a`", 'text is written in double quotes, as in `"GLORIA Center"`',
                 id="field-not-a-string"),
    pytest.param('source s {title: "a",}.', "1:22", "expected a field name in `{ }`, found `}`",
                 "remove the `,` before `}`", id="field-trailing-comma"),
    pytest.param('source s {title "a"}.', "1:17", "expected `:` after field name `title`, found a "
                 "string", None, id="field-without-colon"),
    pytest.param('source s {date: 2014-13}.', "1:17", "month 13 of `2014-13` is not between 01 "
                 "and 12", None, id="field-invalid-date"),
    pytest.param('source S {}.', "1:8", "`S` is not a name: names start with a lower-case letter",
                 "upper-case names are variables; write `s`", id="upper-case-source-id"),
    pytest.param('source s {title: "a"} x.', "1:23", "expected `.` after source `s`, found `x`", None,
                 id="source-junk-after-fields"),
    pytest.param("predicate p(A, A) {}.", "1:16", "parameter `A` is named twice", None,
                 id="duplicate-parameter"),
    pytest.param("predicate p(a) {}.", "1:13", "parameter `a` must be named like a variable",
                 "write `A`", id="lower-case-parameter"),
    pytest.param("predicate p(_) {}.", "1:13", "a parameter needs a name: `_` is anonymous", None,
                 id="anonymous-parameter"),
    pytest.param("predicate p() {}.", "1:13", "expected a parameter name after `(`, found `)`",
                 "write a predicate without arguments as `predicate raining {…}.`",
                 id="empty-parameters"),
    pytest.param("predicate p(A B).", "1:15", "expected `)` or `,` after a parameter, found `B`", None,
                 id="parameters-without-comma"),
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


def test_every_error_of_a_file_is_reported():
    text = "p(x) :- q(x) r(x).\nok(a).\ns(X).\nt(\"unterminated).\nu(x) from 2015 to 2014.\n"
    assert [where for where, _, _ in errors_of(text)] == ["1:14", "3:3", "4:3", "5:19"]


def test_a_string_left_open_spoils_only_its_line():
    text = 'p("abc\ndef").\nq(x).'
    assert [message for _, message, _ in errors_of(text)] == [
        "unterminated string: a string ends on its line"] * 2
    assert [where for where, _, _ in errors_of(text)] == ["1:3", "2:4"]


def test_recovery_resumes_at_a_statement_on_the_next_line():
    assert [where for where, _, _ in errors_of("p(x)\nq(Y).\nr(x)\n")] == ["1:5", "2:3", "3:5"]


def test_recovery_after_an_indented_line_skips_to_the_period():
    text = "p(X) :- q(X),\n  r(X)\n  s(X).\nt(Y)."
    assert errors_of(text) == [("2:7", "expected `,` or `.` after a literal, found `s`", DOT),
                               ("4:3", "a fact must be ground: `Y` is a variable",
                                "to state a rule use `:-`, as in `p(X) :- q(X).`")]


def test_the_number_of_errors_is_capped():
    found = errors_of("p(X).\n" * 200)
    assert len(found) == MAX_ERRORS + 1
    assert found[-1][1] == f"too many syntax errors: only the first {MAX_ERRORS} are reported"


# -- queries, facts and rules alone --------------------------------------------------------------
def test_queries_parse_with_or_without_question_mark():
    expected = Query((atom("rift", "X", "jn"), Negation(atom("p", "X")),
                      Comparison("!=", term("X"), term(1))))
    assert parse_query("rift(X, jn), not p(X), X != 1?") == expected
    assert parse_query("rift(X, jn), not p(X), X != 1  % why\n") == expected
    assert parse_query("JN = X?").variables() == (Variable("JN"), Variable("X"))


@pytest.mark.parametrize("text, where, message, hint", [
    pytest.param("rift(X, Y).", "1:11", "expected `,` or `?` after a literal, found `.`",
                 "`.` asserts a statement; `?` asks a question", id="period"),
    pytest.param("rift(X, Y)? p?", "1:13", "expected end of input after `?`, found `p`", None,
                 id="two-queries"),
    pytest.param("?", "1:1", "expected a literal, found `?`", None, id="empty"),
    pytest.param("p(X) :- q(X)?", "1:6", "expected `,` or `?` after a literal, found `:-`", None,
                 id="rule"),
    pytest.param("Rift(X)?", "1:1", "`Rift` is not a name: names start with a lower-case letter",
                 "upper-case names are variables; write `rift`", id="upper-case-predicate"),
], )
def test_query_errors(text, where, message, hint):
    assert errors_of(text, parse_query) == [(where, message, hint)]


def test_a_fact_parses_alone_with_or_without_period():
    expected = fact("p", "x", sources=["s"], start=Date(2014))
    assert parse_fact("p(x) from 2014 @s.") == expected
    assert parse_fact("p(x) from 2014 @s") == expected
    assert errors_of("p(X)", parse_fact) == [("1:3", "a fact must be ground: `X` is a variable",
                                             "to state a rule use `:-`, as in `p(X) :- q(X).`")]
    assert errors_of("p(x) :- q(x)", parse_fact)[0][:2] == (
        "1:6", "expected `.` after the atom, found `:-`")
    assert errors_of("p(x). q(x).", parse_fact)[0][:2] == ("1:7", "expected end of input, found `q`")


def test_a_rule_and_a_statement_parse_alone():
    assert parse_rule("p(X) :- q(X)") == Rule(atom("p", "X"), (atom("q", "X"),))
    assert errors_of("p(x).", parse_rule)[0][:2] == ("1:5", "expected `:-` after the head, found `.`")
    assert parse_statement("source s") == SourceDecl("s")
    assert parse_statement("p(x) :- q(x).") == Rule(atom("p", "x"), (atom("q", "x"),))


# -- tokens --------------------------------------------------------------------------------------
def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(text)]


def test_tokens_have_kinds_and_spans():
    assert kinds('p(X, "s", 12, -3, 2014-06) :- not q.') == [
        ("ident", "p"), ("punct", "("), ("variable", "X"), ("punct", ","), ("string", '"s"'),
        ("punct", ","), ("integer", "12"), ("punct", ","), ("integer", "-3"), ("punct", ","),
        ("date", "2014-06"), ("punct", ")"), ("punct", ":-"), ("keyword", "not"), ("ident", "q"),
        ("punct", "."), ("eof", "")]
    last = tokenize("a.\n  b(x).")[-2]
    assert (last.span.line, last.span.col, last.span.end_col, last.span.text) == (2, 7, 8, "  b(x).")
    assert {t.kind for t in tokenize_lenient('% c\nsource s {t: "x"}. p(x) from 2014 @s?')} <= set(KINDS)


@pytest.mark.parametrize("text, keywords", [
    pytest.param("source s {}. predicate p(A).", ["source", "predicate"], id="declarations"),
    pytest.param("source(x). source. source @s. source from 2014.", ["from"], id="source-as-a-name"),
    pytest.param("p :- source s.", [], id="source-not-at-start"),
    pytest.param("p(x) from 2014 to 2015.", ["from", "to"], id="annotations"),
    pytest.param("p :- from(X), to = X, q(from, to).", [], id="from-to-as-names"),
    pytest.param("p :- not q, not not, not = X, not(X).", ["not", "not"], id="not"),
    pytest.param("not from 2014.", ["from"], id="not-as-annotated-fact"),
    pytest.param("source to {}.", ["source"], id="source-named-to"),
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


# -- hostile text --------------------------------------------------------------------------------
HOSTILE = [
    pytest.param("__import__('os').system('touch {canary}').", id="python-call"),
    pytest.param("open('{canary}', 'w').", id="python-open"),
    pytest.param("p(x) :- __import__(\"os\").system(\"touch {canary}\").", id="python-in-rule"),
    pytest.param("exec(\"open('{canary}','w')\").", id="exec-in-string"),
    pytest.param("p(\"{{0.__class__}}\", \"{canary}\", \"%s\", \"${{x}}\").", id="format-strings"),
    pytest.param("__class__(__globals__).", id="dunder-names"),
    pytest.param("p(x) :- eval(\"__import__('os').system('touch {canary}')\").", id="eval-in-rule"),
    pytest.param("`touch {canary}`. $(touch {canary}).", id="shell"),
]


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_text_is_only_read(template, tmp_path):
    canary = tmp_path / "pwned"
    text = template.format(canary=canary)
    try:
        program = parse_program(text)
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
    pytest.param("p(" + "x, " * 40000 + "x).", id="long-fact"),
    pytest.param('p("' + "a" * 100_000 + '").', id="long-string"),
    pytest.param("(" * 100_000, id="long-junk"),
    pytest.param("p(" * 50_000 + ")" * 50_000 + ".", id="deep-nesting"),
    pytest.param("\x00" * 100_000, id="nul-bytes"),
    pytest.param("." * 100_000, id="periods"),
    pytest.param("p(" + "9" * 100_000 + ").", id="huge-integer"),
    pytest.param("".join(chr(c) for c in range(0x20, 0x3000, 7)), id="unicode-sweep"),
    pytest.param("p(x) :- q(x) \u202e, r(x).\ufeff", id="bidi-and-bom"),
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
