"""Terms and integer expressions: the arguments of atoms and the sides of comparisons.

Sits at the bottom of `syntax` (which re-exports every name here). A term is a variable or a
constant; an expression is a term, `left op right` (op one of `+ - * / %`, left-associative,
`*`, `/`, `%` binding tighter) or `-operand`. Spans take no part in equality. `str` of an
expression is its source text with the fewest parentheses that read back the same tree.
"""

from __future__ import annotations

from attrs import field, frozen

from allegiance.lang.diagnostics import Span
from allegiance.lang.values import Value

OPERATORS = ("+", "-", "*", "/", "%")  # integer arithmetic; `/` rounds toward minus infinity
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "%": 2}


@frozen
class Variable:
    """A logic variable; `_` alone is anonymous (each occurrence is a fresh variable)."""

    name: str
    span: Span | None = field(default=None, eq=False, repr=False)

    @property
    def is_anonymous(self) -> bool:
        return self.name == "_"

    def __str__(self) -> str:
        return self.name


@frozen
class Constant:
    """A constant written in the text."""

    value: Value
    span: Span | None = field(default=None, eq=False, repr=False)

    def __str__(self) -> str:
        return str(self.value)


Term = Variable | Constant


@frozen
class Arithmetic:
    """`left op right` over integers, op one of `+ - * / %` (left-associative)."""

    op: str
    left: Expression
    right: Expression
    span: Span | None = field(default=None, eq=False, repr=False)

    def variables(self) -> tuple[Variable, ...]:
        return expression_variables(self.left) + expression_variables(self.right)

    def __str__(self) -> str:
        left = _operand(self.left, PRECEDENCE[self.op], False)
        return f"{left} {self.op} {_operand(self.right, PRECEDENCE[self.op], True)}"


@frozen
class Minus:
    """`-operand`: the negation of an integer."""

    operand: Expression
    span: Span | None = field(default=None, eq=False, repr=False)

    def variables(self) -> tuple[Variable, ...]:
        return expression_variables(self.operand)

    def __str__(self) -> str:
        if isinstance(self.operand, Variable):
            return f"-{self.operand}"
        return f"-({self.operand})"


Expression = Variable | Constant | Arithmetic | Minus


def expression_variables(expression: Expression) -> tuple[Variable, ...]:
    """The variables of an expression, in the order written."""
    if isinstance(expression, Variable):
        return (expression,)
    if isinstance(expression, Constant):
        return ()
    return expression.variables()


def is_term(expression: Expression) -> bool:
    """True for a variable or a constant (no arithmetic)."""
    return isinstance(expression, (Variable, Constant))


def _operand(expression: Expression, level: int, right: bool) -> str:
    """An operand as written inside an operation of precedence `level` (parenthesised when it
    binds more loosely, or equally on the right: `1 - (2 - 3)`)."""
    if isinstance(expression, Arithmetic):
        inner = PRECEDENCE[expression.op]
        if inner < level or inner == level and right:
            return f"({expression})"
    return str(expression)



def substitute(term, binding):
    """`term` (or an expression) with a variable bound in `binding` (name → Value or Term)
    replaced."""
    if isinstance(term, Variable) and term.name in binding:
        value = binding[term.name]
        return value if isinstance(value, (Variable, Constant)) else Constant(value, term.span)
    if isinstance(term, Arithmetic):
        return Arithmetic(term.op, substitute(term.left, binding), substitute(term.right, binding),
                          term.span)
    if isinstance(term, Minus):
        return Minus(substitute(term.operand, binding), term.span)
    return term
