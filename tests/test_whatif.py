"""Hypothetical layers (`assume`, `diff`), and the golden cases of every what-if feature.

Properties over generated programs: inside a layer the answers are the oracle's for the edited
program, and after it every answer and every statement (in order) is as before, whether the
block ends normally, by an exception or by KeyboardInterrupt.

Golden cases are folders of tests/golden/whatif/: `commands`, `expected.txt`, and `kb.dl` (or
an empty file `uses-shipped-kb` for `kb/`). Each command starts a line, its options are the
indented lines after it, `%` starts a comment line; the day is 2014-11-15 unless `as-of DATE`:
    diff                      options `+ FACT`, `- FACT`, `on KEY...`, `explain GOAL`
    flip GOAL | critical GOAL options `max-size N`, `max-checks N`, `fixed KEY...`
    source SOURCE             options `carriers SOURCE...`, `on KEY...`
    ach GROUP OTHER | indicators GROUP OTHER (options as for flip)
Run with UPDATE_GOLDEN=1 to rewrite the expected files after a deliberate change.
"""

from __future__ import annotations

import datetime
import os
import signal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allegiance.whatif.ach import competing_hypotheses, indicators
from allegiance.whatif.flips import critical_premises, flip_sets
from allegiance.eval.kb import KnowledgeBase
from allegiance.render.text import summary
from allegiance.render.whatif.text import (diff_text, flips_text, indicators_text, matrix_text,
                                  sensitivity_text)
from allegiance.whatif.sensitivity import source_sensitivity
from allegiance.explain.sentences import Vocabulary
from allegiance.lang.syntax import Fact, Program
from allegiance.lang.values import Date
from allegiance.whatif.layers import _deferring_interrupts, assume, diff
from oracle import evaluate, predicate_keys
from strategies import as_of_dates, facts_of, programs

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "whatif"
DAY = datetime.date(2014, 11, 15)


# -- properties --------------------------------------------------------------------------------
def edited(program: Program, add, withdraw) -> Program:
    """`program` with `withdraw` withdrawn (a plain fact: every statement of it), then `add`."""
    statements = list(program.statements)
    for fact in withdraw:
        exact = fact.sources or fact.valid_from or fact.valid_to
        statements = [s for s in statements if not isinstance(s, Fact) or
                      (s != fact if exact else s.atom != fact.atom)]
    for fact in add:
        if fact not in statements:
            statements.append(fact)
    return Program(tuple(statements))


@st.composite
def layers(draw, program: Program):
    """Facts to add (over the program's predicates) and to withdraw (stated ones, exactly or
    plainly, and now and then one that is not stated)."""
    add = draw(st.lists(facts_of(program), max_size=3))
    stated = st.sampled_from(program.facts)
    withdraw = draw(st.lists(stated | stated.map(lambda f: Fact(f.atom)) | facts_of(program), max_size=3))
    return add, withdraw


def answers(kb, keys) -> dict:
    return {key: kb.relation(key) for key in keys}


@given(st.data())
def test_inside_a_layer_the_answers_are_those_of_the_edited_program(data):
    program = data.draw(programs())
    add, withdraw = data.draw(layers(program))
    day = data.draw(as_of_dates())
    with KnowledgeBase.from_program(program, as_of=day) as kb:
        keys = predicate_keys(program)
        before, statements = answers(kb, keys), kb.store.all_statements()
        with assume(kb, add, withdraw):
            inside = answers(kb, keys)
        expected = evaluate(edited(program, add, withdraw), day)
        assert inside == {k: expected.get(k, frozenset()) for k in keys}
        assert answers(kb, keys) == before
        after = kb.store.all_statements()
        assert len(after) == len(statements) and all(a is b for a, b in zip(after, statements))


@pytest.mark.parametrize("error", [ValueError, KeyboardInterrupt])
@given(st.data())
def test_a_layer_left_by_an_error_is_dropped_too(error, data):
    program = data.draw(programs(dated=False))
    add, withdraw = data.draw(layers(program))
    with KnowledgeBase.from_program(program, as_of=DAY) as kb:
        keys = predicate_keys(program)
        before, statements = answers(kb, keys), kb.store.all_statements()
        with pytest.raises(error), assume(kb, add, withdraw):
            answers(kb, keys)
            kb.set_as_of(datetime.date(2000, 1, 1))
            raise error
        assert kb.as_of == DAY
        assert answers(kb, keys) == before
        assert kb.store.all_statements() == statements


@given(st.data())
def test_a_diff_is_the_difference_of_the_oracles_answers(data):
    program = data.draw(programs(dated=False))
    add, withdraw = data.draw(layers(program))
    with KnowledgeBase.from_program(program, as_of=DAY) as kb:
        result = diff(kb, add, withdraw)
    derived = sorted({r.head.key for r in program.rules})
    old, new = evaluate(program, DAY), evaluate(edited(program, add, withdraw), DAY)
    rows = lambda atoms, key: {tuple(t.value for t in a.args) for a in atoms if a.key == key}
    for key in derived:
        assert rows(result.gained, key) == new.get(key, set()) - old[key]
        assert rows(result.lost, key) == old[key] - new.get(key, set())
        assert rows(result.unchanged, key) == old[key] & new.get(key, set())


# -- examples ----------------------------------------------------------------------------------
FIRST_ALIAS = """
alias(a, "Alpha"). alias(a, "A"). alias(b, "Beta").
p(a). q(X) :- p(X).
"""


