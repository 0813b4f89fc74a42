"""Declared properties: the `property` directive, its checks, the checker and `allegiance test`.

The checker is tested by mutation: a bug is planted in a copy of the shipped rules, and the
property that should catch it must fail with a shrunk counterexample that, loaded beside the
mutated rules, reproduces the bug. The shipped knowledge base must pass its own properties.
"""

from __future__ import annotations

import datetime
import io
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allegiance.check.checks import check
from allegiance.lang.diagnostics import CheckError, ParseError
from allegiance.eval.kb import KnowledgeBase, read_program
from allegiance.check.kinds import Schema
from allegiance.lang.parse import parse_program
from allegiance.lang.printer import format_program
from allegiance.testing.checks import (ALONE, Evaluator, check_properties, explain_violation,
                                    reproduction)
from allegiance.testing.pytest_plugin import PropertiesFailed, assert_properties
from allegiance.render.properties import counterexample, failure_text, scene_files
from allegiance.testing.strategies import knowledge_bases
from allegiance.lang.syntax import Constant, PredicateRef, PropertyDecl
from allegiance.lang.values import Integer, String, Symbol
from allegiance.repl.cli import main

pytest_plugins = ["pytester"]
ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "kb" / "rules"
FILE = "kb/p.dl"
SHIPPED_EXAMPLES = max(10, settings().max_examples // 10)  # ci and dev: 10; long: 500
SMALL = """\
% a small knowledge base with its properties
predicate ally(A, B) {doc: "A and B are allies", holds: "{A} and {B} are allies",
    fails: "{A} and {B} are not allies"}.
friend(a, b).
foe(a, c).
ally(A, B) :- friend(A, B).
ally(A, B) :- friend(B, A).
enemy(A, B) :- foe(A, B).
enemy(A, B) :- foe(B, A).
property symmetric(ally/2).
property exclusive(ally/2, enemy/2).
"""


# -- the directive ------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    pytest.param("property symmetric(alliance/2).",
                 PropertyDecl("symmetric", (PredicateRef("alliance", 2),)), id="one-predicate"),
    pytest.param("property symmetric(alleged_allies/3, 2, 3).",
                 PropertyDecl("symmetric", (PredicateRef("alleged_allies", 3),
                                            Constant(Integer(2)), Constant(Integer(3)))),
                 id="positions"),
    pytest.param('property local(rift/2) {doc: "a rift is local"}.',
                 PropertyDecl("local", (PredicateRef("rift", 2),),
                              (("doc", String("a rift is local")),)), id="fields"),
    pytest.param("property vocabulary(state, caliphate).",
                 PropertyDecl("vocabulary", (Constant(Symbol("state")),
                                             Constant(Symbol("caliphate")))), id="words"),
])
def test_the_directive_parses_and_prints_back(text, expected):
    (decl,) = parse_program(text).statements
    assert decl == expected
    assert parse_program(format_program(parse_program(text))) == parse_program(text)


def test_property_is_a_keyword_only_at_the_start_of_a_statement():
    program = parse_program("property(x). p(property). property symmetric(p/1).")
    assert [type(s).__name__ for s in program.statements] == ["Fact", "Fact", "PropertyDecl"]


@pytest.mark.parametrize("text, where, message", [
    pytest.param("property symmetric.", "1:19", "expected `(` after property `symmetric`",
                 id="no-arguments"),
    pytest.param("property symmetric().", "1:20", "expected a predicate `name/arity`",
                 id="empty"),
    pytest.param("property symmetric(alliance/X).", "1:29", "expected an arity", id="arity"),
    pytest.param("property symmetric(X).", "1:20", "expected a predicate `name/arity`",
                 id="variable"),
    pytest.param("p(X) :- q(X) // a comment", "1:14", "`//` is not an operator", id="slashes"),
])
def test_malformed_directives_are_syntax_errors(text, where, message):
    with pytest.raises(ParseError) as caught:
        parse_program(text)
    first = caught.value.diagnostics[0]
    assert f"{first.span.line}:{first.span.col}" == where
    assert message in first.message


