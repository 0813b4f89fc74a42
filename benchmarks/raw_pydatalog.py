"""The baseline on raw pyDatalog: the same program, given to pyDatalog directly.

The facts (those holding on the day asked) and rules go through pyDatalog's term API
(`pyParser.Term`, `pyDatalog.Variable`, `assert_fact`, `<=`, `&`, `~`), never its text
interface. Bodies are put in the best order for pyDatalog's top-down evaluation: recursive rules
keep the recursive literal first (left recursion: right recursion over cycles never terminates in
pyDatalog), other bodies are joined most-bound first, and tests and negations come as soon as
their variables are bound; `not p(X, _)` becomes `not p_x_(X)` with a projection rule.
pyDatalog keeps its state per thread, so each instance lives in a thread of its own (`Worker`
for a logic that outlives one call, `in_fresh_thread` for one that does not). This module and
engine/eval/backend.py are the only ones that import pyDatalog; a process that runs raw
pyDatalog never imports the latter, so the baseline runs on pyDatalog's compiled engine.
"""

from __future__ import annotations

import datetime
import queue
import threading
from collections import defaultdict
from concurrent.futures import Future

from allegiance.lang.syntax import Atom, Comparison, Constant, Negation, Program, Rule, Variable

from .baselines import holding_facts, py_value


def recursive_keys(rules) -> set[str]:
    """The predicates that depend on themselves through rules."""
    graph: dict[str, set[str]] = defaultdict(set)
    for rule in rules:
        for lit in rule.body:
            atom = lit.atom if isinstance(lit, Negation) else lit
            if isinstance(atom, Atom):
                graph[rule.head.key].add(atom.key)

    def reaches(start: str, goal: str) -> bool:
        todo, seen = list(graph[start]), set()
        while todo:
            key = todo.pop()
            if key == goal:
                return True
            if key not in seen:
                seen.add(key)
                todo.extend(graph.get(key, ()))
        return False

    return {key for key in graph if reaches(key, key)}


def best_order(rule: Rule, recursive: set[str]) -> list:
    """The body in the best order for top-down evaluation (see the module docstring)."""
    atoms = [lit for lit in rule.body if isinstance(lit, Atom)]
    tests = [lit for lit in rule.body if not isinstance(lit, Atom)]
    ordered, bound = [], set()
    first = sorted((a for a in atoms if a.key in recursive and rule.head.key in recursive),
                   key=lambda a: a.key != rule.head.key)[:1]
    while atoms:
        best = first[0] if first else max(atoms, key=lambda a: _bound_args(a, bound))
        first = []
        atoms.remove(best)
        ordered.append(best)
        bound |= {v.name for v in best.variables()}
        for test in [t for t in tests if {v.name for v in t.variables() if not v.is_anonymous} <= bound]:
            tests.remove(test)
            ordered.append(test)
    return ordered + tests


def _bound_args(atom: Atom, bound: set[str]) -> int:
    return sum(1 for t in atom.args if isinstance(t, Constant) or (isinstance(t, Variable) and t.name in bound))


# -- raw pyDatalog ----------------------------------------------------------------------------
def engine_in_use() -> str:
    """Which of pyDatalog's engines this process runs: `compiled` (its Cython extension, what a
    user of pyDatalog gets) or `pure Python` (the module allegiance's backend loads instead, so
    that a time limit or Ctrl-C can stop a question)."""
    from pyDatalog import pyEngine

    return "pure Python" if pyEngine.__file__.endswith(".py") else "compiled"


def pydatalog_name(predicate: str) -> str:
    return f"raw_{predicate}"


