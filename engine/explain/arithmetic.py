"""Arithmetic over ground syntax, for explanations: the value of `2 + 1`, whether `3 = 2 + 1`.

Sits beside `refute` and `why`. Works on decoded values (`values.Integer`); an expression that
cannot be computed (a value that is not an integer, a division by zero) has no value here, and a
comparison with such a side does not hold: the evaluators have already reported it.
"""

from __future__ import annotations

from allegiance.lang.syntax import Aggregate, Arithmetic, Comparison, Constant, Minus, Variable, substitute
from allegiance.lang.values import Integer, sort_key


def value(expression):
    """The value of a ground expression, or None."""
    if isinstance(expression, Constant):
        return expression.value
    if isinstance(expression, Minus):
        inner = value(expression.operand)
        return Integer(-inner.value) if isinstance(inner, Integer) else None
    if isinstance(expression, Arithmetic):
        left, right = value(expression.left), value(expression.right)
        if not (isinstance(left, Integer) and isinstance(right, Integer)):
            return None
        a, b, op = left.value, right.value, expression.op
        if op in "/%" and b == 0:
            return None
        return Integer({"+": a + b, "-": a - b, "*": a * b}[op] if op in "+-*" else
                       a // b if op == "/" else a % b)
    return None


def fold(function: str, target, members: list[dict]):
    """The value of an aggregate over its members' bindings (decoded), or None."""
    if function == "count":
        return Integer(len(members))
    values = [value(substitute(target, m)) for m in members]
    if not values or any(v is None for v in values):
        return None
    if function == "sum":
        return Integer(sum(v.value for v in values)) if all(isinstance(v, Integer) for v in values) else None
    return (min if function == "min" else max)(values, key=sort_key)


def holds(comparison: Comparison) -> bool:
    """True when a ground comparison (arithmetic included) holds."""
    left, right = value(comparison.left), value(comparison.right)
    if left is None or right is None:
        return False
    a, b = sort_key(left), sort_key(right)
    return {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[comparison.op]


def extend(body, binding: dict, aggregate_value) -> dict:
    """`binding` extended through `V = expression` and `V = aggregate` literals of `body` whose
    inputs are bound, to a fixpoint; `aggregate_value(literal)` computes an aggregate."""
    binding = dict(binding)
    changed = True
    while changed:
        changed = False
        for literal in body:
            target, computed = _assignment(literal, binding, aggregate_value)
            if target is not None and computed is not None:
                binding[target] = computed
                changed = True
    return binding


def _assignment(literal, binding: dict, aggregate_value):
    if isinstance(literal, Aggregate):
        result = literal.result
        if isinstance(result, Variable) and result.name not in binding:
            return result.name, aggregate_value(literal)
        return None, None
    if not (isinstance(literal, Comparison) and literal.op == "="):
        return None, None
    for target, other in ((literal.left, literal.right), (literal.right, literal.left)):
        if isinstance(target, Variable) and not target.is_anonymous and target.name not in binding:
            ground = substitute(other, binding)
            if not _free(ground):
                return target.name, value(ground)
    return None, None


def _free(expression) -> bool:
    if isinstance(expression, Variable):
        return True
    if isinstance(expression, Arithmetic):
        return _free(expression.left) or _free(expression.right)
    return isinstance(expression, Minus) and _free(expression.operand)
