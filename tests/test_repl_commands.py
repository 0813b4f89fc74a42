"""The REPL's command layer, driven directly: one function from typed text to a Result.

KBs are written inline. Every test builds its own session (each has its own evaluator thread).
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allegiance.repl import commands as commands_module
from allegiance.repl.commands import COMMANDS, STATEMENTS, commands, execute, help_text
from allegiance.repl.session import Session

KB = """\
% A tiny case for the REPL tests.
source s1 {title: "First report", author: "A. Writer", date: 2014-11}.
source s2 {title: "Second report"}.
predicate group(G) {doc: "G is an armed group", holds: "{G} is an armed group"}.
predicate ally(A, B) {doc: "A and B are allies", holds: "{A} and {B} are allies", fails: "{A} and {B} are not allies"}.

group(red) @s1.
group(blue) @s1.
group(green) @s2.
alias(red, "RF") @s1.
alias(blue, "BB") @s1.
pledged(red, blue) from 2014-01 @s1.
hostile(green, blue) @s1.
said(red, "hello") @s1.
said(red, "hello") @s2.

ally(A, B) :- pledged(A, B), not hostile(A, B).
ally(A, B) :- pledged(B, A), not hostile(A, B).
top(X) :- l1(X).
l1(X) :- l2(X).
l2(X) :- l3(X).
l3(X) :- l4(X).
l4(X) :- l5(X).
l5(X) :- group(X).
"""
DAY = datetime.date(2014, 11, 1)


@pytest.fixture
def kb_file(tmp_path) -> Path:
    path = tmp_path / "case.dl"
    path.write_text(KB, encoding="utf-8")
    return path


@pytest.fixture
def session(kb_file):
    s = Session.open([str(kb_file)], as_of=DAY)
    yield s
    s.close()


def run(session, *lines):
    """The results of several lines typed one after the other."""
    return [execute(session, line) for line in lines]


# -- statements ------------------------------------------------------------------------------
ANSWERS = [
    ("bindings", "group(X)?", "ok", "X = blue.\nX = green.\nX = red.\n3 answers."),
    ("no", "ally(green, blue)?", "no", "no."),
    ("yes-with-alias", "ally(RF, BB)?", "ok", "% RF is red\n% BB is blue\nyes."),
    ("multi-line", "ally(X,\n     Y)?", "ok", "X = blue, Y = red.\nX = red, Y = blue.\n2 answers."),
    ("comment-after", "group(red)? % is it?", "ok", "yes."),
]


@pytest.mark.parametrize("line, status, expected", [c[1:] for c in ANSWERS], ids=[c[0] for c in ANSWERS])
def test_questions_are_answered_one_binding_per_line_then_a_footer(session, line, status, expected):
    result = execute(session, line)
    assert (result.status, result.text) == (status, expected)


def test_long_answer_lists_are_capped_honestly(session):
    session.limit = 2
    assert execute(session, "group(X)?").text.splitlines()[-1] == "2 of 3 answers shown."


def test_why_works_as_typed_and_shows_the_alias_resolution_once(session):
    result = execute(session, "why ally(RF, BB)?")
    assert result.status == "ok"
    assert result.text.startswith("% RF is red\n% BB is blue\n")
    assert result.text.count("RF is red") == 1
    assert "RF and BB are allies" in result.text


def test_why_not_is_the_refutation_view(session):
    result = execute(session, "why not ally(green, BB)?")
    assert result.status == "no"
    assert "green and BB are not allies" in result.text
    assert execute(session, "why ally(green, BB)?").text == result.text


def test_why_explains_one_atom_only(session):
    result = execute(session, "why group(X), group(Y)?")
    assert result.failed and "explains one atom" in result.text


@pytest.mark.parametrize("fmt, marker", [("prose", "As of 2014-11-01"), ("json", '"schema": "allegiance/explanation"'),
                                         ("dot", "digraph why"), ("tree", "✓ [1]")])
def test_format_changes_how_why_is_shown(session, fmt, marker):
    assert execute(session, f".format {fmt}").text == f"format {fmt}."
    assert marker in execute(session, "why ally(RF, BB)?").text


def test_json_format_applies_to_answers_too(session):
    execute(session, ".format json")
    assert '"schema": "allegiance/answer"' in execute(session, "group(X)?").text


CHANGES = [
    ("assert", ["group(black)."], "asserted group(black)."),
    ("already", ["group(red) @s1."], "already stated: group(red) @s1."),
    ("retract", ["retract hostile(green, blue)."], "retracted hostile(green, blue) @s1."),
    ("retract-all", ["retract said(red, \"hello\")."],
     'retracted said(red, "hello") @s1.\nretracted said(red, "hello") @s2.'),
    ("no-such", ["retract group(black)."], "no such fact: group(black)."),
    ("undo", ["group(black).", ".undo"], "undone: asserted group(black)."),
    ("redo", ["group(black).", ".undo", ".redo"], "redone: asserted group(black)."),
    ("nothing-to-undo", [".undo"], "nothing to undo."),
]


@pytest.mark.parametrize("lines, echo", [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES])
def test_changes_echo_what_changed(session, lines, echo):
    assert run(session, *lines)[-1].text == echo


def test_undo_and_redo_change_the_answers(session):
    run(session, "retract hostile(green, blue).", "pledged(green, blue).")
    assert execute(session, "ally(green, blue)?").text == "yes."
    run(session, ".undo")
    assert execute(session, "ally(green, blue)?").text == "no."
    run(session, ".undo")
    assert session.unsaved == 0
    run(session, ".redo", ".redo")
    assert execute(session, "ally(green, blue)?").text == "yes."
    assert session.unsaved == 2


def test_undoing_an_assert_never_removes_other_statements_of_the_tuple(session):
    run(session, "group(red).", ".undo")
    assert execute(session, ".facts group").text.startswith("group(red) @s1.")


def test_rules_are_not_added_at_the_prompt(session):
    result = execute(session, "p(X) :- group(X).")
    assert result.failed and "`.load` it" in result.text


# -- errors ----------------------------------------------------------------------------------
ERRORS = [
    ("syntax", "group(X Y)?", "<input>:1:9: error", "group(X Y)?\n  |         ^"),
    ("unknown", "gruop(X)?", "unknown predicate `gruop/1`", "did you mean `group/1`?"),
    ("arity", "ally(X)?", "`ally/2` takes 2 arguments, found 1", "^~~~~~~"),
    ("second-line", "ally(X,\n  Y Z)?", "<input>:2:5: error", "2 |   Y Z)?"),
    ("after-keyword", "why gruop(X)?", "<input>:1:5: error", "why gruop(X)?"),
    ("unfinished", "group(X)", "unfinished statement", "end a question with `?`"),
    ("bare-command", "quit", "unfinished statement", "commands start with a dot: `.quit`"),
    ("unknown-command", ".lod kb", "unknown command `.lod`", "did you mean `.load`?"),
    ("bad-date", ".asof 2014-13", "month 13", "`.asof`"),
    ("bad-format", ".format html", "unknown format `html`", "tree, prose, json, dot"),
]


@pytest.mark.parametrize("line, first, second", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_errors_are_printed_positioned_and_the_session_goes_on(session, line, first, second):
    result = execute(session, line)
    assert result.failed
    assert first in result.text and second in result.text
    assert execute(session, "group(red)?").text == "yes."


def test_several_statements_at_once_run_in_order(session):
    result = execute(session, "group(black). group(black)?\n.undo")
    assert result.text == "asserted group(black).\nyes.\nundone: asserted group(black)."


def test_an_internal_error_is_reported_and_the_session_survives(session, monkeypatch):
    def broken(session, arg):
        raise RuntimeError("boom")

    monkeypatch.setitem(COMMANDS, "timer", commands_module.Command("timer", "", "", ".timer", broken))
    result = execute(session, ".timer on")
    assert result.failed and "internal error: RuntimeError: boom" in result.text
    assert execute(session, "group(red)?").text == "yes."


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(text=st.lists(st.sampled_from(list("ab(X, Y)?.:-\"%@ \n\t{}!") + ["group", "ally", "why ", "not ",
                                                                          "retract ", "2014-01", "RF"]),
                     max_size=20).map("".join))
def test_no_input_breaks_the_session(session, text):
    result = execute(session, text)
    assert result.status in ("ok", "no", "error") and isinstance(result.text, str)
    assert "internal error" not in result.text


# -- commands --------------------------------------------------------------------------------
def test_help_lists_every_statement_and_command_from_the_table():
    text = help_text()
    for entry in commands():
        assert f".{entry.name}" in text
        assert entry.help and entry.example.startswith(f".{entry.name}")
    for syntax, _, _ in STATEMENTS:
        assert syntax in text


def test_help_of_one_command_gives_syntax_aliases_and_example(session):
    assert execute(session, ".help quit").text == (
        ".quit\n  leave (asks first when there are unsaved changes)\n  aliases: .exit, .q\n  example: .quit")
    assert execute(session, ".help .format").text.startswith(".format [tree|prose|json|dot]")
    assert execute(session, ".help nope").failed


def test_predicates_show_name_arity_kind_and_glossary(session):
    text = execute(session, ".predicates").text
    assert "ally/2     derived  A and B are allies" in text
    assert "group/1    base     G is an armed group" in text
    assert text.endswith("12 predicates.")
    assert execute(session, ".predicates l").text.splitlines()[0].startswith("l1/1")


def test_facts_and_rules_show_source_text_with_file_and_line(session, kb_file):
    facts = execute(session, ".facts group").text.splitlines()
    assert facts[0] == f"group(red) @s1.  % {kb_file}:7"
    assert facts[-1] == "3 facts."
    rules = execute(session, ".rules ally/2").text.splitlines()
    assert rules[0] == f"ally(A, B) :- pledged(A, B), not hostile(A, B).  % {kb_file}:17"
    assert "base predicate" in execute(session, ".rules group").text
    assert "did you mean `group`?" in execute(session, ".facts gruop").text
    run(session, "group(black).")
    assert execute(session, ".facts group").text.splitlines()[-2] == "group(black).  % asserted at the prompt"


def test_sources_lists_the_sources_a_proof_rests_on(session, kb_file):
    text = execute(session, ".sources ally(RF, BB)").text
    assert text.splitlines() == [
        "ally(RF, BB) rests on 1 fact citing 1 source:",
        "@s1  “First report”, A. Writer, 2014-11",
        f"  pledged(red, blue) from 2014-01 @s1.  % {kb_file}:12",
    ]
    assert execute(session, ".sources ally(green, BB)").status == "no"


def test_asof_moves_the_date_and_today_resets_it(session):
    assert execute(session, ".asof 2013-06").text == "as of 2013-06-01."
    assert execute(session, "ally(RF, BB)?").text.endswith("no.")
    assert execute(session, ".asof today").text.startswith("as of today (")
    assert execute(session, "ally(RF, BB)?").text.endswith("yes.")


def test_expand_opens_a_collapsed_sub_proof_of_the_last_why(session):
    tree = execute(session, "why top(red)?").text
    assert "(+2 steps: expand 5)" in tree
    expanded = execute(session, ".expand 5").text
    assert expanded.startswith("[5] in full:\n✓ [1] l4(red)") and "RF is an armed group" in expanded
    assert execute(session, ".expand 7").failed
    assert session.collapsed  # still there: `.expand` can open another


def test_timer_adds_the_time_taken(session):
    execute(session, ".timer on")
    assert execute(session, "group(red)?").text.splitlines()[-1].startswith("time: ")
    execute(session, ".timer off")
    assert execute(session, "group(red)?").text == "yes."


def test_loading_a_broken_file_changes_nothing(session, tmp_path):
    broken = tmp_path / "broken.dl"
    broken.write_text("group(purple) @s1.\nnot a fact\n", encoding="utf-8")
    before = session.counts()
    result = execute(session, f".load {broken}")
    assert result.failed and f"{broken}:" in result.text
    assert session.counts() == before and len(session.paths) == 1
    assert execute(session, "group(purple)?").text == "no."


def test_load_adds_files_and_keeps_the_unsaved_changes(session, tmp_path):
    more = tmp_path / "more.dl"
    more.write_text("group(purple) @s1.\n", encoding="utf-8")
    run(session, "group(black).")
    assert execute(session, f".load {more}").text.startswith(f"loaded {more}: 11 facts")
    assert execute(session, "group(X)?").text.endswith("5 answers.")
    assert session.unsaved == 1
    assert execute(session, ".reload").status == "ok" and session.unsaved == 1


def test_quit_asks_first_when_there_are_unsaved_changes(session):
    session.interactive = True
    assert execute(session, ".quit").status == "quit"
    run(session, "group(black).")
    first = execute(session, ".quit")
    assert first.status == "no" and "1 unsaved change" in first.text
    assert execute(session, ".exit").status == "quit"


# -- saving ----------------------------------------------------------------------------------
def test_save_writes_the_changes_back_and_reloads(session, kb_file):
    run(session, "group(black) @s2.", "retract hostile(green, blue).", "retract group(green).")
    result = execute(session, ".save")
    assert result.text == (f"saved 1 asserted fact to {kb_file}\n"
                           f"removed 2 retracted facts from {kb_file}.")
    text = kb_file.read_text(encoding="utf-8")
    assert "hostile(green" not in text and "group(green)" not in text
    assert text.endswith("group(black) @s2.\n")
    assert session.unsaved == 0
    assert execute(session, "group(X)?").text == "X = black.\nX = blue.\nX = red.\n3 answers."
    assert not [p for p in kb_file.parent.iterdir() if p.name.endswith(".tmp")]


def test_save_to_another_file_adds_it_to_the_session(session, kb_file, tmp_path):
    run(session, "group(black).")
    target = tmp_path / "mine.dl"
    assert execute(session, f".save {target}").status == "ok"
    assert target.read_text(encoding="utf-8").splitlines()[-1] == "group(black)."
    assert str(target) in session.paths and session.unsaved == 0
    assert "group(black)" not in kb_file.read_text(encoding="utf-8")


def test_a_failed_save_loses_nothing_and_says_so(session, kb_file, monkeypatch):
    run(session, "group(black).", "retract group(green).")
    before = kb_file.read_text(encoding="utf-8")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", refuse)
    result = execute(session, ".save")
    assert result.failed and "nothing was written" in result.text
    assert kb_file.read_text(encoding="utf-8") == before
    assert session.unsaved == 2
    assert not [p for p in kb_file.parent.iterdir() if p.name.endswith(".tmp")]


def test_save_needs_a_file_when_several_are_loaded(session, tmp_path):
    more = tmp_path / "more.dl"
    more.write_text("group(purple).\n", encoding="utf-8")
    run(session, f".load {more}", "group(black).")
    assert "name the file" in execute(session, ".save").text
    assert execute(session, ".save").failed


def test_nothing_to_save(session):
    assert execute(session, ".save").text == "nothing to save: the session has no unsaved changes."


# -- the budget --------------------------------------------------------------------------------
@pytest.mark.parametrize("module", sorted(p.name for p in (Path(__file__).parent.parent / "repl").glob("*.py")))
def test_repl_modules_stay_small(module):
    path = Path(__file__).parent.parent / "repl" / module
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300


def test_save_cuts_statements_out_wherever_they_stand(tmp_path):
    path = tmp_path / "case.dl"
    path.write_text("group(a).   group(b). % b stays\nsaid(a,\n  \"x\").\ngroup(c).\n", encoding="utf-8")
    s = Session.open([str(path)])
    try:
        run(s, "retract group(a).", 'retract said(a, "x").', "group(d).")
        assert execute(s, ".save").status == "ok"
        assert path.read_text(encoding="utf-8") == (
            "   group(b). % b stays\ngroup(c).\n\n% asserted at the allegiance prompt on "
            f"{datetime.date.today().isoformat()}\ngroup(d).\n")
    finally:
        s.close()


# -- where statements end ------------------------------------------------------------------------
SPLITS = [
    ("one", "p(a)?", [("p(a)?", 0, 0, "query")]),
    ("two-on-a-line", "p(a). why q(b)?", [("p(a).", 0, 0, "fact"), ("why q(b)?", 0, 6, "why")]),
    ("multi-line", "p(a,\n  b)?", [("p(a,\n  b)?", 0, 0, "query")]),
    ("command-between", "p(a).\n  .undo\nq(X)?", [("p(a).", 0, 0, "fact"), (".undo", 1, 2, "command"),
                                                 ("q(X)?", 2, 0, "query")]),
    ("terminator-in-string", 'p("a. b?")?', [('p("a. b?")?', 0, 0, "query")]),
    ("terminator-in-comment", "p(a) % ends?\n.", [("p(a) % ends?\n.", 0, 0, "fact")]),
    ("unfinished", "p(a). q(", [("p(a).", 0, 0, "fact"), ("q(", 0, 6, "unfinished")]),
    ("kinds", "why not p(a)? retract p(a). p(X) :- q(X).",
     [("why not p(a)?", 0, 0, "why_not"), ("retract p(a).", 0, 14, "retract"), ("p(X) :- q(X).", 0, 28, "rule")]),
    ("predicate-named-why", "why(X)?", [("why(X)?", 0, 0, "query")]),
    ("blank", "  % nothing\n\n", []),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in SPLITS], ids=[c[0] for c in SPLITS])
def test_statements_end_with_a_question_mark_or_a_dot(text, expected):
    from allegiance.repl.statements import split

    assert [(s.text, s.line, s.col, s.kind) for s in split(text)] == expected


def test_the_reader_places_each_statement_in_the_whole_input():
    from allegiance.repl.statements import Reader

    reader, found = Reader(), []
    for line in ["p(a). q(", "  b)?", "", ".undo", "r(X"]:
        found += reader.feed(line)
    found += reader.finish()
    assert [(s.text, s.line, s.col, s.kind) for s in found] == [
        ("p(a).", 0, 0, "fact"), ("q(\n  b)?", 0, 6, "query"), (".undo", 3, 0, "command"),
        ("r(X", 4, 0, "unfinished")]
