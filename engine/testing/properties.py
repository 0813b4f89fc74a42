"""What each kind of `property` means: the cases it is checked on and how a case breaks it.

Sits on `strategies` (cases are drawn with them) and under `property_checks` (which runs
Hypothesis and explains what breaks). A case is a generated knowledge base, and for some kinds
facts to add or a renaming; `violation` evaluates the conclusions (through `evaluate`, which
maps a set of facts to the relations that hold) and returns the first broken expectation, or
None. A violation names the conclusion that breaks and each knowledge base it is judged in, so
that the counterexample can be printed, loaded and explained.

    symmetric(p/n, i, j)   p(..a..b..) holds exactly when p(..b..a..) does
    exclusive(p/n, q/n)    p(t) and q(t) never both hold
    name_independent(p/n)  in the case renamed by σ, the answers are σ of the answers
    local(p/n)             adding facts F leaves p(t) as it was, whenever F mentions no argument
                           of t nor any constant a stated fact about an argument of t mentions
    never_creates(q, p)    adding facts of q never makes p(t) hold
    never_removes(q, p)    adding facts of q never makes p(t) fail
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

from attrs import frozen
from hypothesis import strategies as st

from allegiance.lang.printer import format_atom, format_value
from allegiance.check.properties import symmetric_positions
from allegiance.testing.strategies import Cast, Schema, casts, derivations, facts, renamings
from allegiance.lang.syntax import Atom, Constant, Fact, PropertyDecl
from allegiance.lang.values import String, Symbol, Value

CHECKED = ("symmetric", "exclusive", "name_independent", "local", "never_creates",
           "never_removes")
Relations = dict[str, frozenset[tuple[Value, ...]]]
Evaluate = Callable[[Sequence[Fact]], Relations]


@frozen
class Case:
    """A generated knowledge base, and what the property changes in it."""

    facts: tuple[Fact, ...]
    added: tuple[Fact, ...] = ()  # local, never_creates, never_removes: facts added
    renaming: tuple[tuple[Value, Value], ...] = ()  # name_independent: old name → new name
    as_of: datetime.date | None = None  # None: the day the checker evaluates as of


@frozen
class Scene:
    """One knowledge base of a counterexample, a conclusion in it, and whether it holds."""

    title: str
    facts: tuple[Fact, ...]
    goal: Atom
    holds: bool


@frozen
class Violation:
    """A case that breaks a property: what breaks, and the knowledge bases that show it."""

    decl: PropertyDecl
    summary: str
    case: Case
    scenes: tuple[Scene, ...]


@frozen
class Sizes:
    """Bounds on generated cases."""

    max_facts: int = 10
    max_added: int = 4
    fresh: int = 3
    known: int = 3


def conclusions(decl: PropertyDecl) -> tuple[str, ...]:
    """The predicates whose answers the property is about."""
    refs = decl.predicates
    return tuple(r.key for r in (refs[1:] if decl.kind.startswith("never_") else refs))


def cases(decl: PropertyDecl, schema: Schema, relevant: Sequence[str], with_known: bool,
          days: Sequence[datetime.date] = (), sizes: Sizes = Sizes()) -> st.SearchStrategy[Case]:
    """The cases a property is checked on: knowledge bases over the `relevant` base
    predicates (with a few known values when `with_known`), up to two derivations of the
    predicates it is about among their facts, and what the kind adds."""
    known = sizes.known if with_known else 0
    day = st.sampled_from(tuple(days)) if days else st.none()
    goals = tuple(k for k in conclusions(decl) if k in schema.derived_kinds)
    casts_of = (casts(schema, sizes.fresh, known), casts(schema, sizes.fresh, 0, sizes.fresh))
    stated = {a.value for f in schema.facts.facts for a in f.atom.args} if with_known else set()
    keep = frozenset(schema.fixed | stated)  # never renamed: the vocabulary, the facts' names
    return _cases(decl, schema, tuple(relevant), goals, casts_of, keep, day, sizes)


@st.composite
def _cases(draw, decl, schema: Schema, relevant, goals, casts_of, keep, day, sizes) -> Case:
    cast = draw(casts_of[0])
    found: dict[Atom, Fact] = {}
    added: tuple[Fact, ...] = ()
    renaming: tuple[tuple[Value, Value], ...] = ()
    if decl.kind == "local" and relevant:  # first, so that the rest shrinks away on its own
        stated, added = draw(_unrelated(decl, schema, cast, draw(casts_of[1]), relevant, sizes))
        found.update((fact.atom, fact) for fact in stated)
    for _ in range(min(draw(st.integers(0, 3)), 2) if goals else 0):  # mostly one or two
        goal = draw(st.sampled_from(goals))
        for fact in draw(derivations(schema, goal, cast, max_facts=sizes.max_facts)):
            found.setdefault(fact.atom, fact)
    noise = st.lists(facts(schema, cast, relevant), max_size=sizes.max_facts,
                     unique_by=lambda f: f.atom) if relevant else st.just([])
    for fact in draw(noise):
        found.setdefault(fact.atom, fact)
    if decl.kind == "name_independent":
        names = [a.value for f in found.values() for a in f.atom.args
                 if isinstance(a.value, (Symbol, String)) and a.value not in keep]
        renaming = draw(renamings(names).map(lambda r: tuple(sorted(r.items()))))
    elif decl.kind.startswith("never_"):
        added = tuple(draw(st.lists(facts(schema, cast, [decl.args[0].key]), min_size=1,
                                    max_size=sizes.max_added)))
    return Case(tuple(found.values()), added, renaming, draw(day))


@st.composite
def _unrelated(draw, decl, schema: Schema, cast: Cast, other: Cast, relevant, sizes: Sizes):
    """Facts to add that mention no entity of the case (`other`'s entities, the vocabulary),
    and facts for the case: a derivation of the conclusion about entities of the case, every
    other variable bound to other entities, is split between the two (what mentions the case
    goes to the case), so that a rule joining unrelated facts shows; then a few facts more."""
    stated, added = [], []
    key = decl.args[0].key
    if key in schema.derived_kinds:
        case_entities = {v for pool in cast.pools.values() for v in pool} - schema.fixed
        everyone = tuple(v for pool in cast.pools.values() for v in pool)
        args: list[Value] = []  # the conclusion is about distinct entities of the case
        for kind in schema.derived_kinds[key]:
            pool = cast.pools.get(kind) or everyone
            args.append(draw(st.sampled_from([v for v in pool if v not in args] or pool)))
        derived = derivations(schema, key, other, max_facts=sizes.max_facts, args=tuple(args))
        for fact in draw(derived):  # the rest of the derivation is about other entities
            mentions = {a.value for a in fact.atom.args}
            (stated if mentions & case_entities else added).append(fact)
    added += draw(st.lists(facts(schema, other, relevant), min_size=0 if added else 1,
                           max_size=sizes.max_added))
    return tuple(stated), tuple(dict.fromkeys(added))


# -- the checks ------------------------------------------------------------------------------
def violation(decl: PropertyDecl, case: Case, evaluate: Evaluate,
              known: Sequence[Fact] = ()) -> Violation | None:
    """The first way `case` breaks the property, or None; `known`: the facts stated besides."""
    return _CHECKS[decl.kind](decl, case, evaluate, known)


def _symmetric(decl, case: Case, evaluate, known) -> Violation | None:
    key = decl.args[0].key
    i, j = symmetric_positions(decl)
    answers = evaluate(case.facts)[key]
    for row in sorted(answers):
        swapped = list(row)
        swapped[i], swapped[j] = row[j], row[i]
        if tuple(swapped) not in answers:
            goal, other = _atom(key, row), _atom(key, swapped)
            return Violation(decl, f"`{_show(goal)}` holds but `{_show(other)}` does not", case,
                             (Scene("the case", case.facts, goal, True),
                              Scene("the case", case.facts, other, False)))
    return None


def _exclusive(decl, case: Case, evaluate, known) -> Violation | None:
    first, second = (r.key for r in decl.predicates)
    answers = evaluate(case.facts)
    for row in sorted(answers[first] & answers[second]):
        one, two = _atom(first, row), _atom(second, row)
        return Violation(decl, f"`{_show(one)}` and `{_show(two)}` both hold", case,
                         (Scene("the case", case.facts, one, True),
                          Scene("the case", case.facts, two, True)))
    return None


def _name_independent(decl, case: Case, evaluate, known) -> Violation | None:
    key, renaming = decl.args[0].key, dict(case.renaming)
    if all(k == v for k, v in renaming.items()):
        return None
    renamed = tuple(_rename_fact(f, renaming) for f in case.facts)
    before, after = evaluate(case.facts)[key], evaluate(renamed)[key]
    back = {v: k for k, v in renaming.items()}
    names = ", ".join(f"{_value(k)} → {_value(v)}" for k, v in case.renaming if k != v)
    original, other = "the case", f"the case renamed ({names})"
    for row in sorted(before):
        image = tuple(renaming.get(v, v) for v in row)
        if image not in after:
            goal, moved = _atom(key, row), _atom(key, image)
            return Violation(decl, f"`{_show(goal)}` holds, but `{_show(moved)}` does not once "
                             "the entities are renamed", case,
                             (Scene(original, case.facts, goal, True),
                              Scene(other, renamed, moved, False)))
    for row in sorted(after):
        image = tuple(back.get(v, v) for v in row)
        if image not in before:
            goal, moved = _atom(key, image), _atom(key, row)
            return Violation(decl, f"`{_show(goal)}` does not hold, but `{_show(moved)}` does "
                             "once the entities are renamed", case,
                             (Scene(original, case.facts, goal, False),
                              Scene(other, renamed, moved, True)))
    return None


def _local(decl, case: Case, evaluate, known) -> Violation | None:
    key = decl.args[0].key
    grown = case.facts + case.added
    before, after = evaluate(case.facts)[key], evaluate(grown)[key]
    added = {a.value for f in case.added for a in f.atom.args}
    for row in sorted(before ^ after):
        if added & _neighbourhood(row, (*known, *case.facts)):
            continue
        goal = _atom(key, row)
        change = "no longer holds" if row in before else "holds"
        return Violation(decl, f"`{_show(goal)}` {change} once facts that mention none of its "
                         "arguments, nor anything stated about them, are added", case,
                         (Scene("the case", case.facts, goal, row in before),
                          Scene("the case with the unrelated facts added", grown, goal,
                                row in after)))
    return None


def _monotone(decl, case: Case, evaluate, known) -> Violation | None:
    added_key, key = (r.key for r in decl.predicates)
    grown = case.facts + case.added
    before, after = evaluate(case.facts)[key], evaluate(grown)[key]
    creates = decl.kind == "never_creates"
    broken = after - before if creates else before - after
    for row in sorted(broken):
        goal = _atom(key, row)
        verb = "creates" if creates else "removes"
        return Violation(decl, f"adding facts of `{added_key}` {verb} `{_show(goal)}`", case,
                         (Scene("the case", case.facts, goal, not creates),
                          Scene(f"the case with facts of `{added_key}` added", grown, goal,
                                creates)))
    return None


_CHECKS = {"symmetric": _symmetric, "exclusive": _exclusive,
           "name_independent": _name_independent, "local": _local,
           "never_creates": _monotone, "never_removes": _monotone}


def _neighbourhood(row: tuple[Value, ...], stated: Sequence[Fact]) -> set[Value]:
    """The values of `row` and every value a stated fact mentioning one of them mentions."""
    near = set(row)
    for fact in stated:
        values = {a.value for a in fact.atom.args}
        if values & set(row):
            near |= values
    return near


def _rename_fact(fact: Fact, renaming: dict[Value, Value]) -> Fact:
    args = tuple(Constant(renaming.get(a.value, a.value)) for a in fact.atom.args)
    return Fact(Atom(fact.atom.predicate, args), fact.sources, fact.valid_from, fact.valid_to)


def _atom(key: str, row) -> Atom:
    return Atom(key.rsplit("/", 1)[0], tuple(Constant(v) for v in row))


def _show(atom: Atom) -> str:
    return format_atom(atom)


def _value(value: Value) -> str:
    return format_value(value)
