"""The fast path for fact lines: the same program, spans and diagnostics as the general parser."""

from __future__ import annotations

import gc

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allegiance.lang.diagnostics import ParseError
from allegiance.lang.lexer import scan
from allegiance.lang.parse import parse_program, paused_gc
from allegiance.lang.fact_lines import fact_line
from allegiance.lang.printer import format_fact, format_rule, format_statement
from allegiance.lang.syntax import Fact
from allegiance.lang.values import Date, Integer, String, Symbol
from syntax_strategies import facts, rules, statements


def spans_of(node) -> list:
    """Every span in a tree, in order, with the line text the equality of spans leaves out."""
    found = []
    if attrs.has(type(node)):
        for field in attrs.fields(type(node)):
            value = getattr(node, field.name)
            if field.name == "span" and value is not None:
                found.append((value, value.text))
            else:
                found.extend(spans_of(value))
    elif isinstance(node, tuple):
        for item in node:
            found.extend(spans_of(item))
    return found


def outcome(text: str, fast: bool):
    """What parsing `text` gives: the statements and their spans, or every diagnostic."""
    try:
        program = parse_program(text, "kb/f.dl", fast=fast)
    except ParseError as exc:
        return "error", [(d, d.span.text if d.span else None) for d in exc.diagnostics]
    return program.statements, spans_of(program.statements)


def assert_same(text: str):
    """The fast path and the general parser agree on `text`; returns what they give."""
    fast = outcome(text, True)
    assert fast == outcome(text, False)
    return fast


# -- generated texts -----------------------------------------------------------------------------
SEPARATORS = ("", " ", "  ", "\t", " \f ")


@st.composite
def fact_texts(draw, fact_strategy=None) -> str:
    """A fact written token by token, with blanks of every kind (or none) between tokens."""
    fact = draw(fact_strategy or facts())
    notes = [("@", source) for source in fact.sources]
    notes += [(word, str(date)) for word, date in (("from", fact.valid_from),
                                                   ("to", fact.valid_to)) if date]
    notes = draw(st.permutations(notes))  # annotations come in any order
    tokens = [format_fact(Fact(fact.atom)).removesuffix(".")]
    tokens += [token for note in notes for token in note] + ["."]
    text = tokens[0]
    for token in tokens[1:]:
        blank = draw(st.sampled_from(SEPARATORS))
        if not blank and (text[-1].isalnum() or text[-1] == "_") and token[0].isalnum():
            blank = " "
        text += blank + token
    return text


@st.composite
def layouts(draw) -> str:
    """Facts several to a line, blank and comment lines, rules (some across two lines), CRLF."""
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(("facts", "facts", "facts", "blank", "comment", "statement",
                                     "split-rule")))
        if kind == "facts":
            line = draw(st.sampled_from(SEPARATORS)).join(draw(st.lists(fact_texts(), min_size=1,
                                                                        max_size=3)))
            line = draw(st.sampled_from(("", "  "))) + line
            line += draw(st.sampled_from(("", " % a comment", "%", "\t% ünïcode %")))
        elif kind == "blank":
            line = draw(st.sampled_from(("", "   ", "\t\f")))
        elif kind == "comment":
            line = "% " + draw(st.text(max_size=10)).replace("\n", " ").replace("\r", " ")
        elif kind == "statement":
            line = format_statement(draw(statements()))
        else:
            line = format_rule(draw(rules())).replace(" :- ", " :-\n    ", 1)
        lines.append(line)
    ending = draw(st.sampled_from(("\n", "\r\n")))
    return ending.join(lines) + draw(st.sampled_from(("", ending)))


@settings(max_examples=300, deadline=None)
@given(facts())
def test_the_fast_path_reads_every_printed_fact_as_the_parser_does(fact):
    line = format_fact(fact)
    assert fact_line(line, 0, "kb/f.dl") == [fact]
    assert assert_same(line)[0] == (fact,)


@settings(max_examples=300, deadline=None)
@given(st.lists(fact_texts(), min_size=1, max_size=3), st.sampled_from(SEPARATORS))
def test_fact_lines_with_any_blanks_take_the_fast_path_and_agree(texts, blank):
    line = blank.join(texts)
    read = fact_line(line, 0, "kb/f.dl")
    assert read is not None and len(read) == len(texts)
    assert (tuple(read), spans_of(tuple(read))) == assert_same(line)


@settings(max_examples=100, deadline=None)  # a layout is slow to build, not to parse
@given(layouts())
def test_any_layout_of_facts_rules_and_declarations_parses_the_same_both_ways(text):
    assert_same(text)


SPOILERS = ("", "(", ")", ",", ".", '"', "\\", "%", "X", "-", "1.5", "from", " to 0", "@", "é",
            "\n", "\r", "\u00a0", ":-", "'")


@settings(max_examples=100, deadline=None)
@given(layouts(), st.data())
def test_a_text_spoiled_anywhere_gives_the_same_program_or_diagnostics_both_ways(text, data):
    at = data.draw(st.integers(0, len(text)))
    spoil = data.draw(st.sampled_from(SPOILERS))
    cut = data.draw(st.integers(0, 2))
    assert_same(text[:at] + spoil + text[at + cut:])


# -- edge cases ----------------------------------------------------------------------------------
def case(id: str, text: str, fast: bool):
    return pytest.param(text, fast, id=id)


