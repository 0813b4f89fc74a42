"""The shell end to end through a fake terminal (prompt_toolkit's pipe input and DummyOutput),
the piped mode and the CLI's REPL entry, and the golden transcripts of `tests/golden/repl/`.

Every test ends its input (Enter, then Ctrl-D), so no prompt waits forever. Features that load or
compute asynchronously (history, completion) are driven in stages with `prompt_async`.
Golden cases are folders: `kb.dl` (optional), `statements` (the input, piped), `args` (optional
extra CLI arguments) and `expected` (stdout and stderr as one transcript, then the exit code).
`ALLEGIANCE_UPDATE_GOLDEN=1 pytest tests/test_repl_shell.py` rewrites `expected` files.
"""

from __future__ import annotations

import asyncio
import datetime
import io
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

import allegiance.repl.shell
from allegiance.eval.limits import time_budget
from allegiance.lang.parse import parse_fact
from allegiance.repl.cli import main
from allegiance.repl.session import Session
from allegiance.repl.shell import Shell, prompt_session, toolbar_text

ENTER, CTRL_C, CTRL_D, UP, TAB = "\r", "\x03", "\x04", "\x1b[A", "\t"
ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden" / "repl"
KB = """\
predicate ally(A, B) {doc: "A and B are allies", holds: "{A} and {B} are allies"}.
group(red). group(blue). group(green).
alias(red, "RF"). alias(blue, "BB").
pledged(red, blue).
ally(A, B) :- pledged(A, B).
"""


@pytest.fixture
def kb_file(tmp_path) -> Path:
    path = tmp_path / "case.dl"
    path.write_text(KB, encoding="utf-8")
    return path


@pytest.fixture
def session(kb_file):
    s = Session.open([str(kb_file)])
    yield s
    s.close()


@pytest.fixture
def keys():
    """A fake terminal; a test still waiting for input after 30 s fails instead of hanging."""
    def hung(signum, frame):
        raise TimeoutError("the shell was still waiting for input")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    try:
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            yield pipe
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def shell_run(session, keys, text: str, history=None) -> tuple[int, str]:
    """Type `text` into a fresh shell; its exit code and everything it printed."""
    out = io.StringIO()
    keys.send_text(text)
    code = Shell(session, out, history or InMemoryHistory()).run()
    return code, out.getvalue()


# -- the shell -----------------------------------------------------------------------------
def test_a_question_is_answered_and_ctrl_d_leaves(session, keys):
    assert shell_run(session, keys, "group(X)?" + ENTER + CTRL_D) == (
        0, "X = blue.\nX = green.\nX = red.\n3 answers.\n")


def test_enter_continues_an_unfinished_statement_on_a_new_line(session, keys):
    history = InMemoryHistory()
    code, out = shell_run(session, keys, "ally(X," + ENTER + " Y)?" + ENTER + CTRL_D, history)
    assert out == "X = red, Y = blue.\n1 answer.\n"
    assert list(history.get_strings()) == ["ally(X,\n Y)?"]  # one history entry per statement


def test_why_works_exactly_as_typed(session, keys):
    code, out = shell_run(session, keys, "why ally(RF, BB)?" + ENTER + CTRL_D)
    assert out.startswith("% RF is red\n% BB is blue\n✓ [1] RF and BB are allies")


def test_errors_are_printed_and_the_prompt_comes_back(session, keys, tmp_path):
    missing = tmp_path / "missing.dl"
    code, out = shell_run(session, keys, f".load {missing}" + ENTER + "group(red)?" + ENTER + CTRL_D)
    assert out == f"error: no such file or folder: `{missing}`\n1 error, 0 warnings.\nyes.\n"


def test_an_unknown_command_is_stopped_before_it_runs(session, keys):
    code, out = shell_run(session, keys, ".lod x" + ENTER + CTRL_C + "group(red)?" + ENTER + CTRL_D)
    assert out == "yes.\n"


