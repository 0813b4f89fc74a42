"""The shipped knowledge base `kb/`: it loads, it reads like a book, and it reaches the article's
conclusions.

The conclusions are checked with the oracle (`tests/oracle.py`), as of the article (15 November
2014) and as of February 2013; they may be switched to the engine once it is the reference. The
same rules are run on invented cases (`tests/kbs/`, and the example of `kb/README.md`) to show
that they name no case and reach the same kinds of verdict on any pair of groups.
"""

from __future__ import annotations

import datetime
import functools
import re
from pathlib import Path

import pytest

from allegiance.check.checks import check
from allegiance.eval.kb import read_program
from allegiance.lang.parse import parse_program, parse_query
from allegiance.lang.syntax import Atom, Constant, Negation, Program
from allegiance.lang.values import Integer, String, Symbol
from oracle import evaluate, predicate_keys

ROOT = Path(__file__).resolve().parent.parent
KB = ROOT / "kb"
RULES = KB / "rules"
FACTS = KB / "cases" / "jn_is_2014"
README = KB / "README.md"
INVENTED = ROOT / "tests" / "kbs" / "crescent_case.dl"

ARTICLE = datetime.date(2014, 11, 15)
EARLY_2013 = datetime.date(2013, 2, 15)

# The only constants the rules may name: general vocabulary, never a case entity.
VOCABULARY = {Symbol("state"), Symbol("caliphate"), Symbol("hearsay"), Symbol("doctrinal"),
              Symbol("political"),
              # the kinds of hypothesis, and the Admiralty grades the rules compare
              *map(Symbol, ("general_alliance", "local_cooperation_only", "tacit_deconfliction", "truce",
                            "rivalry", "absorption", "reports_accurate", "reports_mistaken",
                            "reports_disinformation", "c", "f")),
              *map(Integer, range(1, 6))}

# Predicates whose arguments are the entities of a case: groups, places, reports and the like.
ENTITY_POSITIONS = {
    "group/1": (0,), "place/1": (0,), "report/1": (0,), "statement/1": (0,),
    "informant/1": (0,), "initiative/1": (0,), "alias/2": (0,), "present/2": (0, 1),
    "controls/2": (0, 1), "access_via/2": (0, 1), "part_of/2": (0, 1), "reports/2": (0, 1),
    "fights/3": (0, 1, 2),
}


