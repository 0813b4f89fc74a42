"""The one-shot command line, driven through `main(argv, stdout, stderr, stdin) -> int`.

Every subcommand and every exit code, JSON validated against the schemas in docs/schemas/, the
same output as the REPL's command layer, a reader that closes the pipe, colour and `NO_COLOR`,
and the README's shell examples (docs are tests). KBs are written inline.
"""

from __future__ import annotations

import io
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, ValidationError

from allegiance.lang.values import Date
from allegiance.repl import subcommands
from allegiance.repl.cli import EXIT_CODES, main
from allegiance.repl.commands import execute
from allegiance.repl.session import Session
from allegiance.repl.subcommands import SUBCOMMANDS, ExitCode

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "docs" / "schemas"
DAY = "2014-11"
KB = """\
% A tiny case for the command-line tests.
source s1 {title: "First report", author: "A. Writer", date: 2014-11}.
predicate group(G) {doc: "G is an armed group", holds: "{G} is an armed group"}.
predicate ally(A, B) {doc: "A and B are allies", holds: "{A} and {B} are allies", fails: "{A} and {B} are not allies"}.

group(red) @s1.
group(blue) @s1.
group(green) @s1.
alias(red, "RF") @s1.
alias(blue, "BB") @s1.
pledged(red, blue) from 2014-01 @s1.
hostile(green, blue) @s1.
local(green, red) @s1.

ally(A, B) :- pledged(A, B), not hostile(A, B).
ally(A, B) :- pledged(B, A), not hostile(A, B).
ally(A, B) :- local(A, B), A != B, not hostile(A, B).
"""
BROKEN = "group(red).\nq(X, Y) :- group(X).\nr(X) :- group(X), not r(X).\n"


@pytest.fixture
def kb_file(tmp_path) -> Path:
    path = tmp_path / "case.dl"
    path.write_text(KB, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def plain(monkeypatch):
    """No colour from the environment unless a test asks for it."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)


def cli(*args, stdin: str = "", stderr=None) -> tuple[int, str, str]:
    """Run the command line; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), stderr if stderr is not None else io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def on(kb_file, *args, **options) -> tuple[int, str, str]:
    """`allegiance --kb KB --as-of 2014-11 ARGS`."""
    return cli("--kb", kb_file, "--as-of", DAY, *args, **options)


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def no_traceback(err: str) -> None:
    assert "Traceback" not in err and "Error:" not in err.replace("error:", "")


# -- query -----------------------------------------------------------------------------------
@pytest.mark.parametrize("goal, code, out", [
    ("group(red)?", 0, "yes.\n"),
    ("group(red)", 0, "yes.\n"),  # the `?` may be left out
    ("group(black)?", 1, "no.\n"),
    ("ally(RF, X)?", 0, "% RF is red\nX = blue.\n1 answer.\n"),
    ("ally(X, Y), X != Y, group(X)?", 0, None),
    ("hostile(X, red)?", 1, "no.\n"),
], ids=["holds", "without-question-mark", "fails", "answers", "conjunction", "no-answers"])
def test_query_exit_codes(kb_file, goal, code, out):
    got, stdout, stderr = on(kb_file, "query", goal)
    assert got == code and stderr == ""
    if out is not None:
        assert stdout == out


def test_query_and_why_print_what_the_repl_prints(kb_file):
    session = Session.open([str(kb_file)], as_of=Date.parse(DAY).first_day(), limit=None)
    session.depth = None  # the one-shot `why` shows whole trees
    try:
        for goal in ("ally(X, Y)?", "group(black)?", "ally(RF, BB)?", "ally(green, BB)?"):
            assert on(kb_file, "query", goal)[1] == execute(session, goal).text + "\n"
            assert on(kb_file, "why", goal)[1] == execute(session, f"why {goal}").text + "\n"
    finally:
        session.close()


def test_options_go_before_or_after_the_command(kb_file):
    before = cli("--kb", kb_file, "--as-of", "2013", "--format", "json", "query", "ally(RF, BB)?")
    after = cli("query", "ally(RF, BB)?", "--kb", kb_file, "--as-of", "2013", "--format", "json")
    assert before == after and before[0] == 1 and json.loads(before[1])["as_of"] == "2013-01-01"


