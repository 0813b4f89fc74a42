"""The what-if subcommands (`whatif`, `flip`, `sensitivity`, `ach`), driven through
`main(argv, stdout, stderr, stdin) -> int`: exit codes, the same text as the REPL's commands,
JSON, and the files left untouched. A small case inline; the article's knowledge base for `ach`,
with small bounds.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from allegiance.repl.cli import main
from allegiance.repl.commands import execute
from allegiance.repl.session import Session
from allegiance.repl.whatif_cli import WHATIF_SUBCOMMANDS
from whatif_case import KB, SCHEMA, valid

DAY = "2014-11"


@pytest.fixture
def kb_file(tmp_path) -> Path:
    path = tmp_path / "case.dl"
    path.write_text(KB, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def plain(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)


def cli(*args) -> tuple[int, str, str]:
    """Run the command line; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err, stdin=io.StringIO(""))
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue(), err.getvalue()


def on(kb_file, *args) -> tuple[int, str, str]:
    return cli("--kb", kb_file, "--as-of", DAY, *args)


def repl_says(kb_file, *lines) -> str:
    """What the REPL prints for the last of `lines`, on the same knowledge base and day."""
    session = Session.open([str(kb_file)], as_of=datetime.date(2014, 11, 1), limit=None)
    try:
        return [execute(session, line) for line in lines][-1].text + "\n"
    finally:
        session.close()


# -- whatif --------------------------------------------------------------------------------------
def test_whatif_prints_what_assume_prints_and_touches_no_file(kb_file):
    text = kb_file.read_bytes()
    code, out, err = on(kb_file, "whatif", "--withdraw", "hostile(green, blue).", "--assume", "pledged(green, RF)")
    assert (code, err) == (0, "")
    assert out == repl_says(kb_file, ".assume not hostile(green, blue). pledged(green, RF).")
    assert "  + green and BB are allies  [ally(green, blue)]" in out
    assert kb_file.read_bytes() == text


@pytest.mark.parametrize("args, code, shown", [
    (["--assume", "group(red) @s1"], 1, "0 conclusions gained, 0 lost"),
    (["--withdraw", "hostile(green, blue)", "--conclusions", "ally"], 0, "over 1 predicate: 2 conclusions gained"),
    ([], 2, "give a fact to --assume or to --withdraw"),
    (["--assume", "group(X)"], 2, "must be ground"),
    (["--assume", "group(black)", "--conclusions", "nosuch/2"], 2, "unknown predicate `nosuch/2`"),
    (["--assume", "group(black)", "--format", "dot"], 2, "`whatif` prints text or json"),
], ids=["nothing-changes", "some-conclusions", "no-fact", "not-ground", "unknown-conclusion", "bad-format"])
def test_whatif_exit_codes(kb_file, args, code, shown):
    got, out, err = on(kb_file, "whatif", *args)
    assert got == code and shown in (out if code < 2 else err)


def test_whatif_json_and_explanations(kb_file):
    code, out, _ = on(kb_file, "whatif", "--withdraw", "hostile(green, blue)", "--format", "json")
    doc = valid(out)
    assert code == 0 and doc["schema"] == "allegiance/whatif" and doc["changed"]
    assert [a["text"] for a in doc["gained"]] == ["ally(blue, green)", "ally(green, blue)"]
    assert doc["layer"]["withdrawn"][0]["fact"] == "hostile(green, blue) @s2."
    code, out, _ = on(kb_file, "whatif", "--withdraw", "hostile(green, blue)", "--explain")
    assert code == 0 and "with the assumption, why ally(green, blue)?" in out


def test_a_knowledge_base_that_does_not_load_exits_3(tmp_path):
    assert cli("--kb", tmp_path / "missing.dl", "whatif", "--assume", "group(a)")[0] == 3
    assert cli("--kb", tmp_path / "missing.dl", "ach", "JN", "IS")[0] == 3