BASE = "p(a, b).\nq(a).\nr(X, Y) :- p(X, Y).\ns(X, Y) :- p(Y, X).\n"


@pytest.mark.parametrize("directive, where, message", [
    pytest.param("property symetric(r/2).", "5:10", "unknown property `symetric`", id="kind"),
    pytest.param("property symmetric(rr/2).", "5:20", "unknown predicate `rr/2`", id="predicate"),
    pytest.param("property symmetric(r/3).", "5:20", "`r` takes 2 arguments, not 3", id="arity"),
    pytest.param("property symmetric(q/1).", "5:20", "fewer than two arguments", id="unary"),
    pytest.param("property symmetric(r/2, 1, 3).", "5:28", "`3` is not an argument position",
                 id="position"),
    pytest.param("property symmetric(r/2, 1, 1).", "5:28", "swaps two different arguments",
                 id="same-position"),
    pytest.param("property symmetric(r/2, 1).", "5:25", "`symmetric` is written",
                 id="one-position"),
    pytest.param("property exclusive(r/2, q/1).", "5:25", "their arities differ", id="exclusive"),
    pytest.param("property exclusive(r/2).", "5:1", "`exclusive` is written", id="missing"),
    pytest.param("property never_creates(r/2, s/2).", "5:24", "`r/2` is derived",
                 id="derived-obstacle"),
    pytest.param("property vocabulary(r/2).", "5:21", "`vocabulary` is written", id="vocabulary"),
    pytest.param("property kinds(p/2, group).", "5:1", "names 1 kind for the 2 arguments",
                 id="kinds"),
    pytest.param('property local(r/2) {doc: 2014}.', "5:22", "must be a string", id="doc"),
])
def test_directives_are_checked_with_positions(directive, where, message):
    with pytest.raises(CheckError) as caught:
        check(parse_program(BASE + directive, FILE))
    first = caught.value.diagnostics[0]
    assert f"{first.span.line}:{first.span.col}" == where and first.code == "property"
    assert message in first.message


def test_well_formed_directives_pass_the_checks():
    directives = ("property symmetric(r/2). property symmetric(p/2, 2, 1). "
                  "property exclusive(r/2, s/2). property never_creates(p/2, r/2). "
                  "property vocabulary(a, \"x\"). property kinds(p/2, group, place).")
    assert check(parse_program(BASE + directives, FILE)).warnings == ()


# -- the checker, by mutation -------------------------------------------------------------------
ALLIANCE = ("alliance(A, B) :- grounds_for_alliance(A, B), not rift(A, B), not enmity(A, B), "
            "not at_war(A, B).")
MUTANTS = [
    pytest.param("alliance.dl", ALLIANCE, ALLIANCE[:-1] + ", A != islamic_state.",
                 "name_independent(alliance/2)", id="a-rule-names-a-group"),
    pytest.param("alliance.dl", ALLIANCE, ALLIANCE[:-1] + ", not pledged(A, B).",
                 "symmetric(alliance/2)", id="an-asymmetric-rule"),
    pytest.param("alliance.dl", ALLIANCE, ALLIANCE + "\nalliance(A, B) :- charges(A, B, _).",
                 "never_creates(charges/3, alliance/2)", id="an-obstacle-creates-an-alliance"),
    pytest.param("alliance.dl", ALLIANCE, "alliance(A, B) :- grounds_for_alliance(A, B).",
                 "exclusive(alliance/2, rift/2)", id="an-alliance-across-a-rift"),
    pytest.param("rift.dl", "rift(A, B) :- zero_sum(A, B), shared_ideology(A, B).",
                 "rift(A, B) :- zero_sum(A, B), shared_ideology(A, B).\n"
                 "rift(A, B) :- group(A), group(B), A != B, demands_allegiance_of_all(_).",
                 "local(rift/2)", id="a-rift-from-anyone's-claim"),
    pytest.param("rift.dl", "divided(A, B) :- zero_sum(A, B).",
                 "divided(A, B) :- zero_sum(A, B).\ndivided(A, B) :- pledged(A, B).\n"
                 "divided(A, B) :- pledged(B, A).",
                 "never_creates(pledged/2, divided/2)", id="a-pledge-divides"),
    pytest.param("alliance.dl", ALLIANCE, ALLIANCE.replace(", not at_war(A, B)", ""),
                 "exclusive(alliance/2, at_war/2)", id="an-alliance-in-open-war"),
    pytest.param("rift.dl", "enmity(A, B) :- divided(A, B), not shared_ideology(A, B).",
                 "enmity(A, B) :- divided(A, B).",
                 "exclusive(rift/2, enmity/2)", id="enmity-among-kin"),
]


