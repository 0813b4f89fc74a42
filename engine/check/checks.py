"""Static checks: Program → CheckedProgram, or a CheckError carrying every problem at once.

Sits between `parse` and the evaluators. `check` runs every check in one pass and reports all
errors together with the warnings, sorted by position. A `CheckedProgram` guarantees:
- every predicate name has one arity (`arity`) and every fact is ground (`non-ground`);
- every rule is safe (`unsafe`, see `safety`: `_` in a negated literal is existential, and an
  evaluator must project it away rather than bind it);
- negation and aggregates are stratified (`negation-cycle`, `aggregate-cycle`); `strata` lists
  derived predicates in dependency order; no recursive rule gives its head a value computed by
  arithmetic (`non-terminating`, see `termination`);
- every cited source is declared (`unknown-source`), no source twice (`duplicate-source`), with
  well-typed fields (`source-field`); no predicate is declared twice (`predicate-decl`) and its
  templates name only its arguments (`template`); `property` directives are well formed
  (`property`, see `property_decls`).
Warnings, kept in `warnings`: `undefined` predicates, unknown fields (`source-field`,
`predicate-decl`), rule variables named like an alias (`alias-shadow`). `check_query` and
`check_fact` check what a user types against a checked program and raise `QueryError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from attrs import frozen

from allegiance.check.declarations import check_predicate_decls, check_sources, did_you_mean, locate, position
from allegiance.lang.diagnostics import CheckError, Diagnostic, QueryError, error, sort_diagnostics, warning
from allegiance.check.properties import check_property_decls
from allegiance.check.safety import unsafe_query, unsafe_rule
from allegiance.check.strata import Stratum, dependency_graph, negative_cycles, strata_of
from allegiance.check.termination import counting_rules
from allegiance.lang.syntax import (Atom, Fact, Negation, PredicateDecl, Program, Query, Rule, SourceDecl, Variable,
                                    body_atoms)
from allegiance.lang.values import String

ARITY_NOTE = "a predicate is `name/arity`: one name used with two arities is an error"
ALIAS_NOTE = "in a query, a name equal to an alias (in any case) denotes the entity"


@frozen
class PredicateInfo:
    """What the program says about one predicate `name/arity`."""

    key: str
    name: str
    arity: int
    rules: tuple[Rule, ...] = ()
    has_facts: bool = False
    decl: PredicateDecl | None = None

    @property
    def is_derived(self) -> bool:
        return bool(self.rules)

    @property
    def is_defined(self) -> bool:
        """True when a fact, a rule or a declaration introduces the predicate."""
        return bool(self.rules) or self.has_facts or self.decl is not None


@frozen
class CheckedProgram:
    """A program that passed every check, with what the evaluators need to know about it."""

    program: Program
    predicates: dict[str, PredicateInfo]  # every key used, in order of first use; never mutated
    strata: tuple[Stratum, ...]
    sources: dict[str, SourceDecl]  # never mutated
    warnings: tuple[Diagnostic, ...] = ()

    def dependencies(self, keys) -> set[str]:
        """`keys` and every predicate they depend on through rules (negations included)."""
        todo, seen = list(keys), set()
        while todo:
            key = todo.pop()
            if key not in seen:
                seen.add(key)
                info = self.predicates.get(key)
                todo += [atom.key for rule in (info.rules if info else ())
                         for atom in body_atoms(rule.body)]
        return seen


def check(program: Program) -> CheckedProgram:
    """The checked program; CheckError with every error (and warning) when there is any."""
    sources, source_problems = check_sources(program.sources)
    decls, decl_problems = check_predicate_decls(program.predicates)
    predicates = _predicates(program, decls)
    arity_problems, conflicted = _arity_conflicts(_uses(program))
    graph = dependency_graph(program.rules)
    diagnostics = [
        *arity_problems,
        *(d for fact in program.facts for d in _non_ground(fact)),
        *(d for rule in program.rules for d in unsafe_rule(rule)),
        *negative_cycles(graph),
        *counting_rules(graph),
        *_undefined(program.rules, predicates, conflicted),
        *source_problems,
        *(d for fact in program.facts for d in _unknown_sources(fact, sources)),
        *decl_problems,
        *check_property_decls(program.properties, predicates),
        *_alias_shadows(program),
    ]
    if any(d.is_error for d in diagnostics):
        raise CheckError(diagnostics)
    warnings = sort_diagnostics(diagnostics)
    return CheckedProgram(program, predicates, strata_of(graph), sources, warnings)


def _predicates(program: Program, decls: dict[str, PredicateDecl]) -> dict[str, PredicateInfo]:
    """Every predicate used, in order of first use, with its rules, facts and declaration."""
    rules: dict[str, list[Rule]] = {}
    for rule in program.rules:
        rules.setdefault(rule.head.key, []).append(rule)
    stated = {fact.atom.key for fact in program.facts}
    predicates: dict[str, PredicateInfo] = {}
    for atom, _ in _uses(program):
        if atom.key not in predicates:
            key, defined_by = atom.key, tuple(rules.get(atom.key, ()))
            predicates[key] = PredicateInfo(
                key, atom.predicate, len(atom.args), defined_by, key in stated, decls.get(key)
            )
    return predicates


# -- arity -----------------------------------------------------------------------------------
def _uses(program: Program) -> Iterator[tuple[Atom, object]]:
    """Every use of a predicate as an atom (a declaration as its atom), with its span."""
    for statement in program.statements:
        if isinstance(statement, Fact):
            yield statement.atom, statement.atom.span
        elif isinstance(statement, Rule):
            for atom in _rule_atoms(statement):
                yield atom, atom.span
        elif isinstance(statement, PredicateDecl):
            params = tuple(Variable(p) for p in statement.params)
            yield Atom(statement.name, params), statement.span


def _rule_atoms(rule: Rule) -> Iterator[Atom]:
    yield rule.head
    yield from body_atoms(rule.body)


def _arity_conflicts(uses) -> tuple[list[Diagnostic], set[str]]:
    """An `arity` error at each use disagreeing with a name's first arity, and those names."""
    first: dict[str, tuple[int, object]] = {}
    found, conflicted = [], set()
    for atom, span in uses:
        arity, where = first.setdefault(atom.predicate, (len(atom.args), span))
        if arity != len(atom.args):
            conflicted.add(atom.predicate)
            found.append(_arity_error(atom.predicate, len(atom.args), arity, where, span))
    return found, conflicted


