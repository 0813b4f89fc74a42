"""The grammar of integer expressions and aggregates, a part of the parser (`parse`).

A mixin of `parse._Parser`, which provides the token stream, `term`, `literal`, `listed`,
`fail`, `report` and `abandon`. Guarantees: operators are left-associative, `*`, `/` and `%` bind tighter
than `+` and `-`, unary minus tightest; parentheses nest at most `MAX_NESTING` deep (deeper is a
syntax error, never a deep Python stack); an aggregate stands on the right of `=`, after a
variable or a constant, and contains no other aggregate.
"""

from __future__ import annotations

from allegiance.lang.declaration_grammar import join as _join
from allegiance.lang.lexer import Token
from allegiance.lang.syntax import AGGREGATES, PRECEDENCE, Aggregate, Arithmetic, Expression, Minus, Variable, is_term

MAX_NESTING = 64  # parentheses inside one expression
_AGGREGATE_HINT = "an aggregate is written `N = count : { p(X) }` or `S = sum W : { w(E, W) }`"


class ExpressionGrammar:
    """Expressions and aggregates, read from the parser's tokens."""

    def expression(self, expected: str, after: str, level: int = 1, depth: int = 0) -> Expression:
        """An expression of operators of precedence `level` and tighter (left-associative)."""
        start = self.token
        left = self.expression(expected, after, 2, depth) if level == 1 else self.unary(expected, after, depth)
        while self.token.kind == "punct" and PRECEDENCE.get(self.token.text) == level:
            op = self.advance().text
            right = self.expression("an operand", f" after `{op}`", 2, depth) if level == 1 \
                else self.unary("an operand", f" after `{op}`", depth)
            left = Arithmetic(op, left, right, _join(start.span, self.previous()))
        return left

    def unary(self, expected: str, after: str, depth: int) -> Expression:
        token = self.token
        if depth > MAX_NESTING:
            self.report(f"expression nested too deeply (more than {MAX_NESTING} levels)", token.span)
            self.abandon()
        if self.take("-"):
            operand = self.unary("an operand", " after `-`", depth + 1)
            return Minus(operand, _join(token.span, self.previous()))
        if self.take("("):
            inner = self.expression("an operand", " after `(`", 1, depth + 1)
            if not self.take(")"):
                self.fail("`)` or an operator", " in an expression")
            return inner
        return self.term(expected, after)

    def _at_aggregate(self) -> bool:
        token, following = self.token, self.peek()
        if token.kind not in ("ident", "keyword") or token.text not in AGGREGATES:
            return False
        return following.text == ":" or token.text != "count" and \
            self.tokens[min(self.pos + 2, len(self.tokens) - 1)].text == ":"

    def aggregate(self, op: str, result: Expression, first: Token, inside: bool) -> Aggregate:
        function = self.advance()
        if op != "=" or not is_term(result):
            self.report(f"an aggregate binds a variable: write `N = {function.text} ...`",
                        _join(first.span, function.span), _AGGREGATE_HINT)
        if inside:
            self.report("an aggregate cannot contain another aggregate", function.span,
                        hint="define the inner aggregate in a rule of its own")
        target = None if function.text == "count" else self.term("the aggregated term",
                                                                 f" after `{function.text}`")
        if not self.take(":"):
            self.fail("`:`", f" after `{function.text}`", _AGGREGATE_HINT)
        if not self.at("{"):
            self.fail("`{`", " after `:`", _AGGREGATE_HINT)
        body = self.listed("}", lambda what, after: self.literal(after, True), "a literal",
                           "an aggregate needs a literal between `{` and `}`")
        return Aggregate(result if is_term(result) else Variable("_"), function.text, target,
                         tuple(body), _join(first.span, self.previous()))