@pytest.mark.parametrize("file, old, new, label", MUTANTS)
def test_a_planted_bug_breaks_its_property_with_a_shrunk_reproducible_counterexample(
        tmp_path, file, old, new, label):
    rules = _mutant(tmp_path, file, old, new)
    program = read_program([rules])
    report = check_properties(program, examples=200, derandomize=True,
                              select=lambda d: _label(d) == label)
    (outcome,) = report.outcomes
    violation = outcome.violation
    assert violation is not None, f"{label} did not catch the bug"
    assert outcome.mode == ALONE and len(violation.case.facts) <= 6  # shrunk: a handful
    how = reproduction([str(rules)], program)
    for title, facts, goals in scene_files(violation.scenes):
        text = "\n".join(counterexample(violation.decl, title, facts, how, ALONE, None, goals))
        assert f"allegiance --kb {rules} --kb counterexample.dl query" in text
        with KnowledgeBase.from_program(program + parse_program(text, "counterexample.dl")) as kb:
            for goal, holds in goals:
                assert kb.holds(f"{_atom_text(goal)}?") == holds, text
    report_text = failure_text(outcome, explain_violation(outcome, program), how)
    assert f"✗ {label} fails" in report_text and "why " in report_text


def test_the_unmutated_rules_pass_the_properties_the_mutants_break():
    labels = {m.values[3] for m in MUTANTS}
    report = check_properties(read_program([RULES]), examples=25, derandomize=True,
                              select=lambda d: _label(d) in labels)
    assert len(report.outcomes) == len(labels) and report.holds


def _mutant(tmp_path: Path, file: str, old: str, new: str) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    text = (rules / file).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (rules / file).write_text(text.replace(old, new), encoding="utf-8")
    return rules


def _label(decl) -> str:
    from allegiance.render.properties import property_label
    return property_label(decl)


def _atom_text(atom) -> str:
    from allegiance.lang.printer import format_atom
    return format_atom(atom)


# -- the shipped knowledge base -----------------------------------------------------------------
def test_the_shipped_knowledge_base_declares_every_kind_of_property():
    kinds = {d.kind for d in read_program([ROOT / "kb"]).properties}
    assert kinds >= {"symmetric", "exclusive", "name_independent", "local", "never_creates",
                     "never_removes", "vocabulary"}


def test_the_shipped_knowledge_base_passes_its_properties():
    assert assert_properties([str(ROOT / "kb")], examples=SHIPPED_EXAMPLES) > 0


CASES = sorted(p.name for p in (ROOT / "kb" / "cases").iterdir() if (p / "case.toml").is_file())


