"""Hypothesis strategies over a knowledge base's own predicates: entities, facts, whole KBs.

Sits on `kinds` (a `Schema` says which base predicates a case may state and the kind of each
argument) and under `properties`. Every case is valid by construction, without filtering, so it
shrinks well: facts are ground, of a base predicate the rules use, with the right arity, each
argument an entity of its kind. A knowledge base is about a `Cast`: a few fresh entities of
each kind (`group1`, `group2`, `"term 1"`), the constants the rules mention (so that the rules
can fire: `state`, `caliphate`) and, when asked, a few of the values the stated facts hold (so
that generated facts meet the real ones). Shrinking removes facts and moves every argument
towards the first fresh entity of its kind. Sizes are bounded (`max_facts`, `fresh`, `known`).

    schema = Schema.of(check(read_program(["kb"])))

    @given(knowledge_bases(schema, predicates=["charges/3", "ideology/2", "pledged/2"]))
    def test_no_alliance_across_a_rift(case):
        with KnowledgeBase.from_program(schema.rules + case) as kb:
            assert not kb.holds("alliance(X, Y), rift(X, Y)?")
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from attrs import frozen
from hypothesis import strategies as st

from allegiance.check.kinds import Schema
from allegiance.lang.syntax import Atom, Comparison, Constant, Fact, Negation, Program, Rule, Variable
from allegiance.lang.values import Date, Integer, String, Symbol, Value, is_symbol_name

__all__ = ["Cast", "Schema", "casts", "derivations", "entities", "facts", "fresh_entities",
           "knowledge_bases", "renamings"]


_RARELY = st.sampled_from((False, False, False, True))  # shrinks to False


@frozen
class Cast:
    """The entities one generated knowledge base is about: kind → its pool, fresh ones first."""

    pools: dict[str, tuple[Value, ...]]

    def of(self, kind: str) -> tuple[Value, ...]:
        return self.pools[kind]


def fresh_entities(schema: Schema, kind: str, count: int, start: int = 1) -> tuple[Value, ...]:
    """`count` entities of `kind` that no statement of the knowledge base mentions."""
    value_type, found, n = schema.value_type(kind), [], start
    stem = _stem(kind)
    while len(found) < count:
        value = _fresh(value_type, stem, n)
        n += 1
        if value not in schema.taken and value not in schema.fixed:
            found.append(value)
    return tuple(found)


def entities(schema: Schema, kind: str, fresh: int = 3, known: int = 0) -> st.SearchStrategy:
    """One entity of `kind`: fresh, a constant the rules mention, or (up to `known`) a known one."""
    return casts(schema, fresh, known).flatmap(lambda cast: st.sampled_from(cast.of(kind)))


def casts(schema: Schema, fresh: int = 3, known: int = 0, offset: int = 0,
          vocabulary: bool = True) -> st.SearchStrategy[Cast]:
    """Pools of entities, one per kind: `fresh` fresh ones (numbered from `offset + 1`), the
    rules' constants of that kind, and up to `known` values the stated facts hold."""
    kinds = schema.kind_names()

    def pool(kind: str, sample: Sequence[Value]) -> tuple[Value, ...]:
        words = schema.vocabulary.get(kind, ()) if vocabulary else ()
        values = fresh_entities(schema, kind, fresh, offset + 1) + tuple(words) + tuple(sample)
        return tuple(dict.fromkeys(values))

    if not known:
        return st.just(Cast({k: pool(k, ()) for k in kinds}))
    samples = [st.lists(st.sampled_from(schema.known[k][:20]), unique=True, max_size=known)
               if schema.known.get(k) else st.just(()) for k in kinds]
    return st.tuples(*samples).map(
        lambda drawn: Cast({k: pool(k, sample) for k, sample in zip(kinds, drawn)}))


def facts(schema: Schema, cast: Cast, predicates: Iterable[str] | None = None
          ) -> st.SearchStrategy[Fact]:
    """One fact of a base predicate (of `predicates`, default all), its arguments from `cast`."""
    return _facts(schema, cast, tuple(_keys(schema, predicates)))


@st.composite
def _facts(draw, schema: Schema, cast: Cast, keys: tuple[str, ...]) -> Fact:
    key = draw(st.sampled_from(keys))
    return _fact(key, tuple(draw(st.sampled_from(cast.of(kind))) for kind in schema.kinds[key]))


def knowledge_bases(schema: Schema, predicates: Iterable[str] | None = None, min_facts: int = 0,
                    max_facts: int = 12, fresh: int = 3, known: int = 0
                    ) -> st.SearchStrategy[Program]:
    """Knowledge bases of `min_facts` to `max_facts` distinct facts (no rules) about one cast."""
    keys = _keys(schema, predicates)
    return casts(schema, fresh, known).flatmap(
        lambda cast: st.lists(facts(schema, cast, keys), min_size=min_facts, max_size=max_facts,
                              unique_by=lambda f: f.atom)
    ).map(lambda found: Program(tuple(found)))


def derivations(schema: Schema, goal: str, cast: Cast, depth: int = 6, max_facts: int = 12,
                args: tuple[Value | None, ...] | None = None) -> st.SearchStrategy[list[Fact]]:
    """Facts that derive an instance of the derived predicate `goal` unless something blocks
    it: a rule of it is chosen, its variables bound to entities of `cast` (distinct variables
    to distinct entities while the pool allows) and each positive atom of its body unfolded
    the same way, down to facts of base predicates. Now and then a negated atom is unfolded
    too, so that what blocks a rule is generated as well; comparisons are left to chance.
    `args` fixes some arguments of the instance derived (None: any)."""
    return _derivations(schema, goal, cast, depth, max_facts, args)