def _arity_error(name: str, arity: int, first: int, where, span) -> Diagnostic:
    return error(
        f"`{name}` is used with {_arguments(arity)}, but with {first} before",
        span,
        "arity",
        notes=(f"`{name}` is used with {_arguments(first)} at {position(where)}", ARITY_NOTE),
        hint="if these are two predicates, give them two names",
    )


def _arguments(n: int) -> str:
    return f"{n} argument" + ("" if n == 1 else "s")


# -- facts and sources ---------------------------------------------------------------------
def _non_ground(fact: Fact) -> Iterator[Diagnostic]:
    for variable in fact.atom.variables():
        yield error(
            f"a fact must be ground, but `{variable.name}` is a variable",
            variable.span or fact.atom.span,
            "non-ground",
            hint="write a rule `head :- body.` to state something of every value",
        )
        return


def _unknown_sources(fact: Fact, sources: dict[str, SourceDecl]) -> Iterator[Diagnostic]:
    for source in fact.sources:
        if source not in sources:
            yield error(
                f"source `@{source}` is not declared",
                locate(fact.span or fact.atom.span, "@", source),
                "unknown-source",
                notes=("every cited source must be declared: `source id {title: \"…\", …}.`",),
                hint=did_you_mean(source, sources, lambda c: "@" + c),
            )


# -- undefined predicates ------------------------------------------------------------------
def _undefined(rules, predicates: dict[str, PredicateInfo], conflicted) -> Iterator[Diagnostic]:
    """An `undefined` warning for each body literal of a predicate nothing defines."""
    defined = [key for key, info in predicates.items() if info.is_defined]
    for rule in rules:
        for atom in list(_rule_atoms(rule))[1:]:
            if atom.predicate in conflicted or predicates[atom.key].is_defined:
                continue
            yield warning(
                f"predicate `{atom.key}` is undefined: no fact, rule or declaration defines it",
                atom.span,
                "undefined",
                notes=("an undefined predicate holds for no tuple",),
                hint=_closest_predicate(atom.predicate, defined),
            )


