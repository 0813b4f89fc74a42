"""The baselines every workload is compared with, measured in the same run as the engine.

- raw pyDatalog: see `raw_pydatalog` (the same program on pyDatalog alone);
- the oracle: tests/oracle.py, the naive evaluator the engine's tests trust;
- clingo (optional: `clingo_available()`), grounding and solving the same program;
- `transitive_closure`: a plain-Python semi-naive loop, the floor for recursion.

Answers are compared as sets of tuples of strings (`text_of`), so every engine can be checked
against every other (`digest`).
"""

from __future__ import annotations

import datetime
import hashlib
import sys
from collections import defaultdict
from pathlib import Path

from allegiance.lang.syntax import Atom, Comparison, Negation, Program, Variable
from allegiance.lang.values import Date, Integer, String, Symbol

ROOT = Path(__file__).resolve().parent.parent


# -- answers ----------------------------------------------------------------------------------
def text_of(value) -> str:
    """A value of any engine as one string: symbols bare, strings quoted, numbers in digits."""
    if isinstance(value, Symbol):
        return value.name
    if isinstance(value, String):
        return f'"{value.text}"'
    if isinstance(value, (Integer, Date)):
        return str(value)
    return str(value)


def digest(rows) -> str:
    """A short fingerprint of a set of answers: `count:hash`."""
    lines = sorted("\t".join(map(str, row)) if isinstance(row, tuple) else str(row) for row in rows)
    return f"{len(lines)}:{hashlib.sha1(chr(10).join(lines).encode()).hexdigest()[:10]}"


# -- the program as plain data ----------------------------------------------------------------
def holding_facts(program: Program, day: datetime.date) -> list[tuple[str, tuple]]:
    """(predicate name, arguments as pyDatalog values) of every fact that holds on `day`."""
    return [(f.atom.predicate, tuple(py_value(a.value) for a in f.atom.args))
            for f in program.facts if f.holds_on(day)]


def py_value(value):
    """A value as raw pyDatalog holds it: symbols and numbers bare, strings and dates as `text_of`."""
    if isinstance(value, Symbol):
        return value.name
    if isinstance(value, Integer):
        return value.value
    return text_of(value)


def derived_keys(program: Program) -> list[str]:
    """Every predicate `name/arity` that has a rule, in order of first definition."""
    return list(dict.fromkeys(r.head.key for r in program.rules))


# -- the oracle ---------------------------------------------------------------------------------
def oracle_evaluate(program: Program, day: datetime.date) -> dict:
    """tests/oracle.py's `evaluate`: every predicate mapped to the tuples that hold."""
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    from oracle import evaluate

    return evaluate(program, day)


# -- clingo -------------------------------------------------------------------------------------
def clingo_available() -> bool:
    try:
        import clingo  # noqa: F401
    except ImportError:
        return False
    return True


def clingo_text(program: Program, day: datetime.date, shown: list[str]) -> str:
    """The program as clingo text: the facts that hold on `day`, the rules, `#show` lines."""
    lines = [f"{_clingo_atom(f.atom)}." for f in program.facts if f.holds_on(day)]
    for rule in program.rules:
        body = ", ".join(_clingo_literal(lit) for lit in rule.body)
        lines.append(f"{_clingo_atom(rule.head)} :- {body}.")
    lines += [f"#show {key}." for key in shown]
    return "\n".join(lines) + "\n"


def _clingo_term(term) -> str:
    if isinstance(term, Variable):
        return term.name
    value = term.value
    if isinstance(value, Symbol):
        return value.name
    if isinstance(value, Integer):
        return str(value.value)
    text = value.text if isinstance(value, String) else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _clingo_atom(atom: Atom) -> str:
    if not atom.args:
        return atom.predicate
    return f"{atom.predicate}({', '.join(_clingo_term(t) for t in atom.args)})"


def _clingo_literal(lit) -> str:
    if isinstance(lit, Negation):
        return "not " + _clingo_atom(lit.atom)
    if isinstance(lit, Comparison):
        return f"{_clingo_term(lit.left)} {lit.op} {_clingo_term(lit.right)}"
    return _clingo_atom(lit)


def clingo_control(text: str):
    """A clingo Control with `text` added (parsed), ready to ground."""
    import clingo

    control = clingo.Control(["--warn=none"])
    control.add("base", [], text)
    return control


def clingo_answers(control) -> dict[str, set[tuple]]:
    """Ground and solve; the shown atoms, by `name/arity`, as tuples of strings."""
    import clingo

    control.ground([("base", [])])
    found: dict[str, set[tuple]] = defaultdict(set)

    def on_model(model):
        for symbol in model.symbols(shown=True):
            found[f"{symbol.name}/{len(symbol.arguments)}"].add(tuple(_clingo_value(a, clingo) for a in symbol.arguments))

    control.solve(on_model=on_model)
    return found


def _clingo_value(symbol, clingo) -> str:
    if symbol.type == clingo.SymbolType.Number:
        return str(symbol.number)
    if symbol.type == clingo.SymbolType.String:
        return f'"{symbol.string}"'
    return symbol.name


# -- a plain-Python semi-naive transitive closure -------------------------------------------------
def transitive_closure(edges) -> set[tuple]:
    """Every (x, y) such that y is reachable from x: `path(X, Y) :- path(X, Z), edge(Z, Y)`, semi-naively."""
    successors: dict = defaultdict(list)
    for a, b in edges:
        successors[a].append(b)
    paths = set(edges)
    delta = set(edges)
    while delta:
        new = {(x, y) for x, z in delta for y in successors.get(z, ()) if (x, y) not in paths}
        paths |= new
        delta = new
    return paths