def test_the_first_alias_stays_first_after_it_was_withdrawn():
    with KnowledgeBase.from_text(FIRST_ALIAS) as kb:
        with assume(kb, withdraw=['alias(a, "Alpha")']) as layer:
            assert Vocabulary.of(kb).name(layer.withdrawn[0].atom.args[0].value) == "A"
        assert Vocabulary.of(kb).name(layer.withdrawn[0].atom.args[0].value) == "Alpha"


def test_a_layer_names_entities_by_alias_and_reports_what_changed_nothing():
    with KnowledgeBase.from_text(FIRST_ALIAS) as kb:
        with assume(kb, add=["p(Beta)", "p(a)"], withdraw=["p(b)"]) as layer:
            assert kb.holds("q(b)?")
            assert [str(f.atom.args[0]) for f in layer.added] == ["b"]
            assert [str(f.atom.args[0]) for f in layer.ignored] == ["b", "a"]
        assert not kb.holds("q(b)?")


def test_an_interrupt_while_a_layer_is_dropped_waits_until_it_is_dropped():
    done = []

    def restore():
        os.kill(os.getpid(), signal.SIGINT)
        done.append(True)

    with pytest.raises(KeyboardInterrupt):
        _deferring_interrupts(restore)
    assert done == [True]


def test_changed_verdicts_are_explained_inside_the_layer():
    text = "a(c). b(c). p(X) :- a(X), not b(X). q(X) :- b(X)."
    with KnowledgeBase.from_text(text) as kb:
        result = diff(kb, withdraw=["b(c)"], explain_changes=True)
    assert result.conclusions == ("p/1", "q/1")
    assert [str(a.predicate) for a in result.gained] == ["p"]
    assert [str(a.predicate) for a in result.lost] == ["q"]
    assert [(e.goal.predicate, e.holds) for e in result.explanations] == [("p", True), ("q", False)]


def test_the_articles_rift_survives_jn_calling_is_by_its_own_name():
    with KnowledgeBase.from_paths([ROOT / "kb"], as_of=DAY) as kb:
        result = diff(kb, ['refers_to(JN, IS, "ad-dawla al-islamiya")'],
                      ['refers_to(JN, IS, "jamaat ad-dawla")'],
                      conclusions=["alliance/2", "rift/2", "refuses_recognition/3"],
                      goals=["alliance(JN, IS)"])
        assert {a.predicate for a in result.lost} == {"refuses_recognition"}
        assert not result.gained
        (expl,) = result.explanations
        # the charge, the zero-sum claim, and the rift JN inherits as al-Qa'ida's sworn branch
        assert not expl.holds and len(summary(expl, Vocabulary.of(kb))) == 3


# -- golden cases ------------------------------------------------------------------------------
def read_commands(text: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Commands `name argument` at the start of a line, each with indented option lines
    `option value`; `%` starts a comment line."""
    commands = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("%"):
            continue
        if line[0].isspace():
            option, _, value = line.strip().partition(" ")
            commands[-1][2].append((option, value.strip()))
        else:
            name, _, argument = line.partition(" ")
            commands.append((name, argument.strip(), []))
    return commands


def _values(options, name: str) -> list[str]:
    return [v for o, v in options if o == name]


def _words(options, name: str) -> list[str]:
    return [w for v in _values(options, name) for w in v.split()]


def _bounds(options) -> dict:
    bounds = {"fixed": _words(options, "fixed")}
    for option in ("max-size", "max-checks"):
        if _values(options, option):
            bounds[option.replace("-", "_")] = int(_values(options, option)[0])
    return bounds


def run_command(kb, vocab, name: str, argument: str, options) -> str:
    if name == "as-of":
        kb.set_as_of(Date.parse(argument).first_day())
        return f"as of {argument}"
    if name == "diff":
        result = diff(kb, _values(options, "+"), _values(options, "-"),
                      conclusions=_words(options, "on") or None, goals=_values(options, "explain"))
        return diff_text(result, vocab)
    if name in ("flip", "critical"):
        search = flip_sets if name == "flip" else critical_premises
        return flips_text(search(kb, argument, **_bounds(options)), vocab)
    if name == "source":
        result = source_sensitivity(kb, argument, carriers=_words(options, "carriers"),
                                    conclusions=_words(options, "on") or None)
        return sensitivity_text(result, vocab)
    if name in ("ach", "indicators"):
        matrix = competing_hypotheses(kb, *argument.split())
        if name == "ach":
            return matrix_text(matrix, vocab)
        return indicators_text(indicators(kb, matrix, **_bounds(options)), vocab)
    raise ValueError(f"unknown golden command `{name}`")


def run_case(folder: Path) -> str:
    paths = [ROOT / "kb"] if (folder / "uses-shipped-kb").exists() else sorted(folder.glob("*.dl"))
    out = []
    with KnowledgeBase.from_paths(paths, as_of=DAY) as kb:
        vocab = Vocabulary.of(kb)
        for name, argument, options in read_commands((folder / "commands").read_text(encoding="utf-8")):
            shown = "".join(f"\n   {o} {v}" for o, v in options)
            out += [f"?- {name}{' ' if argument else ''}{argument}{shown}", run_command(kb, vocab, name, argument, options), ""]
    return "\n".join(out).replace(str(ROOT) + os.sep, "")


CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir()) if GOLDEN.exists() else []


@pytest.mark.parametrize("case", CASES)
def test_golden_whatif(case, monkeypatch):
    folder = GOLDEN / case
    monkeypatch.chdir(ROOT)
    actual = run_case(folder)
    expected_file = folder / "expected.txt"
    if os.environ.get("UPDATE_GOLDEN") or not expected_file.exists():
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")