def _closest_predicate(name: str, keys) -> str | None:
    """A hint naming the defined predicate whose name is closest to `name`."""
    by_name = {key.rsplit("/", 1)[0]: key for key in keys}
    return did_you_mean(name, by_name, lambda n: by_name[n])


# -- aliases ---------------------------------------------------------------------------------
def _alias_shadows(program: Program) -> Iterator[Diagnostic]:
    """An `alias-shadow` warning for each rule variable named like an alias (once per rule)."""
    aliases = _aliases(program.facts)
    if not aliases:
        return
    for rule in program.rules:
        for variable in _rule_variables(rule):
            entity = aliases.get(variable.name.lower())
            if entity is not None:
                yield warning(
                    f"variable `{variable.name}` has the name of the alias of `{entity}`; "
                    f"in a query `{variable.name}` would denote that entity",
                    variable.span or rule.span,
                    "alias-shadow",
                    notes=(ALIAS_NOTE,),
                    hint="rename the variable",
                )


def _aliases(facts: Iterable[Fact]) -> dict[str, str]:
    """Lower-cased alias → the entity it names (the first, when several share an alias)."""
    table: dict[str, str] = {}
    for fact in facts:
        atom = fact.atom
        if atom.key == "alias/2" and atom.is_ground and isinstance(atom.args[1].value, String):
            table.setdefault(atom.args[1].value.text.lower(), str(atom.args[0]))
    return table


def _rule_variables(rule: Rule) -> Iterator[Variable]:
    """The named variables of a rule, each at its first occurrence."""
    seen: set[str] = set()
    for literal in (rule.head, *rule.body):
        for variable in literal.variables():
            if not variable.is_anonymous and variable.name not in seen:
                seen.add(variable.name)
                yield variable


# -- what a user types -----------------------------------------------------------------------
def check_query(query: Query, checked: CheckedProgram, extra: Iterable[str] = ()) -> tuple[Diagnostic, ...]:
    """The warnings of a query; QueryError when it names an unknown predicate or is unsafe.

    `extra` names predicates that facts asserted since loading have introduced."""
    found = []
    extra = set(extra)
    for atom in body_atoms(query.body):
        if atom.key not in extra:
            found.extend(_unknown_in_query(atom, checked, extra))
    found.extend(unsafe_query(query.body))
    return _verdict(found)


def _unknown_in_query(atom: Atom, checked: CheckedProgram, extra=()) -> Iterator[Diagnostic]:
    info = checked.predicates.get(atom.key)
    if info is not None and info.is_defined:
        return
    defined = [k for k, i in checked.predicates.items() if i.is_defined] + sorted(extra)
    known = next((k for k in defined if k.rsplit("/", 1)[0] == atom.predicate), None)
    if known is not None:
        yield _takes_error(known, atom)
        return
    yield error(
        f"unknown predicate `{atom.key}`",
        atom.span,
        "undefined",
        notes=("no fact, rule or declaration of the knowledge base defines it",),
        hint=_closest_predicate(atom.predicate, defined),
    )


def _takes_error(known: str, atom: Atom) -> Diagnostic:
    arity = int(known.rsplit("/", 1)[1])
    return error(
        f"`{known}` takes {_arguments(arity)}, found {len(atom.args)}",
        atom.span,
        "arity",
        notes=(ARITY_NOTE,),
    )


def check_fact(fact: Fact, checked: CheckedProgram, extra: Iterable[str] = ()) -> tuple[Diagnostic, ...]:
    """The warnings of a typed fact; QueryError when its arity or a cited source is wrong."""
    found = list(_non_ground(fact))
    known = list(checked.predicates) + sorted(extra)
    same_name = [k for k in known if k.rsplit("/", 1)[0] == fact.atom.predicate]
    if same_name and fact.atom.key not in same_name:
        found.append(_takes_error(same_name[0], fact.atom))
    found.extend(_unknown_sources(fact, checked.sources))
    return _verdict(found)


def _verdict(diagnostics: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    """The diagnostics sorted, after raising QueryError if any of them is an error."""
    if any(d.is_error for d in diagnostics):
        raise QueryError(diagnostics)
    return sort_diagnostics(diagnostics)