# -- loading ---------------------------------------------------------------------------------
def dl_files(*paths: Path) -> list[Path]:
    """The `.dl` files of `paths` (folders expanded, in name order)."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("*.dl")) if path.is_dir() else [path]
    return files


def load(*paths: Path) -> Program:
    """The program that loading `paths` stands for (a folder with a manifest: what it names)."""
    return read_program(paths)


@functools.cache
def program_of(paths: tuple[Path, ...]) -> Program:
    return load(*paths)


@functools.cache
def model(paths: tuple[Path, ...], day: datetime.date) -> dict:
    return evaluate(program_of(paths), day)


def atom_of(text: str) -> Atom:
    """The ground atom written as `text` (entity names, not aliases)."""
    (literal,) = parse_query(text + "?").body
    assert isinstance(literal, Atom) and literal.is_ground, text
    return literal


def holds(text: str, day: datetime.date = ARTICLE, paths: tuple[Path, ...] = (KB,)) -> bool:
    """True when the ground atom `text` holds as of `day` in the program of `paths`."""
    atom = atom_of(text)
    return tuple(t.value for t in atom.args) in model(paths, day)[atom.key]


def answers(key: str, day: datetime.date = ARTICLE, paths: tuple[Path, ...] = (KB,)) -> set:
    """The tuples of `key` as of `day`, as tuples of plain strings."""
    return {tuple(str(v) for v in row) for row in model(paths, day)[key]}


# -- the KB loads and reads like a book -------------------------------------------------------
@pytest.mark.parametrize("file", dl_files(KB), ids=lambda f: str(f.relative_to(KB)))
def test_every_file_parses_and_opens_with_a_comment(file):
    text = file.read_text(encoding="utf-8")
    parse_program(text, str(file))
    assert text.startswith("% "), "each file opens with a comment saying what it defines"


def test_the_kb_checks_without_errors_or_warnings():
    checked = check(program_of((KB,)))
    assert [d.message for d in checked.warnings] == []


def test_the_rules_load_alone_and_hold_no_case():
    rules = program_of((RULES,))
    check(rules)
    assert rules.facts == () and rules.sources == ()


def test_the_facts_hold_no_rules_or_declarations():
    facts = program_of((FACTS,))
    assert facts.rules == () and facts.predicates == ()


def test_every_predicate_is_declared_with_sentences_naming_every_argument():
    program = program_of((KB,))
    declared = {d.key: d for d in program.predicates}
    assert set(predicate_keys(program)) == set(declared)
    for key, decl in declared.items():
        for field in ("doc", "holds", "fails"):
            value = decl.get(field)
            assert isinstance(value, String) and value.text.strip(), f"{key} has no `{field}`"
        for field in ("holds", "fails"):
            named = set(re.findall(r"\{(\w+)\}", decl.get(field).text))
            assert named == set(decl.params), f"the `{field}` sentence of {key} names {named}"


def rule_constants(program: Program) -> set:
    constants = set()
    for rule in program.rules:
        for literal in (rule.head, *rule.body):
            atom = literal.atom if isinstance(literal, Negation) else literal
            terms = atom.args if isinstance(atom, Atom) else (atom.left, atom.right)
            constants |= {t.value for t in terms if isinstance(t, Constant)}
    return constants


def case_entities(program: Program) -> set:
    entities = set()
    for fact in program.facts:
        for i in ENTITY_POSITIONS.get(fact.atom.key, ()):
            entities.add(fact.atom.args[i].value)
    return entities


def test_the_rules_name_only_general_vocabulary():
    constants = rule_constants(program_of((RULES,)))
    assert constants <= VOCABULARY
    for case in ((FACTS,), (INVENTED,)):
        assert not constants & (case_entities(program_of(case)) - VOCABULARY)  # a case may name the vocabulary


def test_every_fact_cites_the_article_and_every_source_is_declared():
    facts = program_of((FACTS,))
    declared = {s.id for s in facts.sources}
    for fact in facts.facts:
        assert "tamimi_2014" in fact.sources, f"{fact.atom.predicate} at {fact.span} cites {fact.sources}"
        assert set(fact.sources) <= declared


def test_the_glossary_lists_every_predicate():
    text = README.read_text(encoding="utf-8")
    for decl in program_of((RULES,)).predicates:
        assert f"`{decl.key}`" in text, f"{decl.key} is missing from kb/README.md"


@pytest.mark.parametrize("name, entity", [
    ("JN", "jabhat_al_nusra"), ("IS", "islamic_state"), ("ISIS", "islamic_state"),
    ("ISI", "islamic_state"), ("AQAP", "aqap"), ("AQIM", "aqim"),
    ("SRF", "syrian_revolutionaries_front"), ("FSA", "free_syrian_army"),
])
def test_the_required_aliases(name, entity):
    assert holds(f'alias({entity}, "{name}")')


def test_every_group_place_and_report_is_named():
    program = program_of((FACTS,))
    named = {f.atom.args[0].value for f in program.facts if f.atom.key == "alias/2"}
    typed = {f.atom.args[0].value for f in program.facts
             if f.atom.key in ("group/1", "place/1", "report/1", "statement/1", "initiative/1")}
    assert typed <= named


# -- the article's conclusions -----------------------------------------------------------------
CONCLUSIONS = [
    # the general alliance and its three independent reasons
    ("no-alliance", "alliance(jabhat_al_nusra, islamic_state)", ARTICLE, False),
    ("no-alliance-swapped", "alliance(islamic_state, jabhat_al_nusra)", ARTICLE, False),
    ("rift", "rift(jabhat_al_nusra, islamic_state)", ARTICLE, True),
    ("rift-swapped", "rift(islamic_state, jabhat_al_nusra)", ARTICLE, True),
    ("reason-defection", "charges(islamic_state, jabhat_al_nusra, defection)", ARTICLE, True),
    ("reason-caliphate", "zero_sum(islamic_state, jabhat_al_nusra)", ARTICLE, True),
    ("reason-not-a-state", "refuses_recognition(jabhat_al_nusra, islamic_state, state)", ARTICLE, True),
    ("not-a-state-by-term", "denies_status(jabhat_al_nusra, islamic_state, state)", ARTICLE, True),
    ("grounds-remain", "grounds_for_alliance(jabhat_al_nusra, islamic_state)", ARTICLE, True),
    ("common-enemy", "common_enemy(jabhat_al_nusra, islamic_state, international_coalition)", ARTICLE, True),
    # before April 2013: no rift with the predecessor ISI, JN its front
    ("no-rift-2013", "rift(jabhat_al_nusra, islamic_state)", EARLY_2013, False),
    ("alliance-2013", "alliance(jabhat_al_nusra, islamic_state)", EARLY_2013, True),
    ("recognised-2013", "recognizes(jabhat_al_nusra, islamic_state, state)", EARLY_2013, True),
    ("no-charge-2013", "charges(islamic_state, jabhat_al_nusra, defection)", EARLY_2013, False),
    ("named-isi-2013", 'self_designation(islamic_state, "Islamic State of Iraq")', EARLY_2013, True),
    ("named-is-2014", 'self_designation(islamic_state, "Islamic State")', ARTICLE, True),
    ("not-isi-2014", 'self_designation(islamic_state, "Islamic State of Iraq")', ARTICLE, False),
    # the local exception
    ("qalamoun", "local_alliance(jabhat_al_nusra, islamic_state, qalamoun)", ARTICLE, True),
    ("qalamoun-swapped", "local_alliance(islamic_state, jabhat_al_nusra, qalamoun)", ARTICLE, True),
    ("not-idlib", "local_alliance(jabhat_al_nusra, islamic_state, idlib)", ARTICLE, False),
    ("not-aleppo", "local_alliance(jabhat_al_nusra, islamic_state, aleppo)", ARTICLE, False),
    ("qalamoun-no-evidence", "alliance_evidence(jabhat_al_nusra, islamic_state, qalamoun)", ARTICLE, False),
    # feasibility of a joint front
    ("front-qalamoun", "joint_front_feasible(jabhat_al_nusra, islamic_state, qalamoun)", ARTICLE, True),
    ("no-front-afrin", "joint_front_feasible(jabhat_al_nusra, islamic_state, afrin)", ARTICLE, False),
    ("afrin-jn-reaches", "can_reach(jabhat_al_nusra, afrin)", ARTICLE, True),
    ("afrin-is-absent", "present(islamic_state, afrin)", ARTICLE, False),
    ("afrin-azaz-held", "blocked_at(islamic_state, azaz)", ARTICLE, True),
    ("azaz-northern-storm", "controls(northern_storm, azaz)", ARTICLE, True),
    ("northern-storm-front", "member_of(northern_storm, islamic_front)", ARTICLE, True),
    ("northern-storm-hostile", "hostile(northern_storm, islamic_state)", ARTICLE, True),
    ("no-front-kobani", "joint_front_feasible(jabhat_al_nusra, islamic_state, kobani)", ARTICLE, False),
    ("no-front-hasakah", "joint_front_feasible(jabhat_al_nusra, islamic_state, hasakah)", ARTICLE, False),
    ("jn-left-kobani", "present(jabhat_al_nusra, kobani)", ARTICLE, False),
    ("jn-left-hasakah", "present(jabhat_al_nusra, hasakah)", ARTICLE, False),
    ("jn-in-hasakah-2013", "present(jabhat_al_nusra, hasakah)", EARLY_2013, True),
    ("is-left-idlib", "present(islamic_state, idlib)", ARTICLE, False),
    ("is-in-idlib-2013", "present(islamic_state, idlib)", EARLY_2013, True),
    ("no-front-vs-kurds", "front_possible(islamic_state, jabhat_al_nusra, kurdish_forces)", ARTICLE, False),
    ("no-front-vs-srf", "front_possible(islamic_state, jabhat_al_nusra, syrian_revolutionaries_front)", ARTICLE, False),
    # the Guardian: incoherent
    ("guardian-incoherent", "incoherent(guardian_chulov_2014)", ARTICLE, True),
    ("guardian-not-credible", "credible(guardian_chulov_2014)", ARTICLE, False),
    # the Daily Beast and AP: one origin, with an agenda
    ("one-origin", "same_origin(daily_beast_2014, ap_2014)", ARTICLE, True),
    ("one-origin-swapped", "same_origin(ap_2014, daily_beast_2014)", ARTICLE, True),
    ("same-attendee", "shared_detail(daily_beast_2014, ap_2014, jund_al_aqsa)", ARTICLE, True),
    ("db-interested", "interested(daily_beast_2014)", ARTICLE, True),
    ("ap-interested", "interested(ap_2014)", ARTICLE, True),
    ("db-uncorroborated", "uncorroborated_interest(daily_beast_2014)", ARTICLE, True),
    ("ap-uncorroborated", "uncorroborated_interest(ap_2014)", ARTICLE, True),
    ("ap-impractical", "impractical(ap_agreement)", ARTICLE, True),
    ("db-not-credible", "credible(daily_beast_2014)", ARTICLE, False),
    ("ap-not-credible", "credible(ap_2014)", ARTICLE, False),
    ("guardian-independent", "same_origin(guardian_chulov_2014, ap_2014)", ARTICLE, False),
    # the Idlib claim: hearsay, photoshop, denial, IS gone
    ("idlib-hearsay", "unsubstantiated(daily_beast_idlib_assistance)", ARTICLE, True),
    ("idlib-photoshop", "doctored_evidence(daily_beast_idlib_assistance)", ARTICLE, True),
    ("idlib-denied", "credibly_denied(daily_beast_idlib_assistance)", ARTICLE, True),
    ("idlib-outdated", "outdated(daily_beast_idlib_assistance)", ARTICLE, True),
    ("sohr-hearsay", "unsubstantiated(sohr_idlib_assistance)", ARTICLE, True),
    ("sohr-photoshop", "doctored_evidence(sohr_idlib_assistance)", ARTICLE, True),
    ("sohr-denied", "credibly_denied(sohr_idlib_assistance)", ARTICLE, True),
    ("sohr-outdated", "outdated(sohr_idlib_assistance)", ARTICLE, True),
    ("sohr-not-credible", "credible(sohr_2014)", ARTICLE, False),
    ("denial-against-interest", "denial_against_interest(dawn_of_freedom_brigades, sohr_idlib_assistance)", ARTICLE, True),
    ("idlib-not-outdated-2013", "outdated(sohr_idlib_assistance)", EARLY_2013, False),
    # AQAP and AQIM: the name, not the Caliphate
    ("aqap-name", "calls_by_own_name(aqap, islamic_state)", ARTICLE, True),
    ("aqim-name", "calls_by_own_name(aqim, islamic_state)", ARTICLE, True),
    ("aqap-no-caliphate", "recognizes(aqap, islamic_state, caliphate)", ARTICLE, False),
    ("aqim-no-caliphate", "recognizes(aqim, islamic_state, caliphate)", ARTICLE, False),
    ("aqap-withholds", "withholds_recognition(aqap, islamic_state, caliphate)", ARTICLE, True),
    ("aqap-hollow", "hollow_solidarity(aqap, islamic_state)", ARTICLE, True),
    ("aqim-absorbed", "faces_absorption(aqim, islamic_state, algeria)", ARTICLE, True),
    ("aqap-absorbed", "faces_absorption(aqap, islamic_state, yemen)", ARTICLE, True),
    ("aqap-no-alliance", "alliance(aqap, islamic_state)", ARTICLE, False),
    ("aq-branches-ally", "alliance(aqap, jabhat_al_nusra)", ARTICLE, True),
    # the base rate of outreach
    ("outreach-futile", "outreach_futile(islamic_state)", ARTICLE, True),
    ("outreach-not-yet-2013", "outreach_futile(islamic_state)", EARLY_2013, False),
    ("jad-truce", "would_seek_truce(jabhat_ansar_al_din, islamic_state)", ARTICLE, True),
    ("against-base-rate", "against_base_rate(ap_2014)", ARTICLE, True),
    ("subjugation", "subjugation_risk(jabhat_al_nusra, islamic_state)", ARTICLE, True),
    ("no-subjugation-2013", "subjugation_risk(jabhat_al_nusra, islamic_state)", EARLY_2013, False),
]


@pytest.mark.parametrize("goal, day, expected", [c[1:] for c in CONCLUSIONS],
                         ids=[c[0] for c in CONCLUSIONS])
def test_the_article_concludes(goal, day, expected):
    assert holds(goal, day) is expected


def test_no_report_that_claims_the_alliance_is_credible():
    claiming = {r for r, a, b in answers("alleges/3") if {a, b} == {"jabhat_al_nusra", "islamic_state"}}
    assert claiming == {"guardian_chulov_2014", "daily_beast_2014", "ap_2014", "sohr_2014"}
    assert answers("credible/1") == set()
    assert answers("corroborated/1") == set()


def test_each_report_fails_for_the_articles_reasons_and_no_other():
    assert answers("incoherent/1") == {("guardian_chulov_2014",)}
    assert answers("same_origin/2") == {("daily_beast_2014", "ap_2014"), ("ap_2014", "daily_beast_2014")}
    assert answers("interested/1") == {("daily_beast_2014",), ("ap_2014",)}
    assert answers("impractical/1") == {("ap_agreement",), ("daily_beast_agreement",)}
    idlib = {("daily_beast_idlib_assistance",), ("sohr_idlib_assistance",)}
    for key in ("unsubstantiated/1", "doctored_evidence/1", "credibly_denied/1", "outdated/1"):
        assert answers(key) == idlib, key
    assert answers("flawed/1") == {("guardian_chulov_2014",), ("daily_beast_2014",), ("ap_2014",),
                                   ("sohr_2014",)}


def test_the_rift_has_exactly_the_three_reasons():
    pair = {"jabhat_al_nusra", "islamic_state"}
    assert {(a, b, c) for a, b, c in answers("charges/3") if {a, b} == pair} == \
        {("islamic_state", "jabhat_al_nusra", "defection")}
    assert {r for r in answers("zero_sum/2") if set(r) == pair} == {("islamic_state", "jabhat_al_nusra")}
    assert {r for r in answers("refuses_recognition/3") if set(r[:2]) == pair} == \
        {("jabhat_al_nusra", "islamic_state", "state"), ("jabhat_al_nusra", "islamic_state", "caliphate")}


def test_the_only_local_alliance_is_qalamoun():
    assert answers("local_alliance/3") == {("jabhat_al_nusra", "islamic_state", "qalamoun"),
                                           ("islamic_state", "jabhat_al_nusra", "qalamoun")}


SYMMETRIC = ["alliance/2", "rift/2", "hostile/2", "same_origin/2", "shared_ideology/2"]
SYMMETRIC_IN_TWO = ["local_alliance/3", "joint_front_feasible/3", "common_enemy/3", "alleges/3"]


@pytest.mark.parametrize("paths, day", [((KB,), ARTICLE), ((KB,), EARLY_2013),
                                        ((RULES, INVENTED), datetime.date(2020, 8, 1))],
                         ids=["article", "early-2013", "invented"])
def test_symmetric_predicates_hold_both_ways(paths, day):
    for key in SYMMETRIC:
        rows = answers(key, day, paths)
        assert rows == {(b, a) for a, b in rows}, key
    for key in SYMMETRIC_IN_TWO:
        rows = answers(key, day, paths)
        first, second = (0, 1) if key != "alleges/3" else (1, 2)
        swapped = set()
        for row in rows:
            row = list(row)
            row[first], row[second] = row[second], row[first]
            swapped.add(tuple(row))
        assert rows == swapped, key


# -- the same rules on invented cases ---------------------------------------------------------
CASE = (RULES, INVENTED)
AFTER = datetime.date(2020, 8, 1)
BEFORE = datetime.date(2020, 2, 1)

INVENTED_VERDICTS = [
    ("no-alliance", "alliance(crescent_army, banner_front)", AFTER, False),
    ("no-alliance-swapped", "alliance(banner_front, crescent_army)", AFTER, False),
    ("alliance-before", "alliance(crescent_army, banner_front)", BEFORE, True),
    ("no-rift-before", "rift(banner_front, crescent_army)", BEFORE, False),
    ("charge", "rift(banner_front, crescent_army)", datetime.date(2020, 4, 1), True),
    ("zero-sum", "zero_sum(crescent_army, banner_front)", AFTER, True),
    ("refusal-by-leader", "refuses_recognition(banner_front, crescent_army, state)", AFTER, True),
    ("pledged-recognises", "recognizes(hill_men, crescent_army, caliphate)", AFTER, True),
    ("pledged-ally", "alliance(hill_men, crescent_army)", AFTER, True),
    ("term-recognises", "recognizes(green_brigade, crescent_army, caliphate)", AFTER, True),
    ("name-does-not", "recognizes(far_branch, crescent_army, caliphate)", AFTER, False),
    ("name-is-courtesy", "calls_by_own_name(far_branch, crescent_army)", AFTER, True),
    ("hollow", "hollow_solidarity(far_branch, crescent_army)", AFTER, True),
    ("absorption", "faces_absorption(far_branch, crescent_army, far_isle)", AFTER, True),
    ("ally-others", "alliance(banner_front, green_brigade)", AFTER, True),
    ("ally-others-swapped", "alliance(green_brigade, banner_front)", AFTER, True),
    ("local", "local_alliance(crescent_army, banner_front, high_valley)", AFTER, True),
    ("not-local-elsewhere", "local_alliance(crescent_army, banner_front, river_plain)", AFTER, False),
    ("local-no-evidence", "alliance_evidence(crescent_army, banner_front, high_valley)", AFTER, False),
    ("other-cooperation-evidence", "alliance_evidence(banner_front, green_brigade, river_plain)", AFTER, True),
    ("blocked-port", "joint_front_feasible(crescent_army, banner_front, old_port)", AFTER, False),
    ("granted-pass", "joint_front_feasible(crescent_army, banner_front, mountain_pass)", AFTER, True),
    ("left-flats", "joint_front_feasible(crescent_army, banner_front, salt_flats)", AFTER, False),
    ("herald-incoherent", "incoherent(herald)", AFTER, True),
    ("herald", "credible(herald)", AFTER, False),
    ("one-origin", "same_origin(courier, gazette)", AFTER, True),
    ("one-origin-transitive", "same_origin(gazette, watch)", AFTER, True),
    ("courier-sound", "sound(courier)", AFTER, True),
    ("courier", "credible(courier)", AFTER, False),
    ("gazette", "credible(gazette)", AFTER, False),
    ("bulletin-hearsay", "unsubstantiated(bulletin_raid)", AFTER, True),
    ("bulletin-doctored", "doctored_evidence(bulletin_raid)", AFTER, True),
    ("bulletin-denied", "credibly_denied(bulletin_raid)", AFTER, True),
    ("bulletin-outdated", "outdated(bulletin_raid)", AFTER, True),
    ("bulletin", "credible(bulletin)", AFTER, False),
    ("dispatch-impractical", "impractical(dispatch_campaign)", AFTER, True),
    ("dispatch", "credible(dispatch)", AFTER, False),
    ("monitor", "credible(monitor)", AFTER, True),
    ("monitor-evidence", "sound_evidence(monitor_cooperation)", AFTER, True),
    ("watch-corroborated", "corroborated(watch)", AFTER, True),
    ("watch", "credible(watch)", AFTER, True),
    ("outreach", "outreach_futile(crescent_army)", AFTER, True),
    ("truce", "would_seek_truce(green_brigade, crescent_army)", AFTER, True),
]


@pytest.mark.parametrize("goal, day, expected", [c[1:] for c in INVENTED_VERDICTS],
                         ids=[c[0] for c in INVENTED_VERDICTS])
def test_the_rules_judge_an_invented_case(goal, day, expected):
    assert holds(goal, day, CASE) is expected


def test_the_invented_case_checks_cleanly_with_the_rules():
    assert check(program_of(CASE)).warnings == ()


def readme_case() -> str:
    """The text of the example case in kb/README.md."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```prolog\n(.*?)```", text, re.S)
    assert len(blocks) == 1, "kb/README.md has one example case"
    return blocks[0]


@pytest.mark.parametrize("goal, day, expected", [
    ("alliance(lion_brigades, eagle_front)", datetime.date(2021, 3, 1), False),
    ("alliance(eagle_front, lion_brigades)", datetime.date(2021, 3, 1), False),
    ("local_alliance(lion_brigades, eagle_front, northern_hills)", datetime.date(2021, 3, 1), True),
    ("credible(morning_post)", datetime.date(2021, 3, 1), False),
    ("alliance(lion_brigades, eagle_front)", datetime.date(2020, 6, 1), True),
], ids=["no-alliance", "no-alliance-swapped", "local", "not-credible", "alliance-before"])
def test_the_readme_example_case(goal, day, expected):
    program = program_of((RULES,)) + parse_program(readme_case(), "kb/README.md")
    assert check(program).warnings == ()
    atom = atom_of(goal)
    assert (tuple(t.value for t in atom.args) in evaluate(program, day)[atom.key]) is expected