LINES = [
    case("plain", "pledged(jabhat_al_nusra, al_qaida).", True),
    case("no-arguments", "raining.", True),
    case("annotations", "p(x) from 2013-04 to 2015 @tamimi_2014 @b.", True),
    case("annotations-in-any-order", "p(x) @a to 2015-01-31 @b from 2013.", True),
    case("keywords-as-names", "source(from, to, not) from 2014 @from @to.", True),
    case("keyword-predicate-annotated", "from from 2014 to 2015.", True),
    case("negative-and-zero", "p(-12, 0, -0, 007).", True),
    case("dates-as-arguments", "p(2014-06, 2014-06-29, 2014).", True),
    case("escapes", r'p("a\"b\\c\nd\te\rf\u{1F600}").', True),
    case("unicode-string", 'p("ʾinshiqāq", "جبهة").', True),
    case("string-with-syntax", 'p("%", ".", "p(x).", ":-") @s.', True),
    case("several-on-a-line", "p(a). q(b) @s.r(c).", True),
    case("comment-after", "p(a). % p(b).", True),
    case("blanks", " \t p \f( a ,b\t)\tfrom\t2014 @ s \t.\r", True),
    case("blank-line", "   ", True),
    case("comment-line", "% p(a", True),
    case("variable", "p(X).", False),
    case("bad-escape", r'p("a\qb").', False),
    case("surrogate-escape", r'p("\u{D800}").', False),
    case("open-string", 'p("a).', False),
    case("decimal", "p(1.5).", False),
    case("invalid-date", "p(a) from 2014-13.", False),
    case("year-zero", "p(a) from 0000.", False),
    case("integer-after-from", "p(a) from 201.", False),
    case("empty-interval", "p(a) from 2015 to 2014.", False),
    case("from-twice", "p(a) from 2014 from 2015.", False),
    case("empty-arguments", "p().", False),
    case("unicode-name", "café(a).", False),
    case("no-period", "p(a)", False),
    case("rule", "p(a) :- q(a).", False),
    case("declaration", 'source s {title: "t"}.', False),
    case("query", "p(a)?", False),
    case("nbsp", "p(a)\u00a0.", False),
    case("too-many-digits", "p(" + "9" * 4301 + ").", False),
    case("most-digits", "p(-" + "9" * 4300 + ").", True),
]


@pytest.mark.parametrize("line, fast", LINES)
def test_a_line_takes_the_fast_path_only_when_plain_and_agrees_either_way(line, fast):
    assert (fact_line(line, 0, "kb/f.dl") is not None) == fast
    assert_same(line)
    assert_same(line + "\nq(b).\r\n  r(c) @s.")


TEXTS = [
    case("rule-ending-with-a-fact-like-line", "p(X) :-\n  q(a).\nr(b).", True),
    case("fact-across-lines", "p(a,\n  b) @s.\nq(c).\n", True),
    case("declaration-then-facts", 'source s {title: "t",\n date: 2014}.\np(a) @s.\n', True),
    case("comment-inside-a-rule", "p(X) :- % why\n  q(X).\nr(a).", True),
    case("error-then-facts", "p(a\nq(b).\nr(c).\n", False),
    case("facts-then-error", "q(b).\nr(c).\np(a) from 2015 to 2014.\n", False),
    case("open-string-then-facts", 'p("a).\nq(b).\n', False),
    case("crlf", "p(a).\r\n\r\np(X) :- q(X).\r\nq(b).\r\n", True),
]


@pytest.mark.parametrize("text, valid", TEXTS)
def test_runs_of_other_lines_are_read_by_the_parser_in_place(text, valid):
    result = assert_same(text)
    assert (result[0] != "error") == valid


def test_a_fact_line_has_the_parsers_values_and_spans():
    (fact,) = fact_line('  p(x, "é", -3, 2014-06) from 2013 @s.  % c', 4, "kb/a.dl")
    assert fact.atom.args[1].value == String("é") and fact.atom.args[2].value == Integer(-3)
    assert fact.atom.args[3].value == Date(2014, 6) and fact.valid_from == Date(2013)
    assert fact.atom.args[0].value == Symbol("x") and fact.sources == ("s",)
    span = fact.span
    assert (span.file, span.line, span.col, span.end_col) == ("kb/a.dl", 5, 3, 39)
    assert (fact.atom.span.col, fact.atom.span.end_col) == (3, 25)
    assert span.text == '  p(x, "é", -3, 2014-06) from 2013 @s.  % c'


def test_errors_after_many_facts_keep_their_place():
    text = "p(a).\n" * 1000 + "p(a) :- .\n" + "q(b).\n" * 1000
    with pytest.raises(ParseError) as caught:
        parse_program(text, "kb/big.dl")
    (diagnostic,) = caught.value.diagnostics
    assert str(diagnostic.span) == "kb/big.dl:1001:9"


def test_scan_numbers_lines_from_the_first_line_given():
    tokens, _ = scan("\np(a).", "kb/a.dl", first_line=7)
    assert [t.span.line for t in tokens] == [8] * 5 + [8]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_while_parsing_and_restored_even_on_errors(enabled):
    (gc.enable if enabled else gc.disable)()
    try:
        with paused_gc():
            assert not gc.isenabled()
        with pytest.raises(ParseError):
            parse_program("p(a) :- .")
        assert gc.isenabled() == enabled
    finally:
        gc.enable()
