"""The interactive shell: prompt_toolkit glue around the command layer, and nothing more.

A `PromptSession` with the Pygments lexer, the completer, the live validator, multi-line input
(Enter runs the text once its last statement ends with `?` or `.`, or it is a dot command, and
otherwise starts a new line), a persistent `FileHistory` (one entry per statement typed, Ctrl-R
to search it, suggestions from it) and a bottom toolbar. Each text entered goes to
`commands.execute`; the reply is printed, errors included, and the prompt comes back whatever
happened. Ctrl-C abandons the line being typed or cancels a running query; Ctrl-D leaves, but
asks first when the session has unsaved changes (a second Ctrl-D leaves).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.filters import Condition
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.lexers import PygmentsLexer

from allegiance.eval.limits import current_budget, time_limit

from .commands import execute
from .completion import AllegianceCompleter
from .lexer import AllegianceLexer
from .result import QUIT
from .session import Session
from .statements import is_complete
from .validation import AllegianceValidator

PROMPT, CONTINUATION = "?- ", "|  "


def history_path() -> Path:
    """Where the history is kept: `$ALLEGIANCE_HISTORY`, else the XDG state folder."""
    if os.environ.get("ALLEGIANCE_HISTORY"):
        return Path(os.environ["ALLEGIANCE_HISTORY"])
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "allegiance" / "history"


def file_history(path: Path | None = None) -> History:
    """A persistent history; in memory only when its folder cannot be made."""
    path = path or history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return FileHistory(str(path))
    except OSError:
        return InMemoryHistory()


def key_bindings() -> KeyBindings:
    """Enter runs a finished statement and starts a new line in an unfinished one."""
    bindings = KeyBindings()

    @Condition
    def complete() -> bool:
        from prompt_toolkit.application import get_app

        return is_complete(get_app().current_buffer.text)

    @bindings.add("enter", filter=complete)
    def _run(event) -> None:
        event.current_buffer.validate_and_handle()

    @bindings.add("enter", filter=~complete)
    def _newline(event) -> None:
        event.current_buffer.insert_text("\n")

    return bindings


def toolbar_text(session: Session) -> str:
    """KB name, fact and rule counts, as-of date, output format, unsaved changes, what-if layer."""
    facts, rules = session.counts()
    parts = [f" {session.name}", f"{facts} facts", f"{rules} rules", f"as of {session.day_text()}",
             f"format {session.format}"]
    if session.timer:
        parts.append("timer on")
    if session.unsaved:
        parts.append(f"{session.unsaved} unsaved")
    if session.layer:
        parts.append(f"what-if: {len(session.layer.added)} assumed, {len(session.layer.withdrawn)} withdrawn")
    return " · ".join(parts)


def prompt_session(session: Session, history: History | None = None, **options) -> PromptSession:
    """The prompt_toolkit session of the shell."""
    return PromptSession(
        PROMPT, multiline=True, prompt_continuation=lambda width, line, wrap: CONTINUATION,
        lexer=PygmentsLexer(AllegianceLexer), completer=AllegianceCompleter(session),
        complete_while_typing=False, validator=AllegianceValidator(session),
        validate_while_typing=True, history=history if history is not None else InMemoryHistory(),
        auto_suggest=AutoSuggestFromHistory(), enable_history_search=True,
        key_bindings=key_bindings(), bottom_toolbar=lambda: toolbar_text(session),
        **options)


class Shell:
    """The read–run–print loop over one session."""

    def __init__(self, session: Session, out=None, history: History | None = None, **options):
        self.session, self.out = session, out or sys.stdout
        session.interactive = True
        self.prompt = prompt_session(session, history, **options)

    def print(self, text: str) -> None:
        if text:
            print(text, file=self.out, flush=True)

    def run(self) -> int:
        """Prompt until the user leaves; the exit code (0)."""
        while True:
            try:
                text = self.prompt.prompt()
            except KeyboardInterrupt:
                continue  # Ctrl-C abandons the line being typed
            except EOFError:
                if self._may_leave():
                    return 0
                continue
            if self.step(text) == QUIT:
                return 0

    def step(self, text: str) -> str:
        """Run what was typed and print the reply; its status."""
        try:
            result = execute(self.session, text)
        except KeyboardInterrupt:
            budget = current_budget()
            if budget is not None and budget.reached:  # `--timeout`, not Ctrl-C: say which
                budget.reached = False
                self.print(f"interrupted: {time_limit(budget.seconds)}; the statement was cancelled.")
            else:
                self.print("interrupted: the statement was cancelled.")
            return "error"
        self.print(result.text)
        return result.status

    def _may_leave(self) -> bool:
        """Ctrl-D: leave, unless there are unsaved changes not yet warned about."""
        pending = self.session.pending()
        if not self.session.unsaved or self.session.warned_at == pending:
            return True
        self.session.warned_at = pending
        self.print(f"{self.session.unsaved} unsaved change(s): `.save` them, "
                   "or press Ctrl-D again to leave without.")
        return False


def banner(session: Session) -> str:
    """The lines shown when the shell starts."""
    facts, rules = session.counts()
    return (f"allegiance 0.1.0 · {session.name}: {facts} facts, {rules} rules, as of "
            f"{session.day_text()}.\nType `.help` for help; a question ends with `?`, a fact "
            "with `.`; Ctrl-D leaves.")
