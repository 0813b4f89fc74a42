"""A tiny naive evaluator: the oracle that every property of the engine is checked against.

Independent of the engine (it reads only `syntax` and `values`) and written for clarity, never
speed. Facts hold when their interval contains the as-of day; predicates get levels by iterating
`level(head) >= level(q)` for a positive `q` and `> level(q)` for a negated one to a fixpoint;
each level is evaluated naively: every rule recomputed from scratch until nothing changes. A rule
body is matched by nested loops over its positive atoms, then `=` binds what it can, then
comparisons and negations are checked. `_` matches anything and binds nothing, so inside `not` it
is existential. Arithmetic is Python's on integers (`//`, `%`), an aggregate is computed by
matching its braces under the group's values and counting the distinct bindings of all their
variables (each `_` of a positive atom counted as a variable of its own). Raises ValueError on a
program that is not stratifiable or not safe, ZeroDivisionError on a division by zero.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Iterator

from allegiance.lang.syntax import (Aggregate, Arithmetic, Atom, Comparison, Constant, Minus, Negation, Program,
                                    Rule, Term, Variable)
from allegiance.lang.values import Integer, Value, sort_key

Row = tuple[Value, ...]
Binding = dict[str, Value]

ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def evaluate(program: Program, as_of: datetime.date) -> dict[str, frozenset[Row]]:
    """Every predicate `name/arity` of `program` mapped to the tuples that hold as of `as_of`."""
    db: dict[str, set[Row]] = {key: set() for key in predicate_keys(program)}
    for fact in program.facts:
        if fact.holds_on(as_of):
            db[fact.atom.key].add(tuple(_value(t, {}) for t in fact.atom.args))
    levels = stratify(program)
    for level in sorted(set(levels.values())):
        _fixpoint([r for r in program.rules if levels[r.head.key] == level], db)
    return {key: frozenset(rows) for key, rows in db.items()}


def predicate_keys(program: Program) -> list[str]:
    """Every `name/arity` used by a fact, a rule or a declaration; ValueError on two arities."""
    atoms = [fact.atom for fact in program.facts]
    for rule in program.rules:
        atoms.append(rule.head)
        atoms += [lit.atom if isinstance(lit, Negation) else lit for lit in rule.body]
        atoms += [a for lit in rule.body if isinstance(lit, Aggregate) for a in lit.atoms()]
    keys = [a.key for a in atoms if isinstance(a, Atom)] + [d.key for d in program.predicates]
    keys = list(dict.fromkeys(keys))
    names = [key.rsplit("/", 1)[0] for key in keys]
    if len(set(names)) != len(names):
        raise ValueError("a predicate name is used with two arities")
    return keys


def stratify(program: Program) -> dict[str, int]:
    """The level of each predicate; ValueError when one depends on itself through `not`."""
    level = dict.fromkeys(predicate_keys(program), 0)
    changed = True
    while changed:
        changed = False
        for rule in program.rules:
            for lit in rule.body:
                if isinstance(lit, Atom):
                    need = level[lit.key]
                elif isinstance(lit, Negation):
                    need = level[lit.atom.key] + 1
                elif isinstance(lit, Aggregate):
                    need = max((level[a.key] + 1 for a in lit.atoms()), default=0)
                else:
                    continue
                if level[rule.head.key] < need:
                    if need > len(level):  # only a cycle through `not` climbs this high
                        raise ValueError(f"`{rule.head.key}` depends on itself through `not`")
                    level[rule.head.key] = need
                    changed = True
    return level


def _fixpoint(rules: list[Rule], db: dict[str, set[Row]]) -> None:
    """Naive iteration: derive everything from the current tuples until no tuple is new."""
    while True:
        derived = {(rule.head.key, row) for rule in rules for row in consequences(rule, db)}
        new = [(key, row) for key, row in derived if row not in db[key]]
        if not new:
            return
        for key, row in new:
            db[key].add(row)


def consequences(rule: Rule, db: dict[str, set[Row]]) -> Iterator[Row]:
    """The head tuples that one application of `rule` to `db` yields."""
    positives = [lit for lit in rule.body if isinstance(lit, Atom)]
    others = [lit for lit in rule.body if not isinstance(lit, Atom)]
    for binding in _matches(positives, db, {}):
        binding = _bind_equalities(others, binding, db)
        if binding is not None and all(_holds(lit, binding, db) for lit in others):
            yield tuple(_value(t, binding) for t in rule.head.args)


def _matches(atoms: list[Atom], db: dict[str, set[Row]], binding: Binding) -> Iterator[Binding]:
    """Every extension of `binding` under which all `atoms` are tuples of `db` (nested loops)."""
    if not atoms:
        yield binding
        return
    for row in db[atoms[0].key]:
        extended = _unify(atoms[0].args, row, binding)
        if extended is not None:
            yield from _matches(atoms[1:], db, extended)


def _unify(args: tuple[Term, ...], row: Row, binding: Binding) -> Binding | None:
    """`binding` extended so that `args` equal `row`, or None when they cannot."""
    binding = dict(binding)
    for term, value in zip(args, row, strict=True):
        if isinstance(term, Constant):
            if term.value != value:
                return None
        elif not term.is_anonymous:
            if binding.setdefault(term.name, value) != value:
                return None
    return binding


def _bind_equalities(literals: list, binding: Binding, db=None) -> Binding | None:
    """`binding` extended through `X = c`, `X = Y` (Y bound), `X = expression` (its variables
    bound) and `N = aggregate` (its group bound), chains included; None when an aggregate has
    no value (`sum`, `min`, `max` over nothing)."""
    binding = dict(binding)
    changed = True
    while changed:
        changed = False
        for lit in literals:
            if isinstance(lit, Aggregate) and _is_free(lit.result, binding) and db is not None:
                value = _aggregate(lit, binding, db)
                if value is None:
                    return None
                binding[lit.result.name] = value
                changed = True
            if not (isinstance(lit, Comparison) and lit.op == "="):
                continue
            for target, other in ((lit.left, lit.right), (lit.right, lit.left)):
                if _is_free(target, binding) and _computable(other, binding):
                    binding[target.name] = _value(other, binding)
                    changed = True
    return binding


def _computable(expression, binding: Binding) -> bool:
    if isinstance(expression, Arithmetic):
        return _computable(expression.left, binding) and _computable(expression.right, binding)
    if isinstance(expression, Minus):
        return _computable(expression.operand, binding)
    return not _is_free(expression, binding)


def _aggregate(lit: Aggregate, binding: Binding, db) -> Value | None:
    """The aggregate's value under `binding` (its group bound), naively."""
    names = iter(range(10**6))
    body = [Atom(a.predicate, tuple(Variable(f"_o{next(names)}") if isinstance(t, Variable) and t.is_anonymous
                                    else t for t in a.args)) if isinstance(a, Atom) else a for a in lit.body]
    outer = {k: v for k, v in binding.items() if k in {v.name for v in lit.inner_variables()}}
    positives = [a for a in body if isinstance(a, Atom)]
    others = [a for a in body if not isinstance(a, Atom)]
    members = set()
    for found in _matches(positives, db, outer):
        found = _bind_equalities(others, found, db)
        if found is not None and all(_holds(o, found, db) for o in others):
            members.add(tuple(sorted(found.items())))
    if lit.function == "count":
        return Integer(len(members))
    values = [_value(lit.target, dict(m)) for m in members]
    if not values:
        return None
    if lit.function == "sum":
        return Integer(sum(_integer(v) for v in values))
    return (min if lit.function == "min" else max)(values, key=sort_key)