@st.composite
def _derivations(draw, schema: Schema, goal: str, cast: Cast, depth: int, max_facts: int,
                 args) -> list[Fact]:
    found: dict[Atom, Fact] = {}
    _Unfolder(draw, schema, cast, found, max_facts).atom(goal, args, depth)
    return list(found.values())


class _Unfolder:
    """One derivation being drawn: the choices go through `draw`, the facts into `found`."""

    def __init__(self, draw, schema: Schema, cast: Cast, found, max_facts: int):
        self.draw, self.schema, self.cast, self.rules = draw, schema, cast, schema.rules_by_head
        self.found, self.max_facts = found, max_facts
        self.everyone = tuple(dict.fromkeys(v for pool in cast.pools.values() for v in pool))

    def atom(self, key: str, args: tuple[Value | None, ...] | None, depth: int) -> None:
        arity = int(key.rsplit("/", 1)[1])
        args = args or (None,) * arity
        if len(self.found) >= self.max_facts:
            return
        if key in self.schema.kinds:
            row = tuple(v if v is not None else self.draw(st.sampled_from(self.pool(kind)))
                        for v, kind in zip(args, self.schema.kinds[key]))
            fact = _fact(key, row)
            self.found.setdefault(fact.atom, fact)
            return
        fitting = [r for r in self.rules.get(key, ()) if _fits(r.head, args)]
        if fitting and depth > 0:
            self.rule(self.draw(st.sampled_from(fitting)), args, depth)

    def rule(self, rule: Rule, args: tuple[Value | None, ...], depth: int) -> None:
        binding: dict[str, Value] = {}
        for term, value in zip(rule.head.args, args):
            if isinstance(term, Variable) and value is not None and not term.is_anonymous:
                binding[term.name] = value
        for literal in rule.body:  # `X = c` binds X
            if isinstance(literal, Comparison) and literal.op == "=":
                for var, other in ((literal.left, literal.right), (literal.right, literal.left)):
                    if isinstance(var, Variable) and isinstance(other, Constant):
                        binding.setdefault(var.name, other.value)
        for name, kind in _variable_kinds(rule, self.schema).items():
            if name not in binding:
                pool = self.pool(kind)
                unused = [v for v in pool if v not in binding.values()] or list(pool)
                binding[name] = self.draw(st.sampled_from(unused))
        for literal in rule.body:
            if isinstance(literal, Negation) and not self.draw(_RARELY):
                continue  # now and then (one time in four), what the rule rules out is derived
            atom = literal.atom if isinstance(literal, Negation) else literal
            if isinstance(atom, Atom):
                values = tuple(binding.get(t.name) if isinstance(t, Variable) else t.value
                               for t in atom.args)
                self.atom(atom.key, values, depth - 1)

    def pool(self, kind: str | None) -> tuple[Value, ...]:
        return self.cast.pools.get(kind) or self.everyone


def _fits(head: Atom, args) -> bool:
    """True when a rule's head can conclude an atom with these (partly known) arguments."""
    return all(value is None or not isinstance(term, Constant) or term.value == value
               for term, value in zip(head.args, args))


def _variable_kinds(rule: Rule, schema: Schema) -> dict[str, str | None]:
    """Each named variable of a rule's atoms and the kind of the first argument it stands in."""
    kinds: dict[str, str | None] = {}
    for atom in (rule.head, *(lit for lit in rule.body if isinstance(lit, Atom))):
        table = schema.kinds.get(atom.key) or schema.derived_kinds.get(atom.key) or ()
        for i, term in enumerate(atom.args):
            if isinstance(term, Variable) and not term.is_anonymous:
                kind = table[i] if i < len(table) else None
                if kinds.get(term.name) is None:
                    kinds[term.name] = kind
    return kinds


def renamings(names: Sequence[Value]) -> st.SearchStrategy[dict[Value, Value]]:
    """Consistent renamings of `names`: each name to itself, to a fresh name or to another of
    them, never two to one; symbols stay symbols and strings strings. Shrinks towards no
    renaming, then towards renaming one name to a fresh one."""
    return _renamings(tuple(dict.fromkeys(names)))


@st.composite
def _renamings(draw, names: tuple[Value, ...]) -> dict[Value, Value]:
    renaming: dict[Value, Value] = {}
    for name in names:
        others = (n for n in names if n != name and type(n) is type(name))
        options = [v for v in (name, _renamed(name), *others) if v not in renaming.values()]
        renaming[name] = draw(st.sampled_from(options))
    return renaming


def _renamed(value: Value) -> Value:
    if isinstance(value, Symbol):
        return Symbol(f"{value.name}_renamed")
    return String(f"{value.text} (renamed)")


def _keys(schema: Schema, predicates: Iterable[str] | None) -> list[str]:
    keys = sorted(schema.kinds) if predicates is None else sorted(set(predicates))
    missing = [k for k in keys if k not in schema.kinds]
    if missing or not keys:
        raise ValueError(f"not base predicates the rules use: {', '.join(missing) or 'none'}")
    return keys


def _fact(key: str, row: tuple[Value, ...]) -> Fact:
    return Fact(Atom(key.rsplit("/", 1)[0], tuple(Constant(v) for v in row)))


def _stem(kind: str) -> str:
    stem = kind.lstrip("_").lower()
    return stem if is_symbol_name(stem) else "entity"


def _fresh(value_type: type, stem: str, n: int) -> Value:
    if value_type is String:
        return String(f"{stem} {n}")
    if value_type is Integer:
        return Integer(n)
    if value_type is Date:  # month precision: a year alone would read back as an integer
        return Date(2000 + (n - 1) // 12, (n - 1) % 12 + 1)
    return Symbol(f"{stem}_{n}" if stem[-1].isdigit() else f"{stem}{n}")