class RawPyDatalog:
    """A program on pyDatalog alone, in the calling thread (which must not hold another logic)."""

    def __init__(self):
        from pyDatalog import Logic

        Logic()  # a fresh logic for this thread

    def assert_facts(self, facts) -> None:
        from pyDatalog import pyDatalog

        for name, args in facts:
            pyDatalog.assert_fact(pydatalog_name(name), *args)

    def add_rules(self, rules, defined: set[str]) -> None:
        """Add `rules`; every base predicate they read that `defined` lacks is made empty."""
        from pyDatalog import pyDatalog

        rules = without_anonymous_negation(rules)
        heads = {r.head.key for r in rules}
        for rule in rules:
            for lit in rule.body:
                atom = lit.atom if isinstance(lit, Negation) else lit
                if isinstance(atom, Atom) and atom.key not in heads and atom.key not in defined:
                    dummy = ("#",) * len(atom.args)
                    pyDatalog.assert_fact(pydatalog_name(atom.predicate), *dummy)
                    pyDatalog.retract_fact(pydatalog_name(atom.predicate), *dummy)
                    defined.add(atom.key)
        recursive = recursive_keys(rules)
        for rule in rules:
            self._add_rule(rule, recursive)

    def _add_rule(self, rule: Rule, recursive: set[str]) -> None:
        from pyDatalog import pyDatalog, pyParser

        names: dict[str, object] = {}
        body = None
        for lit in best_order(rule, recursive):
            term = self._literal(lit, names)
            body = term if body is None else body & term
        head = pyParser.Term(pydatalog_name(rule.head.predicate))(*[self._arg(t, names) for t in rule.head.args])
        if body is None:
            pyDatalog.assert_fact(pydatalog_name(rule.head.predicate), *[py_value(t.value) for t in rule.head.args])
        else:
            head <= body

    def _arg(self, term, names):
        from pyDatalog import pyDatalog

        if isinstance(term, Constant):
            return py_value(term.value)
        if term.is_anonymous:
            return pyDatalog.Variable()
        if term.name not in names:
            names[term.name] = pyDatalog.Variable()
        return names[term.name]

    def _literal(self, lit, names):
        if isinstance(lit, Comparison):
            ops = {"=": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}
            return getattr(self._arg(lit.left, names), ops[lit.op])(self._arg(lit.right, names))
        if isinstance(lit, Negation):
            return ~self._atom(lit.atom, names)
        return self._atom(lit, names)

    def _atom(self, atom: Atom, names):
        from pyDatalog import pyParser

        return pyParser.Term(pydatalog_name(atom.predicate))(*[self._arg(t, names) for t in atom.args])

    def query(self, predicate: str, args: tuple) -> set[tuple]:
        """The rows of `predicate(args)` (None marks a free position), as full tuples of strings."""
        from pyDatalog import pyDatalog, pyParser

        free = [pyDatalog.Variable() if a is None else a for a in args]
        rows = pyParser.Term(pydatalog_name(predicate))(*free).data or []
        out = set()
        for row in rows:
            values = iter(row)
            out.add(tuple(str(next(values)) if a is None else str(a) for a in args))
        return out

    def tell(self, predicate: str, args: tuple) -> None:
        from pyDatalog import pyDatalog

        pyDatalog.assert_fact(pydatalog_name(predicate), *args)

    def retract(self, predicate: str, args: tuple) -> None:
        from pyDatalog import pyDatalog

        pyDatalog.retract_fact(pydatalog_name(predicate), *args)

    def holds(self, predicate: str, args: tuple) -> bool:
        from pyDatalog import pyParser

        return bool(pyParser.Term(pydatalog_name(predicate))(*args).data)


def without_anonymous_negation(rules) -> list[Rule]:
    """`not p(X, _)` rewritten as `not p_x_(X)` with `p_x_(X) :- p(X, _)`, which pyDatalog needs."""
    out, added = [], {}
    for rule in rules:
        body = []
        for lit in rule.body:
            if isinstance(lit, Negation) and any(isinstance(t, Variable) and t.is_anonymous for t in lit.atom.args):
                mask = "".join("_" if isinstance(t, Variable) and t.is_anonymous else "x" for t in lit.atom.args)
                name = f"{lit.atom.predicate}_{mask}"
                kept = tuple(Variable(f"V{i}") for i, c in enumerate(mask) if c == "x")
                if name not in added:
                    inner = tuple(Variable("_") if c == "_" else Variable(f"V{i}") for i, c in enumerate(mask))
                    added[name] = Rule(Atom(name, kept), (Atom(lit.atom.predicate, inner),))
                args = tuple(t for t in lit.atom.args if not (isinstance(t, Variable) and t.is_anonymous))
                lit = Negation(Atom(name, args))
            body.append(lit)
        out.append(Rule(rule.head, tuple(body)))
    return out + list(added.values())


def load_raw(program: Program, day: datetime.date) -> RawPyDatalog:
    """A RawPyDatalog holding `program` as of `day` (call it in the thread that will query)."""
    raw = RawPyDatalog()
    facts = holding_facts(program, day)
    raw.assert_facts(facts)
    raw.add_rules(program.rules, {f"{name}/{len(args)}" for name, args in facts})
    return raw


class Worker:
    """A thread of its own, for a pyDatalog logic that must outlive one call."""

    def __init__(self):
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while (call := self._calls.get()) is not None:
            fn, future = call
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed back to the caller
                future.set_exception(exc)

    def call(self, fn):
        future: Future = Future()
        self._calls.put((fn, future))
        return future.result()

    def close(self) -> None:
        self._calls.put(None)


def in_fresh_thread(fn):
    """`fn()` run in a new thread (so pyDatalog starts from a fresh state), its result returned."""
    worker = Worker()
    try:
        return worker.call(fn)
    finally:
        worker.close()