def _integer(value: Value) -> int:
    if not isinstance(value, Integer):
        raise ValueError(f"`{value}` is not an integer")
    return value.value


def _is_free(term: Term, binding: Binding) -> bool:
    return isinstance(term, Variable) and (term.is_anonymous or term.name not in binding)


def _holds(lit: Negation | Comparison, binding: Binding, db: dict[str, set[Row]]) -> bool:
    """True when the negation or comparison `lit` holds under the (complete) `binding`."""
    if isinstance(lit, Negation):
        for variable in lit.atom.variables():
            if not variable.is_anonymous:
                _value(variable, binding)  # a named variable of a negation must be bound
        return not any(_unify(lit.atom.args, row, binding) is not None for row in db[lit.atom.key])
    if isinstance(lit, Aggregate):
        return _aggregate(lit, binding, db) == _value(lit.result, binding)
    left, right = _value(lit.left, binding), _value(lit.right, binding)
    if lit.op == "=":
        return left == right
    if lit.op == "!=":
        return left != right
    return ORDER[lit.op](sort_key(left), sort_key(right))


def _value(term: Term, binding: Binding) -> Value:
    """The value of `term` or expression; ValueError for an unbound variable (an unsafe rule)."""
    if isinstance(term, Arithmetic):
        a, b = _integer(_value(term.left, binding)), _integer(_value(term.right, binding))
        ops = {"+": a + b, "-": a - b, "*": a * b} if term.op in "+-*" else {}
        return Integer(ops[term.op] if ops else a // b if term.op == "/" else a % b)
    if isinstance(term, Minus):
        return Integer(-_integer(_value(term.operand, binding)))
    if isinstance(term, Constant):
        return term.value
    if term.is_anonymous or term.name not in binding:
        raise ValueError(f"variable `{term.name}` is unbound: the rule is not safe")
    return binding[term.name]