@pytest.mark.parametrize("case", [c for c in CASES if c != "jn_is_2014"])  # that one: above
def test_every_case_of_the_library_passes_the_properties(case):
    paths = [str(RULES), str(ROOT / "kb" / "cases" / case)]
    assert assert_properties(paths, examples=max(3, SHIPPED_EXAMPLES // 3)) > 0


# -- the evaluator reused across cases agrees with a fresh knowledge base -----------------------
SCHEMA = Schema.of(check(read_program([RULES])))


@settings(max_examples=10, deadline=None)
@given(st.lists(knowledge_bases(SCHEMA, max_facts=8), min_size=1, max_size=3))
def test_telling_and_retracting_cases_gives_the_answers_of_a_fresh_knowledge_base(programs):
    keys = ("alliance/2", "rift/2", "credible/1")
    day = datetime.date(2014, 11, 15)
    with Evaluator(SCHEMA.rules, day) as evaluator:
        for case in programs:
            reused = evaluator.relations(case.facts, keys)
            with KnowledgeBase.from_program(SCHEMA.rules + case, as_of=day) as fresh:
                assert reused == {k: fresh.relation(k) for k in keys}


# -- the command line and the pytest entry point --------------------------------------------------
def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_allegiance_test_says_all_properties_hold(tmp_path):
    (tmp_path / "small.dl").write_text(SMALL, encoding="utf-8")
    code, out, _ = run("--kb", str(tmp_path), "test", "--examples", "5", "--seed", "3")
    assert code == 0
    assert "✓ symmetric(ally/2) holds: 5 cases on the rules alone, 5 with the facts" in out
    assert out.rstrip().endswith("all properties hold (20 cases).")


def test_allegiance_test_prints_a_counterexample_that_loads_and_saves_it(tmp_path):
    kb = tmp_path / "small.dl"
    kb.write_text(SMALL.replace("ally(A, B) :- friend(B, A).\n", ""), encoding="utf-8")
    saved = tmp_path / "found"
    code, out, _ = run("--kb", str(kb), "test", "--examples", "20", "--save", str(saved))
    assert code == 1
    assert "✗ symmetric(ally/2) fails" in out and "why ally(" in out
    assert "1 of 2 properties fails" in out
    alone, with_facts = sorted(saved.iterdir())  # on the rules alone, and with the facts
    assert alone.name == "symmetric-ally-alone.dl" and with_facts.name == "symmetric-ally-facts.dl"
    text = alone.read_text(encoding="utf-8")
    assert "% the rules of" in text  # small.dl states facts: its rules are copied in
    KnowledgeBase.from_text(text).close()
    KnowledgeBase.from_program(read_program([kb, with_facts])).close()


@pytest.mark.parametrize("argv, code, expected", [
    pytest.param(("test", "--examples", "0"), 2, "at least one case", id="no-cases"),
    pytest.param(("--kb", "no/such/kb", "test"), 3, "no such file", id="load-error"),
])
def test_allegiance_test_usage_and_load_errors(argv, code, expected):
    found, out, err = run(*argv)
    assert found == code and expected in out + err


def test_allegiance_test_without_properties_says_so(tmp_path):
    (tmp_path / "plain.dl").write_text("p(a).\n", encoding="utf-8")
    code, out, _ = run("--kb", str(tmp_path), "test")
    assert code == 0 and "no properties are declared" in out


def test_assert_properties_raises_with_the_report(tmp_path):
    (tmp_path / "small.dl").write_text(SMALL + "property symmetric(friend/2).\n",
                                       encoding="utf-8")
    with pytest.raises(PropertiesFailed) as caught:
        assert_properties([str(tmp_path)], examples=20, seed=1)
    assert "✗ symmetric(friend/2) fails" in str(caught.value)


def test_the_pytest_plugin_turns_each_property_into_a_test(pytester, tmp_path):
    (tmp_path / "small.dl").write_text(SMALL + "property symmetric(friend/2).\n",
                                       encoding="utf-8")
    result = pytester.runpytest("-p", "no:cacheprovider", "--allegiance-kb", str(tmp_path),
                                "--allegiance-examples", "10")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*symmetric(friend/2) fails*"])


@pytest.mark.skipif(not os.environ.get("CI"), reason="the draws are fixed only when CI is set")
def test_in_ci_the_draws_are_the_same_on_every_run(tmp_path):
    (tmp_path / "small.dl").write_text(SMALL, encoding="utf-8")
    assert run("--kb", str(tmp_path), "test")[1] == run("--kb", str(tmp_path), "test")[1]


def test_the_plugin_and_the_command_draw_as_many_cases():
    import allegiance.testing.checks as checker
    import allegiance.testing.pytest_plugin as plugin
    assert (plugin.CI_EXAMPLES, plugin.DEFAULT_EXAMPLES) == (checker.CI_EXAMPLES,
                                                             checker.DEFAULT_EXAMPLES)
