"""The kinds of entity each argument of a base predicate holds: declared, or inferred.

Sits after `checks`, under `strategies` and `properties`: generated cases fill each argument
from a small pool of entities of its kind, so that facts join the way the rules expect
(`present(group1, place1)` beside `fights(group1, group2, place1)`). `Schema.of` reads a checked
program and guarantees a kind for every argument of every base predicate the rules use:
1. declared: `property kinds(present/2, group, place).`;
2. else inferred from the stated facts: two arguments that hold a value in common are of one
   kind (a union of positions), and a kind takes the name most of its arguments are declared
   with (`predicate present(Group, Region)`: `group`, `region`; undeclared: `foe_a` for the
   first argument of `foe`); kinds of the same name merge;
3. else from the rules: an argument without facts takes the kind of an argument that shares a
   variable with it in a rule (derived arguments take the kinds of their rules' bodies);
4. else, among what is left, arguments that share a variable are of one kind.
The schema also records, kind by kind, the constants the rules mention and the values the
facts hold; the names that are never renamed (the declared `vocabulary`, else every constant the
rules mention); and the kinds the rules give the arguments of derived predicates.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from attrs import frozen

from allegiance.check.checks import CheckedProgram
from allegiance.lang.syntax import Atom, Comparison, Constant, Fact, Negation, Program, Rule, Variable
from allegiance.lang.values import Symbol, Value

Position = tuple[str, int]  # (predicate key, 0-based argument)


@frozen
class Schema:
    """The base predicates a case may state, the kind of each argument, and the known values."""

    rules: Program  # every statement of the knowledge base but its facts
    facts: Program  # its facts
    kinds: dict[str, tuple[str, ...]]  # base predicate key → the kind of each argument
    derived_kinds: dict[str, tuple[str | None, ...]]  # the same for derived predicates
    vocabulary: dict[str, tuple[Value, ...]]  # kind → the constants the rules mention
    known: dict[str, tuple[Value, ...]]  # kind → the values the facts hold, most used first
    fixed: frozenset[Value]  # the names rules may depend on: never renamed
    taken: frozenset[Value]  # every constant written anywhere: fresh names avoid them
    rules_by_head: dict[str, tuple[Rule, ...]]  # derived predicate key → its rules

    @classmethod
    def of(cls, checked: CheckedProgram) -> Schema:
        """The schema of a checked knowledge base."""
        return _Inference(checked).schema()

    def value_type(self, kind: str) -> type:
        """The type of value most known values of `kind` have (symbols when none is known)."""
        values = (*self.known.get(kind, ()), *self.vocabulary.get(kind, ()))
        seen = Counter(type(v) for v in values)
        return seen.most_common(1)[0][0] if seen else Symbol

    def kind_names(self) -> tuple[str, ...]:
        return tuple(sorted({k for kinds in self.kinds.values() for k in kinds}))


class _Inference:
    """One pass of kind inference over a checked program."""

    def __init__(self, checked: CheckedProgram):
        self.checked, self.program = checked, checked.program
        self.parent: dict[Position, Position] = {}
        self.kind_of: dict[Position, str] = {}
        self.derived: dict[Position, str] = {}  # kinds of the arguments of derived predicates
        used = _used(self.program.rules)
        self.base = [k for k, i in checked.predicates.items() if not i.is_derived and k in used]

    def schema(self) -> Schema:
        self.declare()
        self.from_facts()
        self.from_rules()
        kinds = {key: tuple(self.kind_of[(key, i)] for i in range(_arity(key)))
                 for key in self.base}
        derived = {key: tuple(self.derived.get((key, n)) for n in range(info.arity))
                   for key, info in self.checked.predicates.items() if info.is_derived}
        vocabulary = self.vocabulary()
        fixed = self.fixed(vocabulary)
        statements = self.program.statements
        taken = {a.value for s in statements for a in _constants(s)}
        return Schema(Program(tuple(s for s in statements if not isinstance(s, Fact))),
                      Program(self.program.facts), kinds, derived, vocabulary, self.known(kinds),
                      frozenset(fixed), frozenset(taken),
                      {k: i.rules for k, i in self.checked.predicates.items() if i.rules})

    # -- declared and stated -----------------------------------------------------------------
    def declare(self) -> None:
        for decl in self.program.properties:
            if decl.kind == "kinds":
                ref = decl.args[0]
                for i, term in enumerate(decl.args[1:]):
                    self.kind_of[(ref.key, i)] = str(term.value)

    def from_facts(self) -> None:
        """Union the untyped arguments that share a value; name each class; merge by name."""
        first: dict[Value, Position] = {}
        for fact in self.program.facts:
            key = fact.atom.key
            if key not in self.base:
                continue
            for i, arg in enumerate(fact.atom.args):
                position = (key, i)
                if position not in self.kind_of:
                    self.union(first.setdefault(arg.value, position), position)
        classes: dict[Position, list[Position]] = defaultdict(list)
        for position in list(self.parent):
            classes[self.find(position)].append(position)
        for members in classes.values():
            name = self.name(members)
            for position in members:
                self.kind_of[position] = name

    def name(self, members: list[Position]) -> str:
        """The argument name most members are declared with (lower case), else the first
        member's predicate and a letter for its argument (`foe_a`: the first of `foe`)."""
        decls = {d.key: d for d in self.program.predicates}
        names = Counter(decls[k].params[i].lower() for k, i in members
                        if k in decls and i < len(decls[k].params))
        if names:
            return max(names, key=lambda n: (names[n], -len(n), n))
        key, i = min(members)
        return f"{key.rsplit('/', 1)[0]}_{chr(ord('a') + i) if i < 26 else i + 1}"

    # -- rules ---------------------------------------------------------------------------------
    def from_rules(self) -> None:
        """Give every argument left a kind: through shared variables, else a class of its own."""
        self.flow()
        left = [(k, i) for k in self.base for i in range(_arity(k)) if (k, i) not in self.kind_of]
        self.parent.clear()
        for rule in self.program.rules:
            for group in _sharing(rule).values():
                for position in group:
                    if position in left or position[0] not in self.base:
                        self.union(group[0], position)
        for position in left:
            if position not in self.kind_of:
                members = [p for p in left if self.find(p) == self.find(position)]
                name = self.name(members)
                for member in members:
                    self.kind_of[member] = name
        self.flow()

    def flow(self) -> None:
        """Kinds through the rules' variables until nothing changes (head, then body)."""
        occurrences = [list(_occurrences(rule)) for rule in self.program.rules]
        changed = True
        while changed:
            changed = False
            for found in occurrences:
                changed |= self.propagate(found)

    def propagate(self, occurrences: list[tuple[Position, str]]) -> bool:
        """Kinds of one rule's variables to its untyped arguments; True when one got a kind."""
        variables: dict[str, str] = {}
        for position, name in occurrences:
            kind = self.kind_of.get(position) or self.derived.get(position)
            if kind is not None:
                variables.setdefault(name, kind)
        changed = False
        for position, name in occurrences:
            if name in variables and position not in self.kind_of and \
                    position not in self.derived:
                table = self.kind_of if position[0] in self.base else self.derived
                table[position] = variables[name]
                changed = True
        return changed

    # -- constants -----------------------------------------------------------------------------
    def vocabulary(self) -> dict[str, tuple[Value, ...]]:
        """The constants the rules mention, by the kind of the argument they stand in."""
        kinds = {**self.derived, **self.kind_of}
        found: dict[str, dict[Value, None]] = defaultdict(dict)
        for rule in self.program.rules:
            variables = {n: kinds[p] for p, n in _occurrences(rule) if p in kinds}
            for literal in (rule.head, *rule.body):
                atom = literal.atom if isinstance(literal, Negation) else literal
                if isinstance(atom, Atom):
                    for i, term in enumerate(atom.args):
                        if isinstance(term, Constant) and (atom.key, i) in kinds:
                            found[kinds[(atom.key, i)]].setdefault(term.value)
                elif isinstance(atom, Comparison):
                    for var, const in ((atom.left, atom.right), (atom.right, atom.left)):
                        if isinstance(var, Variable) and isinstance(const, Constant) and \
                                var.name in variables:
                            found[variables[var.name]].setdefault(const.value)
        return {k: tuple(v) for k, v in found.items()}

    def fixed(self, vocabulary) -> set[Value]:
        declared = [d for d in self.program.properties if d.kind == "vocabulary"]
        if declared:
            return {a.value for d in declared for a in d.args}
        return {v for values in vocabulary.values() for v in values}

    def known(self, kinds) -> dict[str, tuple[Value, ...]]:
        counts: dict[str, Counter] = defaultdict(Counter)
        for fact in self.program.facts:
            for i, arg in enumerate(fact.atom.args):
                if fact.atom.key in kinds:
                    counts[kinds[fact.atom.key][i]][arg.value] += 1
        return {k: tuple(v for v, _ in c.most_common()) for k, c in counts.items()}

    # -- union-find ----------------------------------------------------------------------------
    def find(self, position: Position) -> Position:
        self.parent.setdefault(position, position)
        while self.parent[position] != position:
            self.parent[position] = self.parent[self.parent[position]]
            position = self.parent[position]
        return position

    def union(self, a: Position, b: Position) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


