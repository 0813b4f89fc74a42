"""Editing aids as plain objects: the completer (`Document` + `CompleteEvent`) and the live
validator (`diagnose`, and `validate` raising at the right column)."""

from __future__ import annotations

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.validation import ValidationError

from allegiance.repl.completion import AllegianceCompleter
from allegiance.repl.session import Session
from allegiance.repl.validation import AllegianceValidator, diagnose, offset

KB = """\
predicate ally(A, B) {doc: "A and B are allies"}.
group(red). group(blue). group(green).
alias(red, "RF"). alias(blue, "BB"). alias(blue, "Blue Brigade").
pledged(red, blue).
ally(A, B) :- pledged(A, B).
"""


@pytest.fixture
def session(tmp_path):
    (tmp_path / "case.dl").write_text(KB, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "other.dl").write_text("", encoding="utf-8")
    s = Session.open([str(tmp_path / "case.dl")])
    yield s
    s.close()


def completions(session, text: str) -> list[tuple[str, int]]:
    found = AllegianceCompleter(session).get_completions(Document(text, len(text)), CompleteEvent())
    return [(c.text, c.start_position) for c in found]


CASES = [
    ("command", ".lo", [(".load", -3)]),
    ("command-alias", ".ex", [(".expand", -3), (".exit", -3)]),
    ("predicate-arg", ".facts al", [("alias/2", -2), ("ally/2", -2)]),
    ("format-arg", ".format p", [("prose", -1)]),
    ("timer-arg", ".timer o", [("on", -1), ("off", -1)]),
    ("help-arg", ".help lo", [("load", -2)]),
    ("predicate", "al", [("alias(", -2), ("ally(", -2)]),
    ("after-why", "why al", [("alias(", -2), ("ally(", -2)]),
    ("after-comma", "group(X), ple", [("pledged(", -3)]),
    ("keyword", "wh", [("why ", -2), ("why not ", -2)]),
    ("entity-in-position", "pledged(r", [("red", -1), ("RF", -1)]),
    ("entity-elsewhere", "pledged(X, g", [("green", -1)]),
    ("alias-any-case", "ally(b", [("blue", -1), ("BB", -1)]),
    ("alias-in-second-argument", "ally(X, r", [("red", -1), ("RF", -1)]),
    ("nothing-in-string", 'ally("r', []),
    ("nothing-in-comment", "ally(X) % r", []),
    ("nothing-after-value", "ally(red ", []),
    ("new-statement", "group(red). pl", [("pledged(", -2)]),
    ("goal-arg", ".sources al", [("alias(", -2), ("ally(", -2)]),
    ("aggregate", "group(X), N = co", [("count : { ", -2)]),
    ("aggregate-min-max", "N = m", [("min ", -1), ("max ", -1)]),
    ("inside-braces", "N = count : { ple", [("pledged(", -3)]),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_completions(session, text, expected):
    assert completions(session, text) == expected


def test_predicates_show_their_arity_and_glossary(session):
    found = list(AllegianceCompleter(session).get_completions(Document("all", 3), CompleteEvent()))
    assert [(c.display_text, c.display_meta_text) for c in found] == [("ally/2", "A and B are allies")]


def test_paths_are_completed_after_load(session, tmp_path):
    text = f".load {tmp_path}/o"
    assert completions(session, text) == [("ther.dl", 0)]
    assert ("ub", 0) in completions(session, f".load {tmp_path}/s")


def test_completion_follows_the_session(session, tmp_path):
    more = tmp_path / "more.dl"
    more.write_text("leader(x, red).\n", encoding="utf-8")
    session.load(session.paths + [str(more)])
    assert completions(session, "lea") == [("leader(", -3)]


# -- validation ------------------------------------------------------------------------------
PROBLEMS = [
    ("syntax", "ally(X Y)?", 7, "expected `)` or `,`"),
    ("unknown", "ally(X, Y), gruop(X)?", 12, "unknown predicate `gruop/1`"),
    ("arity", "ally(X)?", 0, "`ally/2` takes 2 arguments, found 1"),
    ("arity-while-typing", "ally(X, Y), group(a, b) ", 12, "`group/1` takes 1 argument, found 2"),
    ("unknown-while-typing-why", "why gruop(X)", 4, "unknown predicate `gruop/1`"),
    ("syntax-while-typing", "ally(X Y", 7, "expected `)` or `,`"),
    ("second-statement", "group(red).\n  group(X, Y)?", 14, "`group/1` takes 1 argument"),
    ("unknown-command", ".lod x", 0, "unknown command `.lod`"),
    ("rule", "p(X) :- group(X).", 0, "rules are not added at the prompt"),
    ("unknown-source", "group(black) @nowhere.", 13, "source `@nowhere` is not declared"),
    ("why-one-atom", "why group(X), group(Y)?", 4, "`why` explains one atom"),
]


@pytest.mark.parametrize("text, column, message", [c[1:] for c in PROBLEMS], ids=[c[0] for c in PROBLEMS])
def test_problems_are_found_before_enter_at_the_right_column(session, text, column, message):
    found = diagnose(session, text)
    assert found is not None and message in found.message
    assert offset(text, found) == column
    with pytest.raises(ValidationError) as raised:
        AllegianceValidator(session).validate(Document(text, len(text)))
    assert raised.value.cursor_position == column and message in raised.value.message


FINE = [
    ("query", "ally(RF, BB)?"),
    ("typing-an-atom", "ally(X, "),
    ("typing-a-fact", "group(black) from"),
    ("typing-a-string", 'said(red, "hel'),
    ("new-predicate-fact", "leader(x, red)."),
    ("new-predicate-while-typing", "leader(x, red)"),
    ("command-prefix", ".lo"),
    ("retract", "retract group(red)."),
    ("empty", ""),
    ("comment", "% nothing"),
    ("multi-line", "ally(X,\n  Y)?"),
]


@pytest.mark.parametrize("text", [c[1] for c in FINE], ids=[c[0] for c in FINE])
def test_what_would_run_is_never_rejected(session, text):
    assert diagnose(session, text) is None
