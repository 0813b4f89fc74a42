"""Tests of `allegiance.check.checks`: each check passes on a valid knowledge base and fails on mutants."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allegiance.check.checks import check, check_fact, check_query
from allegiance.check.declarations import Placeholder, TemplateError, scan_template
from allegiance.lang.diagnostics import CheckError, QueryError
from allegiance.lang.parse import parse_fact, parse_program, parse_query
from allegiance.lang.syntax import Atom, Constant, Fact, PredicateDecl, Program, Rule, SourceDecl, Variable
from allegiance.lang.values import Date, String, Symbol
from strategies import programs

FILE = "kb/t.dl"
BASE = """\
% sources and declarations
source tamimi_2014 {title: "The Islamic State's Bay'a", author: "Aymenn al-Tamimi", date: 2014-11}.
source lister_2015 {outlet: "Brookings", url: "https://example.org/x", date: 2015}.
predicate pledged(A, B) {doc: "A pledged allegiance to B", holds: "{A} pledged allegiance to {B}"}.
predicate group(G) {doc: "G is an armed group", fails: "{G} is no group {{armed}}"}.

group(jabhat_al_nusra) @tamimi_2014.
group(al_qaida).
group(islamic_state).
alias(islamic_state, "IS").
pledged(jabhat_al_nusra, al_qaida) from 2013-04 @tamimi_2014 @lister_2015.
charges(islamic_state, jabhat_al_nusra, defection).