def test_the_validator_keeps_a_wrong_statement_from_running(session, keys):
    code, out = shell_run(session, keys, "ally(X)?" + ENTER + CTRL_C + "group(red)?" + ENTER + CTRL_D)
    assert (code, out) == (0, "yes.\n")


def test_ctrl_c_abandons_the_line_and_keeps_the_shell(session, keys):
    assert shell_run(session, keys, "group(" + CTRL_C + "group(red)?" + ENTER + CTRL_D) == (0, "yes.\n")


def ctrl_c_during(monkeypatch, statement: str) -> None:
    """Make running `statement` end as a Ctrl-C pressed meanwhile would."""
    real = allegiance.repl.shell.execute

    def pressed(session, text):
        if text == statement:
            raise KeyboardInterrupt
        return real(session, text)

    monkeypatch.setattr(allegiance.repl.shell, "execute", pressed)


def test_ctrl_c_during_a_statement_cancels_it_and_keeps_the_shell(session, keys, monkeypatch):
    ctrl_c_during(monkeypatch, "group(X)?")
    code, out = shell_run(session, keys, "group(X)?" + ENTER + "group(red)?" + ENTER + CTRL_D)
    assert out == "interrupted: the statement was cancelled.\nyes.\n"


def test_a_question_out_of_time_says_so_and_a_later_ctrl_c_is_a_ctrl_c(tmp_path, keys, monkeypatch):
    heavy = tmp_path / "heavy.dl"
    heavy.write_text("big(A, B, C, D) :- e(A, B), e(B, C), e(C, D), A != D.\n" + "".join(
        f"e(n{i}, n{j}).\n" for i in range(40) for j in range(40)), encoding="utf-8")
    ctrl_c_during(monkeypatch, "e(n1, X)?")
    session = Session.open([str(heavy)])
    try:
        with time_budget(0.05):
            code, out = shell_run(session, keys, "big(A, B, C, D)?" + ENTER + "e(n1, X)?" + ENTER
                                  + "e(n1, n2)?" + ENTER + CTRL_D)
    finally:
        session.close()
    assert out == ("interrupted: time limit of 0.05 s reached; the statement was cancelled.\n"
                   "interrupted: the statement was cancelled.\nyes.\n")


def test_ctrl_d_asks_first_when_there_are_unsaved_changes(session, keys):
    code, out = shell_run(session, keys, "group(black)." + ENTER + CTRL_D + CTRL_D)
    assert code == 0
    assert out == ("asserted group(black).\n"
                   "1 unsaved change(s): `.save` them, or press Ctrl-D again to leave without.\n")


def test_quit_twice_leaves_with_unsaved_changes(session, keys):
    code, out = shell_run(session, keys, "group(black)." + ENTER + ".quit" + ENTER + ".quit" + ENTER)
    assert code == 0 and "`.quit` again" in out


def test_the_toolbar_shows_kb_counts_date_format_and_unsaved(session, kb_file):
    session.as_of = datetime.date(2014, 11, 1)
    assert toolbar_text(session) == f" {kb_file} · 6 facts · 1 rules · as of 2014-11-01 · format tree"
    session.assert_fact(parse_fact("group(black)."))
    assert toolbar_text(session).endswith("· 1 unsaved")


def staged(session, *chunks, history=None, pause=0.15) -> str:
    """What one prompt returns when `chunks` are typed one after the other, with pauses."""
    async def type_in():
        prompt = prompt_session(session, history)
        task = asyncio.ensure_future(prompt.prompt_async())
        for chunk in chunks:
            await asyncio.sleep(pause)
            prompt.app.input.send_text(chunk)
        return await asyncio.wait_for(task, 5)

    return asyncio.run(type_in())


def test_tab_completes_a_predicate(session, keys):
    assert staged(session, "all", TAB, "X, Y)?" + ENTER) == "ally(X, Y)?"


