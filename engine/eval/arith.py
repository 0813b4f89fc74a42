"""Integer arithmetic and aggregates over encoded values, shared by every Python evaluator.

Sits under `joins`, `instances`, `model` (for pyDatalog's resolvers) and `plan`. Values are
encoded (`values.sort_key`): an integer is `(0, n)`. Guarantees: `/` is integer division rounding
toward minus infinity and `%` its remainder (so `(X / Y) * Y + X % Y = X`); arithmetic on a value
that is not an integer, and division by zero, raise `EvaluationError`, whose diagnostic names the
rule (by its head and position), the literal and the binding: never a Python exception. An
aggregate is computed from the distinct tuples of its body's variables (`count`: how many, 0 over
nothing; `sum`: of the target over them; `min`, `max`: in the order of values; those three have
no value over nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from allegiance.lang.diagnostics import QueryError, error
from allegiance.lang.values import from_key

_INTEGER_NOTE = "arithmetic (`+ - * / %`) and `sum` apply to integers only"


class EvaluationError(QueryError):
    """A rule or query could not be evaluated for some binding (division by zero, arithmetic on a
    value that is not an integer); its diagnostic says where and with which values."""


class _Fault(Exception):
    """A fault inside an expression, before it is told where it happened."""


def integer(value: tuple) -> int:
    """The integer an encoded value stands for; `_Fault` when it is not one."""
    if len(value) == 2 and value[0] == 0:
        return value[1]
    raise _Fault(f"`{from_key(value)}` is not an integer")


def apply(op: str, left: int, right: int | None = None) -> int:
    """`left op right` on integers (`neg`: `-left`); `_Fault` on division by zero."""
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "neg":
        return -left
    if right == 0:
        raise _Fault("division by zero" if op == "/" else "remainder of a division by zero")
    return left // right if op == "/" else left % right


def evaluate(expression, value_of: Callable[[str], tuple]) -> tuple:
    """The encoded value of a plan expression (`plan.PlanExpr`, a variable name or an encoded
    constant), each variable read through `value_of`."""
    if isinstance(expression, tuple):
        return expression
    if isinstance(expression, str):
        return value_of(expression)
    left = integer(evaluate(expression.left, value_of))
    right = None if expression.right is None else integer(evaluate(expression.right, value_of))
    return (0, apply(expression.op, left, right))


def fold(function: str, rows: Iterable[tuple]) -> tuple | None:
    """The aggregate of distinct rows whose last element is the target; None: no value."""
    rows = set(rows)
    if function == "count":
        return (0, len(rows))
    if not rows:
        return None
    if function == "sum":
        return (0, sum(integer(row[-1]) for row in rows))
    pick = min if function == "min" else max
    return pick(row[-1] for row in rows)


def fault(assign, names: Iterable[str], values: Iterable[tuple], problem: str) -> EvaluationError:
    """The error of a plan assignment that failed under the binding `names` = `values`."""
    binding = ", ".join(f"{n} = {from_key(v)}" for n, v in zip(names, values) if n[0] not in "#_")
    where = "the query" if assign.rule.startswith("#query") else f"the rule for `{assign.rule}`"
    shown = f" with {binding}" if binding else ""
    return EvaluationError([error(f"{problem} in {where}{shown}", assign.span, "arithmetic",
                                  notes=(_INTEGER_NOTE,) if "integer" in problem else ())])


def computes(assign) -> Callable[[tuple], list[tuple]]:
    """For an arithmetic assignment: its inputs' values → `[(value,)]` (`EvaluationError` when
    the expression fails)."""
    names = assign.inputs
    expression = assign.value

    def compute(values: tuple) -> list[tuple]:
        env = dict(zip(names, values))
        try:
            return [(evaluate(expression, env.__getitem__),)]
        except _Fault as exc:
            raise fault(assign, names, values, str(exc)) from None

    return compute


def counts(assign, rows_of: Callable[[tuple], Iterable[tuple]]) -> Callable[[tuple], list[tuple]]:
    """For an aggregate assignment: its group's values → `[(value,)]`, or `[]` when it has none;
    `rows_of(group)` gives the rows the aggregate folds. Memoised per group while it lives."""
    memo: dict[tuple, list[tuple]] = {}
    function = assign.value.function

    def compute(group: tuple) -> list[tuple]:
        found = memo.get(group)
        if found is None:
            try:
                value = fold(function, rows_of(group))
            except _Fault as exc:
                raise fault(assign, assign.inputs, group, f"`sum`: {exc}") from None
            found = memo[group] = [] if value is None else [(value,)]
        return found

    return compute
