"""The one mutable object of the REPL: the knowledge base in use and everything the user set.

The command layer reads and changes it; the shell only reads it (toolbar, completion,
validation). It keeps the paths loaded, the as-of date (None: today), the output format, the
timer flag, the answer cap, the sub-proofs collapsed by the last `why`, and the changes made at
the prompt: an undo and a redo stack of asserts and retracts, and the baseline of facts read from
the files, so that "unsaved changes" is always the true difference between the session and the
files, whatever was undone. Loading builds the new knowledge base before dropping the old one,
so a broken file changes nothing that was loaded before. The what-if layer, while one is open,
is data kept here and applied only for the statement that reads it (see `whatif_commands`).
"""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path

from attrs import frozen

from allegiance.eval.kb import KnowledgeBase
from allegiance.lang.syntax import Fact
from allegiance.lang.values import printable

FORMATS = ("tree", "prose", "json", "dot")


@frozen
class Change:
    """What one assert or retract did: the statements it added or removed."""

    kind: str  # "assert" or "retract"
    facts: tuple[Fact, ...]

    def text(self) -> str:
        """`asserted p(a).` or `retracted p(a) @s.; retracted p(a) @t.`"""
        from allegiance.lang.printer import format_fact

        verb = "asserted" if self.kind == "assert" else "retracted"
        return "; ".join(f"{verb} {format_fact(f)}" for f in self.facts)


class Session:
    """The state of one REPL (or piped) session."""

    def __init__(self, kb: KnowledgeBase, paths=(), *, as_of: datetime.date | None = None,
                 color: bool = False, limit: int | None = 50, format: str = "tree"):
        self.kb, self.paths = kb, [str(p) for p in paths]
        self.as_of, self.color, self.limit, self.format = as_of, color, limit, format
        self.timer, self.depth, self.interactive = False, 4, False
        self.collapsed: dict[int, object] = {}
        self.undo_stack: list[Change] = []
        self.redo_stack: list[Change] = []
        self.baseline: list[Fact] = kb.facts()
        self.warned_at: tuple | None = None  # the pending changes when `.quit` last warned
        self.layer = None  # the what-if layer while one is open (`whatif_commands.Assumptions`)
        self.horizon: datetime.date | None = case_date(self.paths)  # the loaded case's date
        self.sync_day()

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def empty(cls, **options) -> Session:
        """A session on an empty knowledge base."""
        return cls(KnowledgeBase.from_text(""), (), **options)

    @classmethod
    def open(cls, paths, **options) -> Session:
        """A session on the knowledge base of `paths`; LoadError if it does not load. When the
        knowledge base is one case and no date is given, questions are asked as of the case's
        date (its evidence horizon)."""
        kb = KnowledgeBase.from_paths(paths)
        if options.get("as_of") is None:
            options["as_of"] = case_date(paths)
        return cls(kb, paths, **options)

    # -- the knowledge base ----------------------------------------------------------------
    def sync_day(self) -> None:
        """Make the knowledge base evaluate as of the session's date (today when unset)."""
        self.kb.set_as_of(self.as_of or datetime.date.today())

    def load(self, paths, keep_changes: bool = True) -> list[str]:
        """Replace the knowledge base by that of `paths` (LoadError leaves everything as it was);
        the changes not yet saved are made again on it. Returns the changes that no longer apply."""
        kb = KnowledgeBase.from_paths(paths)
        added, removed = self.pending() if keep_changes else ((), ())
        old, self.kb, self.paths = self.kb, kb, [str(p) for p in paths]
        self.baseline = kb.facts()
        self.collapsed = {}
        self.horizon = case_date(self.paths)
        self.sync_day()
        old.close()
        return replay(kb, added, removed)

    def close(self) -> None:
        self.kb.close()

    # -- changes ---------------------------------------------------------------------------
    def assert_fact(self, fact: Fact) -> bool:
        """State a fact; True when it was new (and the change is recorded for undo)."""
        if not self.kb.tell(fact):
            return False
        self._record(Change("assert", (fact,)))
        return True

    def retract_fact(self, fact: Fact) -> tuple[Fact, ...]:
        """Withdraw a fact (every statement of it when written bare); the statements removed."""
        before = Counter(self.kb.facts(fact.atom.key))
        self.kb.retract(fact)
        removed = tuple((before - Counter(self.kb.facts(fact.atom.key))).elements())
        if removed:
            self._record(Change("retract", removed))
        return removed

    def _record(self, change: Change) -> None:
        self.undo_stack.append(change)
        self.redo_stack.clear()

    def undo(self) -> Change | None:
        """Take back the last change; None when there is none."""
        if not self.undo_stack:
            return None
        change = self.undo_stack.pop()
        apply(self.kb, change, backwards=True)
        self.redo_stack.append(change)
        return change

    def redo(self) -> Change | None:
        """Make again the last change taken back; None when there is none."""
        if not self.redo_stack:
            return None
        change = self.redo_stack.pop()
        apply(self.kb, change, backwards=False)
        self.undo_stack.append(change)
        return change

    def pending(self) -> tuple[tuple[Fact, ...], tuple[Fact, ...]]:
        """The facts stated in the session and not in the files, and those withdrawn from them."""
        now, then = Counter(self.kb.facts()), Counter(self.baseline)
        added = tuple((now - then).elements())
        gone = then - now
        removed = []
        for fact in self.baseline:  # the statements as read, with their place in the files
            if gone[fact] > 0:
                gone[fact] -= 1
                removed.append(fact)
        return added, tuple(removed)

    @property
    def unsaved(self) -> int:
        """How many statements differ from the files loaded."""
        added, removed = self.pending()
        return len(added) + len(removed)

    # -- what the toolbar shows -------------------------------------------------------------
    @property
    def name(self) -> str:
        """The knowledge base as the user named it: its paths, or `(empty)`."""
        return printable(", ".join(self.paths)) if self.paths else "(empty)"

    def counts(self) -> tuple[int, int]:
        """(facts stated, rules) of the knowledge base in use."""
        return len(self.kb.facts()), len(self.kb.checked.program.rules)

    def day_text(self) -> str:
        """The as-of date as shown: `2014-11-01`, or `today (2026-01-05)`."""
        day = self.as_of or datetime.date.today()
        return day.isoformat() if self.as_of else f"today ({day.isoformat()})"

    def covers(self, file: str) -> bool:
        """True when `file` is one of the loaded paths or lies in a loaded folder."""
        target = Path(file).resolve()
        for path in map(Path, self.paths):
            path = path.resolve()
            if target == path or (path.is_dir() and path in target.parents):
                return True
        return False