def test_query_json_follows_the_answer_schema(kb_file):
    schema = validator("answer")
    for goal, code in (("ally(X, Y)?", 0), ("ally(RF, BB)?", 0), ("hostile(X, red)?", 1)):
        got, out, err = on(kb_file, "query", goal, "--format", "json")
        assert got == code and err == ""
        document = json.loads(out)
        schema.validate(document)
        assert document["holds"] == (code == 0)
    document = json.loads(on(kb_file, "query", "ally(RF, Y)?", "--format", "json")[1])
    assert document["answers"] == [{"Y": {"type": "symbol", "value": "blue"}}]
    assert document["resolutions"] == {"RF": {"type": "symbol", "value": "red"}}


# -- why ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["text", "tree", "prose", "json", "dot"])
def test_why_in_every_format(kb_file, fmt):
    yes, no = on(kb_file, "why", "ally(RF, BB)?", "--format", fmt), on(kb_file, "why", "ally(green, BB)?", "--format", fmt)
    assert yes[0] == 0 and no[0] == 1 and yes[2] == no[2] == ""
    if fmt in ("text", "tree"):
        assert re.search(r"✓ (\[1\] )?RF and BB are allies", yes[1]) and "by rule ally/2" in yes[1]
        assert "✗ green and BB are not allies" in no[1]
    elif fmt == "prose":
        assert "RF and BB are allies" in yes[1] and "\n✓" not in yes[1]
    elif fmt == "json":
        for out in (yes[1], no[1]):
            validator("explanation").validate(json.loads(out))
    else:
        assert "digraph why {" in yes[1] and yes[1].rstrip().endswith("}")


def test_why_json_carries_rule_ids_positions_sources_and_dates(kb_file):
    document = json.loads(on(kb_file, "why", "ally(RF, BB)", "--format", "json")[1])
    proof = document["proofs"][0]
    assert proof["rule"] == {"id": "ally/2", "text": "ally(A, B) :- pledged(A, B), not hostile(A, B).",
                             "file": str(kb_file), "line": 15}
    statement = proof["premises"][0]["statements"][0]
    assert statement["valid_from"] == "2014-01" and statement["line"] == 11
    assert statement["sources"][0]["title"] == "First report"
    refuted = json.loads(on(kb_file, "why", "ally(green, BB)", "--format", "json")[1])
    assert refuted["holds"] is False and refuted["refutation"]["kind"] == "refutation"


def test_why_trees_are_whole(kb_file, tmp_path):
    deep = tmp_path / "deep.dl"
    deep.write_text("b(x).\n" + "".join(f"l{i}(X) :- l{i + 1}(X).\n" for i in range(8)) + "l8(X) :- b(X).\n")
    code, out, _ = cli("--kb", deep, "why", "l0(x)")
    assert code == 0 and "expand" not in out and out.count("by rule") == 9


def test_repl_json_follows_the_same_schemas(kb_file):
    code, out, _ = on(kb_file, stdin=".format json\nally(X, Y)?\nwhy ally(green, BB)?\n")
    assert code == 0
    first, second = out.split("\n", 1)[1].split("\n}\n", 1)
    validator("answer").validate(json.loads(first + "\n}"))
    validator("explanation").validate(json.loads(second))


# -- the schemas themselves --------------------------------------------------------------------
def _good_answer():
    return {"schema": "allegiance/answer", "version": 1, "query": "p(X)?", "as_of": "2014-11-01",
            "holds": True, "variables": ["X"], "answers": [{"X": {"type": "symbol", "value": "a"}}],
            "resolutions": {}}


@pytest.mark.parametrize("change", [
    lambda d: d.pop("holds"),
    lambda d: d.update(version=2),
    lambda d: d.update(extra=1),
    lambda d: d.update(answers=[]),  # holds, yet no answer
    lambda d: d["answers"][0].update(X={"type": "symbol"}),
    lambda d: d["answers"][0].update(X={"type": "date", "value": "November"}),
    lambda d: d.update(as_of="2014-11"),
], ids=["missing", "version", "extra", "holds-without-answers", "value-without-value", "bad-date", "partial-day"])
def test_the_answer_schema_rejects_wrong_documents(change):
    schema = validator("answer")
    document = _good_answer()
    schema.validate(document)
    change(document)
    with pytest.raises(ValidationError):
        schema.validate(document)


@pytest.mark.parametrize("change", [
    lambda d: d.update(holds=False),  # a proof, yet it does not hold
    lambda d: d["proofs"][0].update(kind="proof"),
    lambda d: d["proofs"][0]["rule"].pop("line"),
    lambda d: d["proofs"][0]["premises"][0]["statements"][0]["sources"][0].pop("url"),
    lambda d: d["proofs"][0].update(height=0),
], ids=["holds-mismatch", "unknown-kind", "rule-without-line", "source-without-url", "height"])
def test_the_explanation_schema_rejects_wrong_documents(kb_file, change):
    schema = validator("explanation")
    document = json.loads(on(kb_file, "why", "ally(RF, BB)", "--format", "json")[1])
    schema.validate(document)
    change(document)
    with pytest.raises(ValidationError):
        schema.validate(document)


