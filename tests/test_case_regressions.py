"""The failure modes the case library revealed, each as a small invented case (tests/cases/):
open war, inheritance along pledges, the local exceptions, a rift kept to one movement, the
evidence horizon and unsourced facts in a case. Each case is loaded beside `kb/rules`."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from allegiance.eval.kb import KnowledgeBase
from allegiance.explain.sentences import Vocabulary
from allegiance.explain.why import why
from allegiance.render.text import explanation_tree
from allegiance.repl.cli import main

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "kb" / "rules"
CASES = Path(__file__).resolve().parent / "cases"


def kb_of(name: str, year: int) -> KnowledgeBase:
    return KnowledgeBase.from_paths([RULES, CASES / f"{name}.dl"], as_of=datetime.date(year, 6, 1))


@pytest.mark.parametrize("case, year, goal, expected", [
    ("open_war", 2020, "alliance(red_band, blue_band)", True),  # one-way fighting: hostility only
    ("open_war", 2020, "hostile(red_band, blue_band)", True),
    ("open_war", 2022, "alliance(red_band, blue_band)", False),  # both ways: open war
    ("open_war", 2022, "at_war(blue_band, red_band)", True),
    ("open_war", 2022, "open_war(red_band, blue_band, valley)", False),  # no fighting there
    ("inheritance", 2016, "rift(province, branch)", True),  # the caliph's claim on the rival's branch
    ("inheritance", 2016, "alliance(province, branch)", False),
    ("inheritance", 2016, "alliance(province, caliph)", True),  # a province and its caliph
    ("inheritance", 2020, "alliance(province, branch)", True),  # the branch broke away, swore anew
    ("inheritance", 2020, "rift(branch, rival)", True),  # ... and is divided from its old parent
    ("exceptions", 2018, "alliance(north_wing, south_wing)", False),  # the parents' rift binds
    ("exceptions", 2018, "kinship_exception(north_wing, south_wing, dunes)", True),
    ("exceptions", 2021, "local_alliance(north_wing, south_wing, dunes)", False),  # open war there
    ("exceptions", 2018, "origin_exception(north_wing, south_wing, oasis)", True),
    ("exceptions", 2018, "truce_exception(south_wing, north_wing, ridge)", True),
    ("exceptions", 2021, "local_alliance(north_wing, south_wing, ridge)", False),  # the pact ended
    ("exceptions", 2018, "autonomy_exception(north_wing, south_wing, delta)", True),
    ("exceptions", 2018, "origin_exception(north_wing, south_wing, plain)", True),  # anywhere
    ("exceptions", 2018, "kinship_exception(north_wing, south_wing, plain)", False),
    ("exceptions", 2018, "alliance_evidence(north_wing, south_wing, oasis)", False),
    ("outsiders", 2020, "rift(kin, caliph)", True),  # one family: the caliphate's claim is a rift
    ("outsiders", 2020, "rift(the_state, caliph)", False),  # no end goal in common
    ("outsiders", 2020, "enmity(the_state, caliph)", True),
    ("outsiders", 2020, "rift(nationalists, caliph)", False),
    ("outsiders", 2020, "enmity(caliph, nationalists)", True),
    ("outsiders", 2020, "doctrinal_charge(caliph, nationalists, apostasy)", True),
])
def test_each_failure_mode_is_fixed(case, year, goal, expected):
    with kb_of(case, year) as kb:
        assert kb.holds(goal + "?") is expected, goal


def test_the_rift_lists_only_groups_of_one_movement():
    with kb_of("outsiders", 2020) as kb:
        assert kb.relation("rift/2") == {(a, b) for a, b in kb.relation("rift/2")}
        names = {str(row[0]) for row in kb.ask("rift(X, caliph)?").rows}
        assert names == {"kin"}
        enemies = {str(row[0]) for row in kb.ask("enmity(X, caliph)?").rows}
        assert enemies == {"the_state", "nationalists"}


def test_each_inherited_step_shows_in_the_explanation():
    with kb_of("inheritance", 2016) as kb:
        tree = explanation_tree(why(kb, "rift(province, branch)?"), Vocabulary.of(kb)).text
    assert "province is sworn to caliph" in tree
    assert "caliph's claim to the Caliphate leaves" in tree


def test_a_case_fact_without_a_source_is_a_warning(tmp_path, capsys):
    kb = tmp_path / "kb"
    (kb / "rules").mkdir(parents=True)
    (kb / "kb.toml").write_text('[kb]\nload = ["rules"]\nrules = "rules"\ncases = "cases"\n')
    (kb / "rules" / "r.dl").write_text("% rules\np(X) :- group(X).\n")
    case = kb / "cases" / "c"
    case.mkdir(parents=True)
    shutil.copy(CASES / "unsourced.dl", case / "facts.dl")
    (case / "case.toml").write_text("[case]\ntitle = \"t\"\ndate = 2020-01-01\n")
    assert main(["--kb", str(kb / "rules"), "--kb", str(case), "check"]) == 0
    err = capsys.readouterr().err
    assert "facts.dl:2:1: warning: this fact of a case cites no source" in err
    # the same fact outside a case is not a case's fact: no warning
    assert main(["--kb", str(kb / "rules"), "--kb", str(case / "facts.dl"), "check"]) == 0
    assert "cites no source" not in capsys.readouterr().err


def test_a_pledge_never_removes_the_parents_rifts_from_the_branch():
    with kb_of("inheritance", 2016) as kb:
        assert kb.holds("rift(province, branch)?")
        kb.tell("pledged(province, rival) @inv.")  # a second pledge, to the other side
        assert kb.holds("rift(province, branch)?")
        kb.tell("member_of(province, caliph) @inv.")
        assert kb.holds("rift(province, branch)?")


def test_the_inheritance_stops_when_the_branch_breaks_away():
    with kb_of("inheritance", 2016) as kb:
        assert kb.holds("rift(branch, province)?")
        kb.tell("revoked_pledge(province, caliph) from 2016 @inv.")
        assert not kb.holds("sworn_to(province, caliph)?")
        assert kb.holds("broke_away(province, caliph)?")
