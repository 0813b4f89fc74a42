"""The only door to pyDatalog: one isolated evaluator per knowledge base.

Sits under `model`. pyDatalog keeps its state per thread and offers no safe way to switch
between states, so each `Backend` owns a worker thread holding a fresh pyDatalog logic; every
call is run there and waited for. Two backends therefore never see each other's predicates,
whichever threads call them. Clauses are built only through pyDatalog's term API
(`pyParser.Term`, `pyDatalog.Variable`, `<=`, `&`, `~`); its text interface (`load`, `ask`),
which executes Python, is never used. Values cross the door as strings that order as their
encoded tuples do (`atom_text`): pyDatalog hashes, unifies and compares strings about 40 % faster
than tuples, which it takes apart as compound terms. Relations held in Python (base facts, materialised
recursive strata) are served to pyDatalog through resolvers, so pyDatalog only ever evaluates
non-recursive rules, on which its top-down evaluation always terminates. An assignment
(`Y = X + 1`, `N = count : {...}`) is a resolver too, one per assignment, computed in Python by
the function the model gives (`compute`): pyDatalog's own arithmetic and aggregates (`+`,
`len_`, `sum_`, `min_`, `max_`) would work on the strings values cross the door as, not on the
integers they stand for, and its aggregates give no group that has no member (a count of 0).

pyDatalog ships its engine twice: as Python and compiled. The compiled one runs a whole
evaluation in C without ever releasing the GIL or looking at pending exceptions, so neither a
time limit nor Ctrl-C could stop it, and no other thread could even run meanwhile. This module
therefore loads the Python one (the same code), which stops within milliseconds.
"""

from __future__ import annotations

import ctypes
import importlib.abc
import importlib.util
import itertools
import queue
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path


class _InterruptibleEngine(importlib.abc.MetaPathFinder):
    """Finds `pyDatalog.pyEngine` as Python source rather than as its compiled extension."""

    def find_spec(self, name, path, target=None):
        source = Path(path[0]) / "pyEngine.py" if name == "pyDatalog.pyEngine" and path else None
        return importlib.util.spec_from_file_location(name, source) if source and source.is_file() else None


_FINDER = _InterruptibleEngine()
sys.meta_path.insert(0, _FINDER)
try:
    from pyDatalog import Logic, pyDatalog, pyEngine, pyParser
finally:
    sys.meta_path.remove(_FINDER)

from allegiance.eval.plan import PlanAssign, PlanAtom, PlanCompare, PlanLiteral

_ids = itertools.count(1)
_RESEND = 0.05  # seconds to wait for a stopped call to end before asking it again
_OPS = {"!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__", "=": "__eq__"}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "!=": "!=", "=": "="}


class Interrupted(Exception):
    """An evaluation was stopped before it finished (Ctrl-C or a time limit)."""


class _Stop(BaseException):
    """Raised inside the worker thread to abandon the running call."""


def _unraisable(report, previous=sys.unraisablehook) -> None:
    """Python's report of an exception it had to ignore, except a `_Stop` that landed in a
    destructor or a weakref callback (it is sent again): the user must not see a traceback."""
    if not isinstance(report.exc_value, _Stop):
        previous(report)


sys.unraisablehook = _unraisable