# -- check ---------------------------------------------------------------------------------------
def test_check_passes_a_good_kb(kb_file):
    assert cli("check", kb_file) == (0, "ok: 8 facts, 3 rules, 6 predicates.\n", "")


def test_check_uses_kb_by_default(kb_file):
    assert cli("--kb", kb_file, "check")[0] == 0


def test_check_reports_every_diagnostic_with_its_position(tmp_path):
    broken = tmp_path / "broken.dl"
    broken.write_text(BROKEN, encoding="utf-8")
    code, out, err = cli("check", broken)
    assert code == 3 and out == ""
    assert f"{broken}:2:6: error: variable `Y` in the head of `q/2` is unsafe" in err
    assert f"{broken}:3:" in err and "2 | q(X, Y) :- group(X)." in err
    assert err.rstrip().endswith("2 errors, 0 warnings.")
    no_traceback(err)


def test_check_of_a_missing_path_exits_3(tmp_path):
    code, out, err = cli("check", tmp_path / "nothing.dl")
    assert code == 3 and "error: no such file or folder" in err


# -- facts and sources ---------------------------------------------------------------------------
def test_facts(kb_file):
    code, out, err = on(kb_file, "facts", "group")
    assert code == 0 and err == ""
    assert out.splitlines()[0] == f"group(red) @s1.  % {kb_file}:6" and out.endswith("3 facts.\n")
    assert on(kb_file, "facts", "ally/2")[:2] == (1, "no facts.\n")  # derived only: none stated
    code, out, err = on(kb_file, "facts", "gruop")
    assert code == 2 and out == "" and "unknown predicate `gruop`" in err and "did you mean `group`?" in err


def test_sources(kb_file):
    code, out, err = on(kb_file, "sources", "ally(RF, BB)")
    assert code == 0 and out.startswith("ally(RF, BB) rests on 1 fact citing 1 source:\n@s1")
    code, out, err = on(kb_file, "sources", "ally(green, BB)?")
    assert code == 1 and out.startswith("no: ally(green, BB) does not hold")