# -- flip ----------------------------------------------------------------------------------------
def test_flip_prints_what_the_repl_prints_and_its_sets_flip(kb_file):
    code, out, err = on(kb_file, "flip", "ally(green, blue)?", "--max-size", "2")
    assert (code, err) == (0, "") and out == repl_says(kb_file, ".flip ally(green, blue) size=2")
    code, out, _ = on(kb_file, "flip", "ally(green, blue)", "--max-size", "2", "--fix", "", "--format", "json")
    doc = valid(out)
    assert code == 0 and doc["fixed"] == [] and not doc["holds"]
    for changes in doc["sets"]:
        options = [w for c in changes for w in ("--assume" if c["change"] == "add" else "--withdraw", c["atom"]["text"])]
        flipped = valid(on(kb_file, "whatif", *options, "--conclusions", "ally/2", "--format", "json")[1])
        assert "ally(green, blue)" in [a["text"] for a in flipped["gained"]]


@pytest.mark.parametrize("args, code, shown", [
    (["ally(red, blue)", "--max-size", "1"], 0, "1.  − pledged(red, blue)"),
    (["ally(green, blue)", "--max-size", "1", "--max-checks", "1"], 1, "stopped after assuming 1 sets"),
    (["ally(X, blue)"], 2, "expected one ground atom"),
    (["ally(red, blue)", "--max-size", "0"], 2, "expected a positive number"),
    (["ally(red, blue)", "--fix", "nosuch"], 2, "unknown predicate `nosuch`"),
], ids=["holds", "bounded", "open-goal", "bad-size", "bad-fix"])
def test_flip_exit_codes(kb_file, args, code, shown):
    got, out, err = on(kb_file, "flip", *args)
    assert got == code and shown in (out if code < 2 else err)


# -- sensitivity ---------------------------------------------------------------------------------
def test_sensitivity_of_one_source_and_of_every_source(kb_file):
    code, out, _ = on(kb_file, "sensitivity", "s2")
    assert code == 0 and out == repl_says(kb_file, ".sensitivity s2")
    code, out, _ = on(kb_file, "sensitivity")
    assert code == 0 and out.splitlines()[1].startswith("  [s1]: 5 withdrawn, 1 kept;")
    code, out, _ = on(kb_file, "sensitivity", "--format", "json", "--conclusions", "ally")
    doc = valid(out)
    assert doc["schema"] == "allegiance/sensitivities" and [s["source"] for s in doc["sources"]] == ["s1", "s2"]
    assert doc["sources"][0]["conclusions"] == ["ally/2"]
    assert on(kb_file, "sensitivity", "s2", "--carriers", "s1")[1].count("cite [s2] or [s1]") == 1
    code, _, err = on(kb_file, "sensitivity", "s9")
    assert code == 2 and "source `@s9` is not declared" in err


# -- ach -----------------------------------------------------------------------------------------
def test_ach_on_the_article_favours_local_cooperation_and_disinformation():
    args = ("--as-of", "2014-11-15", "ach", "JN", "IS")
    code, out, err = cli(*args)
    assert (code, err) == (0, "") and "favoured: local cooperation only." in out
    assert "favoured: disinformation by interested sources." in out
    code, out, _ = cli(*args, "--format", "json", "--indicators", "--max-size", "1", "--max-checks", "10")
    doc = valid(out)
    assert code == 0 and doc["schema"] == "allegiance/ach" and doc["question"] == "relationship"
    assert [h["value"] for h in doc["favoured"]] == ["local_cooperation_only"]
    assert [h["value"] for h in doc["reporting"]["favoured"]] == ["reports_disinformation"]
    assert [e["name"] for e in doc["indicators"]][1] == "local cooperation only"
    assert all(e["max_size"] == 1 for e in doc["indicators"])


def test_ach_without_hypotheses_is_a_usage_error(kb_file):
    code, out, err = on(kb_file, "ach", "RF", "BB")
    assert code == 2 and out == "" and "defines no `hypothesis/3`" in err


@pytest.mark.parametrize("name", [s.name for s in WHATIF_SUBCOMMANDS])
def test_every_what_if_subcommand_has_help_with_examples(name):
    code, out, _ = cli(name, "--help")
    assert code == 0 and "examples:\n  allegiance " + name in out and "exit codes:" in out


def test_the_schema_is_a_json_schema_that_rejects_unknown_documents():
    Draft202012Validator.check_schema(SCHEMA)
    assert not Draft202012Validator(SCHEMA).is_valid({"schema": "allegiance/whatif", "version": 1})
