"""Ctrl-C with a real signal: the REPL started as a user starts it, interrupted mid-evaluation.

`test_repl_shell` drives the shell through prompt_toolkit's pipe input and fakes the interrupt;
here the real command (`python -m repl`) runs in a child process on a pseudo-terminal, so
prompt_toolkit runs as on a user's terminal, and Ctrl-C is the byte `\\x03` written to the
terminal, which its line discipline turns into SIGINT for the REPL. Two slow questions are
interrupted where the engine evaluates them: in the main thread (a recursive stratum, or a whole
derived relation, computed in Python) and in the knowledge base's pyDatalog thread (a
conjunction asked goal-directed). Each takes
minutes; the REPL must say the statement was cancelled, show the prompt again, answer the next
question correctly and still hold an unsaved change made before. Piped to stdin, a SIGINT ends
the run with exit code 130 and no traceback. Every wait is bounded (`WAIT`): a REPL that ignored
the interrupt fails the test instead of hanging the suite. No test asserts a speed.
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pty = pytest.importorskip("pty", reason="no pseudo-terminals on this platform")
termios = pytest.importorskip("termios", reason="no terminal control on this platform")

ROOT = Path(__file__).resolve().parent.parent
WAIT = 30  # seconds before a missing reply counts as a hang
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|\r")
BASE = "group(red).\ngroup(blue).\nlink(a, b).\nlink(b, c).\n" \
       "reach(X, Y) :- link(X, Y).\nreach(X, Z) :- reach(X, Y), link(Y, Z).\n"
RING = 2000  # the closure of a ring with chords: 4 million tuples, minutes in Python
CLOSURE = "tc(X, Y) :- e(X, Y).\ntc(X, Z) :- tc(X, Y), e(Y, Z).\n" + "".join(
    f"e(n{i}, n{(i + 1) % RING}).\ne(n{i}, n{(i * 7 + 3) % RING}).\n" for i in range(RING))
NODES = 40  # 40⁴ rows joined by pyDatalog: minutes
JOIN = "big(A, B, C, D) :- e(A, B), e(B, C), e(C, D), A != D.\n" + "".join(
    f"e(n{i}, n{j}).\n" for i in range(NODES) for j in range(NODES))
SLOW = [  # the knowledge base, the slow question, a quick one and its reply
    pytest.param(CLOSURE, "tc(n0, X)?", "reach(a, X)?", "X = b.\nX = c.\n2 answers.", id="python-fixpoint"),
    pytest.param(JOIN, "big(A, B, C, D)?", "big(n1, n2, n3, n4)?", "yes.", id="python-join"),
    pytest.param(JOIN, "e(A, B), e(B, C), e(C, D), A != D?", "big(n1, n2, n3, n4)?", "yes.",
                 id="pydatalog-thread"),
]


def environment(tmp_path: Path) -> dict[str, str]:
    """A plain terminal: no colour, no cursor-position requests, a private history."""
    return dict(os.environ, TERM="xterm", NO_COLOR="1", PROMPT_TOOLKIT_NO_CPR="1",
                ALLEGIANCE_HISTORY=str(tmp_path / "history"))


class Terminal:
    """A child process on a pseudo-terminal: type into it, read what it shows, escapes removed."""

    def __init__(self, argv: list[str], env: dict[str, str]):
        try:
            self.pid, self.fd = pty.fork()
        except OSError as exc:
            pytest.skip(f"no pseudo-terminal available: {exc}")
        if self.pid == 0:  # the child: become the REPL (never returns)
            try:
                os.chdir(ROOT)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        termios.tcsetwinsize(self.fd, (24, 120))
        self.raw, self.seen, self.status = b"", 0, None

    @property
    def text(self) -> str:
        return ESCAPES.sub("", self.raw.decode("utf-8", "replace"))

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def expect(self, wanted: str) -> None:
        """Wait until `wanted` shows after what was expected last; fails after `WAIT` seconds."""
        end = time.monotonic() + WAIT
        while wanted not in self.text[self.seen:]:
            assert time.monotonic() < end and self._read(end), \
                f"{wanted!r} did not show; the terminal shows:\n{self.text}"
        self.seen = self.text.index(wanted, self.seen) + len(wanted)

    def _read(self, end: float) -> bool:
        """Read what is there (waiting until `end`); False once the child's side is closed."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, min(0.2, end - time.monotonic())))
        if ready:
            try:
                data = os.read(self.fd, 65536)
            except OSError:  # EIO: the child has gone
                return False
            self.raw += data
            return bool(data)
        return True

    def running(self) -> None:
        """Wait until the shell has left the prompt (the terminal is back in canonical mode):
        the statement typed last is being evaluated."""
        end = time.monotonic() + WAIT
        while not termios.tcgetattr(self.fd)[3] & termios.ICANON:
            assert time.monotonic() < end, "the shell never ran the statement"
            time.sleep(0.01)

    def exit_code(self) -> int:
        """The child's exit code, waiting for it to end (and reading what it still shows)."""
        end = time.monotonic() + WAIT
        while self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
            else:
                assert time.monotonic() < end, f"the REPL did not leave:\n{self.text}"
                self._read(time.monotonic() + 0.1)
        return self.status

    def close(self) -> None:
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.fixture
def terminal(tmp_path):
    opened: list[Terminal] = []

    def start(kb_text: str) -> Terminal:
        kb = tmp_path / "slow.dl"
        kb.write_text(BASE + kb_text, encoding="utf-8")
        opened.append(Terminal([sys.executable, "-m", "repl", "--kb", str(kb)], environment(tmp_path)))
        return opened[-1]

    yield start
    for term in opened:
        term.close()


