"""Plain-language sentences for atoms, from the predicates' `holds` and `fails` templates.

Sits under the renderers. Templates are read with `declarations.scan_template` (user text is
never given to `str.format`); a placeholder becomes the displayed value of its argument: an
entity's first alias when it has one, a string without quotes, an unbound argument as
"something". Without a template the readable atom is used. No variable name, internal name or
solver word reaches the reader.
"""

from __future__ import annotations

from attrs import frozen

from allegiance.check.declarations import Placeholder, TemplateError, scan_template
from allegiance.lang.syntax import Atom, Comparison, Constant, PredicateDecl, SourceDecl, Variable
from allegiance.lang.values import Date, String, Symbol, Value, display, printable

_TIME = {"=": ("is", "is not"), "!=": ("is not", "is"), "<": ("is before", "is not before"),
         "<=": ("is not after", "is after"), ">": ("is after", "is not after"),
         ">=": ("is not before", "is before")}
_ORDER = {"=": ("is", "is not"), "!=": ("is not", "is"), "<": ("is less than", "is not less than"),
          "<=": ("is at most", "is more than"), ">": ("is more than", "is not more than"),
          ">=": ("is at least", "is less than")}


@frozen
class Vocabulary:
    """What the renderers need to know about a knowledge base: templates, names, sources."""

    decls: dict[str, PredicateDecl]
    names: dict[Value, str]  # entity → display name
    sources: dict[str, SourceDecl]

    @classmethod
    def of(cls, kb) -> Vocabulary:
        """The vocabulary of a knowledge base."""
        decls = {d.key: d for d in kb.checked.program.predicates}
        names: dict[Value, str] = {}
        for fact in kb.facts("alias/2"):
            entity, name = (a.value for a in fact.atom.args)
            if isinstance(name, String):
                names.setdefault(entity, name.text)
        return cls(decls, names, dict(kb.checked.sources))

    def name(self, value: Value) -> str:
        """How a value reads in a sentence."""
        if value in self.names:
            return printable(self.names[value])
        return display(value)

    def sentence(self, atom: Atom, holds: bool = True) -> str:
        """The `holds` (or `fails`) sentence of an atom, or the atom itself."""
        decl = self.decls.get(atom.key)
        template = decl.get("holds" if holds else "fails") if decl else None
        if isinstance(template, String):
            try:
                return self._fill(scan_template(template.text), decl, atom)
            except TemplateError:
                pass
        text = self.atom(atom)
        return text if holds else f"no record that {text}"

    def _fill(self, parts, decl: PredicateDecl, atom: Atom) -> str:
        values = dict(zip(decl.params, atom.args))
        out = []
        for part in parts:
            if isinstance(part, Placeholder):
                term = values.get(part.name)
                out.append(self.name(term.value) if isinstance(term, Constant) else "something")
            else:
                out.append(printable(part))
        return "".join(out)

    def atom(self, atom: Atom) -> str:
        """The atom in source syntax, variables shown as `_` (never a generated name)."""
        if not atom.args:
            return atom.predicate
        args = ", ".join(str(t.value) if isinstance(t, Constant) else "_" for t in atom.args)
        return printable(f"{atom.predicate}({args})")

    def comparison(self, comparison: Comparison, holds: bool = True) -> str:
        """A comparison in words, as it holds or as it fails: `2013-06 is not after 2014-01`."""
        terms = (comparison.left, comparison.right)
        left, right = (self.name(t.value) if isinstance(t, Constant) else
                       "something" if isinstance(t, Variable) else str(t) for t in terms)
        dated = any(isinstance(t, Constant) and isinstance(t.value, Date) for t in terms)
        words = (_TIME if dated else _ORDER)[comparison.op]
        return f"{left} {words[0] if holds else words[1]} {right}"

    def citation(self, source_id: str) -> str:
        """A source as `Title, Author, Outlet, Date, URL` (the fields it has)."""
        decl = self.sources.get(source_id)
        if decl is None:
            return source_id
        fields = [decl.get(k) for k in ("title", "author", "outlet", "date", "url")]
        parts = [f"“{display(fields[0])}”" if fields[0] else source_id]
        parts.extend(display(v) for v in fields[1:] if v is not None)
        return ", ".join(parts)


def is_entity(value: Value) -> bool:
    return isinstance(value, Symbol)
