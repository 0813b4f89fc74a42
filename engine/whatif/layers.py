"""Hypothetical reasoning: assume facts in a scratch layer on top of a knowledge base, and compare.

Sits on top of `kb` and `explain`; `flip`, `sensitivity` and `ach` build on it. Guarantees:
- `assume(kb, add, withdraw)` states and withdraws facts for the duration of a `with` block and,
  however the block is left (normally, by an exception, by KeyboardInterrupt), restores the
  stated facts exactly (the same statements, in the same order, so the first alias of an entity
  stays first) and the as-of day. It holds the knowledge base's lock throughout, so no other
  thread ever sees the layer; files are never touched. A Ctrl-C that arrives while the layer is
  being dropped is deferred until it is dropped.
- `diff` compares the tuples of derived predicates (all of them, or a chosen list) before and
  inside a layer: what was gained, lost and unchanged, with explanations on request.
Withdrawing a fact written without sources or dates withdraws every statement of it, as
`KnowledgeBase.retract` does; with sources or dates, only that statement.
"""

from __future__ import annotations

import datetime
import signal
import threading
from collections.abc import Iterable
from contextlib import contextmanager

from attrs import frozen

from allegiance.lang.diagnostics import ParseError, QueryError, error
from allegiance.explain.why import why
from allegiance.eval.kb import KnowledgeBase, resolve_aliases
from allegiance.lang.parse import parse_fact, parse_query
from allegiance.explain.proof import Explanation
from allegiance.lang.syntax import Atom, Constant, Fact, Query
from allegiance.lang.values import sort_key

FactLike = str | Fact | Atom


@frozen
class Layer:
    """What a layer changed: the statements it added and withdrew, and the requests that changed
    nothing (a fact already stated, or one not stated)."""

    added: tuple[Fact, ...] = ()
    withdrawn: tuple[Fact, ...] = ()
    ignored: tuple[Fact, ...] = ()


@frozen
class Change:
    """One change to the stated facts: `atom` stated (added) or withdrawn (every statement)."""

    atom: Atom
    added: bool

    @property
    def fact(self) -> Fact:
        return Fact(self.atom)


def change_key(change: Change) -> tuple:
    """The order of changes: by predicate, then arguments, withdrawals first."""
    return (change.atom.key, tuple(sort_key(t.value) for t in change.atom.args), change.added)


@frozen
class Diff:
    """The verdicts on `conclusions` (predicate keys) inside a layer, against those without it."""

    layer: Layer
    as_of: datetime.date
    conclusions: tuple[str, ...]
    gained: tuple[Atom, ...]
    lost: tuple[Atom, ...]
    unchanged: tuple[Atom, ...]
    explanations: tuple[Explanation, ...] = ()  # of changed verdicts or chosen goals, in the layer

    @property
    def changed(self) -> bool:
        return bool(self.gained or self.lost)


# -- the layer ---------------------------------------------------------------------------------
@contextmanager
def assume(kb: KnowledgeBase, add: Iterable[FactLike] = (), withdraw: Iterable[FactLike] = ()):
    """Inside the block, `withdraw` is withdrawn and `add` stated; yields the `Layer` applied."""
    with kb._lock:
        withdrawals = [as_fact(kb, f) for f in withdraw]
        additions = [as_fact(kb, f) for f in add]
        saved = _Snapshot(kb)
        try:
            yield _apply(kb, additions, withdrawals)
        finally:
            _deferring_interrupts(saved.restore)


def assume_changes(kb: KnowledgeBase, changes: Iterable[Change]):
    """`assume` for a set of `Change`s."""
    changes = list(changes)
    return assume(kb, [c.fact for c in changes if c.added], [c.fact for c in changes if not c.added])


def _apply(kb: KnowledgeBase, additions: list[Fact], withdrawals: list[Fact]) -> Layer:
    added, withdrawn, ignored = [], [], []
    for fact in withdrawals:
        before = statements_of(kb, fact.atom)
        kb.retract(fact)
        gone = [s for s in before if s not in statements_of(kb, fact.atom)]
        withdrawn += gone
        if not gone:
            ignored.append(fact)
    for fact in additions:
        (added if kb.tell(fact) else ignored).append(fact)
    return Layer(tuple(added), tuple(withdrawn), tuple(ignored))