@pytest.mark.parametrize("kb_text, slow, quick, reply", SLOW)
def test_ctrl_c_on_a_terminal_cancels_the_query_and_the_session_goes_on(terminal, kb_text, slow,
                                                                         quick, reply):
    term = terminal(kb_text)
    term.expect("Ctrl-D leaves.")
    term.expect("?-")
    term.type("group(black).\r")
    term.expect("asserted group(black).")  # an unsaved change
    term.expect("?-")
    term.type(slow + "\r")
    term.running()
    time.sleep(0.3)  # well inside the evaluation, which takes minutes
    term.type("\x03")
    term.expect("interrupted: the statement was cancelled.")
    term.expect("?-")
    term.type(quick + "\r")
    term.expect(reply)
    term.expect("?-")
    term.type("group(black)?\r")
    term.expect("yes.")  # the change made before the interrupt is still there
    term.expect("?-")  # (typed before the prompt shows, Ctrl-D would be the line discipline's EOF)
    term.type("\x04")
    term.expect("1 unsaved change(s)")  # and still unsaved
    term.expect("?-")
    term.type("\x04")
    assert term.exit_code() == 0
    assert "Traceback" not in term.text and "internal error" not in term.text


def test_ctrl_c_at_the_prompt_abandons_the_line_on_a_terminal(terminal):
    term = terminal("")
    term.expect("?-")
    term.type("group(")
    term.expect("group(")
    term.type("\x03")
    term.expect("?-")
    term.type("group(red)?\r")
    term.expect("yes.")
    term.expect("?-")
    term.type("\x04")
    assert term.exit_code() == 0 and "Traceback" not in term.text


def test_sigint_ends_a_piped_run_with_130_and_no_traceback(tmp_path):
    kb = tmp_path / "slow.dl"
    kb.write_text(BASE + CLOSURE, encoding="utf-8")
    child = subprocess.Popen([sys.executable, "-m", "repl", "--kb", str(kb)], cwd=ROOT,
                             env=environment(tmp_path), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        child.stdin.write(b"group(black).\ngroup(black)?\n")
        child.stdin.flush()
        shown = b""
        end = time.monotonic() + WAIT
        while b"yes." not in shown:  # the statements before the slow one have run
            assert time.monotonic() < end, shown
            if select.select([child.stdout], [], [], 0.2)[0]:
                shown += os.read(child.stdout.fileno(), 65536)
        child.stdin.write(b"tc(n0, X)?\nreach(a, X)?\n")
        child.stdin.flush()
        time.sleep(0.5)  # the slow question, minutes of work, is being evaluated
        assert child.poll() is None
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=WAIT)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    out, err = (shown + out).decode(), err.decode()
    assert child.returncode == 130
    assert out == "asserted group(black).\nyes.\n"  # no answer: nothing after the interrupt ran
    assert err == "interrupted\n"