def _arity(key: str) -> int:
    return int(key.rsplit("/", 1)[1])


def _used(rules) -> set[str]:
    """The predicates the bodies of `rules` use."""
    return {a.key for r in rules for a in _body_atoms(r)}


def _body_atoms(rule: Rule):
    for literal in rule.body:
        if isinstance(literal, Atom):
            yield literal
        elif isinstance(literal, Negation):
            yield literal.atom


def _occurrences(rule: Rule):
    """(position, variable name) for every named variable of the rule's atoms."""
    for atom in (rule.head, *_body_atoms(rule)):
        for i, term in enumerate(atom.args):
            if isinstance(term, Variable) and not term.is_anonymous:
                yield (atom.key, i), term.name


def _sharing(rule: Rule) -> dict[str, list[Position]]:
    """The positions of each variable of a rule."""
    found: dict[str, list[Position]] = defaultdict(list)
    for position, name in _occurrences(rule):
        found[name].append(position)
    return found


def _constants(statement):
    atoms = []
    if hasattr(statement, "atom"):
        atoms = [statement.atom]
    elif isinstance(statement, Rule):
        atoms = [statement.head, *_body_atoms(statement)]
        for literal in statement.body:
            if isinstance(literal, Comparison):
                yield from (t for t in (literal.left, literal.right) if isinstance(t, Constant))
    for atom in atoms:
        yield from (t for t in atom.args if isinstance(t, Constant))