rift(A, B) :- charges(A, B, defection).
allied(A, B) :- pledged(A, B).
allied(A, C) :- allied(A, B), allied(B, C).
consistent(A, B) :- group(A), group(B), A != B, not rift(A, B).
loner(A) :- group(A), not pledged(A, _).
same(A, B) :- group(A), B = C, C = A.
founded(A, Y) :- group(A), Y = 2012, Y >= 2000.
"""
LAST = "founded(A, Y) :- group(A), Y = 2012, Y >= 2000.\n"


def mutated(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def diagnostics_of(text: str):
    try:
        return check(parse_program(text, FILE)).warnings
    except CheckError as exc:
        return exc.diagnostics


def described(diagnostic) -> str:
    span = diagnostic.span
    where = f"{span.line}:{span.col}" if span else "-"
    return f"{where} {diagnostic.severity} {diagnostic.code}: {diagnostic.message}"


def where_and_code(diagnostic) -> str:
    return f"{diagnostic.span.line}:{diagnostic.span.col} {diagnostic.severity} {diagnostic.code}"


def test_the_base_knowledge_base_passes_without_warnings():
    checked = check(parse_program(BASE, FILE))
    assert checked.warnings == ()
    assert [(s.predicates, s.recursive) for s in checked.strata] == [
        (("rift/2",), False), (("allied/2",), True), (("consistent/2",), False),
        (("loner/1",), False), (("same/2",), False), (("founded/2",), False),
    ]
    assert list(checked.sources) == ["tamimi_2014", "lister_2015"]


def test_predicate_info_describes_each_predicate():
    predicates = check(parse_program(BASE, FILE)).predicates
    pledged, allied = predicates["pledged/2"], predicates["allied/2"]
    charges = predicates["charges/3"]
    assert (pledged.name, pledged.arity, pledged.has_facts) == ("pledged", 2, True)
    assert not pledged.is_derived
    assert pledged.decl is not None and pledged.decl.params == ("A", "B")
    assert allied.is_derived and len(allied.rules) == 2 and not allied.has_facts
    assert charges.decl is None and charges.is_defined


# -- each check: a mutation of the base and every diagnostic it causes --------------------------
MUTATIONS = [
    # arity
    pytest.param(
        "pledged(A, B).", "pledged(A, B, x).",
        ["15:17 error arity: `pledged` is used with 3 arguments, but with 2 before"],
        id="arity-body-atom",
    ),
    pytest.param(
        "group(al_qaida).", "group(al_qaida, x).",
        ["8:1 error arity: `group` is used with 2 arguments, but with 1 before"],
        id="arity-fact",
    ),
    pytest.param(
        "not rift(A, B)", "not rift(A)",
        ["17:53 error arity: `rift` is used with 1 argument, but with 2 before"],
        id="arity-negated-atom",
    ),
    # unsafe
    pytest.param(
        "rift(A, B) :-", "rift(A, C) :-",
        ["14:9 error unsafe: variable `C` in the head of `rift/2` is unsafe: "
         "it occurs in no positive literal of the body"],
        id="unsafe-head-variable",
    ),
    pytest.param(
        "rift(A, B) :-", "rift(A, _) :-",
        ["14:9 error unsafe: anonymous variable `_` in the head of `rift/2` is unsafe: "
         "it can never be bound"],
        id="unsafe-anonymous-head",
    ),
    pytest.param(
        "not pledged(A, _)", "not pledged(A, B)",
        ["18:38 error unsafe: variable `B` in `not pledged/2` is unsafe: "
         "it occurs in no positive literal of the body"],
        id="unsafe-negated-variable",
    ),
    pytest.param(
        "Y >= 2000", "Z >= 2000",
        ["20:38 error unsafe: variable `Z` in the comparison `Z >= 2000` is unsafe: "
         "it occurs in no positive literal of the body"],
        id="unsafe-compared-variable",
    ),
    pytest.param(
        "Y >= 2000", "Y >= _",
        ["20:43 error unsafe: anonymous variable `_` in the comparison `Y >= _` is unsafe: "
         "it can never be bound"],
        id="unsafe-anonymous-compared",
    ),
    pytest.param(
        "C = A.", "C = D.",
        ["19:9 error unsafe: variable `B` in the head of `same/2` is unsafe: "
         "it occurs in no positive literal of the body",
         "19:29 error unsafe: variable `C` in the comparison `B = C` is unsafe: "
         "it occurs in no positive literal of the body",
         "19:36 error unsafe: variable `D` in the comparison `C = D` is unsafe: "
         "it occurs in no positive literal of the body"],
        id="unsafe-broken-equality-chain",
    ),
    # negation-cycle
    pytest.param(
        LAST, LAST + "pledged(A, B) :- loner(A), group(B).\n",
        ["18:23 error negation-cycle: `pledged/2` depends on itself through negation: "
         "pledged/2 → loner/1 → not pledged/2"],
        id="negation-cycle",
    ),
    # undefined
    pytest.param(
        "pledged(A, B).", "pleged(A, B).",
        ["15:17 warning undefined: predicate `pleged/2` is undefined: "
         "no fact, rule or declaration defines it"],
        id="undefined-body-atom",
    ),
    pytest.param(
        "not rift(A, B)", "not rifts(A, B)",
        ["17:53 warning undefined: predicate `rifts/2` is undefined: "
         "no fact, rule or declaration defines it"],
        id="undefined-negated-atom",
    ),
    # unknown-source
    pytest.param(
        "group(jabhat_al_nusra) @tamimi_2014.", "group(jabhat_al_nusra) @tamimi_2015.",
        ["7:24 error unknown-source: source `@tamimi_2015` is not declared"],
        id="unknown-source",
    ),
    pytest.param(
        "@lister_2015.", "@lister_2016.",
        ["11:62 error unknown-source: source `@lister_2016` is not declared"],
        id="unknown-second-source",
    ),
    # duplicate-source
    pytest.param(
        "source lister_2015 {", "source tamimi_2014 {",
        ["3:1 error duplicate-source: source `tamimi_2014` is declared twice",
         "11:62 error unknown-source: source `@lister_2015` is not declared"],
        id="duplicate-source",
    ),
    # source-field
    pytest.param(
        "author:", "autor:",
        ["2:57 warning source-field: unknown field `autor` in source `tamimi_2014`"],
        id="source-unknown-field",
    ),
    pytest.param(
        "date: 2015}", 'date: "2015"}',
        ['3:72 error source-field: field `date` of source `lister_2015` must be a date, '
         'not `"2015"`'],
        id="source-date-not-a-date",
    ),
    pytest.param(
        "title: \"The Islamic State's Bay'a\"", "title: 2014-06",
        ["2:21 error source-field: field `title` of source `tamimi_2014` must be a string, "
         "not `2014-06`"],
        id="source-title-not-a-string",
    ),
    # predicate-decl
    pytest.param(
        LAST, LAST + 'predicate group(X) {doc: "again"}.\n',
        ["21:1 error predicate-decl: predicate `group/1` is declared twice"],
        id="predicate-declared-twice",
    ),
    pytest.param(
        '{doc: "A pledged', '{docs: "A pledged',
        ["4:26 warning predicate-decl: unknown field `docs` in the declaration of `pledged/2`"],
        id="predicate-unknown-field",
    ),
    pytest.param(
        'holds: "{A} pledged allegiance to {B}"', "holds: 2014",
        ["4:60 error predicate-decl: field `holds` of `pledged/2` must be a string, not `2014`"],
        id="predicate-field-not-a-string",
    ),
    # template
    pytest.param(
        "allegiance to {B}", "allegiance to {Bs}",
        ["4:60 error template: placeholder `{Bs}` in the `holds` template of `pledged/2` "
         "is not one of its arguments"],
        id="template-unknown-placeholder",
    ),
    pytest.param(
        "{{armed}}", "}armed{",
        ["5:49 error template: the `fails` template of `group/1` is malformed: "
         "a `}` closes no placeholder (write `}}` for a literal brace)"],
        id="template-unpaired-brace",
    ),
    # alias-shadow
    pytest.param(
        "allied(A, B), allied(B, C).", "allied(A, Is), allied(Is, C).",
        ["16:27 warning alias-shadow: variable `Is` has the name of the alias of "
         "`islamic_state`; in a query `Is` would denote that entity"],
        id="alias-shadow",
    ),
]


@pytest.mark.parametrize("old, new, expected", MUTATIONS)
def test_each_mutation_is_reported_at_its_place(old, new, expected):
    assert [described(d) for d in diagnostics_of(mutated(old, new))] == expected


PASSING = [
    pytest.param("B, defection).", "B, _).", id="anonymous-in-positive-body-atom"),
    pytest.param("B = C, C = A.", "C = A, B = C.", id="equality-chain-in-any-order"),
    pytest.param("Y = 2012, Y >= 2000.", "2012 = Y, Y >= 2000.", id="constant-on-the-left-binds"),
    pytest.param(LAST, LAST + "allied(a, b).\n", id="facts-and-rules-for-one-predicate"),
    pytest.param(
        LAST, LAST + 'predicate enemy(A, B) {doc: "A fights B"}.\nhostile(A, B) :- enemy(A, B).\n',
        id="a-declared-predicate-is-defined",
    ),
    pytest.param("{{armed}}", "{{{G}}}", id="template-braces-around-placeholder"),
    pytest.param("allied(A, B), allied(B, C)", "allied(A, Isx), allied(Isx, C)",
                 id="variable-unlike-any-alias"),
    pytest.param(LAST, LAST + "beats(X) :- group(X), not beaten(X).\nbeaten(X) :- group(X).\n",
                 id="negation-of-a-later-written-lower-stratum"),
]


@pytest.mark.parametrize("old, new", PASSING)
def test_valid_variants_pass_without_diagnostics(old, new):
    assert check(parse_program(mutated(old, new), FILE)).warnings == ()


# -- notes, hints and the one-pass report -----------------------------------------------------
HINTS = [
    pytest.param("pledged(A, B).", "pledged(A, B, x).",
                 "if these are two predicates, give them two names",
                 "`pledged` is used with 2 arguments at kb/t.dl:4:1", id="arity"),
    pytest.param("pledged(A, B).", "pleged(A, B).", "did you mean `pledged/2`?",
                 "an undefined predicate holds for no tuple", id="undefined"),
    pytest.param("@tamimi_2014.", "@tamimi_2015.", "did you mean `@tamimi_2014`?",
                 "every cited source must be declared: `source id {title: \"…\", …}.`",
                 id="unknown-source"),
    pytest.param("source lister_2015 {", "source tamimi_2014 {", None,
                 "`tamimi_2014` is first declared at kb/t.dl:2:1", id="duplicate-source"),
    pytest.param("author:", "autor:", "did you mean `author`?",
                 "the known fields are title, author, outlet, date, url", id="source-field"),
    pytest.param('{doc: "A pledged', '{docs: "A pledged', "did you mean `doc`?",
                 "the known fields are doc, holds, fails, see", id="predicate-field"),
    pytest.param("allegiance to {B}", "allegiance to {Bs}", "did you mean `{B}`?",
                 "the arguments of `pledged/2` are `A`, `B`", id="template"),
    pytest.param("not pledged(A, _)", "not pledged(A, B)", "write `_` if any value will do",
                 "every variable of the head, of a negated literal, of a comparison and of an "
                 "expression must occur in a positive atom of the body or be bound by an earlier "
                 "`=`", id="unsafe"),
]


@pytest.mark.parametrize("old, new, hint, note", HINTS)
def test_diagnostics_carry_their_hint_and_note(old, new, hint, note):
    first = diagnostics_of(mutated(old, new))[0]
    assert first.hint == hint
    assert note in first.notes


def test_a_program_with_several_errors_reports_all_of_them_in_order():
    text = (
        "source s {title: 2014}.\n"
        "p(a) @t.\n"
        "p(X, Y) :- q(X).\n"
        "win(X) :- move(X, Y), not win(Y).\n"
        "r(X) :- q(X), not s(X, Z).\n"
        "predicate q(A) {holds: \"{B}\"}.\n"
        "t(X) :- nowhere(X).\n"
    )
    with pytest.raises(CheckError) as caught:
        check(parse_program(text, FILE))
    assert [where_and_code(d) for d in caught.value.diagnostics] == [
        "1:11 error source-field", "2:6 error unknown-source", "3:1 error arity",
        "3:6 error unsafe", "4:11 warning undefined", "4:23 error negation-cycle",
        "5:19 warning undefined", "5:24 error unsafe", "6:17 error template",
        "7:9 warning undefined",
    ]


def test_errors_raised_before_anything_is_evaluated_name_the_win_move_cycle():
    with pytest.raises(CheckError) as caught:
        check(parse_program("move(a, b).\nwin(X) :- move(X, Y), not win(Y).\n", FILE))
    (diagnostic,) = caught.value.diagnostics
    assert described(diagnostic) == (
        "2:23 error negation-cycle: `win/1` depends on itself through negation: win/1 → not win/1"
    )


# -- statements a parser never produces, built by hand ---------------------------------------
X = Variable("X")

HAND_BUILT = [
    pytest.param(
        Program((Fact(Atom("p", (X,))),)),
        ["- error non-ground: a fact must be ground, but `X` is a variable"], id="non-ground-fact",
    ),
    pytest.param(
        Program((SourceDecl("s", (("title", String("a")), ("title", String("b")))),)),
        ["- error source-field: field `title` is given twice in source `s`"],
        id="repeated-source-field",
    ),
    pytest.param(
        Program((PredicateDecl("p", ("A", "A")),)),
        ["- error predicate-decl: argument `A` is named twice in the declaration of `p/2`"],
        id="repeated-parameter",
    ),
    pytest.param(
        Program((
            Rule(Atom("p", (X,)), (Atom("q", (X,)),)),
            Fact(Atom("q", (Constant(Date(2014)),))),
        )),
        [], id="hand-built-valid-program",
    ),
]


@pytest.mark.parametrize("program, expected", HAND_BUILT)
def test_hand_built_programs(program, expected):
    try:
        found = check(program).warnings
    except CheckError as exc:
        found = exc.diagnostics
    assert [described(d) for d in found] == expected


# -- queries and facts typed by a user --------------------------------------------------------
QUERIES = [
    pytest.param("allied(X, Y)?", [], id="known-predicate"),
    pytest.param("group(X), not pledged(X, _)?", [], id="anonymous-in-negation"),
    pytest.param("group(X), X = Y, Y != al_qaida?", [], id="equality-binds"),
    pytest.param("alied(X, Y)?", ["1:1 error undefined: unknown predicate `alied/2`"],
                 id="unknown"),
    pytest.param("allied(X, Y, Z)?",
                 ["1:1 error arity: `allied/2` takes 2 arguments, found 3"], id="wrong-arity"),
    pytest.param("group(X), not pledged(X, Y)?",
                 ["1:26 error unsafe: variable `Y` in `not pledged/2` is unsafe: "
                  "it occurs in no positive literal of the query"], id="unsafe-negation"),
    pytest.param("X < 2014?",
                 ["1:1 error unsafe: variable `X` in the comparison `X < 2014` is unsafe: "
                  "it occurs in no positive literal of the query"], id="unsafe-comparison"),
]


@pytest.mark.parametrize("text, expected", QUERIES)
def test_check_query(text, expected):
    checked = check(parse_program(BASE, FILE))
    try:
        found = check_query(parse_query(text), checked)
    except QueryError as exc:
        found = exc.diagnostics
    assert [described(d) for d in found] == expected


def test_unknown_query_predicate_gets_a_hint():
    with pytest.raises(QueryError) as caught:
        check_query(parse_query("alied(X, Y)?"), check(parse_program(BASE, FILE)))
    assert caught.value.diagnostics[0].hint == "did you mean `allied/2`?"


FACTS = [
    pytest.param("group(hts) @tamimi_2014.", [], id="known-predicate-declared-source"),
    pytest.param("enemy(hts, islamic_state).", [], id="a-new-predicate"),
    pytest.param("group(hts, x).", ["1:1 error arity: `group/1` takes 1 argument, found 2"],
                 id="wrong-arity"),
    pytest.param("group(hts) @tamimi.",
                 ["1:12 error unknown-source: source `@tamimi` is not declared"],
                 id="unknown-source"),
]


@pytest.mark.parametrize("text, expected", FACTS)
def test_check_fact(text, expected):
    checked = check(parse_program(BASE, FILE))
    try:
        found = check_fact(parse_fact(text), checked)
    except QueryError as exc:
        found = exc.diagnostics
    assert [described(d) for d in found] == expected


def test_check_fact_rejects_a_variable():
    with pytest.raises(QueryError):
        check_fact(Fact(Atom("group", (X,))), check(parse_program(BASE, FILE)))


# -- templates --------------------------------------------------------------------------------
TEMPLATES = [
    pytest.param("{A} and {B}", (Placeholder("A"), " and ", Placeholder("B")),
                 id="two-placeholders"),
    pytest.param("{{A}}", ("{A}",), id="escaped-braces"),
    pytest.param("{{{A}}}", ("{", Placeholder("A"), "}"), id="braces-around-placeholder"),
    pytest.param("no braces", ("no braces",), id="plain"),
    pytest.param("", (), id="empty"),
    pytest.param("{0.__class__}", (Placeholder("0.__class__"),), id="format-syntax-is-just-a-name"),
]


@pytest.mark.parametrize("text, parts", TEMPLATES)
def test_scan_template(text, parts):
    assert scan_template(text) == parts


@pytest.mark.parametrize("text", ["{A", "A}", "{}", "{A{B}", "}{"])
def test_scan_template_rejects_unpaired_braces(text):
    with pytest.raises(TemplateError):
        scan_template(text)


# -- properties -------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(equality_bindings=True))
def test_every_generated_valid_program_passes(program):
    checked = check(program)
    assert checked.warnings == ()
    derived = {rule.head.key for rule in program.rules}
    assert {key for s in checked.strata for key in s.predicates} == derived


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(equality_bindings=True), st.data())
def test_dropping_a_literal_can_only_make_a_rule_unsafe(program, data):
    rules = [i for i, s in enumerate(program.statements) if isinstance(s, Rule) and len(s.body) > 1]
    if not rules:
        return
    at = data.draw(st.sampled_from(rules))
    rule = program.statements[at]
    drop = data.draw(st.integers(0, len(rule.body) - 1))
    shorter = Rule(rule.head, rule.body[:drop] + rule.body[drop + 1 :])
    statements = program.statements[:at] + (shorter,) + program.statements[at + 1 :]
    try:
        check(Program(statements))
    except CheckError as exc:
        assert {d.code for d in exc.diagnostics if d.is_error} == {"unsafe"}


def test_aliases_are_matched_case_insensitively():
    text = 'alias(islamic_state, "Is").\ng(X) :- alias(X, _).\nh(IS) :- g(IS).\n'
    (warning,) = check(parse_program(text, FILE)).warnings
    assert (warning.code, warning.span.line, warning.span.col) == ("alias-shadow", 3, 3)
    assert Symbol("islamic_state").name in warning.message
