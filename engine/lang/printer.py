"""The printer: syntax tree → canonical source text. The inverse of `parse`.

Guarantees: one statement per line, `, ` between arguments and literals, ` :- ` in rules,
annotations in the order `from`, `to`, `@source`..., strings quoted with `values.quote`; for every
tree the parser can produce, `parse_program(format_program(p)) == p` (spans aside). A rule needs
a body and a query a literal for their text to parse.
"""

from __future__ import annotations

from allegiance.lang.syntax import (PRECEDENCE, Aggregate, Arithmetic, Atom, Comparison, Constant, Fact,
                                    Literal, Minus, Negation, PredicateDecl, PredicateRef, Program,
                                    PropertyDecl, Query, Rule, SourceDecl, Statement, Term, Variable)
from allegiance.lang.values import String, Value, quote


def format_program(program: Program) -> str:
    """The program as text: one statement per line."""
    return "".join(format_statement(s) + "\n" for s in program.statements)


def format_statement(statement: Statement) -> str:
    """One statement, ending with `.`."""
    if isinstance(statement, Fact):
        return format_fact(statement)
    if isinstance(statement, Rule):
        return format_rule(statement)
    if isinstance(statement, SourceDecl):
        return f"source {statement.id}{_fields(statement.fields)}."
    if isinstance(statement, PredicateDecl):
        params = f"({', '.join(statement.params)})" if statement.params else ""
        return f"predicate {statement.name}{params}{_fields(statement.fields)}."
    if isinstance(statement, PropertyDecl):
        return format_property(statement)
    raise TypeError(f"not a statement: {statement!r}")


def format_fact(fact: Fact) -> str:
    """`atom from DATE to DATE @source ... .`"""
    parts = [format_atom(fact.atom)]
    if fact.valid_from is not None:
        parts.append(f"from {fact.valid_from}")
    if fact.valid_to is not None:
        parts.append(f"to {fact.valid_to}")
    parts.extend(f"@{source}" for source in fact.sources)
    return " ".join(parts) + "."


def format_rule(rule: Rule) -> str:
    """`head :- literal, ... .`"""
    return f"{format_atom(rule.head)} :- {_literals(rule.body)}."


def format_property(decl: PropertyDecl) -> str:
    """`property kind(name/arity, constant, ...) {field: value}.`"""
    args = ", ".join(str(a) if isinstance(a, PredicateRef) else format_term(a) for a in decl.args)
    return f"property {decl.kind}({args}){_fields(decl.fields)}."


def format_query(query: Query) -> str:
    """`literal, ...?`"""
    return f"{_literals(query.body)}?"


def format_literal(literal: Literal) -> str:
    """An atom, `not atom` or `left op right`."""
    if isinstance(literal, Atom):
        return format_atom(literal)
    if isinstance(literal, Negation):
        return f"not {format_atom(literal.atom)}"
    if isinstance(literal, Comparison):
        return f"{format_expression(literal.left)} {literal.op} {format_expression(literal.right)}"
    if isinstance(literal, Aggregate):
        target = "" if literal.target is None else f" {format_term(literal.target)}"
        return (f"{format_term(literal.result)} = {literal.function}{target} : "
                f"{{ {_literals(literal.body)} }}")
    raise TypeError(f"not a literal: {literal!r}")


def format_atom(atom: Atom) -> str:
    """`name(arg, ...)`, or `name` without arguments."""
    if not atom.args:
        return atom.predicate
    return f"{atom.predicate}({', '.join(format_term(t) for t in atom.args)})"


def format_term(term: Term) -> str:
    """A variable's name or a constant in source syntax."""
    if isinstance(term, Variable):
        return term.name
    if isinstance(term, Constant):
        return format_value(term.value)
    raise TypeError(f"not a term: {term!r}")


def format_expression(expression) -> str:
    """A term, or an integer expression with the fewest parentheses that parse back the same."""
    if isinstance(expression, Arithmetic):
        level = PRECEDENCE[expression.op]
        left = _operand(expression.left, level, False)
        return f"{left} {expression.op} {_operand(expression.right, level, True)}"
    if isinstance(expression, Minus):
        inner = format_expression(expression.operand)
        return f"-{inner}" if isinstance(expression.operand, Variable) else f"-({inner})"
    return format_term(expression)


def _operand(expression, level: int, right: bool) -> str:
    text = format_expression(expression)
    if isinstance(expression, Arithmetic):
        inner = PRECEDENCE[expression.op]
        if inner < level or inner == level and right:
            return f"({text})"
    return text


def format_value(value: Value) -> str:
    """A constant in source syntax (strings quoted and escaped)."""
    return quote(value.text) if isinstance(value, String) else str(value)


def _literals(literals: tuple[Literal, ...]) -> str:
    return ", ".join(format_literal(lit) for lit in literals)


def _fields(fields: tuple[tuple[str, Value], ...]) -> str:
    if not fields:
        return ""
    return " {" + ", ".join(f"{key}: {format_value(value)}" for key, value in fields) + "}"
