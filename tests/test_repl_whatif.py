"""The REPL's what-if commands, driven through the command layer (`execute`).

A small case written inline for the layer (`.assume`, `.layer`, `.drop`), flips and sources;
the article's knowledge base (kb/) for the competing hypotheses and the help's examples, with
small bounds. Every flip set the REPL prints is checked by assuming it at the prompt.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from allegiance.repl.commands import COMMANDS, execute, help_text
from allegiance.repl.session import Session
from allegiance.repl.shell import toolbar_text
from whatif_case import KB as BASE
from whatif_case import SCHEMA

ROOT = Path(__file__).resolve().parent.parent
KB = "% A small case for the what-if commands.\n" + BASE + "rival(A, B) :- group(A), group(B), A != B, not ally(A, B).\n"
DAY = datetime.date(2014, 11, 1)
WHATIF_COMMANDS = ("assume", "layer", "drop", "flip", "critical", "sensitivity", "ach", "indicators")


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


@pytest.fixture(scope="module")
def article():
    s = Session.open([str(ROOT / "kb")], as_of=datetime.date(2014, 11, 15))
    yield s
    s.close()


def answers(session) -> list[tuple[str, str]]:
    """Every answer the session gives to a fixed list of questions, commands and explanations."""
    lines = ["group(X)?", "ally(X, Y)?", "rival(X, Y)?", "pledged(X, Y)?", "hostile(X, Y)?",
             "why ally(green, blue)?", "why not ally(RF, BB)?", ".facts pledged", ".sources ally(red, blue)"]
    return [(r.status, r.text) for r in (execute(session, line) for line in lines)]


# -- the layer -----------------------------------------------------------------------------------
def test_assume_shows_the_diff_and_drop_restores_every_answer_exactly(session, kb_file):
    before, facts, text = answers(session), session.kb.facts(), kb_file.read_bytes()
    result = execute(session, ".assume not hostile(green, blue). pledged(green, RF).")
    assert result.status == "ok"
    assert result.text.splitlines()[:3] == ["assuming:", "  + pledged(green, red)  [pledged(green, red)]",
                                            "  − hostile(green, blue)  [hostile(green, blue)] [s2]"]
    assert "4 conclusions gained, 4 lost, 2 unchanged." in result.text
    assert "  + green and BB are allies  [ally(green, blue)]" in result.text
    assert "  − rival(green, red)  [rival(green, red)]" in result.text
    assert session.kb.facts() == facts and session.unsaved == 0  # the real state is untouched
    within = answers(session)
    assert within != before
    assert all(text.startswith("% within the what-if layer") for _, text in within)
    assert execute(session, "ally(green, blue)?").status == "ok"
    assert execute(session, ".drop").text == "dropped the what-if layer (1 assumed, 1 withdrawn): every answer is as before."
    assert answers(session) == before
    assert session.kb.facts() == facts and kb_file.read_bytes() == text


def test_the_layer_is_shown_extended_and_cancelled(session):
    assert execute(session, ".layer").text == "no what-if layer is open: `.assume FACT.` opens one."
    execute(session, ".assume group(black).")
    execute(session, ".assume retract pledged(red, blue).")
    shown = execute(session, ".layer").text
    assert shown.splitlines()[:3] == [
        "what-if layer (1 assumed, 1 withdrawn):",
        "  + black is an armed group  [group(black)]",
        "  − pledged(red, blue)  [pledged(red, blue)] [s1]"]
    execute(session, ".assume not group(black).")  # undoes the earlier assumption
    assert execute(session, ".layer").text.splitlines()[1] == "  − pledged(red, blue)  [pledged(red, blue)] [s1]"
    assert execute(session, "ally(red, blue)?").status == "no"
    execute(session, ".assume pledged(red, blue) @s1.")  # stated again, after the withdrawal
    assert execute(session, "ally(red, blue)?").status == "ok"
    assert execute(session, ".drop").status == "ok" and execute(session, ".drop").status == "no"
    execute(session, ".assume group(black).")
    execute(session, ".assume not group(black).")  # withdraws what is not stated: nothing left
    assert session.layer is None


def test_a_request_that_changes_nothing_is_not_kept(session):
    result = execute(session, ".assume group(red) @s1. not hostile(red, blue).")
    assert result.status == "no" and "0 conclusions gained, 0 lost" in result.text
    assert result.text.count("(already as asked: nothing changed)") == 2
    assert session.layer is None


def test_facts_are_refused_and_save_leaves_the_layer_out_while_it_is_open(session, kb_file):
    execute(session, ".assume group(black).")
    refused = execute(session, "group(white).")
    assert refused.failed and "`.drop` drops it" in refused.text
    assert execute(session, "retract group(red).").failed and session.unsaved == 0
    saved = execute(session, ".save")
    assert "nothing to save" in saved.text
    assert "the what-if layer (1 assumed, 0 withdrawn) is hypothetical and never saved" in saved.text
    assert "black" not in kb_file.read_text(encoding="utf-8")
    execute(session, ".drop")
    assert execute(session, "group(white).").text == "asserted group(white)."


def test_the_toolbar_shows_the_layer(session):
    assert "what-if" not in toolbar_text(session)
    execute(session, ".assume group(black). not pledged(red, blue).")
    assert toolbar_text(session).endswith(" · what-if: 1 assumed, 1 withdrawn")
    execute(session, ".drop")
    assert "what-if" not in toolbar_text(session)


BAD = [
    ("nothing", ".assume", "needs facts"),
    ("unfinished", ".assume group(black)", "takes facts ending with `.`"),
    ("question", ".assume group(black)?", "takes facts ending with `.`"),
    ("not-ground", ".assume group(X).", "must be ground"),
    ("ach-one-group", ".ach RF", "takes two groups"),
    ("flip-open-goal", ".flip ally(X, blue)", "expected one ground atom"),
    ("flip-no-goal", ".flip size=2", "needs a goal"),
    ("flip-bad-size", ".flip ally(red, blue) size=0", "takes a positive number"),
    ("flip-bad-fix", ".flip ally(red, blue) fix=nosuch/1", "unknown predicate"),
    ("critical-failing", ".critical ally(green, blue)", "does not hold"),
    ("unknown-source", ".sensitivity s9", "not declared"),
    ("no-hypotheses", ".ach red blue", "defines no `hypothesis/3`"),
]


@pytest.mark.parametrize("line, message", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_errors_are_reported_not_raised(session, line, message):
    result = execute(session, line)
    assert result.failed and message in result.text
    assert session.layer is None


# -- flips and sources ---------------------------------------------------------------------------
def test_every_flip_set_shown_really_flips_the_verdict(session):
    execute(session, ".format json")
    for goal in ("ally(green, blue)", "ally(red, blue)", "rival(red, green)"):
        holds = execute(session, f"{goal}?").status == "ok"
        doc = json.loads(execute(session, f".flip {goal} size=2 fix=").text)
        assert doc["schema"] == "allegiance/flip" and doc["holds"] == holds and doc["fixed"] == []
        assert doc["sets"], goal
        for changes in doc["sets"]:
            facts = " ".join(("" if c["change"] == "add" else "not ") + c["atom"]["text"] + "." for c in changes)
            execute(session, f".assume {facts}")
            assert (execute(session, f"{goal}?").status == "ok") != holds, facts
            execute(session, ".drop")
        assert (execute(session, f"{goal}?").status == "ok") == holds


def test_flip_states_its_bound_and_the_fixed_predicates(session):
    text = execute(session, ".flip ally(green, blue) size=1 checks=1").text
    assert "none of at most 1 change." in text
    assert "0 sets found, 1 set assumed; the search was bounded: stopped after assuming 1 sets." in text
    assert "fixed (never changed): group/1, alias/2;" in text  # the type predicates, by default
    text = execute(session, ".flip ally(green, blue) size=1 fix=hostile").text
    assert "1.  + pledged(blue, green)" in text and "fixed (never changed): hostile/2;" in text
    critical = execute(session, ".critical ally(red, blue)").text
    assert "1.  − pledged(red, blue)  [pledged(red, blue)]" in critical


def test_flip_answers_within_the_layer(session):
    execute(session, ".assume not hostile(green, blue).")
    text = execute(session, ".flip ally(green, blue) size=1").text
    assert text.startswith("% within the what-if layer") and "ally(green, blue) holds" in text


def test_sensitivity_of_one_source_and_of_every_source(session):
    one = execute(session, ".sensitivity @s2")
    assert one.status == "ok"
    assert "2 statements cite [s2] and no other source: withdrawn." in one.text
    assert "1 statement also cite another source ([s1]): they stay." in one.text
    assert "    + green and BB are allies  [ally(green, blue)]" in one.text
    every = execute(session, ".sensitivity").text.splitlines()
    assert every[1:3] == ["  [s1]: 5 withdrawn, 1 kept; 6 lost, 0 gained (rival/2 −4 +0; ally/2 −2 +0)",
                          "  [s2]: 2 withdrawn, 1 kept; 4 lost, 2 gained (rival/2 −4 +0; ally/2 −0 +2)"]
    carried = execute(session, ".sensitivity s2 carriers=s1").text
    assert "cite [s2] or [s1] and no other source" in carried


def test_json_documents_name_their_schema_and_are_valid(session):
    validator = Draft202012Validator(SCHEMA)
    execute(session, ".format json")
    docs = {line: json.loads(execute(session, line).text) for line in
            (".assume not hostile(green, blue).", ".layer", ".sensitivity", ".sensitivity s1")}
    assert [d["schema"] for d in docs.values()] == ["allegiance/whatif", "allegiance/layer",
                                                   "allegiance/sensitivities", "allegiance/sensitivity"]
    assert docs[".layer"]["withdrawn"][0]["fact"] == "hostile(green, blue) @s2."
    for doc in docs.values():
        validator.validate(doc)
    assert {a["text"] for a in docs[".assume not hostile(green, blue)."]["gained"]} >= {"ally(green, blue)"}
    assert json.loads(execute(session, "ally(green, blue)?").text)["holds"]  # json: no note line


# -- competing hypotheses on the article's knowledge base -----------------------------------------
def test_ach_shows_the_favoured_hypothesis_and_how_to_trace_it(article):
    result = execute(article, ".ach JN IS")
    assert result.status == "ok"
    assert "favoured: local cooperation only." in result.text
    assert "favoured: disinformation by interested sources." in result.text
    assert "1. H2 local cooperation only (0.20: 2.12 of 10.83 against)" in result.text
    assert "`why inconsistent(" in result.text and "`why low_credibility(" in result.text
    execute(article, ".format json")
    try:
        doc = json.loads(execute(article, ".ach jn is").text)
    finally:
        execute(article, ".format tree")
    Draft202012Validator(SCHEMA).validate(doc)
    assert [h["value"] for h in doc["favoured"]] == ["local_cooperation_only"]
    assert len(doc["items"][0]["members"]) == 4  # the Daily Beast and AP: one origin, one row
    cell = doc["items"][0]["cells"][0]
    assert execute(article, f"why {cell['why']}?").status == "ok"  # every cell is explained by `why`


def test_indicators_with_small_bounds(article):
    text = execute(article, ".indicators JN IS size=1 checks=12").text
    assert "local cooperation only: now borne out, score 0.20, rank 1." in text
    assert "sets of more than 1 changes were not searched" in text
    execute(article, ".format json")
    try:
        doc = json.loads(execute(article, ".indicators JN IS size=1 checks=12").text)
    finally:
        execute(article, ".format tree")
    Draft202012Validator(SCHEMA).validate(doc)
    assert doc["schema"] == "allegiance/indicators" and len(doc["hypotheses"]) == 6


# -- help ----------------------------------------------------------------------------------------
def test_help_lists_the_new_commands_with_examples():
    text, empty = help_text(), Session.empty()
    try:
        for name in WHATIF_COMMANDS:
            entry = COMMANDS[name]
            assert f"  .{name}" in text and entry.example.startswith(f".{name}")
            assert f"example: {entry.example}" in execute(empty, f".help {name}").text
    finally:
        empty.close()


def test_every_example_runs_on_the_article(article):
    for name in WHATIF_COMMANDS:
        result = execute(article, COMMANDS[name].example)
        assert not result.failed, (name, result.text)
    assert article.layer is None  # `.drop` came after `.assume`


def readme_transcript() -> list[tuple[str, list[str]]]:
    """The statements of the README's "What if?" transcript, each with the reply shown."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## What if?", 1)[1]
    block = re.search(r"^```\n(.*?)^```", section, re.S | re.M).group(1)
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("?- "):
            steps.append((line[3:], []))
        else:
            steps[-1][1].append(line)
    return steps


def test_the_readme_transcript_is_what_the_repl_says(article):
    """Docs are tests: a line `…` in the README stands for any lines of the reply."""
    steps = readme_transcript()
    assert len(steps) >= 5
    for line, shown in steps:
        pattern = "".join(r"(?:[^\n]*\n)*?" if s.strip() == "…" else re.escape(s) + "\n" for s in shown)
        reply = execute(article, line).text + "\n"
        assert re.fullmatch(pattern, reply), (line, reply)
    assert article.layer is None