def test_history_persists_and_a_prefix_then_up_finds_it(session, keys, tmp_path):
    path = tmp_path / "history"
    history = FileHistory(str(path))
    history.store_string("group(red)?")
    history.store_string("ally(X,\n Y)?")
    assert staged(session, "gr", UP, ENTER, history=FileHistory(str(path))) == "group(red)?"
    assert staged(session, UP, ENTER, history=FileHistory(str(path))) == "group(red)?"


# -- the command line: REPL by default on a terminal, piped mode otherwise -------------------
class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_command_on_a_terminal_starts_the_repl(kb_file, keys, monkeypatch, tmp_path):
    monkeypatch.setenv("ALLEGIANCE_HISTORY", str(tmp_path / "history"))
    out = Terminal()
    keys.send_text("group(red)?" + ENTER + CTRL_D)
    assert main(["--kb", str(kb_file)], stdout=out, stderr=io.StringIO(), stdin=Terminal()) == 0
    assert out.getvalue().splitlines()[-1] == "yes."
    assert "group(red)?" in (tmp_path / "history").read_text(encoding="utf-8")


def piped(kb_file, text: str, *args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--kb", str(kb_file), *args], stdout=out, stderr=err, stdin=io.StringIO(text))
    return code, out.getvalue(), err.getvalue()


def test_piped_statements_print_replies_without_prompts(kb_file):
    code, out, err = piped(kb_file, "why ally(RF, BB)?\ngroup(\n  X)?\n")
    assert code == 0 and err == ""
    assert out.startswith("% RF is red\n% BB is blue\n✓ [1] RF and BB are allies")
    assert out.endswith("X = blue.\nX = green.\nX = red.\n3 answers.\n")


def test_piped_errors_go_to_stderr_with_the_input_line_and_the_exit_code_says_so(kb_file):
    code, out, err = piped(kb_file, "group(red)?\n\ngruop(X)?\ngroup(blue)?\n")
    assert code == 2 and out == "yes.\nyes.\n"
    assert err.startswith("<stdin>:3:1: error: unknown predicate `gruop/1`")


def test_piped_quit_stops_reading(kb_file):
    assert piped(kb_file, "group(red)?\n.quit\ngroup(X)?\n")[:2] == (0, "yes.\n")


def test_piped_with_a_broken_kb_exits_3(tmp_path):
    broken = tmp_path / "broken.dl"
    broken.write_text("p(X).\n", encoding="utf-8")
    code, out, err = piped(broken, "p(a)?\n")
    assert code == 3 and "broken.dl:1:3: error" in err


def test_the_one_shot_commands_keep_working(kb_file):
    out = io.StringIO()
    assert main(["--kb", str(kb_file), "query", "ally(RF, X)?"], stdout=out, stderr=io.StringIO()) == 0
    assert out.getvalue() == "% RF is red\nX = blue.\n1 answer.\n"


def test_piping_into_the_installed_command(kb_file):
    done = subprocess.run([sys.executable, "-m", "repl", "--kb", str(kb_file)], input="why ally(RF, BB)?\n",
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0 and "RF and BB are allies" in done.stdout


# -- golden transcripts ------------------------------------------------------------------------
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "statements").exists()) if GOLDEN.exists() else []


@pytest.mark.parametrize("case", CASES)
def test_golden(case, monkeypatch):
    folder = GOLDEN / case
    monkeypatch.chdir(folder)
    monkeypatch.delenv("NO_COLOR", raising=False)
    args = shlex.split((folder / "args").read_text(encoding="utf-8")) if (folder / "args").exists() else []
    if (folder / "kb.dl").exists():
        args = ["--kb", "kb.dl", *args]
    transcript = io.StringIO()
    statements = (folder / "statements").read_text(encoding="utf-8")
    code = main(args, stdout=transcript, stderr=transcript, stdin=io.StringIO(statements))
    got = transcript.getvalue() + f"[exit {code}]\n"
    expected = folder / "expected"
    if os.environ.get("ALLEGIANCE_UPDATE_GOLDEN"):
        expected.write_text(got, encoding="utf-8")
    assert got == expected.read_text(encoding="utf-8")