# -- report and export ---------------------------------------------------------------------------
def test_report_writes_html_and_markdown_and_says_where(kb_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = on(kb_file, "report")
    assert (code, err) == (0, "") and out == "wrote report.html and report.md (as of 2014-11-01).\n"
    assert (tmp_path / "report.html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html>")
    assert (tmp_path / "report.md").exists()
    code, out, _ = on(kb_file, "report", "--out", "out.html", "--markdown", "notes.md")
    assert code == 0 and out.startswith("wrote out.html and notes.md") and (tmp_path / "notes.md").exists()


def test_report_to_a_folder_that_does_not_exist_exits_2(kb_file, tmp_path):
    code, out, err = on(kb_file, "report", "--out", tmp_path / "nowhere" / "r.html")
    assert code == 2 and out == "" and f"cannot write in `{tmp_path / 'nowhere'}`" in err
    no_traceback(err)


def test_export_dot_and_json(kb_file):
    code, out, err = on(kb_file, "export")
    assert code == 0 and out.startswith("digraph relations {") and out.endswith("}\n")
    assert '"red" -> "blue"' in out and on(kb_file, "export", "--format", "dot")[1] == out
    code, out, err = on(kb_file, "export", "--format", "json")
    document = json.loads(out)
    validator("relations").validate(document)
    assert {"kind": "allegiance", "source": {"type": "symbol", "value": "red"},
            "target": {"type": "symbol", "value": "blue"}, "directed": True} == \
        {k: v for k, v in document["edges"][0].items() if k in ("kind", "source", "target", "directed")}


# -- usage errors and load failures: positioned, exit 2 or 3, never a traceback --------------
@pytest.mark.parametrize("args, message", [
    (["query"], "the following arguments are required: GOAL"),
    (["query", ""], "give a goal"),
    (["query", "group(red)."], "expected one question"),
    (["query", "group(red)? group(blue)?"], "found several statements"),
    (["query", ".facts group"], "expected one question"),
    (["bogus"], "invalid choice: 'bogus'"),
    (["query", "group(X)?", "--as-of", "2014-13"], "--as-of: month 13"),
    (["query", "group(X)?", "--format", "dot"], "`query` prints text or json"),
    (["facts", "group", "--format", "json"], "`facts` prints text"),
    (["export", "--format", "prose"], "`export` prints dot or json"),
    (["query", "group(X)?", "-f", "x.txt"], "-f runs statements as the REPL does"),
    (["--color", "purple", "check"], "invalid choice: 'purple'"),
], ids=["no-goal", "empty-goal", "a-fact", "two-goals", "a-command", "unknown-command", "bad-date",
        "format-query", "format-facts", "format-export", "f-with-query", "bad-color"])
def test_usage_errors_exit_2(kb_file, args, message):
    code, out, err = cli("--kb", kb_file, *args)
    assert code == 2 and out == "" and message in err
    no_traceback(err)


@pytest.mark.parametrize("command", ["query", "why", "sources"])
def test_syntax_errors_in_a_goal_are_placed_where_typed(kb_file, command):
    code, out, err = on(kb_file, command, "ally(RF,, X)")
    assert code == 2 and out == ""
    assert re.search(r"^<(query|input)>:1:9: error: ", err, re.M) and "1 | ally(RF,, X)" in err
    no_traceback(err)


def test_an_unknown_predicate_in_a_goal_exits_2_with_a_hint(kb_file):
    code, out, err = on(kb_file, "query", "gruop(X)?")
    assert code == 2 and "<query>:1:1: error: unknown predicate `gruop/1`" in err and "`group/1`" in err


@pytest.mark.parametrize("command", [["query", "p(a)?"], ["why", "p(a)?"], ["facts", "p"],
                                     ["sources", "p(a)"], ["report"], ["export"]])
def test_a_kb_that_does_not_load_exits_3(tmp_path, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    broken = tmp_path / "broken.dl"
    broken.write_text(BROKEN, encoding="utf-8")
    code, out, err = cli("--kb", broken, *command)
    assert code == 3 and out == "" and f"{broken}:2:6: error" in err
    no_traceback(err)
    assert cli("--kb", tmp_path / "missing", *command)[0] == 3


def test_a_bug_exits_4_without_a_traceback(kb_file, monkeypatch):
    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(subcommands, "dispatch", broken)
    code, out, err = on(kb_file, "facts", "group")
    assert code == 4 and err == "allegiance: internal error: RuntimeError: boom\n"


# -- several statements: -f FILE and stdin -----------------------------------------------------
def test_f_runs_the_statements_of_a_file_with_errors_placed_in_it(kb_file, tmp_path):
    script = tmp_path / "script.txt"
    script.write_text("group(red)?\nwhy ally(RF, BB)?\n", encoding="utf-8")
    code, out, err = on(kb_file, "-f", script)
    assert (code, err) == (0, "") and out.startswith("yes.\n% RF is red\n")
    script.write_text("group(red)?\n\ngruop(X)?\n", encoding="utf-8")
    code, out, err = on(kb_file, "-f", script)
    assert code == 2 and out == "yes.\n" and err.startswith(f"{script}:3:1: error: unknown predicate")


def test_f_dash_and_stdin_read_the_same_statements(kb_file):
    statements = "group(X)?\n.format json\nally(RF, BB)?\n"
    assert on(kb_file, "-f", "-", stdin=statements) == on(kb_file, stdin=statements) == \
        on(kb_file, "repl", stdin=statements)
    assert on(kb_file, stdin=statements)[0] == 0


def test_f_of_a_missing_file_exits_2(kb_file, tmp_path):
    code, out, err = on(kb_file, "-f", tmp_path / "none.txt")
    assert code == 2 and "none.txt: No such file or directory" in err


def test_stdin_with_a_broken_kb_exits_3(tmp_path):
    broken = tmp_path / "broken.dl"
    broken.write_text(BROKEN, encoding="utf-8")
    assert cli("--kb", broken, stdin="group(red)?\n")[0] == 3


# -- help and version ----------------------------------------------------------------------------
def test_help_leads_with_examples_and_lists_exit_codes():
    code, out, err = cli("--help")
    assert code == 0 and err == ""
    sections = re.findall(r"^(\w[\w ]*):$", out, re.M)
    assert sections[0] == "examples" and "exit codes" in sections
    assert out.index("examples:") < out.index("options:")
    assert "  0  the goal holds" in out and "  3  the knowledge base failed to load" in out


@pytest.mark.parametrize("name", [s.name for s in SUBCOMMANDS])
def test_every_subcommand_has_help_with_examples(name):
    code, out, _ = cli(name, "--help")
    assert code == 0 and "examples:\n  allegiance " + name in out


def test_version():
    assert cli("--version") == (0, "allegiance 0.1.0\n", "")


# -- a reader that closes the pipe ---------------------------------------------------------------
class ClosedPipe(io.StringIO):
    flushed = False

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")


class ClosedOnFlush(io.StringIO):
    flushed = False

    def flush(self):  # the answers sat in a buffer when the reader went away
        self.flushed = True
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize("stdout", [ClosedPipe, ClosedOnFlush])
@pytest.mark.parametrize("args", [["query", "group(X)?"], ["why", "ally(RF, BB)"], ["export"], ["-f", "-"]])
def test_a_closed_stdout_ends_quietly(kb_file, args, stdout):
    err, out = io.StringIO(), stdout()
    code = main(["--kb", str(kb_file), *args], stdout=out, stderr=err, stdin=io.StringIO("group(X)?\n"))
    assert code == 0 and err.getvalue() == ""
    assert out.flushed or stdout is ClosedPipe  # flushed before returning, not at exit


def _command(*args) -> list[str]:
    return [sys.executable, "-m", "repl", *map(str, args)]


def test_a_pipe_closed_before_the_answers_ends_quietly(kb_file):
    process = subprocess.Popen(_command("--kb", kb_file, "query", "group(X)?"), cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before the first answer is written
    err = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=60) == 0 and err == ""


def test_piping_many_answers_into_head_ends_quietly(tmp_path):
    big = tmp_path / "big.dl"  # more answers than a pipe holds, so the writer meets the closed end
    big.write_text("".join(f"p(n{i}).\n" for i in range(8000)), encoding="utf-8")
    writer = subprocess.Popen(_command("--kb", big, "query", "p(X)?"), cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.Popen(["head", "-1"], stdin=writer.stdout, stdout=subprocess.PIPE)
    writer.stdout.close()
    first = head.communicate(timeout=60)[0].decode()
    err = writer.stderr.read().decode()
    writer.stderr.close()
    assert first == "X = n0.\n" and writer.wait(timeout=60) == 0 and err == ""


# -- colour ------------------------------------------------------------------------------------------
class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("no_color, option, tty, coloured", [
    (None, None, True, True),
    ("1", None, True, False),
    (None, "never", True, False),
    (None, None, False, False),
    (None, "always", False, True),
    ("1", "always", False, True),  # an explicit option overrides the environment (no-color.org)
], ids=["auto-terminal", "NO_COLOR", "never", "auto-pipe", "always", "always-over-NO_COLOR"])
def test_colour_in_diagnostics(kb_file, monkeypatch, no_color, option, tty, coloured):
    if no_color:
        monkeypatch.setenv("NO_COLOR", no_color)
    args = ["--color", option] if option else []
    err = Terminal() if tty else io.StringIO()
    code, _, text = on(kb_file, *args, "query", "gruop(X)?", stderr=err)
    assert code == 2 and ("\x1b[" in text) == coloured
    assert "unknown predicate `gruop/1`" in text


def test_no_color_also_holds_for_a_broken_kb(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    broken = tmp_path / "broken.dl"
    broken.write_text(BROKEN, encoding="utf-8")
    code, _, err = cli("check", broken, stderr=Terminal())
    assert code == 3 and "\x1b[" not in err


# -- the README: every subcommand documented, every shell example runs ---------------------------
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_examples() -> list[str]:
    """The lines of the README's `sh` blocks that run `allegiance` (or `./dev repl`)."""
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip().startswith(("allegiance", "./dev repl"))]


def test_the_readme_documents_every_subcommand_and_exit_code():
    for sub in SUBCOMMANDS:
        assert re.search(rf"^\| `{sub.name}[ `]", README, re.M), sub.name
    for code in ExitCode:
        assert f"| `{int(code)}` |" in README
        assert f"\n  {int(code)}  " in EXIT_CODES  # `--help` lists the same codes


def test_the_readme_has_examples_of_every_subcommand():
    examples = " ".join(readme_examples())
    for name in [s.name for s in SUBCOMMANDS]:
        assert f" {name} " in examples + " ", name


@pytest.mark.parametrize("line", readme_examples())
def test_readme_examples_run(line, tmp_path, monkeypatch):
    for folder in ("kb", "tests"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    monkeypatch.chdir(tmp_path)  # `report` writes here, not in the repository
    words = shlex.split(line, comments=True)
    for stop in ("|", ">"):
        words = words[: words.index(stop)] if stop in words else words
    args = words[2:] if words[0] == "./dev" else words[1:]
    code, out, err = cli(*args)
    assert code in (0, 1), err
    no_traceback(err)
    assert out or args == []