class _Snapshot:
    """Every statement, in order, and the as-of day: what `restore` puts back."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.day = kb.as_of
        self.statements = kb.store.all_statements()

    def restore(self) -> None:
        now = self.kb.store.all_statements()
        if not _same(now, self.statements):
            before, after = _by_key(self.statements), _by_key(now)
            for key in before.keys() | after.keys():
                if not _same(before.get(key, []), after.get(key, [])):
                    self._rewrite(after.get(key, []), before.get(key, []))
        if self.kb.as_of != self.day:
            self.kb.set_as_of(self.day)

    def _rewrite(self, now: list[Fact], before: list[Fact]) -> None:
        for fact in now:
            self.kb.store.remove(fact)
        for fact in before:
            self.kb.store.add(fact)


def _same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def _by_key(statements: list[Fact]) -> dict[str, list[Fact]]:
    grouped: dict[str, list[Fact]] = {}
    for fact in statements:
        grouped.setdefault(fact.atom.key, []).append(fact)
    return grouped


def _deferring_interrupts(action) -> None:
    """Run `action`; a SIGINT that arrives meanwhile is raised as KeyboardInterrupt after it."""
    if threading.current_thread() is not threading.main_thread():
        action()
        return
    caught = []
    try:
        previous = signal.signal(signal.SIGINT, lambda *_: caught.append(True))
    except (ValueError, TypeError):
        action()
        return
    try:
        action()
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


# -- facts and goals as typed ------------------------------------------------------------------
def as_fact(kb: KnowledgeBase, fact: FactLike) -> Fact:
    """`fact` as a Fact: text is parsed, and a bare name that is an alias denotes its entity
    (in a fact written without sources or dates)."""
    if isinstance(fact, Atom):
        fact = Fact(fact)
    elif isinstance(fact, str):
        fact = _parse_fact(fact)
    query, _ = resolve_aliases(Query((fact.atom,)), kb.aliases())
    atom = query.body[0]
    return fact if atom == fact.atom else Fact(atom, fact.sources, fact.valid_from, fact.valid_to)


def _parse_fact(text: str) -> Fact:
    try:
        return parse_fact(text)
    except ParseError as problem:
        try:
            query = parse_query(text.strip().removesuffix("."))
        except ParseError:
            raise problem from None
        if len(query.body) != 1 or not isinstance(query.body[0], Atom):
            raise problem from None
        return Fact(query.body[0])


def ground_goal(kb: KnowledgeBase, goal: str | Atom) -> Atom:
    """The one ground atom `goal` names (aliases resolved); QueryError otherwise."""
    query = parse_query(goal) if isinstance(goal, str) else Query((goal,))
    query, _ = resolve_aliases(query, kb.aliases())
    if len(query.body) != 1 or not isinstance(query.body[0], Atom) or not query.body[0].is_ground:
        raise QueryError([error("expected one ground atom, such as `alliance(JN, IS)`", query.span, "goal")])
    atom = query.body[0]
    if atom.key not in kb.checked.predicates:
        raise QueryError([error(f"unknown predicate `{atom.key}`", atom.span, "undefined")])
    return atom


def statements_of(kb: KnowledgeBase, atom: Atom) -> tuple[Fact, ...]:
    """Every statement of the ground `atom`, whether or not it holds on the day."""
    return kb.store.statements(atom.key, tuple(sort_key(t.value) for t in atom.args))


def holds(kb: KnowledgeBase, atom: Atom) -> bool:
    """True when the ground `atom` holds as of the knowledge base's day."""
    return kb.ask(Query((atom,))).holds


# -- diffs -------------------------------------------------------------------------------------
def diff(kb: KnowledgeBase, add: Iterable[FactLike] = (), withdraw: Iterable[FactLike] = (), *,
         conclusions: Iterable[str] | None = None, explain_changes: bool = False,
         goals: Iterable[str | Atom] = (), limit: int = 20, before: dict | None = None) -> Diff:
    """The conclusions gained, lost and unchanged when `add` is stated and `withdraw` withdrawn;
    with `explain_changes`, why each changed verdict (up to `limit`) holds or fails in the layer,
    and why each of `goals` does. `before`: the `relations` of the conclusions without the
    layer, when they are already known (several diffs from one state)."""
    keys = conclusion_keys(kb, conclusions)
    goals = [ground_goal(kb, g) for g in goals]
    with kb._lock:
        before = relations(kb, keys) if before is None else {k: before[k] for k in keys}
        with assume(kb, add, withdraw) as layer:
            after = relations(kb, keys)
            gained, lost, unchanged = _compare(keys, before, after)
            asked = list((gained + lost)[:limit]) if explain_changes else []
            explanations = tuple(why(kb, g) for g in asked + goals)
        return Diff(layer, kb.as_of, keys, gained, lost, unchanged, explanations)


def conclusion_keys(kb: KnowledgeBase, conclusions: Iterable[str] | None) -> tuple[str, ...]:
    """The chosen predicate keys, checked; by default every derived predicate, in program order."""
    predicates = kb.checked.predicates
    if conclusions is None:
        return tuple(k for k, info in predicates.items() if info.is_derived)
    keys = tuple(conclusions)
    unknown = [k for k in keys if k not in predicates]
    if unknown:
        raise QueryError([error(f"unknown predicate `{unknown[0]}`", None, "undefined",
                                hint="name a predicate as `name/arity`, such as `alliance/2`")])
    return keys


def relations(kb: KnowledgeBase, keys: Iterable[str]) -> dict[str, frozenset]:
    """Every tuple of each predicate key that holds."""
    return {key: kb.relation(key) for key in keys}


def _compare(keys, before: dict, after: dict):
    gained, lost, unchanged = [], [], []
    for key in keys:
        name = key.rsplit("/", 1)[0]
        for row in sorted(before[key] | after[key], key=lambda r: tuple(map(sort_key, r))):
            atom = Atom(name, tuple(Constant(v) for v in row))
            bucket = unchanged if row in before[key] and row in after[key] else \
                gained if row in after[key] else lost
            bucket.append(atom)
    return tuple(gained), tuple(lost), tuple(unchanged)
