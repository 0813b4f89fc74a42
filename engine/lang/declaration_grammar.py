"""The grammar of declarations and directives, for `parse`: `source`, `predicate` and `property`.

Sits inside `parse`: `DeclarationGrammar` is mixed into its parser and reads with the parser's
own primitives (`listed`, `value`, `name`, `end`, `report`, `fail`), so errors, recovery and
spans work as for facts and rules. What it reads has no repeated field or parameter; a
`property` has its kind and at least one argument, each a predicate `name/arity` or a constant.
Which kinds and arguments make sense is checked later (`property_decls`).

    source    := "source" name fields? "."
    predicate := "predicate" name ("(" Param ("," Param)* ")")? fields? "."
    property  := "property" name "(" arg ("," arg)* ")" fields? "."
    arg       := name "/" INTEGER | constant
    fields    := "{" name ":" (STRING | DATE) ("," name ":" (STRING | DATE))* "}"
"""

from __future__ import annotations

from allegiance.lang.diagnostics import Span
from allegiance.lang.lexer import Token
from allegiance.lang.syntax import Constant, PredicateDecl, PredicateRef, PropertyDecl, SourceDecl
from allegiance.lang.values import Value

DATE_HINT = "a date is written YYYY, YYYY-MM or YYYY-MM-DD"
TEXT_HINT = 'text is written in double quotes, as in `"GLORIA Center"`'
ARGUMENT_KINDS = ("ident", "string", "integer", "date")
_REF_HINT = "a predicate is written `name/arity`, as in `alliance/2`"


class DeclarationGrammar:
    """The declaration rules of the parser (a mixin: the parser supplies the primitives)."""

    def declaration(self) -> SourceDecl | PredicateDecl | PropertyDecl:
        keyword = self.advance()
        name = self.name(f"a name after `{keyword.text}`")
        if keyword.text == "property":
            return self.property_decl(keyword, name)
        params = self.params() if keyword.text == "predicate" and self.at("(") else ()
        fields = self.fields() if self.at("{") else ()
        end = self.end("`.`" if fields else "`{` or `.`", f" after {keyword.text} `{name}`")
        if keyword.text == "source":
            return SourceDecl(name, fields, join(keyword.span, end))
        return PredicateDecl(name, params, fields, join(keyword.span, end))

    def property_decl(self, keyword: Token, kind: str) -> PropertyDecl:
        if not self.at("("):
            self.fail("`(`", f" after property `{kind}`", "a property names its predicates, as "
                      "in `property symmetric(alliance/2).`")
        args = tuple(self.listed(")", self.directive_arg, "a predicate `name/arity`",
                                 _REF_HINT))
        fields = self.fields() if self.at("{") else ()
        end = self.end("`.`" if fields else "`{` or `.`", f" after property `{kind}`")
        return PropertyDecl(kind, args, fields, join(keyword.span, end))

    def directive_arg(self, what: str, after: str) -> PredicateRef | Constant:
        """`name/arity`, or a constant (an argument position, a vocabulary word)."""
        token = self.token
        if token.kind == "ident" and self.peek().text == "/":
            self.advance()
            self.advance()
            arity = self.token
            if arity.kind != "integer" or arity.text.startswith("-"):
                self.fail("an arity (a number of arguments)", f" after `{token.text}/`",
                          _REF_HINT)
            self.advance()
            return PredicateRef(token.text, int(arity.text), join(token.span, arity.span))
        if token.kind == "variable":
            self.fail(what, after, "a variable stands for no predicate: " + _REF_HINT)
        return Constant(self.value(ARGUMENT_KINDS, False, what, after, _REF_HINT), token.span)

    def params(self) -> tuple[str, ...]:
        tokens = self.listed(")", self.param, "a parameter", "write a predicate without arguments "
                             "as `predicate raining {…}.`")
        for i, token in enumerate(tokens):
            if token.text in (t.text for t in tokens[:i]):
                self.report(f"parameter `{token.text}` is named twice", token.span)
        return tuple(t.text for t in tokens)

    def param(self, what: str, after: str) -> Token:
        token = self.token
        if token.kind not in ("variable", "ident"):
            self.fail(what, after)
        if token.kind == "ident":
            self.report(f"parameter `{token.text}` must be named like a variable", token.span,
                        f"write `{token.text[0].upper()}{token.text[1:]}`")
        elif token.text == "_":
            self.report("a parameter needs a name: `_` is anonymous", token.span)
        return self.advance()

    def fields(self) -> tuple[tuple[str, Value], ...]:
        fields: dict[str, Value] = {}
        for key, value in self.listed("}", self.field, "a field"):
            if key.text in fields:
                self.report(f"field `{key.text}` is given twice", key.span)
            fields.setdefault(key.text, value)
        return tuple(fields.items())

    def field(self, what: str, after: str) -> tuple[Token, Value | None]:
        if self.token.kind != "ident":
            self.fail("a field name", after)
        key = self.advance()
        if not self.take(":"):
            self.fail("`:`", f" after field name `{key.text}`")
        return key, self.value(("string", "date"), True, "a string or a date",
                               f" as the value of `{key.text}`", TEXT_HINT)


def join(first: Span, last: Span) -> Span:
    """The span from `first` to `last`, cut at the end of `first`'s line."""
    end = last.end_col if last.line == first.line else len(first.text) + 1
    return Span(first.file, first.line, first.col, max(end, first.col), first.text)
