"""The case library and its backtest: every golden question of kb/cases/ matches (known misses
aside), the command's table, JSON (validated against its schema) and exit codes, what loading
the `kb` folder and a case folder means, manifests kept inside their knowledge base, and the
evidence horizon."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest

from allegiance.eval.kb import KnowledgeBase, read_program
from allegiance.lang.diagnostics import LoadError
from allegiance.lang.manifests import cases_under
from allegiance.repl.cli import main

ROOT = Path(__file__).resolve().parent.parent
KB = ROOT / "kb"
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "backtest.schema.json").read_text())


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- the library -----------------------------------------------------------------------------------
def test_the_backtest_passes_on_every_case(capsys):
    code, out, _ = run(capsys, "--kb", KB, "backtest", "--format", "json")
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    misses = [(c["case"], q["goal"], q["as_of"]) for c in doc["cases"] for q in c["questions"]
              if not q["matches"] and "known_miss" not in q]
    assert misses == [] and code == 0 and doc["passed"]


def test_the_library_is_what_the_issue_asks_for():
    cases = cases_under(KB)
    assert len(cases) >= 8 and len({c.theatre for c in cases}) >= 4
    assert sum(c.cooperation_held for c in cases) >= 3
    for case in cases:
        assert (case.folder / "README.md").is_file(), case.name
        assert case.questions and any(q.goal.startswith("alliance(") for q in case.questions)
        sources = {s.id for s in read_program([KB / "rules", case.folder]).sources}
        assert {q.source for q in case.questions} <= sources, case.name


@pytest.mark.parametrize("case", [c.name for c in cases_under(KB)])
def test_every_fact_of_a_case_cites_a_declared_source(case):
    program = read_program([KB / "rules", KB / "cases" / case])
    declared = {s.id for s in program.sources}
    for fact in program.facts:
        assert fact.sources and set(fact.sources) <= declared, f"{fact.span}"


def test_loading_kb_is_the_rules_and_the_articles_case():
    whole = read_program([KB])
    parts = read_program([KB / "rules", KB / "cases" / "jn_is_2014"])
    assert whole.facts == parts.facts and whole.rules == parts.rules
    assert not any("kb/common" in str(f.span.file) for f in whole.facts if f.span)


def test_two_cases_that_share_the_base_load_it_once():
    program = read_program([KB / "rules", KB / "cases" / "jnim_merger_2017",
                            KB / "cases" / "jnim_isgs_sahel"])
    common = [f for f in program.facts if f.span and "common" in Path(f.span.file).parts]
    assert len(common) == len(set((f.atom, f.valid_from, f.valid_to) for f in common))


# -- the command -----------------------------------------------------------------------------------
def test_the_table_names_each_question_and_marks_it(capsys):
    code, out, _ = run(capsys, "--kb", KB, "backtest", "jnim_isgs_sahel", "jn_is_2014")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["case", "question", "as", "of", "expected", "got"]
    assert any(line.startswith("jnim_isgs_sahel") and "2018-12-19" in line and line.endswith("✓")
               for line in lines)
    assert "questions in 2 cases" in out


def test_a_known_miss_is_reported_with_its_reason_and_does_not_fail(capsys):
    code, out, _ = run(capsys, "--kb", KB, "backtest", "marawi_2017")
    assert code == 0 and "✗ known miss" in out and "known miss: " in out
    assert "marawi_cnnph_2017 is credible" in out  # the why of what the rules concluded


def _library(tmp_path: Path, expected: str, extra: str = "") -> Path:
    kb = tmp_path / "kb"
    (kb / "rules").mkdir(parents=True)
    (kb / "kb.toml").write_text('[kb]\nload = ["rules"]\nrules = "rules"\ncases = "cases"\n')
    (kb / "rules" / "r.dl").write_text("% rules\nally(A, B) :- pact(A, B).\n")
    case = kb / "cases" / "one"
    case.mkdir(parents=True)
    (case / "facts.dl").write_text('% one\nsource s {title: "t"}.\npact(a, b) from 2020 @s.\n')
    (case / "case.toml").write_text(
        f'[case]\ntitle = "one"\ntheatre = "Syria"\ndate = 2021-01-01\n{extra}\n'
        f'[[question]]\ngoal = "ally(a, b)"\nas_of = 2021-01-01\nexpected = "{expected}"\n'
        'source = "s"\n')
    return kb


def test_a_miss_fails_with_the_why_of_what_the_rules_concluded(tmp_path, capsys):
    code, out, _ = run(capsys, "--kb", _library(tmp_path, "no"), "backtest")
    assert code == 1
    assert "✗ one: ally(a, b) as of 2021-01-01: expected no (s), got yes" in out
    assert "by rule ally/2" in out
    code, out, _ = run(capsys, "--kb", _library(tmp_path / "2", "yes"), "backtest")
    assert code == 0 and out.splitlines()[1].endswith("✓")


def test_an_unknown_case_or_no_library_is_a_usage_error(tmp_path, capsys):
    code, _, err = run(capsys, "--kb", KB, "backtest", "jnim_isgs")
    assert code == 2 and "no case `jnim_isgs`" in err and "jnim_isgs_sahel" in err
    code, _, err = run(capsys, "--kb", tmp_path, "backtest")
    assert code == 2 and "no `kb.toml`" in err


def test_the_repl_runs_the_backtest(tmp_path, capsys):
    script = tmp_path / "s.txt"
    script.write_text(".backtest jaysh_al_fatah_2015\n")
    code, out, _ = run(capsys, "--kb", KB, "-f", script)
    assert code == 0 and "jaysh_al_fatah_2015" in out and "✓" in out


# -- manifests: safe and placed --------------------------------------------------------------------
@pytest.mark.parametrize("entry, message", [
    ("../../outside", "leads outside"),
    ("/etc", "must be a path relative to"),
    ("nowhere", "no such file or folder"),
])
def test_a_shared_base_must_lie_inside_the_knowledge_base(tmp_path, entry, message):
    kb = _library(tmp_path, "yes", f'common = ["{entry}"]')
    (tmp_path / "outside").mkdir()
    with pytest.raises(LoadError) as caught:
        KnowledgeBase.from_paths([kb / "rules", kb / "cases" / "one"])
    (d,) = caught.value.diagnostics
    assert message in d.message and d.span.file.endswith("case.toml") and d.span.line == 5


def test_a_broken_manifest_is_an_error_with_its_position(tmp_path):
    kb = _library(tmp_path, "yes")
    (kb / "kb.toml").write_text('[kb]\nload = ["rules"\n')
    with pytest.raises(LoadError) as caught:
        KnowledgeBase.from_paths([kb])
    (d,) = caught.value.diagnostics
    assert d.span.file.endswith("kb.toml") and "not valid TOML" in d.message


# -- the evidence horizon --------------------------------------------------------------------------
def test_one_case_is_asked_as_of_its_date_and_later_questions_say_so(capsys):
    case = KB / "cases" / "ahrar_isis_2014"
    code, out, _ = run(capsys, "--kb", KB / "rules", "--kb", case, "query", "alliance(ahrar_al_sham, IS)?",
                       "--format", "json")
    assert json.loads(out)["as_of"] == "2014-04-30" and "latest_evidence" not in json.loads(out)
    code, out, _ = run(capsys, "--kb", KB / "rules", "--kb", case, "--as-of", "2026-01-01", "why",
                       "rift(ahrar_al_sham, IS)?")
    assert "% asked as of 2026-01-01, after the latest evidence it rests on (" in out
    code, out, _ = run(capsys, "--kb", KB / "rules", "--kb", case, "--as-of", "2026-01-01", "query",
                       "rift(ahrar_al_sham, IS)?", "--format", "json")
    assert json.loads(out)["latest_evidence"] == "2014-04-30"


def test_the_default_knowledge_base_is_asked_as_of_the_article():
    from allegiance.repl.session import Session

    session = Session.open([str(KB)])
    try:
        assert session.kb.as_of == datetime.date(2014, 11, 15)
    finally:
        session.close()


def test_a_report_asked_after_the_evidence_says_so(tmp_path, capsys):
    case = KB / "cases" / "jnim_isgs_sahel"
    out = tmp_path / "r.html"
    code, _, _ = run(capsys, "--kb", KB / "rules", "--kb", case, "--as-of", "2026", "report", "--out", out)
    assert code == 0 and "after the latest evidence of the case (2020-05-26)" in out.with_suffix(".md").read_text()
    code, _, _ = run(capsys, "--kb", KB / "rules", "--kb", case, "report", "--out", out)
    assert code == 0 and "latest evidence" not in out.with_suffix(".md").read_text()


@pytest.mark.parametrize("case", [c.name for c in cases_under(KB)])
def test_the_report_and_the_ach_work_on_every_case(case, tmp_path, capsys):
    paths = ["--kb", KB / "rules", "--kb", KB / "cases" / case]
    code, out, err = run(capsys, *paths, "report", "--out", tmp_path / "r.html")
    assert code == 0 and "wrote" in out, err
    goal = next(q.goal for q in next(c for c in cases_under(KB) if c.name == case).questions
                if q.goal.startswith("alliance("))
    a, b = goal[len("alliance("):-1].split(", ")
    code, out, err = run(capsys, *paths, "ach", a, b)
    # a pair no item of evidence bears on is a clear usage error, not a crash
    assert (code in (0, 1) and "competing hypotheses" in out) or \
        (code == 2 and "no evidence bears on" in err), err
