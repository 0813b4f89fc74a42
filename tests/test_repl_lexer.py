"""The Pygments lexer, as a plain object: token lists for typical input, and two properties:
its tokens always add up to the input, and it never raises."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import (Comment, Error, Keyword, Name, Number, Operator, Punctuation, String,
                            Text, Whitespace)

from allegiance.repl.lexer import AllegianceLexer


def tokens(text: str) -> list[tuple[object, str]]:
    """The (type, text) pairs of `text`, whitespace left out."""
    return [(t, v) for _, t, v in AllegianceLexer().get_tokens_unprocessed(text) if t is not Whitespace]


CASES = [
    ("query", "alliance(JN, IS)?", [
        (Name.Function, "alliance"), (Punctuation, "("), (Name.Variable, "JN"), (Punctuation, ","),
        (Name.Variable, "IS"), (Punctuation, ")"), (Punctuation, "?")]),
    ("why-not", "why not rift(a, b)?", [
        (Keyword, "why"), (Keyword, "not"), (Name.Function, "rift"), (Punctuation, "("),
        (Name.Constant, "a"), (Punctuation, ","), (Name.Constant, "b"), (Punctuation, ")"),
        (Punctuation, "?")]),
    ("retract", "retract p(a).", [
        (Keyword, "retract"), (Name.Function, "p"), (Punctuation, "("), (Name.Constant, "a"),
        (Punctuation, ")"), (Punctuation, ".")]),
    ("fact", 'refers_to(a, b, "ad-dawla") from 2013-04 @tamimi_2014.', [
        (Name.Function, "refers_to"), (Punctuation, "("), (Name.Constant, "a"), (Punctuation, ","),
        (Name.Constant, "b"), (Punctuation, ","), (String.Double, '"ad-dawla"'), (Punctuation, ")"),
        (Keyword, "from"), (Number.Other, "2013-04"), (Name.Label, "@"), (Name.Label, "tamimi_2014"),
        (Punctuation, ".")]),
    ("rule", "q(X) :- p(X, 3), X != a. % why", [
        (Name.Function, "q"), (Punctuation, "("), (Name.Variable, "X"), (Punctuation, ")"),
        (Operator, ":-"), (Name.Function, "p"), (Punctuation, "("), (Name.Variable, "X"),
        (Punctuation, ","), (Number.Integer, "3"), (Punctuation, ")"), (Punctuation, ","),
        (Name.Variable, "X"), (Operator, "!="), (Name.Constant, "a"), (Punctuation, "."),
        (Comment.Single, "% why")]),
    ("declaration", 'source s {title: "T"}.', [
        (Keyword.Declaration, "source"), (Name.Constant, "s"), (Punctuation, "{"),
        (Name.Attribute, "title"), (Punctuation, ":"), (String.Double, '"T"'), (Punctuation, "}"),
        (Punctuation, ".")]),
    ("command", ".load kb/rules", [(Keyword.Pseudo, ".load"), (Text, " kb/rules")]),
    ("command-after-statement", "p(a).\n  .undo", [
        (Name.Function, "p"), (Punctuation, "("), (Name.Constant, "a"), (Punctuation, ")"),
        (Punctuation, "."), (Keyword.Pseudo, ".undo")]),
    ("not-a-command", "p(a)\n.", [
        (Name.Function, "p"), (Punctuation, "("), (Name.Constant, "a"), (Punctuation, ")"),
        (Punctuation, ".")]),
    ("errors", "p('x') & q", [
        (Name.Function, "p"), (Punctuation, "("), (Error, "'x'"), (Punctuation, ")"), (Error, "&"),
        (Name.Constant, "q")]),
    ("why-as-a-name", "why(X)?", [
        (Name.Function, "why"), (Punctuation, "("), (Name.Variable, "X"), (Punctuation, ")"),
        (Punctuation, "?")]),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_tokens(text, expected):
    assert tokens(text) == expected


@given(st.text(max_size=80))
def test_tokens_add_up_to_the_input_and_never_raise(text):
    pieces = list(AllegianceLexer().get_tokens_unprocessed(text))
    assert "".join(v for _, _, v in pieces) == text
    offsets = [i for i, _, _ in pieces]
    assert offsets == sorted(offsets) and all(text[i:].startswith(v) for i, _, v in pieces)


@given(st.lists(st.sampled_from(["p(a", ")", ".", "?", "\n", " ", ".load x", "why ", "not ", '"s', '"',
                                 "% c", "X", ",", ":-", "2014-01", "@s", "é"]), max_size=25).map("".join))
def test_tokens_add_up_on_language_like_input(text):
    assert "".join(v for _, _, v in AllegianceLexer().get_tokens_unprocessed(text)) == text


def test_the_lexer_is_found_by_name_and_file_name():
    assert isinstance(get_lexer_by_name("allegiance"), AllegianceLexer)
    assert isinstance(get_lexer_for_filename("rift.dl"), AllegianceLexer)


def test_arithmetic_and_aggregates_are_highlighted():
    from pygments.token import Keyword, Operator

    from allegiance.repl.lexer import AllegianceLexer

    tokens = [(t, v) for t, v in AllegianceLexer().get_tokens("p(N) :- q(X), N = count : { r(X, _) }, Y = N % 2 * -X.")]
    assert (Keyword, "count") in tokens
    assert {v for t, v in tokens if t is Operator} >= {"=", "%", "*", "-"}
