"""The printer: exact canonical text, the round trip through the parser, and fuzzing the parser."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from allegiance.lang.diagnostics import ParseError
from allegiance.lang.lexer import tokenize_lenient
from allegiance.lang.parse import parse_program, parse_query
from allegiance.lang.printer import format_atom, format_program, format_query, format_statement, format_term
from allegiance.lang.syntax import Atom, Constant, Fact, Program, Variable
from allegiance.lang.values import Date, Integer, String, Symbol
from syntax_strategies import programs, queries, statements

ROUND_TRIP = settings(max_examples=200, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("text, expected", [
    pytest.param("p(x,y ,\"a\\\"b\" ,-3, 2014-06).", 'p(x, y, "a\\"b", -3, 2014-06).', id="args"),
    pytest.param("raining.", "raining.", id="no-arguments"),
    pytest.param("p(x)@b to 2013 @a from 2012-01.", "p(x) from 2012-01 to 2013 @b @a.",
                 id="annotations-in-canonical-order"),
    pytest.param("h(X):-p(X),not q(X),X!=a,X>=2014-01-02.",
                 "h(X) :- p(X), not q(X), X != a, X >= 2014-01-02.", id="rule"),
    pytest.param('source s{title:"T",date:2014}.', 'source s {title: "T", date: 2014}.',
                 id="source"),
    pytest.param("source s.", "source s.", id="source-without-fields"),
    pytest.param('predicate p(A,B){doc:"d"}.', 'predicate p(A, B) {doc: "d"}.', id="predicate"),
    pytest.param('predicate raining{doc:"d"}.', 'predicate raining {doc: "d"}.',
                 id="predicate-without-parameters"),
    pytest.param('p("tab\\there\\u{1b}[0m\\u{1F600}").', 'p("tab\\there\\u{1b}[0m😀").',
                 id="string-escapes-canonical"),
])
def test_statements_print_canonically(text, expected):
    (statement,) = parse_program(text).statements
    assert format_statement(statement) == expected


def test_program_prints_one_statement_per_line():
    program = parse_program("a. b(X) :- a.\n\n% comment\nc(1).")
    assert format_program(program) == "a.\nb(X) :- a.\nc(1).\n"
    assert format_program(Program()) == ""


@pytest.mark.parametrize("node, expected", [
    pytest.param(Constant(String('say "hi"\n')), '"say \\"hi\\"\\n"', id="string"),
    pytest.param(Constant(Date(2014, 6, 29)), "2014-06-29", id="date"),
    pytest.param(Constant(Integer(-7)), "-7", id="negative"),
    pytest.param(Constant(Symbol("al_qaida")), "al_qaida", id="symbol"),
    pytest.param(Variable("_"), "_", id="anonymous"),
])
def test_terms_print_in_source_syntax(node, expected):
    assert format_term(node) == expected


def test_atoms_and_queries_print():
    assert format_atom(Atom("p", (Variable("X"), Constant(Symbol("a"))))) == "p(X, a)"
    assert format_query(parse_query("p(X),not q(X),X<3")) == "p(X), not q(X), X < 3?"


def test_a_fact_prints_its_interval_and_sources():
    fact = Fact(Atom("present", (Constant(Symbol("jn")),)), ("a", "b"), Date(2013, 4), Date(2014))
    assert format_statement(fact) == "present(jn) from 2013-04 to 2014 @a @b."


# -- round trips -----------------------------------------------------------------------------
@ROUND_TRIP
@given(programs())
def test_printed_programs_parse_back_equal(program):
    assert parse_program(format_program(program)) == program


@ROUND_TRIP
@given(queries())
def test_printed_queries_parse_back_equal(query):
    assert parse_query(format_query(query)) == query


@ROUND_TRIP
@given(statements())
def test_printing_is_canonical(statement):
    text = format_statement(statement)
    assert format_program(parse_program(text)) == text + "\n"


# -- fuzzing the parser ----------------------------------------------------------------------
def assert_parses_or_fails_cleanly(text: str) -> None:
    """The parser returns a program or raises ParseError whose diagnostics all have spans."""
    try:
        parse_program(text, "fuzz.dl")
    except ParseError as exc:
        assert exc.diagnostics
        lines = text.split("\n")
        for d in exc.diagnostics:
            assert d.code == "syntax" and d.span is not None and d.span.file == "fuzz.dl"
            assert 1 <= d.span.line <= len(lines)
            line = lines[d.span.line - 1]
            assert d.span.text == (line[:-1] if line.endswith("\r") else line)
            assert 1 <= d.span.col <= d.span.end_col <= len(d.span.text) + 2


PIECES = ["(", ")", ",", ".", "?", ":-", "not", "from", "to", "@", "{", "}", ":", '"', "'", "\\",
          "%", "X", "_", "x", "2014", "2014-13", "-", "=", "==", "<-", "\n", "\x00", "é", " ", ""]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
@example("p(x" * 5000)
@example(".\x00" * 3000)
def test_random_text_parses_or_fails_cleanly(text):
    assert_parses_or_fails_cleanly(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abXY_(),.:-?\"\\@{}%= \n0123456789notfrm", max_size=120))
def test_random_near_language_text_parses_or_fails_cleanly(text):
    assert_parses_or_fails_cleanly(text)


@ROUND_TRIP
@given(programs(max_size=4), st.data())
def test_a_program_with_one_token_mutated_parses_or_fails_cleanly(program, data):
    text = format_program(program)
    tokens = [t for t in tokenize_lenient(text) if t.kind != "eof"]
    if not tokens:
        return
    token = data.draw(st.sampled_from(tokens))
    start = _offset(text, token.span.line, token.span.col)
    end = start + len(token.text)
    replacement = data.draw(st.sampled_from(PIECES) | st.text(max_size=3))
    assert_parses_or_fails_cleanly(text[:start] + replacement + text[end:])


def _offset(text: str, line: int, col: int) -> int:
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[: line - 1]) + col - 1