def apply(kb: KnowledgeBase, change: Change, backwards: bool) -> None:
    """Make a change (or take it back) on a knowledge base, statement by statement."""
    adding = (change.kind == "assert") != backwards
    for fact in change.facts:
        if adding:
            kb.tell(fact)
        else:
            remove_exact(kb, fact)


def remove_exact(kb: KnowledgeBase, fact: Fact) -> bool:
    """Withdraw exactly this statement (never the other statements of the same tuple).

    `KnowledgeBase.retract` removes every statement of a bare fact when the bare statement
    itself is absent; this adapter only calls it when the exact statement is there."""
    if fact not in kb.facts(fact.atom.key):
        return False
    return kb.retract(fact)


def case_date(paths) -> datetime.date | None:
    """The date of the one case `paths` load (None when they load none or several)."""
    from allegiance.lang.folders import loaded_cases

    cases = loaded_cases(paths)
    return cases[0].date if len(cases) == 1 else None


def replay(kb: KnowledgeBase, added, removed) -> list[str]:
    """Make the given changes on `kb`; the descriptions of those that no longer apply."""
    from allegiance.lang.diagnostics import AllegianceError
    from allegiance.lang.printer import format_fact

    lost = []
    for fact in added:
        try:
            kb.tell(fact)
        except AllegianceError as exc:
            lost.append(f"asserted {format_fact(fact)} ({exc})")
    for fact in removed:
        if not remove_exact(kb, fact):
            lost.append(f"retracted {format_fact(fact)} (no longer stated)")
    return lost
