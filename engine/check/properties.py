"""The property directives a knowledge base may declare, and their static checks.

Sits inside `checks` (which calls `check_property_decls`) and under `properties` (which gives
each kind its meaning). `KINDS` is the one table of directive kinds: a program that passes
`check` has only known kinds, each with the arguments its signature asks for: predicates that
the program uses, with the right arity (two of one arity for `exclusive`, at least two
arguments and two distinct argument positions within them for `symmetric`, a base predicate
first for `never_creates` and `never_removes`, one kind name per argument for `kinds`),
constants only in `vocabulary`, and a string `doc` as the only known field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from attrs import frozen

from allegiance.check.declarations import did_you_mean, locate
from allegiance.lang.diagnostics import Diagnostic, error, warning
from allegiance.lang.syntax import Constant, PredicateRef, PropertyDecl
from allegiance.lang.values import Integer, String, Symbol

PROPERTY_FIELDS = ("doc",)


@frozen
class Kind:
    """One kind of property: its name, its signature and how it reads."""

    name: str
    signature: str  # "p" predicate, "b" base predicate, "n*" two positions or none, "c+" words
    usage: str  # examples, in backticks
    meaning: str


KINDS = {k.name: k for k in (
    Kind("symmetric", "pn*", "`symmetric(alliance/2)` or `symmetric(alleged_allies/3, 2, 3)`",
         "swapping two arguments (the first two, or the two positions given) keeps it holding"),
    Kind("exclusive", "pp", "`exclusive(alliance/2, rift/2)`",
         "the two predicates never hold together for the same arguments"),
    Kind("name_independent", "p", "`name_independent(alliance/2)`",
         "renaming every entity consistently renames its answers"),
    Kind("local", "p", "`local(alliance/2)`",
         "a conclusion does not change when facts unrelated to its arguments are added"),
    Kind("never_creates", "bp", "`never_creates(charges/3, alliance/2)`",
         "adding facts of the first predicate never creates a conclusion of the second"),
    Kind("never_removes", "bp", "`never_removes(pledged/2, alliance/2)`",
         "adding facts of the first predicate never removes a conclusion of the second"),
    Kind("vocabulary", "c+", "`vocabulary(state, caliphate)`",
         "the names the rules may depend on; every other name is an entity"),
    Kind("kinds", "pc+", "`kinds(present/2, group, place)`",
         "the kind of entity each argument of a base predicate holds, for generated cases"),
)}


def check_property_decls(decls: Iterable[PropertyDecl], predicates: dict) -> Iterator[Diagnostic]:
    """Every problem of the property directives; `predicates` maps `name/arity` to its info."""
    for decl in decls:
        kind = KINDS.get(decl.kind)
        if kind is None:
            yield error(f"unknown property `{decl.kind}`", locate(decl.span, decl.kind),
                        "property", notes=(f"the properties are {_listing(KINDS)}",),
                        hint=did_you_mean(decl.kind, KINDS))
            continue
        problems = list(_signature(decl, kind))
        if not problems:
            problems = [*_predicates(decl, predicates), *_specific(decl, kind, predicates)]
        yield from problems
        yield from _fields(decl)


def _signature(decl: PropertyDecl, kind: Kind) -> Iterator[Diagnostic]:
    """An error when the arguments do not have the shape the kind asks for."""
    misfit = _misfit(decl, kind)
    if misfit is not None:
        yield error(f"`{decl.kind}` is written {kind.usage}", misfit.span or decl.span,
                    "property", notes=(f"`{decl.kind}`: {kind.meaning}",))


def _misfit(decl: PropertyDecl, kind: Kind):
    """The first argument out of place (the directive when one is missing), or None."""
    if kind.signature.endswith("c+"):
        count = len(kind.signature) - 2
        wrong = [a for a in decl.args[:count] if not isinstance(a, PredicateRef)]
        wrong += [a for a in decl.args[count:] if not isinstance(a, Constant)]
        return wrong[0] if wrong else (decl if len(decl.args) <= count else None)
    count = len(kind.signature.replace("n*", ""))
    refs, rest = decl.args[:count], decl.args[count:]
    wrong = next((a for a in refs if not isinstance(a, PredicateRef)), None)
    if wrong is not None or len(refs) < count:
        return wrong or decl
    allowed = (0, 2) if kind.signature.endswith("n*") else (0,)
    if len(rest) not in allowed or any(isinstance(a, PredicateRef) for a in rest):
        return rest[0]
    return None


def _predicates(decl: PropertyDecl, predicates: dict) -> Iterator[Diagnostic]:
    """An error for each predicate no statement uses with that arity (the rules of a case
    may use a predicate that only its facts define)."""
    defined = predicates
    for ref in decl.predicates:
        if ref.key in defined:
            continue
        same_name = [k for k in defined if k.rsplit("/", 1)[0] == ref.name]
        if same_name:
            arity = int(same_name[0].rsplit("/", 1)[1])
            yield error(f"`{ref.name}` takes {_arguments(arity)}, not {ref.arity}", ref.span,
                        "property", hint=f"write `{same_name[0]}`")
            continue
        by_name = {k.rsplit("/", 1)[0]: k for k in defined}
        yield error(f"unknown predicate `{ref.key}` in property `{decl.kind}`", ref.span,
                    "property", notes=("no fact, rule or declaration uses it",),
                    hint=did_you_mean(ref.name, by_name, lambda n: by_name[n]))


def _specific(decl: PropertyDecl, kind: Kind, predicates: dict) -> Iterator[Diagnostic]:
    """The checks of one kind beyond its signature."""
    refs = decl.predicates
    if kind.name == "symmetric":
        yield from _symmetric(decl, refs[0])
    elif kind.name == "exclusive" and refs[0].arity != refs[1].arity:
        yield error(f"`{refs[0].key}` and `{refs[1].key}` cannot hold for the same arguments: "
                    "their arities differ", refs[1].span, "property")
    elif kind.name == "kinds":
        yield from _kinds(decl, refs[0])
    elif kind.name in ("never_creates", "never_removes"):
        info = predicates.get(refs[0].key)
        if info is not None and info.is_derived:
            yield error(f"`{kind.name}` adds facts of a base predicate, but `{refs[0].key}` is "
                        "derived (it has rules)", refs[0].span, "property",
                        hint="name a predicate that only facts define")


def _symmetric(decl: PropertyDecl, ref: PredicateRef) -> Iterator[Diagnostic]:
    if ref.arity < 2:
        yield error(f"`{ref.key}` cannot be symmetric: it has fewer than two arguments",
                    ref.span, "property")
        return
    positions = decl.args[1:]
    for term in positions:
        value = term.value
        if not isinstance(value, Integer) or not 1 <= value.value <= ref.arity:
            yield error(f"`{value}` is not an argument position of `{ref.key}` (1 to "
                        f"{ref.arity})", term.span, "property")
            return
    if positions and positions[0].value == positions[1].value:
        yield error("a symmetric predicate swaps two different arguments", positions[1].span,
                    "property")


def _kinds(decl: PropertyDecl, ref: PredicateRef) -> Iterator[Diagnostic]:
    names = decl.args[1:]
    bad = next((t for t in names if not isinstance(t.value, Symbol)), None)
    if bad is not None:
        yield error(f"`{bad}` is not a kind: a kind is a lower-case name, such as `group`",
                    bad.span, "property")
    elif len(names) != ref.arity:
        kinds = f"{len(names)} kind{'' if len(names) == 1 else 's'}"
        yield error(f"`kinds` names {kinds} for the {_arguments(ref.arity)} of `{ref.key}`",
                    decl.span, "property", hint="name one kind per argument")


def symmetric_positions(decl: PropertyDecl) -> tuple[int, int]:
    """The two argument positions (0-based) a `symmetric` property swaps."""
    positions = tuple(a.value.value - 1 for a in decl.args[1:]) or (0, 1)
    return positions[0], positions[1]


def _fields(decl: PropertyDecl) -> Iterator[Diagnostic]:
    for key, value in decl.fields:
        if key not in PROPERTY_FIELDS:
            yield warning(f"unknown field `{key}` in property `{decl.kind}`",
                          locate(decl.span, key, ":"), "property",
                          notes=(f"the known fields are {', '.join(PROPERTY_FIELDS)}",),
                          hint=did_you_mean(key, PROPERTY_FIELDS))
        elif not isinstance(value, String):
            yield error(f"field `{key}` of property `{decl.kind}` must be a string, not "
                        f"`{value}`", locate(decl.span, key, ":"), "property")


def _listing(names) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _arguments(n: int) -> str:
    return f"{n} argument" + ("" if n == 1 else "s")
