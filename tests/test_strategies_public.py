"""The public strategies of `allegiance.testing.strategies` and the kinds of `allegiance.check.kinds`.

Cases are valid by construction: they load beside the rules without a diagnostic, state only
base predicates the rules use, fill each argument from the pool of its kind, stay within their
bounds and shrink to the first entities of each kind.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from allegiance.check.checks import check
from allegiance.eval.kb import KnowledgeBase, read_program
from allegiance.check.kinds import Schema
from allegiance.lang.parse import parse_program
from allegiance.lang.printer import format_fact
from allegiance.testing.strategies import (casts, derivations, entities, facts, fresh_entities,
                               knowledge_bases, renamings)
from allegiance.lang.values import Date, Integer, String, Symbol

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = Schema.of(check(read_program([ROOT / "kb"])))
RULES = Schema.of(check(read_program([ROOT / "kb" / "rules"])))
FEW = settings(max_examples=30, deadline=None)


def schema_of(text: str) -> Schema:
    return Schema.of(check(parse_program(text)))


# -- kinds ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("key, kinds", [
    pytest.param("present/2", ("group", "region"), id="present"),
    pytest.param("fights/3", ("group", "group", "region"), id="fights"),
    pytest.param("charges/3", ("group", "group", "charge"), id="charges"),
    pytest.param("refers_to/3", ("group", "group", "term"), id="refers-to"),
    pytest.param("term_affirms/2", ("term", "status"), id="from-the-rules-without-facts"),
])
def test_the_kinds_of_the_shipped_predicates_are_inferred_from_its_facts(key, kinds):
    assert SHIPPED.kinds[key] == kinds


def test_a_kind_takes_the_type_of_its_values_and_the_rules_constants():
    assert SHIPPED.value_type("term") is String and SHIPPED.value_type("group") is Symbol
    assert set(SHIPPED.vocabulary["status"]) == {Symbol("state"), Symbol("caliphate")}
    # the declared vocabulary: kb/rules/properties.dl and the kinds of hypothesis and grades of
    # kb/rules/hypotheses.dl
    assert {Symbol("state"), Symbol("caliphate"), Symbol("hearsay"), Symbol("truce"), Symbol("c"),
            Symbol("doctrinal"), Symbol("political")} <= SHIPPED.fixed
    assert not {Symbol("jabhat_al_nusra"), Symbol("islamic_state")} & SHIPPED.fixed


def test_declared_kinds_win_and_the_rules_give_kinds_where_no_fact_does():
    schema = schema_of("p(a, b). q(X) :- p(X, Y), r(Y). s(X) :- p(X, _), t(X).\n"
                       "property kinds(p/2, person, place).")
    assert schema.kinds == {"p/2": ("person", "place"), "r/1": ("place",), "t/1": ("person",)}


def test_arguments_that_share_values_are_of_one_kind():
    schema = schema_of("p(a, x). q(b, a). r(X) :- p(X, _), q(_, X).")
    assert schema.kinds["p/2"][0] == schema.kinds["q/2"][1] != schema.kinds["p/2"][1]


def test_every_base_predicate_the_rules_use_has_a_kind_with_the_rules_alone():
    used = {"group/1", "charges/3", "present/2", "ideology/2", "reports/2"}
    assert used <= set(RULES.kinds)
    assert all(len(k) == int(key.rsplit("/", 1)[1]) for key, k in RULES.kinds.items())


# -- entities and casts ------------------------------------------------------------------------
def test_fresh_entities_avoid_every_name_the_knowledge_base_writes():
    schema = schema_of("p(group1). p(group3). q(X) :- p(X).\nproperty kinds(p/1, group).")
    assert fresh_entities(schema, "group", 3) == tuple(map(Symbol, ("group2", "group4",
                                                                    "group5")))


@pytest.mark.parametrize("kind, value_type", [
    pytest.param("term", String, id="strings"), pytest.param("group", Symbol, id="symbols")])
def test_fresh_entities_have_the_type_of_their_kind(kind, value_type):
    assert all(isinstance(v, value_type) for v in fresh_entities(SHIPPED, kind, 4))


def test_fresh_dates_and_integers_read_back_as_dates_and_integers():
    schema = schema_of("d(x, 2014-06). n(y, 73). q(X) :- d(X, _), n(X, _).")
    date_kind, number_kind = schema.kinds["d/2"][1], schema.kinds["n/2"][1]
    assert all(isinstance(v, Date) and v.month for v in fresh_entities(schema, date_kind, 13))
    assert all(isinstance(v, Integer) for v in fresh_entities(schema, number_kind, 3))


@FEW
@given(casts(SHIPPED, fresh=2, known=3))
def test_a_cast_has_fresh_entities_first_then_the_vocabulary_then_known_values(cast):
    assert set(cast.pools) == set(SHIPPED.kind_names())
    for kind, pool in cast.pools.items():
        assert pool[:2] == fresh_entities(SHIPPED, kind, 2)
        allowed = {*SHIPPED.vocabulary.get(kind, ()), *SHIPPED.known.get(kind, ())}
        assert set(pool[2:]) <= allowed


@FEW
@given(entities(SHIPPED, "status"))
def test_an_entity_of_a_kind_is_fresh_or_a_word_the_rules_use(value):
    assert value in fresh_entities(SHIPPED, "status", 3) + SHIPPED.vocabulary["status"]


# -- facts and knowledge bases -------------------------------------------------------------------
@FEW
@given(knowledge_bases(RULES, max_facts=8))
def test_generated_knowledge_bases_load_beside_the_rules_without_errors(program):
    assert len(program.facts) == len(program.statements) <= 8
    assert len({f.atom for f in program.facts}) == len(program.facts)
    check(RULES.rules + program)


@FEW
@given(st.data())
def test_every_argument_is_an_entity_of_its_kind(data):
    cast = data.draw(casts(SHIPPED, known=2))
    fact = data.draw(facts(SHIPPED, cast, ["present/2", "refers_to/3"]))
    kinds = SHIPPED.kinds[fact.atom.key]
    assert all(a.value in cast.of(k) for a, k in zip(fact.atom.args, kinds))


def test_knowledge_bases_shrink_to_the_first_entities_of_each_kind():
    found = find(knowledge_bases(SHIPPED, predicates=["charges/3", "pledged/2"], min_facts=2),
                 lambda program: True)
    first, second = (format_fact(f) for f in found.facts)
    assert first == "charges(group1, group1, charge1)."
    assert second.startswith(("charges(group1, group1", "pledged("))


def test_only_base_predicates_the_rules_use_may_be_stated():
    with pytest.raises(ValueError, match="alliance/2"):
        knowledge_bases(SHIPPED, predicates=["alliance/2"]).example()


# -- derivations ---------------------------------------------------------------------------------
PATHS = schema_of("edge(a, b). start(a).\n"
                  "path(X, Y) :- edge(X, Y). path(X, Z) :- edge(X, Y), path(Y, Z).\n"
                  "reached(X) :- start(S), path(S, X).")


@FEW
@given(st.data())
def test_a_derivation_without_negation_derives_its_goal(data):
    cast = data.draw(casts(PATHS))
    found = data.draw(derivations(PATHS, "reached/1", cast))
    with KnowledgeBase.from_program(PATHS.rules + parse_program(
            "".join(format_fact(f) + "\n" for f in found))) as kb:
        assert kb.holds("reached(X)?")


@FEW
@given(st.data())
def test_a_derivation_of_a_shipped_conclusion_states_only_base_facts(data):
    cast = data.draw(casts(RULES))
    found = data.draw(derivations(RULES, "alliance/2", cast, max_facts=12))
    assert found and all(f.atom.key in RULES.kinds for f in found) and len(found) <= 12


# -- renamings -----------------------------------------------------------------------------------
NAMES = (Symbol("a"), Symbol("b"), String("x"))


@FEW
@given(renamings(NAMES))
def test_renamings_are_consistent_and_keep_the_type_of_each_name(renaming):
    assert set(renaming) == set(NAMES)
    assert len(set(renaming.values())) == len(NAMES)
    assert all(type(old) is type(new) for old, new in renaming.items())


def test_renamings_shrink_to_no_renaming():
    assert find(renamings(NAMES), lambda r: True) == {n: n for n in NAMES}