class Backend:
    """A pyDatalog logic of its own, in a thread of its own."""

    def __init__(self):
        self.id = next(_ids)
        self._names: dict[str, str] = {}
        self._texts: dict[tuple, str] = {}   # encoded value → its text inside pyDatalog
        self._values: dict[str, tuple] = {}  # and back
        self._queries = itertools.count()
        self.compute: Callable[[PlanAssign], Callable[[tuple], list]] | None = None  # by the model
        self._computed: dict[PlanAssign, str] = {}  # assignment → its resolver's name
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        self._running: Future | None = None
        self._thread = threading.Thread(target=self._serve, name=f"pydatalog-{self.id}", daemon=True)
        self._thread.start()

    # -- the worker thread ---------------------------------------------------------------
    def _serve(self) -> None:
        Logic()  # a fresh logic, private to this thread
        while True:
            try:
                call = self._calls.get()
                if call is None:
                    return
                fn, future = call
                self._running = future  # before it runs: a caller that cannot cancel it stops it
                if not future.set_running_or_notify_cancel():
                    self._running = None  # cancelled while it waited: never run
                    continue
                try:
                    future.set_result(fn())
                except BaseException as exc:  # handed to the caller, who re-raises it
                    if not future.done():
                        future.set_exception(Interrupted() if isinstance(exc, _Stop) else exc)
                finally:
                    self._running = None
            except _Stop:  # an interrupt that arrived between two calls
                continue

    def _run(self, fn: Callable, timeout: float | None = None):
        future: Future = Future()
        self._calls.put((fn, future))
        try:
            return future.result(timeout)
        except (KeyboardInterrupt, TimeoutError) as exc:
            if future.cancel():  # it had not started (a busy machine): it never will
                raise Interrupted() from exc
            while not future.done():  # an interrupt raised where Python ignores exceptions
                self._stop(future)    # (a weakref callback, a destructor) is lost: send again
                try:
                    future.result(_RESEND)
                except (TimeoutError, Interrupted):
                    pass
            raise Interrupted() from exc

    def _stop(self, future: Future) -> None:
        if self._running is future and self._thread.ident is not None:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self._thread.ident), ctypes.py_object(_Stop)
            )

    def close(self) -> None:
        """Stop the worker thread; the backend cannot be used afterwards."""
        for name in [*self._names.values(), *self._computed.values()]:
            for arity_key in [k for k in pyEngine.Python_resolvers if k.startswith(name + "/")]:
                del pyEngine.Python_resolvers[arity_key]
        self._calls.put(None)

    # -- building the program --------------------------------------------------------------
    def name(self, key: str) -> str:
        """The private pyDatalog name of predicate `key` (no user text reaches pyDatalog)."""
        if key not in self._names:
            # Never ending in a digit: pyDatalog looks a predicate `n/a` up among the Python
            # resolvers also as `n<a>/a`, so `b1_p1/1` would be answered by `b1_p11/1`.
            self._names[key] = f"b{self.id}_p{len(self._names)}_"
        return self._names[key]

    def serve_relation(self, key: str, arity: int, lookup: Callable[[tuple], Iterable[tuple]]):
        """Make `key` a relation answered by `lookup(pattern)` (None marks a free position)."""

        values, text = self._values, self._text

        def resolve(*terms):
            pattern = tuple(values.get(t.id, _UNKNOWN) if t.is_const() else None for t in terms)
            if _UNKNOWN in pattern:  # a value pyDatalog never had from us matches nothing
                return ()
            return [tuple(map(text, row)) for row in lookup(pattern)]

        pyEngine.Python_resolvers[f"{self.name(key)}/{arity}"] = resolve

    def add_rules(self, rules: Iterable[tuple[PlanAtom, tuple[PlanLiteral, ...]]]) -> None:
        """Add non-recursive rules `head <= body`, each body in plan order."""
        rules = list(rules)
        self._run(lambda: [self._add_rule(h, b) for h, b in rules])

    def _add_rule(self, head: PlanAtom, body: tuple[PlanLiteral, ...]) -> None:
        variables: dict[str, object] = {}
        clause_body = None
        for literal in body:
            term = self._literal(literal, variables)
            clause_body = term if clause_body is None else clause_body & term
        head_term = self._atom(head, variables)
        if clause_body is None:
            pyDatalog.assert_fact(self.name(head.key), *map(self._text, head.args))
        else:
            head_term <= clause_body

    # -- asking ------------------------------------------------------------------------------
    def ask(self, body: tuple[PlanLiteral, ...], variables: tuple[str, ...], timeout=None):
        """The distinct bindings of `variables` that satisfy `body`, as tuples of encoded values."""
        return self._run(lambda: self._ask(body, variables), timeout)

    def _ask(self, body, variables) -> set[tuple]:
        names: dict[str, object] = {}
        atom = body[0]
        if len(body) == 1 and isinstance(atom, PlanAtom) and not atom.negated and _distinct_vars(atom):
            order = [t for t in atom.args if isinstance(t, str)]
            rows = self._atom(atom, names).data
            columns = [order.index(v) for v in variables]
            value = self._values.__getitem__
            return {tuple([value(row[i]) for i in columns]) for row in rows}
        clause_body = None
        for literal in body:
            term = self._literal(literal, names)
            clause_body = term if clause_body is None else clause_body & term
        head = pyParser.Term(f"b{self.id}_q{next(self._queries)}")(*[self._var(v, names) for v in variables])
        head <= clause_body
        try:
            value = self._values.__getitem__
            return {tuple(map(value, row)) for row in head.data}
        finally:
            -(head <= clause_body)  # retract the temporary clause

    # -- translation -------------------------------------------------------------------------
    def _var(self, name, names):
        if name not in names:
            names[name] = pyDatalog.Variable()
        return names[name]

    def _arg(self, term, names):
        if term is None:
            return pyDatalog.Variable()
        return self._var(term, names) if isinstance(term, str) else self._text(term)

    def _text(self, value: tuple) -> str:
        """The text standing for an encoded value inside pyDatalog (made once per value)."""
        text = self._texts.get(value)
        if text is None:
            text = self._texts[value] = atom_text(value)
            self._values[text] = value
        return text

    def _atom(self, atom: PlanAtom, names):
        return pyParser.Term(self.name(atom.key))(*[self._arg(t, names) for t in atom.args])

    def _assignment(self, assign: PlanAssign, names):
        """The resolver atom `c(inputs..., target)` of an assignment (made once per assignment)."""
        name = self._computed.get(assign)
        if name is None:
            name = self._computed[assign] = f"b{self.id}_c{len(self._computed)}_"
            compute, values, text = self.compute(assign), self._values, self._text

            def resolve(*terms):
                inputs, out = terms[:-1], terms[-1]
                key = tuple(values.get(t.id, _UNKNOWN) if t.is_const() else _UNKNOWN for t in inputs)
                if _UNKNOWN in key:  # never: an assignment comes after what binds its inputs
                    return ()
                given = tuple(t.id for t in inputs)
                rows = [given + (text(row[0]),) for row in compute(key)]
                return [r for r in rows if r[-1] == out.id] if out.is_const() else rows

            pyEngine.Python_resolvers[f"{name}/{len(assign.inputs) + 1}"] = resolve
        args = [self._arg(t, names) for t in (*assign.inputs, assign.target)]
        return pyParser.Term(name)(*args)

    def _literal(self, literal: PlanLiteral, names):
        if isinstance(literal, PlanAssign):
            return self._assignment(literal, names)
        if isinstance(literal, PlanCompare):
            left, right, op = literal.left, literal.right, literal.op
            if not isinstance(left, str):
                left, right, op = right, left, _FLIP[op]
            return getattr(self._var(left, names), _OPS[op])(self._arg(right, names))
        if literal.negated:  # its variables are bound by then: pyDatalog substitutes them
            return ~self._atom(literal, names)
        return self._positive(literal, names)

    def _positive(self, atom: PlanAtom, names):
        """A positive atom; a repeated variable becomes a fresh one and an equality test,
        since pyDatalog's resolvers do not match repeated variables."""
        args, tests, seen = [], [], set()
        for t in atom.args:
            if isinstance(t, str) and t in seen:
                fresh = pyDatalog.Variable()
                args.append(fresh)
                tests.append(fresh == self._var(t, names))
            else:
                seen.add(t)
                args.append(self._arg(t, names))
        term = pyParser.Term(self.name(atom.key))(*args)
        for test in tests:
            term = term & test
        return term


_UNKNOWN = object()
_COMPLEMENT = str.maketrans("0123456789", "9876543210")


def atom_text(value: tuple) -> str:
    """A string for an encoded value (`values.sort_key`), one to one, that orders as the value:
    the tag first (numbers and dates, symbols, strings), then the symbol or string itself, or
    the number written so that string order is numeric order (sign, length, digits)."""
    if value[0]:
        return ("1" if value[0] == 1 else "2") + value[1]
    text = "0" + _number_text(value[1])
    return text if len(value) == 2 else f"{text}.{value[2]:02d}{value[3]:02d}"


def _number_text(n: int) -> str:
    digits = str(abs(n))
    if n >= 0:
        return f"p{len(digits):05d}{digits}"
    return f"m{99999 - len(digits):05d}{digits.translate(_COMPLEMENT)}"


def _distinct_vars(atom: PlanAtom) -> bool:
    named = [t for t in atom.args if isinstance(t, str)]
    return len(named) == len(set(named)) and None not in atom.args
